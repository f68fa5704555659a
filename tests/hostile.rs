//! The hostile corpus (`tests/hostile/`): input written to escape its place
//! in the SQL or to break kpic. `refused/` cases must be rejected with the
//! diagnostics their `# expect:` markers name; each `accepted/` project must
//! check clean, and its `deploy.sql` must run exactly one `CREATE SCHEMA`
//! and its `CREATE VIEW`s — on DuckDB and PostgreSQL for real (around a
//! `victim` table that must survive), and as parsed by sqlparser for every
//! dialect. Deep and long expressions are generated here.
//!
//! Needs `--features engine` and `KPIC_POSTGRES` (see `.ci/run`).
#![cfg(feature = "engine")]

#[path = "support/corpus.rs"]
mod corpus;
// Shared with tests/execution.rs, which uses all of it.
#[allow(dead_code)]
#[path = "execution/engines.rs"]
mod engines;

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use engines::{DuckDb, Engine, Postgres};
use kpic::emit::sql;
use kpic::model::Dialect;
use sqlparser::ast::{Statement, Value};

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// Runs `f` on a thread with the CLI's stack, as `kpic` runs its stages.
fn with_cli_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    kpic::cli::on_large_stack(f).expect("thread starts").unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[test]
fn refused_cases_report_what_their_markers_expect() {
    let mut problems = Vec::new();
    for path in corpus::cases(&root().join("refused")) {
        let (missed, text) = with_cli_stack({
            let path = path.clone();
            move || corpus::check_invalid(&path, &root())
        });
        problems.extend(missed);
        insta::assert_snapshot!(format!("refused__{}", corpus::name(&path)), text);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// An accepted project: its `deploy.sql` per dialect, the views it creates, the tables it reads.
struct Deploy {
    name: String,
    scripts: Vec<(Dialect, String)>,
    views: Vec<(String, String)>,
    setup: String,
}

fn emit(project: &Path, setup: String) -> Deploy {
    let dir = project.to_path_buf();
    let (scripts, views) = with_cli_stack(move || {
        let checked = kpic::check_dir(&dir).expect("project loads");
        let text = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
        let valid = checked.valid().unwrap_or_else(|| panic!("{}:\n{text}", dir.display()));
        let dialects = valid.model.settings.dialects.clone();
        let files = sql::files(&valid, &dialects);
        let scripts = dialects
            .iter()
            .map(|d| {
                let deploy = files.iter().find(|f| f.path == Path::new("sql").join(d.name()).join("deploy.sql"));
                (*d, deploy.expect("deploy.sql").contents.clone())
            })
            .collect();
        let schema = valid.model.settings.schema.clone();
        let mut views: Vec<(String, String)> =
            sql::views(&valid, Dialect::DuckDb).into_iter().map(|v| (schema.clone(), v.name)).collect();
        views.push((schema.clone(), kpic::model::SCOREBOARD_VIEW.to_string()));
        (scripts, views)
    });
    Deploy { name: corpus::name(project), scripts, views, setup }
}

fn accepted() -> Vec<Deploy> {
    corpus::cases(&root().join("accepted"))
        .into_iter()
        .map(|dir| {
            let setup = std::fs::read_to_string(dir.join("setup.sql")).expect("an accepted case has setup.sql");
            emit(&dir, setup)
        })
        .collect()
}

/// Statement kinds sqlparser reads in a deploy script: one schema, the views,
/// and nothing but transaction control and `DROP VIEW` besides.
fn statement_problems(deploy: &Deploy, dialect: Dialect, script: &str) -> Vec<String> {
    let parser = kpic::resolve::sql::parser_dialect(dialect);
    let statements = match sqlparser::parser::Parser::parse_sql(parser.as_ref(), script) {
        Ok(statements) => statements,
        Err(error) => return vec![format!("{} / {}: does not parse: {error}", deploy.name, dialect.name())],
    };
    let (mut schemas, mut views, mut problems) = (0, 0, Vec::new());
    for statement in &statements {
        match statement {
            Statement::CreateSchema { .. } => schemas += 1,
            Statement::CreateView(_) => views += 1,
            Statement::StartTransaction { .. } | Statement::Commit { .. } => {}
            Statement::Drop { object_type: sqlparser::ast::ObjectType::View, if_exists: true, .. } => {}
            other => problems.push(format!("{} / {}: unexpected statement {other}", deploy.name, dialect.name())),
        }
    }
    if schemas != 1 || views != deploy.views.len() {
        problems.push(format!(
            "{} / {}: {schemas} CREATE SCHEMA and {views} CREATE VIEW, expected 1 and {}",
            deploy.name,
            dialect.name(),
            deploy.views.len()
        ));
    }
    problems
}

#[test]
fn accepted_deploy_scripts_hold_only_their_statements_in_every_dialect() {
    let mut problems = Vec::new();
    for deploy in accepted() {
        for (dialect, script) in &deploy.scripts {
            problems.extend(statement_problems(&deploy, *dialect, script));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// String literals of a script as sqlparser reads them for `dialect`.
fn string_literals(dialect: Dialect, script: &str) -> BTreeSet<String> {
    let parser = kpic::resolve::sql::parser_dialect(dialect);
    let statements = sqlparser::parser::Parser::parse_sql(parser.as_ref(), script).expect("parses");
    let mut out = BTreeSet::new();
    for statement in &statements {
        let _ = sqlparser::ast::visit_expressions(statement, |e| {
            if let sqlparser::ast::Expr::Value(v) = e {
                if let Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) = &v.value {
                    out.insert(s.clone());
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    out
}

/// Strings with quotes and trailing backslashes keep their exact value in
/// every dialect whose sqlparser tokenizer reads strings as the warehouse
/// does (Databricks' does not read backslash escapes, Spark does).
#[test]
fn strings_keep_their_value_in_every_dialect() {
    let deploy = emit(&root().join("accepted/comments_and_escapes"), String::new());
    let expected = ["a\\", "\\'", "'; DROP TABLE victim; --", "b\\\\"];
    for (dialect, script) in deploy.scripts.iter().filter(|(d, _)| *d != Dialect::Databricks) {
        let found = string_literals(*dialect, script);
        for value in expected {
            assert!(found.contains(value), "{}: {value:?} not among {found:?}", dialect.name());
        }
    }
}

const VICTIM: &str = "CREATE TABLE victim (id INTEGER); INSERT INTO victim VALUES (1);";

/// Every table and view outside the engine's own schemas, as `schema.name`.
fn relations(engine: &mut dyn Engine) -> BTreeSet<String> {
    let sql = "SELECT CAST(table_schema AS VARCHAR), CAST(table_name AS VARCHAR) FROM information_schema.tables \
               WHERE table_schema NOT IN ('pg_catalog', 'information_schema')";
    engine
        .rows(sql, 2, 0)
        .into_iter()
        .map(|(t, _)| format!("{}.{}", t[0].clone().unwrap(), t[1].clone().unwrap()))
        .collect()
}

fn deploy_around_victim(engine: &mut dyn Engine, dialect: Dialect, deploy: &Deploy, default_schema: &str) {
    engine.execute(VICTIM);
    engine.execute(&deploy.setup);
    let before = relations(engine);
    let script = &deploy.scripts.iter().find(|(d, _)| *d == dialect).expect("dialect emitted").1;
    engine.execute(script);
    let victim = engine.rows("SELECT CAST(count(*) AS DOUBLE PRECISION) FROM victim", 0, 1);
    assert_eq!(victim[0].1[0], Some(1.0), "{} / {}: victim lost its row", deploy.name, engine.name());
    let mut expected = before.clone();
    expected.extend(deploy.views.iter().map(|(schema, view)| format!("{schema}.{view}")));
    assert_eq!(relations(engine), expected, "{} / {}: relations after deploy", deploy.name, engine.name());
    assert!(before.contains(&format!("{default_schema}.victim")));
    for (schema, view) in &deploy.views {
        engine.execute(&format!("SELECT * FROM \"{schema}\".\"{view}\""));
    }
}

#[test]
fn accepted_deploy_scripts_run_exactly_their_views_on_duckdb() {
    for deploy in accepted() {
        deploy_around_victim(&mut DuckDb::new(), Dialect::DuckDb, &deploy, "main");
    }
}

#[test]
fn accepted_deploy_scripts_run_exactly_their_views_on_postgres() {
    let Some(server) = Postgres::connect() else {
        assert!(std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(), "KPIC_POSTGRES is not set");
        eprintln!("skipped: KPIC_POSTGRES is not set (source .ci/postgres-env to run this test)");
        return;
    };
    drop(server);
    for (index, deploy) in accepted().iter().enumerate() {
        let mut engine = Postgres::connect().unwrap().isolated(&format!("kpic_hostile_{}_{index}", std::process::id()));
        deploy_around_victim(&mut engine, Dialect::Postgres, deploy, "public");
    }
}

/// A machine-made filter of 10,000 `or` terms, a sum of 1,000 columns and an
/// alternating `x - x + x …` of 1,001 terms:
/// they check, emit as flat chains, deploy and count right on both engines.
fn long_chains() -> Deploy {
    let dir = Scratch::new("hostile-chains");
    let labels: Vec<String> = (0..10_000).map(|i| format!("s.label = \"v{i}\"")).collect();
    let sum = vec!["s.x"; 1_000].join(" + ");
    let alternating: String = (0..1_001)
        .map(|i| match i {
            0 => "s.x",
            i if i % 2 == 1 => " - s.x",
            _ => " + s.x",
        })
        .collect();
    let text = format!(
        "project chains {{\n  schema \"kpi\"\n  dialects [duckdb, postgres]\n}}\nteam t {{\n}}\n\
         source s {{\n  table \"app.s\"\n  time at\n  columns {{\n    at timestamp\n    label string\n    x number\n  }}\n}}\n\
         kpi listed {{\n  owner t\n  value count(s where {})\n  grain day\n  version 1\n}}\n\
         kpi summed {{\n  owner t\n  value sum({sum})\n  grain day\n  version 1\n}}\n\
         kpi alternating {{\n  owner t\n  value sum({alternating})\n  grain day\n  version 1\n}}\n",
        labels.join(" or ")
    );
    std::fs::write(dir.join("chains.kpi"), text).unwrap();
    let setup = "CREATE SCHEMA app; CREATE TABLE app.s (\"at\" TIMESTAMP, label VARCHAR, x DOUBLE PRECISION);\
                 INSERT INTO app.s VALUES ('2026-01-01 10:00:00', 'v0', 1), ('2026-01-01 11:00:00', 'v9999', 2),\
                 ('2026-01-01 12:00:00', 'v10000', 4);";
    emit(&dir, setup.to_string())
}

fn check_long_chains(engine: &mut dyn Engine, dialect: Dialect, default_schema: &str) {
    let deploy = long_chains();
    deploy_around_victim(engine, dialect, &deploy, default_schema);
    for (view, expected) in [("listed", 2.0), ("summed", 7000.0), ("alternating", 7.0)] {
        let values = engine.rows(&format!("SELECT value FROM kpi.{view}"), 0, 1);
        assert_eq!(values, vec![(vec![], vec![Some(expected)])], "{} {view}", engine.name());
    }
}

#[test]
fn long_chains_deploy_and_count_right_on_duckdb() {
    check_long_chains(&mut DuckDb::new(), Dialect::DuckDb, "main");
}

#[test]
fn long_chains_deploy_and_count_right_on_postgres() {
    let Some(server) = Postgres::connect() else {
        assert!(std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(), "KPIC_POSTGRES is not set");
        return;
    };
    let mut engine = server.isolated(&format!("kpic_hostile_chains_{}", std::process::id()));
    check_long_chains(&mut engine, Dialect::Postgres, "public");
}
