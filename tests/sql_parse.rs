//! Every statement kpic emits, for every dialect of the project (emit
//! refuses the others), parses back with sqlparser's parser for that
//! dialect — over the bundled library, the examples and every valid test
//! case; and every Trino statement with Trino's own grammar.

use std::path::{Path, PathBuf};

use std::io::Write;
use std::process::{Command, Stdio};

use kpic::emit::sql;
use kpic::model::Dialect;
use kpic::resolve::sql::parser_dialect;
use sqlparser::parser::Parser;

/// Project directories: `kpis/`, each `examples/*/` and `tests/cases/valid/*` that holds .kpi files.
fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("kpis")];
    for parent in ["examples", "tests/cases/valid", "tests/execution", "benches"] {
        let Ok(entries) = std::fs::read_dir(root.join(parent)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        dirs.sort();
        out.extend(dirs);
    }
    out.retain(|p| kpic::project::load(p).is_ok_and(|s| s.files().count() > 0));
    out
}

/// Every statement of every project, with its project and dialect.
fn statements() -> Vec<(PathBuf, Dialect, String)> {
    let mut out = Vec::new();
    for project in projects() {
        let checked = kpic::check_dir(&project).expect("project loads");
        let Some(valid) = checked.valid() else {
            continue;
        };
        for &dialect in &valid.model.settings.dialects {
            let statements = std::iter::once(sql::create_schema(valid.model, dialect))
                .chain(sql::views(&valid, dialect).into_iter().map(|v| v.statement))
                .chain([sql::scoreboard_statement(&valid, dialect)]);
            out.extend(statements.map(|statement| (project.clone(), dialect, statement)));
        }
    }
    assert!(!out.is_empty(), "no project was found to emit");
    out
}

#[test]
fn every_emitted_statement_parses_in_its_dialect() {
    for (project, dialect, statement) in statements() {
        if let Err(error) = Parser::parse_sql(parser_dialect(dialect).as_ref(), &statement) {
            panic!("{} / {}: {error}\n{statement}", project.display(), dialect.name());
        }
    }
}

/// Trino has no server that installs here: its statements are parsed by
/// Trino 446's own grammar, from the `trino-cli.jar` that `.ci/run` puts in
/// `$KPIC_ENGINES` (`tests/engines/TrinoParse.java`).
#[test]
fn every_trino_statement_parses_with_trinos_grammar() {
    let Some(engines) = std::env::var_os("KPIC_ENGINES") else {
        assert!(std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(), "KPIC_ENGINES is not set: see .ci/run");
        eprintln!("skipped: KPIC_ENGINES is not set (.ci/run installs Trino's grammar)");
        return;
    };
    let statements: Vec<_> = statements().into_iter().filter(|(_, d, _)| *d == Dialect::Trino).collect();
    // A statement Trino refuses, last: the grammar really judges.
    let mut input: Vec<&str> = statements.iter().map(|(_, _, s)| s.as_str()).collect();
    input.push("SELECT 1 UNION SELECT");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut java = Command::new("java")
        .arg("-cp")
        .arg(Path::new(&engines).join("trino-cli.jar"))
        .arg(root.join("tests/engines/TrinoParse.java"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("java runs");
    let mut stdin = java.stdin.take().unwrap();
    let text = input.join("\0");
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = java.wait_with_output().expect("TrinoParse runs");
    writer.join().unwrap().expect("statements written");
    assert!(output.status.success(), "TrinoParse failed");
    let mut verdicts: Vec<&str> = std::str::from_utf8(&output.stdout).unwrap().lines().collect();
    assert_eq!(verdicts.len(), input.len(), "one verdict per statement");
    assert!(verdicts.pop().is_some_and(|v| v.starts_with("error 1:")), "Trino refuses a broken statement");
    let failures: Vec<String> = statements
        .iter()
        .zip(&verdicts)
        .filter(|(_, verdict)| **verdict != "ok")
        .map(|((project, _, statement), verdict)| format!("{}: {verdict}\n{statement}", project.display()))
        .collect();
    assert!(failures.is_empty(), "{} of {} statements:\n{}", failures.len(), statements.len(), failures.join("\n\n"));
}
