//! `kpic init [DIR]`: a working project to start from — settings and a team,
//! a source, a KPI with a target and one over it, `kpic.lock`, a README and
//! the CI workflow — that `kpic check` and `kpic emit` accept as it is.

use std::path::{Path, PathBuf};

use crate::cli::{fail, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to create the project in (new or empty) [default: the current folder]
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// The project's files, `{{name}}` standing for the project's name.
const FILES: [(&str, &str); 4] = [
    ("project.kpi", include_str!("init/project.kpi")),
    ("sources.kpi", include_str!("init/sources.kpi")),
    ("kpis.kpi", include_str!("init/kpis.kpi")),
    ("README.md", include_str!("init/README.md")),
];

const WORKFLOW: &str = ".github/workflows/kpis.yml";

pub fn run(args: Args) -> u8 {
    let dir = &args.dir;
    if let Some(existing) = taken(dir) {
        return fail(format!(
            "`{}` already exists; kpic init writes only into a new or empty folder",
            existing.display()
        ));
    }
    let name = project_name(dir);
    let mut files: Vec<(String, String)> =
        FILES.iter().map(|(path, text)| (path.to_string(), text.replace("{{name}}", &name))).collect();
    files.push((WORKFLOW.to_string(), workflow()));
    for (path, text) in &files {
        let path = dir.join(path);
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| write_new(&path, text));
        if let Err(error) = written {
            return fail(format!("cannot write `{}`: {error}", path.display()));
        }
    }
    let checked = match crate::check_dir(dir) {
        Ok(checked) => checked,
        Err(error) => return fail(error),
    };
    let excused = |d: &crate::diagnostics::Diagnostic| d.code == crate::diagnostics::Code::LockMissing;
    let Some(valid) = checked.valid_except(excused) else {
        return fail("the new project does not check; this is a bug in kpic init");
    };
    let lock = crate::lock::update(&valid, None);
    let lock_path = dir.join(crate::lock::FILE_NAME);
    if let Err(error) = write_new(&lock_path, &lock.to_text()) {
        return fail(format!("cannot write `{}`: {error}", lock_path.display()));
    }
    println!("created the kpic project `{name}` in {}: run `kpic check` there", dir.display());
    EXIT_OK
}

/// A file of the scaffold that is there already, or the folder when it holds anything.
fn taken(dir: &Path) -> Option<PathBuf> {
    let names = FILES.iter().map(|(p, _)| *p).chain([WORKFLOW, crate::lock::FILE_NAME]);
    if let Some(existing) = names.map(|n| dir.join(n)).find(|p| p.exists()) {
        return Some(existing);
    }
    let mut entries = std::fs::read_dir(dir).ok()?;
    entries.next().map(|_| dir.to_path_buf())
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(text.as_bytes())
}

/// The folder's name as an id: lower case, `_` for anything else.
fn project_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let folder = absolute.components().next_back().map(|c| c.as_os_str().to_string_lossy().into_owned());
    let mut name: String = folder
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name = format!("kpis{}", if name.is_empty() { "" } else { "_" }) + name.trim_start_matches('_');
    }
    name
}

/// The example GitHub workflow, for a project at the repository's top.
fn workflow() -> String {
    include_str!("../../../examples/ci/github-workflow.yml")
        .replace("\"kpis/**\"", "\"**/*.kpi\", \"kpic.lock\"")
        .replace("kpic check kpis", "kpic check")
        .replace("kpic diff kpis", "kpic diff")
        .replace("kpic emit kpis", "kpic emit")
}
