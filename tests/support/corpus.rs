//! A corpus folder of cases, each a `.kpi` file or a folder of them, and the
//! `# expect: code[, code]` markers of invalid cases: each marker must be met
//! by a diagnostic with that code on the next code line (or on its own line
//! when the comment trails code), and no diagnostic may appear without one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kpic::source::{SourceFile, SourceMap};

/// The cases of a corpus folder, sorted.
pub fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    out.retain(|p| p.is_dir() || p.extension().is_some_and(|e| e == "kpi"));
    out.sort();
    out
}

pub fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A case's files, read as `kpic` reads them, with paths relative to `root`
/// (stable in snapshots).
pub fn load(path: &Path, root: &Path) -> SourceMap {
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
        let bytes = std::fs::read(&file).unwrap();
        sources.add(SourceFile::from_bytes(file.strip_prefix(root).unwrap().to_path_buf(), bytes));
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

/// Checks an invalid case: the markers it misses and the diagnostics it did
/// not expect, and the rendered diagnostics for its snapshot.
pub fn check_invalid(path: &Path, root: &Path) -> (Vec<String>, String) {
    let sources = load(path, root);
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
    let mut problems = Vec::new();
    for missing in expected.difference(&found) {
        problems.push(format!("{}: expected {missing:?}", name(path)));
    }
    for unexpected in found.difference(&expected) {
        problems.push(format!("{}: unexpected {unexpected:?}", name(path)));
    }
    let mut text = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
    let (errors, warnings) = kpic::diagnostics::counts(&checked.diagnostics);
    text.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
    (problems, text)
}
