//! Every statement kpic emits, for every dialect of the project (emit
//! refuses the others), parses back with sqlparser's parser for that
//! dialect — over the bundled library, the examples and every valid test case.

use std::path::{Path, PathBuf};

use kpic::emit::sql;
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

#[test]
fn every_emitted_statement_parses_in_its_dialect() {
    let mut checked_statements = 0;
    for project in projects() {
        let checked = kpic::check_dir(&project).expect("project loads");
        let Some(valid) = checked.valid() else {
            continue;
        };
        for &dialect in &valid.model.settings.dialects {
            let parser = parser_dialect(dialect);
            let statements = std::iter::once(sql::create_schema(valid.model, dialect))
                .chain(sql::views(&valid, dialect).into_iter().map(|v| v.statement))
                .chain([sql::scoreboard_statement(&valid, dialect)]);
            for statement in statements {
                if let Err(error) = Parser::parse_sql(parser.as_ref(), &statement) {
                    panic!("{} / {}: {error}\n{statement}", project.display(), dialect.name());
                }
                checked_statements += 1;
            }
        }
    }
    assert!(checked_statements > 0, "no project was found to emit");
}
