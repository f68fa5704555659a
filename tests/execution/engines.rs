//! Real engines: embedded DuckDB, and the PostgreSQL server named by
//! `KPIC_POSTGRES` (started by `.ci/postgres-env`). Both load the CSVs of
//! `tests/data/` with the types in `tests/data/schema.sql`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use kpic::emit::sql::dialect::for_dialect;
use kpic::model::Dialect;

/// One row of a KPI view.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRow {
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<f64>,
    pub status: Option<String>,
}

pub type ViewRows = BTreeMap<(NaiveDate, Vec<Option<String>>), ViewRow>;

/// Rows read back: text columns, then double columns.
pub type Rows = Vec<(Vec<Option<String>>, Vec<Option<f64>>)>;

/// A table of sample data: raw names, column types as `.kpi` files spell
/// them (`string`, `number`, `boolean`, `timestamp`, `datetime`, `date`),
/// and values as CSV text.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub columns: Vec<(String, &'static str)>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// An engine that runs SQL statements and reads KPI views.
pub trait Engine {
    fn name(&self) -> &'static str;
    /// Runs one statement, verbatim; the engine's error as text.
    fn try_execute(&mut self, sql: &str) -> Result<(), String>;
    fn execute(&mut self, sql: &str) {
        if let Err(error) = self.try_execute(sql) {
            panic!("{}: {error}\n{sql}", self.name());
        }
    }
    /// Rows of a query: text columns, then double columns.
    fn rows(&mut self, sql: &str, texts: usize, doubles: usize) -> Rows;
    /// A name as a user of this warehouse writes it in a query.
    fn quote(&self, name: &str) -> String {
        quote(name)
    }
    /// `CAST(x AS <text type>)`.
    fn text(&self, expr: &str) -> String {
        format!("CAST({expr} AS VARCHAR)")
    }
    /// `CAST(x AS <double type>)`.
    fn double(&self, expr: &str) -> String {
        format!("CAST({expr} AS DOUBLE PRECISION)")
    }
    /// Creates (or replaces) a table and fills it.
    fn load(&mut self, table: &Table) {
        let sql_type = |ty: &str| match ty {
            "number" => "DOUBLE PRECISION",
            "boolean" => "BOOLEAN",
            "timestamp" | "datetime" => "TIMESTAMP",
            "date" => "DATE",
            _ => "VARCHAR",
        };
        let name = format!("{}.{}", quote(&table.schema), quote(&table.name));
        let columns: Vec<String> =
            table.columns.iter().map(|(c, ty)| format!("{} {}", quote(c), sql_type(ty))).collect();
        let mut sql = format!(
            "CREATE SCHEMA IF NOT EXISTS {}; DROP TABLE IF EXISTS {name} CASCADE; CREATE TABLE {name} ({});\n",
            quote(&table.schema),
            columns.join(", ")
        );
        for row in &table.rows {
            let values: Vec<String> = row
                .iter()
                .map(|v| v.as_ref().map_or_else(|| "NULL".to_string(), |v| format!("'{}'", v.replace('\'', "''"))))
                .collect();
            sql.push_str(&format!("INSERT INTO {name} VALUES ({});\n", values.join(", ")));
        }
        self.execute(&sql);
    }
}

/// The tables of `tests/data/`: types from `schema.sql`, rows from the CSVs.
pub fn sample_tables() -> Vec<Table> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let schema = std::fs::read_to_string(dir.join("schema.sql")).expect("tests/data/schema.sql");
    let mut tables = Vec::new();
    for line in schema.lines().filter_map(|l| l.strip_prefix("CREATE TABLE ")) {
        let (qualified, columns) = line.split_once(" (").expect("CREATE TABLE name (columns);");
        let (schema, name) = qualified.split_once('.').expect("schema.table");
        let columns = columns.trim_end_matches(");").split(", ").map(|column| {
            let (name, ty) = column.split_once(' ').expect("name TYPE");
            let ty = match ty {
                "DOUBLE PRECISION" => "number",
                "BOOLEAN" => "boolean",
                "TIMESTAMP" => "timestamp",
                "DATE" => "date",
                _ => "string",
            };
            (name.trim_matches('"').to_string(), ty)
        });
        let text = std::fs::read_to_string(dir.join(format!("{qualified}.csv"))).expect("a CSV per table");
        let rows = text
            .lines()
            .skip(1)
            .map(|line| line.split(',').map(|f| (!f.is_empty()).then(|| f.to_string())).collect())
            .collect();
        tables.push(Table { schema: schema.into(), name: name.into(), columns: columns.collect(), rows });
    }
    tables
}

