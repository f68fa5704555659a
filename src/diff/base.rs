//! The base side of a diff: the project as it was at a git revision (read
//! with the `git` on the PATH, without touching the working tree), or
//! another directory.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::source::{SourceFile, SourceMap};
use crate::Checked;

/// The project in `dir` as another directory holds it.
pub fn base_from_dir(dir: &Path) -> Result<Checked, String> {
    crate::check_dir(dir).map_err(|e| e.to_string())
}

fn git_bytes<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<Vec<u8>, String> {
    let output =
        Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let shown: Vec<String> = args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
        return Err(format!("git {}: {}", shown.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(output.stdout)
}

/// A path as git printed it: any bytes on Unix, where paths need not be UTF-8.
fn path_of(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    return PathBuf::from(<OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes));
    #[cfg(not(unix))]
    return PathBuf::from(String::from_utf8_lossy(bytes).into_owned());
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
    let listing = git_bytes(root, &["ls-tree", "-r", "-z", "--name-only", revision, "--", scope])?;
    let mut paths: Vec<PathBuf> = listing.split(|b| *b == 0).filter(|p| p.ends_with(b".kpi")).map(path_of).collect();
    paths.sort_unstable();
    let mut sources = SourceMap::default();
    for path in paths {
        let mut object = OsString::from(format!("{revision}:"));
        object.push(&path);
        let bytes = git_bytes(root, &[OsString::from("show"), object])?;
        let shown = project.join(path.strip_prefix(prefix.as_str()).unwrap_or(&path));
        sources.add(SourceFile::from_bytes(shown.strip_prefix(".").unwrap_or(&shown).to_path_buf(), bytes));
    }
    Ok(crate::check(sources))
}
