//! Finds a project's `.kpi` files, sorted, and reads them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::source::{SourceFile, SourceMap};

/// Why a project could not be read (exit code 2).
#[derive(Debug)]
pub enum LoadError {
    NotADirectory(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotADirectory(path) => {
                write!(f, "`{}` is not a directory with .kpi files", path.display())
            }
            LoadError::Io(path, error) => write!(f, "cannot read `{}`: {error}", path.display()),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads every `.kpi` file under `root` (hidden folders skipped), in path
/// order. Links to files and folders are followed; a folder reached again
/// through a link is read once. Paths are kept as `root` joined with the
/// file's relative path.
pub fn load(root: &Path) -> Result<SourceMap, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    let mut paths = Vec::new();
    let mut visited = HashSet::new();
    collect(root, &mut visited, &mut paths)?;
    paths.sort();
    // A file reached through two links is read once, under its first path.
    let mut seen = HashSet::new();
    paths.retain(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())));
    let mut sources = SourceMap::default();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|e| LoadError::Io(path.clone(), e))?;
        let shown = path.strip_prefix(".").unwrap_or(&path).to_path_buf();
        let in_project = path.strip_prefix(root).ok().map(Path::to_path_buf);
        let mut file = SourceFile::from_bytes(shown, bytes);
        file.in_project = in_project;
        sources.add(file);
    }
    Ok(sources)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |e| LoadError::Io(path.to_path_buf(), e)
}

fn collect(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    // A link cycle leads back to a folder already read.
    if !visited.insert(std::fs::canonicalize(dir).map_err(io(dir))?) {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io(dir))?;
    // Sorted, so that a folder reached twice is read under the same path on every system.
    entries.sort();
    for path in entries {
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let is_kpi = path.extension().is_some_and(|e| e == "kpi");
        // Follows links. A broken link is reported when it names a .kpi file, passed over otherwise.
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) if is_kpi => return Err(LoadError::Io(path, error)),
            Err(_) => continue,
        };
        if metadata.is_dir() && !hidden {
            collect(&path, visited, out)?;
        } else if metadata.is_file() && is_kpi {
            out.push(path);
        }
    }
    Ok(())
}