/// Loads every table of the sample data.
pub fn load_sample_data(engine: &mut dyn Engine) {
    for table in sample_tables() {
        engine.load(&table);
    }
}

/// Reads a KPI view into rows keyed by period and dimension values.
pub fn read_view(engine: &mut dyn Engine, schema: &str, view: &str, dimensions: &[String], ratio: bool) -> ViewRows {
    let mut texts: Vec<String> = vec![engine.text(&engine.quote("period_start"))];
    texts.extend(dimensions.iter().map(|d| engine.text(&engine.quote(d))));
    texts.push(engine.quote("status"));
    let mut doubles = vec![engine.quote("value"), engine.quote("target")];
    if ratio {
        doubles.extend([engine.quote("numerator"), engine.quote("denominator")]);
    }
    let sql = format!(
        "SELECT {}, {} FROM {}.{}",
        texts.join(", "),
        doubles.join(", "),
        engine.quote(schema),
        engine.quote(view)
    );
    let mut out = ViewRows::new();
    for (text, numbers) in engine.rows(&sql, texts.len(), doubles.len()) {
        let period = NaiveDate::parse_from_str(text[0].as_deref().expect("period_start"), "%Y-%m-%d").expect("a date");
        let dims = text[1..text.len() - 1].to_vec();
        let row = ViewRow {
            value: numbers[0],
            target: numbers[1],
            numerator: numbers.get(2).copied().flatten(),
            denominator: numbers.get(3).copied().flatten(),
            status: text[text.len() - 1].clone(),
        };
        assert!(out.insert((period, dims), row).is_none(), "{} {view}: duplicate row", engine.name());
    }
    out
}

/// A quoted identifier, embedded quotes doubled.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub struct DuckDb(duckdb::Connection);

impl DuckDb {
    pub fn new() -> DuckDb {
        DuckDb(duckdb::Connection::open_in_memory().expect("DuckDB opens"))
    }
}

impl Engine for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn try_execute(&mut self, sql: &str) -> Result<(), String> {
        self.0.execute_batch(sql).map_err(|e| e.to_string())
    }

    fn rows(&mut self, sql: &str, texts: usize, doubles: usize) -> Rows {
        let mut statement = self.0.prepare(sql).unwrap_or_else(|e| panic!("duckdb: {e}\n{sql}"));
        let rows = statement
            .query_map([], |row| {
                let text = (0..texts).map(|i| row.get(i)).collect::<Result<Vec<Option<String>>, _>>()?;
                let numbers = (0..doubles).map(|i| row.get(texts + i)).collect::<Result<Vec<Option<f64>>, _>>()?;
                Ok((text, numbers))
            })
            .unwrap_or_else(|e| panic!("duckdb: {e}\n{sql}"));
        rows.collect::<Result<_, _>>().expect("rows read")
    }
}

pub struct Postgres(postgres::Client);

impl Postgres {
    /// Connects to `KPIC_POSTGRES`; `None` when it is not set.
    pub fn connect() -> Option<Postgres> {
        let config = std::env::var("KPIC_POSTGRES").ok()?;
        Some(Postgres(
            postgres::Client::connect(&config, postgres::NoTls)
                .expect("PostgreSQL at KPIC_POSTGRES accepts connections"),
        ))
    }

    /// A fresh database for one test binary run, so runs never see each other's tables.
    pub fn isolated(mut self, name: &str) -> Postgres {
        // One statement at a time: a batch is one transaction, which DROP DATABASE refuses.
        self.execute(&format!("DROP DATABASE IF EXISTS {name}"));
        self.execute(&format!("CREATE DATABASE {name}"));
        let config = std::env::var("KPIC_POSTGRES").expect("KPIC_POSTGRES");
        let config = config.replace("dbname=postgres", &format!("dbname={name}"));
        Postgres(postgres::Client::connect(&config, postgres::NoTls).expect("test database accepts connections"))
    }
}

impl Engine for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn try_execute(&mut self, sql: &str) -> Result<(), String> {
        self.0.batch_execute(sql).map_err(|e| format!("{e:?}"))
    }

    fn rows(&mut self, sql: &str, texts: usize, doubles: usize) -> Rows {
        let rows = self.0.query(sql, &[]).unwrap_or_else(|e| panic!("postgres: {e:?}\n{sql}"));
        rows.iter()
            .map(|row| {
                let text = (0..texts).map(|i| row.get::<_, Option<String>>(i)).collect();
                let numbers = (0..doubles).map(|i| row.get::<_, Option<f64>>(texts + i)).collect();
                (text, numbers)
            })
            .collect()
    }
}

