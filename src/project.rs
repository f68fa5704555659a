//! Finds a project's `.kpi` files, sorted, and reads them.

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

/// Reads every `.kpi` file under `root` (hidden folders skipped), in path order.
/// Paths are kept as `root` joined with the file's relative path.
pub fn load(root: &Path) -> Result<SourceMap, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    let mut paths = Vec::new();
    collect(root, &mut paths)?;
    paths.sort();
    let mut sources = SourceMap::default();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| LoadError::Io(path.clone(), e))?;
        let shown = path.strip_prefix(".").unwrap_or(&path).to_path_buf();
        sources.add(SourceFile::new(shown, text));
    }
    Ok(sources)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError::Io(dir.to_path_buf(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::Io(dir.to_path_buf(), e))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let file_type = entry.file_type().map_err(|e| LoadError::Io(path.clone(), e))?;
        if file_type.is_dir() && !hidden {
            collect(&path, out)?;
        } else if file_type.is_file() && path.extension().is_some_and(|e| e == "kpi") {
            out.push(path);
        }
    }
    Ok(())
}
