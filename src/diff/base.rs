//! The base side of a diff: the project as it was at a git revision (read
//! with the `git` on the PATH, without touching the working tree), or
//! another directory.

use std::path::Path;
use std::process::Command;

use crate::source::{SourceFile, SourceMap};
use crate::Checked;

/// The project in `dir` as another directory holds it.
pub fn base_from_dir(dir: &Path) -> Result<Checked, String> {
    crate::check_dir(dir).map_err(|e| e.to_string())
}

fn git_bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output =
        Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(output.stdout)
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    String::from_utf8(git_bytes(dir, args)?).map_err(|_| "git printed invalid UTF-8".to_string())
}

/// The project in `project` as it was at `revision`.
pub fn base_from_git(project: &Path, revision: &str) -> Result<Checked, String> {
    let root = git(project, &["rev-parse", "--show-toplevel"])?;
    let root = Path::new(root.trim());
    let prefix = git(project, &["rev-parse", "--show-prefix"])?.trim().to_string();
    // `-z`: paths as they are, NUL-separated (not quoted with octal escapes).
    let scope = if prefix.is_empty() { "." } else { &prefix };
    let listing = git(root, &["ls-tree", "-r", "-z", "--name-only", revision, "--", scope])?;
    let mut paths: Vec<&str> = listing.split('\0').filter(|p| p.ends_with(".kpi")).collect();
    paths.sort_unstable();
    let mut sources = SourceMap::default();
    for path in paths {
        let bytes = git_bytes(root, &["show", &format!("{revision}:{path}")])?;
        let shown = project.join(path.strip_prefix(prefix.as_str()).unwrap_or(path));
        sources.add(SourceFile::from_bytes(shown.strip_prefix(".").unwrap_or(&shown).to_path_buf(), bytes));
    }
    Ok(crate::check(sources))
}