/// An engine behind a server process of `tests/engines/` (Spark, ZetaSQL,
/// fakesnow), which speaks JSON lines: see each server's docstring.
pub struct Served {
    /// The dialect the engine runs: it names the server and says how names
    /// and types are written in the harness's own queries.
    dialect: Dialect,
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Served {
    /// Starts `tests/engines/<dialect>.py` with the Python of `$KPIC_ENGINES/<venv>`
    /// (installed by `.ci/run`); `None` when `KPIC_ENGINES` is not set.
    pub fn start(dialect: Dialect, venv: &str) -> Option<Served> {
        use std::process::{Command, Stdio};
        let name = dialect.name();
        let engines = std::env::var_os("KPIC_ENGINES")?;
        let python = Path::new(&engines).join(venv).join("bin/python");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines").join(format!("{name}.py"));
        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot start {}: {e}", python.display()));
        let input = child.stdin.take().unwrap();
        let output = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut served = Served { dialect, child, input, output };
        let ready = served.reply().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ready["ready"], true, "{name}: {ready}");
        Some(served)
    }

    /// Sends one request and reads its reply; the engine's error as `Err`.
    pub fn call(&mut self, request: serde_json::Value) -> Result<serde_json::Value, String> {
        use std::io::Write;
        writeln!(self.input, "{request}").and_then(|()| self.input.flush()).map_err(|e| e.to_string())?;
        self.reply()
    }

    fn reply(&mut self) -> Result<serde_json::Value, String> {
        use std::io::BufRead;
        let mut line = String::new();
        self.output.read_line(&mut line).map_err(|e| e.to_string())?;
        if line.is_empty() {
            return Err("the server exited".into());
        }
        let reply: serde_json::Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        match reply["error"].as_str() {
            Some(error) => Err(error.to_string()),
            None => Ok(reply),
        }
    }

    /// Changes session settings (Spark: `time_zone`, `ansi`).
    pub fn set(&mut self, settings: serde_json::Value) {
        let mut request = settings;
        request["op"] = "set".into();
        self.call(request).unwrap_or_else(|e| panic!("{}: {e}", self.name()));
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Engine for Served {
    fn name(&self) -> &'static str {
        self.dialect.name()
    }

    fn try_execute(&mut self, sql: &str) -> Result<(), String> {
        self.call(serde_json::json!({"op": "execute", "sql": sql})).map(drop)
    }

    fn rows(&mut self, sql: &str, texts: usize, doubles: usize) -> Rows {
        let reply = self
            .call(serde_json::json!({"op": "query", "sql": sql}))
            .unwrap_or_else(|e| panic!("{}: {e}\n{sql}", self.name()));
        let rows = reply["rows"].as_array().unwrap_or_else(|| panic!("{}: {reply}", self.name()));
        rows.iter()
            .map(|row| {
                let text = (0..texts)
                    .map(|i| match &row[i] {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => Some(s.clone()),
                        other => Some(other.to_string()),
                    })
                    .collect();
                let numbers = (texts..texts + doubles).map(|i| row[i].as_f64()).collect();
                (text, numbers)
            })
            .collect()
    }

    /// Backquotes on Spark and BigQuery; on Snowflake unquoted where its
    /// users write a name so (kpic's own quoting is what is under test).
    fn quote(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Snowflake if is_lowercase_name(name) => name.to_string(),
            Dialect::Snowflake => quote(name),
            _ => format!("`{}`", name.replace('`', "``")),
        }
    }

    fn text(&self, expr: &str) -> String {
        format!("CAST({expr} AS {})", for_dialect(self.dialect).string_type())
    }

    fn double(&self, expr: &str) -> String {
        format!("CAST({expr} AS {})", for_dialect(self.dialect).double_type())
    }

    fn load(&mut self, table: &Table) {
        let request = serde_json::json!({
            "op": "load", "schema": table.schema, "table": table.name,
            "columns": table.columns, "rows": table.rows,
        });
        self.call(request).unwrap_or_else(|e| panic!("{}: loading {}: {e}", self.name(), table.name));
    }
}

/// A name Snowflake users write unquoted: lowercase letters, digits, `_`.
fn is_lowercase_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
