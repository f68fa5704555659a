//! Stage 5: emitters. Each returns files (path, contents); [`write_atomically`]
//! is the one place that writes them, replacing the output directory whole.

pub mod catalog;
pub mod lookml;
pub mod sql;

use std::path::{Path, PathBuf};

/// A generated file, its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.into() }
    }
}

/// Replaces `dir` with exactly `files`, atomically (see [`crate::atomic::replace_dir`]).
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> Result<(), crate::atomic::WriteError> {
    crate::atomic::replace_dir(dir, files.iter().map(|f| (f.path.as_path(), f.contents.as_str())))
}

/// Paths whose contents differ between `files` and what `dir` holds:
/// changed, missing, and files in `dir` that would be removed. Sorted.
pub fn stale_files(dir: &Path, files: &[OutputFile]) -> Vec<PathBuf> {
    let mut stale: Vec<PathBuf> = files
        .iter()
        .filter(|f| std::fs::read_to_string(dir.join(&f.path)).ok().as_deref() != Some(f.contents.as_str()))
        .map(|f| f.path.clone())
        .collect();
    let mut existing = Vec::new();
    list(dir, Path::new(""), &mut existing);
    let expected: std::collections::HashSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    let marker = Path::new(crate::atomic::MARKER);
    stale.extend(existing.into_iter().filter(|p| p != marker && !expected.contains(p.as_path())));
    stale.sort();
    stale
}

fn list(root: &Path, relative: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = relative.join(entry.file_name());
        match entry.file_type() {
            Ok(t) if t.is_dir() => list(root, &path, out),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}
