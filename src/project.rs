//! Finds the project a path belongs to, like cargo finds a package: the
//! nearest folder at or above it with a `project` block or a `kpic.lock`;
//! then reads that project's `.kpi` files, sorted. A folder inside a project
//! that is itself a project is a separate project, never merged.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::source::{SourceFile, SourceMap, Stamp};

/// Why a project could not be read (exit code 2).
#[derive(Debug)]
pub enum LoadError {
    NotADirectory(PathBuf),
    /// A path given on the command line that does not exist.
    NotFound(PathBuf),
    Io(PathBuf, std::io::Error),
    /// A file argument that is not a `.kpi` file.
    NotAKpiFile(PathBuf),
    /// A folder with no `.kpi` file in it (or only in projects of its own).
    NoKpiFiles(PathBuf),
    /// A folder that is not a project but holds several (or one) below it.
    HoldsProjects(PathBuf, Vec<PathBuf>),
    /// Paths of two different projects given to one command.
    TwoProjects(PathBuf, PathBuf),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotADirectory(path) => {
                write!(f, "`{}` is not a directory with .kpi files", path.display())
            }
            LoadError::NotFound(path) => write!(f, "`{}` does not exist", path.display()),
            LoadError::Io(path, error) => write!(f, "cannot read `{}`: {error}", path.display()),
            LoadError::NotAKpiFile(path) => {
                write!(f, "`{}` is not a .kpi file; name a project folder or one of its .kpi files", path.display())
            }
            LoadError::NoKpiFiles(path) => write!(
                f,
                "`{}` has no .kpi files; run kpic in a project folder (one with a `project` block or a kpic.lock) or name one",
                path.display()
            ),
            LoadError::HoldsProjects(path, projects) => {
                let list: Vec<String> = projects.iter().map(|p| format!("`{}`", p.display())).collect();
                let first = projects.first().map_or(String::new(), |p| p.display().to_string());
                let noun = if projects.len() == 1 { "a project" } else { "several projects" };
                write!(
                    f,
                    "`{}` is not a kpic project but holds {noun}: {}; name the one to use, e.g. `kpic check {first}`",
                    path.display(),
                    list.join(", ")
                )
            }
            LoadError::TwoProjects(a, b) => write!(
                f,
                "the paths belong to two projects, `{}` and `{}`; run kpic once per project",
                a.display(),
                b.display()
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// The root of the one project that `paths` (folders or `.kpi` files) lie
/// in; no paths means the current folder. Searched upwards from each path,
/// stopping at a git repository's top; when nothing above is a project, the
/// folder itself is one if it holds `.kpi` files and no projects of its own.
/// A relative path gives a root relative to the current folder.
pub fn find(paths: &[PathBuf]) -> Result<PathBuf, LoadError> {
    let current = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &current[..] } else { paths };
    let mut found: Option<(PathBuf, PathBuf)> = None;
    for path in paths {
        let root = find_one(path)?;
        let canonical = std::fs::canonicalize(&root).map_err(io(&root))?;
        match &found {
            Some((first, first_canonical)) if *first_canonical != canonical => {
                return Err(LoadError::TwoProjects(first.clone(), root));
            }
            Some(_) => {}
            None => found = Some((root, canonical)),
        }
    }
    Ok(found.expect("at least one path").0)
}

fn find_one(path: &Path) -> Result<PathBuf, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(path.to_path_buf()),
        _ => LoadError::Io(path.to_path_buf(), e),
    })?;
    let start = if metadata.is_dir() {
        path.to_path_buf()
    } else if path.extension().is_some_and(|e| e == "kpi") {
        path.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    } else {
        return Err(LoadError::NotAKpiFile(path.to_path_buf()));
    };
    let canonical = std::fs::canonicalize(&start).map_err(io(&start))?;
    for ancestor in canonical.ancestors() {
        if is_project_root(ancestor)? {
            return shown_from(&start, &canonical, ancestor);
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    let mut below = Vec::new();
    roots_below(&start, &mut HashSet::new(), &mut below)?;
    if !below.is_empty() {
        below.sort();
        return Err(LoadError::HoldsProjects(start, below));
    }
    Ok(start)
}

/// The project root `ancestor` (an ancestor of `canonical`, the canonical
/// form of `start`) spelled for display: `start` itself when it is the root,
/// absolute when `start` is, else relative to the current folder.
fn shown_from(start: &Path, canonical: &Path, ancestor: &Path) -> Result<PathBuf, LoadError> {
    if ancestor == canonical {
        return Ok(start.to_path_buf());
    }
    if start.is_absolute() {
        return Ok(ancestor.to_path_buf());
    }
    let current = std::env::current_dir().and_then(std::fs::canonicalize).map_err(io(Path::new(".")))?;
    Ok(relative(&current, ancestor))
}

/// The path from folder `base` to `target`, both absolute and canonical.
fn relative(base: &Path, target: &Path) -> PathBuf {
    let common = base.components().zip(target.components()).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for part in target.components().skip(common) {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Whether `dir` is a project's root: it has a `kpic.lock`, or a `.kpi`
/// file directly in it declares the `project`.
fn is_project_root(dir: &Path) -> Result<bool, LoadError> {
    if dir.join(crate::lock::FILE_NAME).is_file() {
        return Ok(true);
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(false) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "kpi") && path.is_file() {
            let file = SourceFile::from_bytes(path.clone(), std::fs::read(&path).map_err(io(&path))?);
            if declares_project(&file.text) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether a file's text has a `project NAME {` line (a cheap look, not a parse).
fn declares_project(text: &str) -> bool {
    // The line by line look only where the word is (most files have none).
    text.contains("project")
        && text.lines().any(|line| {
            let Some(rest) = line.trim_start().strip_prefix("project") else { return false };
            if !rest.starts_with([' ', '\t']) {
                return false;
            }
            let rest = rest.trim_start();
            let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let after = rest[name_end..].trim();
            rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && (after.is_empty() || after.starts_with('{'))
        })
}

/// The project roots inside `dir` (not `dir` itself), not looking inside them.
fn roots_below(dir: &Path, visited: &mut HashSet<PathBuf>, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    if !visited.insert(std::fs::canonicalize(dir).map_err(io(dir))?) {
        return Ok(());
    }
    for path in subfolders(dir)? {
        if is_project_root(&path)? {
            out.push(path.strip_prefix(".").unwrap_or(&path).to_path_buf());
        } else {
            roots_below(&path, visited, out)?;
        }
    }
    Ok(())
}

/// The folders directly in `dir`, hidden ones skipped, links followed.
fn subfolders(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if !hidden && path.is_dir() {
            out.push(path);
        }
    }
    Ok(out)
}

/// Reads every `.kpi` file under `root` (hidden folders and folders that are
/// projects of their own skipped), in path order. Links to files and folders
/// are followed; a folder reached again through a link is read once. Paths
/// are kept as `root` joined with the file's relative path.
pub fn load(root: &Path) -> Result<SourceMap, LoadError> {
    read_project(root, None)
}

/// The files of a project as last read, by path: an editor's re-check reads
/// again only the files whose size or modification time changed.
#[derive(Default)]
pub struct ReadCache {
    files: std::collections::HashMap<PathBuf, Read>,
}

/// A file as read from disk, and whether it declares a `project`.
#[derive(Clone)]
struct Read {
    stamp: Option<Stamp>,
    file: SourceFile,
    declares: bool,
}

/// Like [`load`], reading only the files that `cache` does not hold as they
/// are on disk; `cache` then holds every file read.
pub fn load_cached(root: &Path, cache: &mut ReadCache) -> Result<SourceMap, LoadError> {
    read_project(root, Some(cache))
}

fn read_project(root: &Path, cache: Option<&mut ReadCache>) -> Result<SourceMap, LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NotADirectory(root.to_path_buf()));
    }
    let (mut paths, through_links) = kpi_files_and_links(root)?;
    // A file reached through two links is read once, under its first path.
    if through_links {
        let mut seen = HashSet::new();
        paths.retain(|path| seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())));
    }
    // Read on every core: each file with whether it declares a `project`.
    let cached = cache.as_deref().map(|cache| &cache.files);
    let read = crate::parallel::map_in_parallel(&paths, |path| {
        let stamp = cached.and_then(|_| Stamp::of(path));
        if let Some(read) =
            cached.and_then(|files| files.get(path)).filter(|read| stamp.is_some() && read.stamp == stamp)
        {
            return Ok(read.clone());
        }
        let bytes = std::fs::read(path).map_err(io(path))?;
        let file = SourceFile::from_bytes(path.clone(), bytes);
        let declares = declares_project(&file.text);
        Ok(Read { stamp, file, declares })
    });
    let read: Vec<Read> = read.into_iter().collect::<Result<_, LoadError>>()?;
    if let Some(cache) = cache {
        cache.files = read.iter().map(|read| (read.file.path.clone(), read.clone())).collect();
    }
    let read: Vec<(SourceFile, bool)> = read.into_iter().map(|read| (read.file, read.declares)).collect();
    // Folders below the root that are projects of their own, told from the
    // files just read (a `project` block) or a `kpic.lock`.
    let declaring: HashSet<PathBuf> = read
        .iter()
        .filter(|(_, declares)| *declares)
        .filter_map(|(file, _)| file.path.parent())
        .map(Path::to_path_buf)
        .collect();
    let mut locked: std::collections::HashMap<PathBuf, bool> = std::collections::HashMap::new();
    let mut nested = |path: &Path| {
        let mut folders = path.ancestors().skip(1).take_while(|folder| *folder != root);
        folders.any(|f| {
            declaring.contains(f)
                || *locked.entry(f.to_path_buf()).or_insert_with(|| f.join(crate::lock::FILE_NAME).is_file())
        })
    };
    let mut sources = SourceMap::default();
    for (mut file, _) in read {
        if nested(&file.path) {
            continue;
        }
        file.in_project = file.path.strip_prefix(root).ok().map(Path::to_path_buf);
        file.path = shown_path(root, &file.path)?;
        sources.add(file);
    }
    if sources.files().next().is_none() {
        return Err(LoadError::NoKpiFiles(root.to_path_buf()));
    }
    Ok(sources)
}

