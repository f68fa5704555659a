//! The case corpus: every file or folder in `tests/cases/valid` and
//! `tests/cases/invalid` is one test, found at run time — adding a case means
//! adding a `.kpi` file.
//!
//! - A valid case must check without errors or warnings; its resolved model
//!   and its DuckDB SQL are snapshotted.
//! - An invalid case's rendered diagnostics are snapshotted, and each
//!   `# expect: code[, code]` comment must be met by a diagnostic with that
//!   code on the next code line (or on its own line when the comment trails
//!   code); no diagnostic may appear without a marker.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/dump.rs"]
mod dump;

use std::path::{Path, PathBuf};

use corpus::name;
use kpic::diagnostics::render;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn cases(kind: &str) -> Vec<PathBuf> {
    corpus::cases(&root().join(kind))
}

#[test]
fn invalid_cases_report_what_their_markers_expect() {
    let mut problems = Vec::new();
    for path in cases("invalid") {
        let (missed, text) = corpus::check_invalid(&path, &root());
        problems.extend(missed);
        insta::assert_snapshot!(format!("invalid__{}", name(&path)), text);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn valid_cases_check_clean_and_compile() {
    for path in cases("valid") {
        let checked = kpic::check(corpus::load(&path, &root()));
        let text = render::human(&checked.diagnostics, &checked.sources, false);
        assert!(checked.diagnostics.is_empty(), "{}:\n{text}", path.display());
        insta::assert_snapshot!(format!("model__{}", name(&path)), dump::model(&checked.model, &checked.graph));
        let valid = checked.valid().unwrap();
        let views: Vec<String> = kpic::emit::sql::views(&valid, kpic::model::Dialect::DuckDb)
            .into_iter()
            .map(|v| format!("{};\n", v.statement))
            .collect();
        insta::assert_snapshot!(format!("duckdb__{}", name(&path)), views.join("\n"));
    }
}
