//! Real engines: embedded DuckDB, and the PostgreSQL server named by
//! `KPIC_POSTGRES` (started by `.ci/postgres-env`). Both load the CSVs of
//! `tests/data/` with the types in `tests/data/schema.sql`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;

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

/// An engine that runs SQL statements and reads KPI views.
pub trait Engine {
    fn name(&self) -> &'static str;
    /// Runs statements; the engine's error as text.
    fn try_execute(&mut self, sql: &str) -> Result<(), String>;
    fn execute(&mut self, sql: &str) {
        if let Err(error) = self.try_execute(sql) {
            panic!("{}: {error}\n{sql}", self.name());
        }
    }
    /// Rows of `SELECT <columns> FROM <view>`: text columns, then double columns.
    fn rows(&mut self, sql: &str, texts: usize, doubles: usize) -> Rows;
}

/// The SQL that creates and fills every table of the sample data.
pub fn data_sql() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut sql = std::fs::read_to_string(dir.join("schema.sql")).expect("tests/data/schema.sql");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    for file in files {
        let table = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        lines.next(); // the header
        for line in lines {
            let values: Vec<String> = line
                .split(',')
                .map(
                    |field| {
                        if field.is_empty() {
                            "NULL".to_string()
                        } else {
                            format!("'{}'", field.replace('\'', "''"))
                        }
                    },
                )
                .collect();
            sql.push_str(&format!("INSERT INTO {table} VALUES ({});\n", values.join(", ")));
        }
    }
    sql
}

/// Reads a KPI view into rows keyed by period and dimension values.
pub fn read_view(engine: &mut dyn Engine, schema: &str, view: &str, dimensions: &[String], ratio: bool) -> ViewRows {
    let mut texts: Vec<String> = vec!["CAST(\"period_start\" AS VARCHAR)".into()];
    texts.extend(dimensions.iter().map(|d| format!("CAST({} AS VARCHAR)", quote(d))));
    texts.push("\"status\"".into());
    let mut doubles = vec!["\"value\"", "\"target\""];
    if ratio {
        doubles.extend(["\"numerator\"", "\"denominator\""]);
    }
    let sql = format!("SELECT {}, {} FROM {}.{}", texts.join(", "), doubles.join(", "), quote(schema), quote(view));
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