/// Every `.kpi` file at or below `path` (the file itself when it is one),
/// sorted; hidden folders are skipped, links followed, a folder reached again
/// through a link read once.
pub fn kpi_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    kpi_files_and_links(path).map(|(files, _)| files)
}

/// [`kpi_files`], and whether a link was followed on the way to them.
fn kpi_files_and_links(path: &Path) -> Result<(Vec<PathBuf>, bool), LoadError> {
    let mut out = Vec::new();
    let mut through_links = false;
    if path.is_dir() {
        collect(path, &mut HashSet::new(), &mut out, &mut through_links)?;
    } else {
        std::fs::metadata(path).map_err(io(path))?;
        out.push(path.to_path_buf());
    }
    out.sort();
    Ok((out, through_links))
}

/// How a file of the project at `root` is shown: as `root` joined with its
/// relative path, or, when `root` lies above the current folder (`..`),
/// relative to the current folder (`signups.kpi`, not `../growth/signups.kpi`).
fn shown_path(root: &Path, path: &Path) -> Result<PathBuf, LoadError> {
    let climbs = root.components().any(|c| c == std::path::Component::ParentDir);
    if !climbs {
        return Ok(path.strip_prefix(".").unwrap_or(path).to_path_buf());
    }
    let current = std::env::current_dir().and_then(std::fs::canonicalize).map_err(io(Path::new(".")))?;
    let canonical_root = std::fs::canonicalize(root).map_err(io(root))?;
    let inside = path.strip_prefix(root).unwrap_or(path);
    Ok(relative(&current, &canonical_root.join(inside)))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |e| LoadError::Io(path.to_path_buf(), e)
}

fn collect(
    dir: &Path,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
    through_links: &mut bool,
) -> Result<(), LoadError> {
    // A link cycle leads back to a folder already read.
    if !visited.insert(std::fs::canonicalize(dir).map_err(io(dir))?) {
        return Ok(());
    }
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        *through_links |= entry.file_type().map_or(true, |t| t.is_symlink());
        entries.push(entry.path());
    }
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
            collect(&path, visited, out, through_links)?;
        } else if metadata.is_file() && is_kpi {
            out.push(path);
        }
    }
    Ok(())
}
