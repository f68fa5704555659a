//! Stage 5: emitters. Each returns files (path, contents); [`write_atomically`]
//! is the one place that writes them, replacing the output directory whole.

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

/// Replaces `dir` with exactly `files`. Everything is written to a sibling
/// temporary directory first; a failure leaves the previous output intact.
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = dir.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.kpic-new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.kpic-old-{}", std::process::id()));
    let result = write_all(&staging, files).and_then(|()| swap(dir, &staging, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(staging: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)?;
    }
    for file in files {
        let path = staging.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.contents)?;
    }
    std::fs::create_dir_all(staging)
}

fn swap(dir: &Path, staging: &Path, retired: &Path) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::rename(dir, retired)?;
    }
    if let Err(error) = std::fs::rename(staging, dir) {
        // Put the previous output back.
        let _ = std::fs::rename(retired, dir);
        return Err(error);
    }
    if retired.exists() {
        std::fs::remove_dir_all(retired)?;
    }
    Ok(())
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
    stale.extend(existing.into_iter().filter(|p| !files.iter().any(|f| &f.path == p)));
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
