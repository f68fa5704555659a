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

#[path = "support/dump.rs"]
mod dump;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kpic::diagnostics::render;
use kpic::source::{SourceFile, SourceMap};

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(kind);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    out.retain(|p| p.is_dir() || p.extension().is_some_and(|e| e == "kpi"));
    out.sort();
    out
}

fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A case's files, with paths relative to the corpus (stable in snapshots).
fn load(path: &Path) -> SourceMap {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files = vec![];
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "kpi"))
            .collect();
        entries.sort();
        files.extend(entries);
    } else {
        files.push(path.to_path_buf());
    }
    let mut sources = SourceMap::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        sources.add(SourceFile::new(file.strip_prefix(&root).unwrap().to_path_buf(), text));
    }
    sources
}

/// `(file, line, code)` of every `# expect:` marker.
fn markers(sources: &SourceMap) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for (_, file) in sources.files() {
        let lines: Vec<&str> = file.text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some((code_part, codes)) = line.split_once("# expect:") else { continue };
            let target = if code_part.trim().is_empty() {
                // The next line that is neither blank nor a comment; past the last line: the end of the file.
                (index + 1..lines.len())
                    .find(|&i| !lines[i].trim().is_empty() && !lines[i].trim_start().starts_with('#'))
                    .map_or(lines.len() + 1, |i| i + 1)
            } else {
                index + 1
            };
            for code in codes.split(',') {
                out.insert((file.display_path(), target, code.trim().to_string()));
            }
        }
    }
    out
}

#[test]
fn invalid_cases_report_what_their_markers_expect() {
    let mut problems = Vec::new();
    for path in cases("invalid") {
        let sources = load(&path);
        let expected = markers(&sources);
        assert!(!expected.is_empty(), "{}: an invalid case needs `# expect:` markers", path.display());
        let checked = kpic::check(sources);
        let found: BTreeSet<(String, usize, String)> = checked
            .diagnostics
            .iter()
            .map(|d| {
                let file = checked.sources.get(d.span().file);
                (file.display_path(), file.line_col(d.span().start).0, d.code.name().to_string())
            })
            .collect();
        for missing in expected.difference(&found) {
            problems.push(format!("{}: expected {missing:?}", name(&path)));
        }
        for unexpected in found.difference(&expected) {
            problems.push(format!("{}: unexpected {unexpected:?}", name(&path)));
        }
        let mut text = render::human(&checked.diagnostics, &checked.sources, false);
        let (errors, warnings) = kpic::diagnostics::counts(&checked.diagnostics);
        text.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
        insta::assert_snapshot!(format!("invalid__{}", name(&path)), text);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn valid_cases_check_clean_and_compile() {
    for path in cases("valid") {
        let checked = kpic::check(load(&path));
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
