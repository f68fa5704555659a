//! `kpic lock [PATH] [--bump]`: record every KPI's version and computation
//! fingerprint in the project's `kpic.lock`, deliberately — after bumping the
//! versions of changed KPIs, by hand or with `--bump`.

use crate::cli::{fail, ProjectArg, EXIT_ERRORS, EXIT_OK};
use crate::diagnostics::{render, Code, Diagnostic};
use crate::lock;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    project: ProjectArg,
    /// Rewrite a kpic.lock that cannot be read, losing its version history
    #[arg(long)]
    force: bool,
    /// First bump the version of every KPI whose computation changed, and of
    /// every KPI that reads one, in the .kpi files (only the version numbers change)
    #[arg(long)]
    bump: bool,
}

/// The diagnostics `kpic lock` resolves by writing the lock.
fn settled_by_locking(d: &Diagnostic) -> bool {
    matches!(d.code, Code::LockMissing | Code::LockOutdated | Code::InvalidLock | Code::RemovedKpi)
}

pub fn run(args: Args) -> u8 {
    let (root, mut checked) = match args.project.check() {
        Ok(found) => found,
        Err(code) => return code,
    };
    if args.bump {
        checked = match bump(&root, checked) {
            Ok(checked) => checked,
            Err(code) => return code,
        };
    }
    let blocking: Vec<Diagnostic> =
        checked.diagnostics.iter().filter(|d| d.is_error() && !settled_by_locking(d)).cloned().collect();
    if !blocking.is_empty() {
        eprint!("{}", render::human(&blocking, &checked.sources, false));
        eprintln!("error: fix these first; kpic.lock was not written");
        return EXIT_ERRORS;
    }
    let unreadable = checked.diagnostics.iter().find(|d| d.code == Code::InvalidLock);
    if let Some(diagnostic) = unreadable.filter(|_| !args.force) {
        eprint!("{}", render::human(std::slice::from_ref(diagnostic), &checked.sources, false));
        eprintln!(
            "error: kpic.lock was not rewritten: it holds the version history; restore it, or pass --force to start a new one"
        );
        return EXIT_ERRORS;
    }
    let path = root.join(lock::FILE_NAME);
    let previous = checked.lock.as_deref();
    let valid = checked.valid_except(settled_by_locking).expect("only errors settled by locking remain");
    let lock = lock::update(&valid, previous);
    let changed =
        lock.kpis.iter().filter(|(name, entry)| previous.and_then(|p| p.kpis.get(*name)) != Some(entry)).count();
    if let Err(error) = crate::atomic::write_file(&path, lock.to_text().as_bytes()) {
        return fail(format!("cannot write `{}`: {error}", path.display()));
    }
    println!("locked {} KPIs in {} ({changed} new or changed)", lock.kpis.len(), path.display());
    EXIT_OK
}

/// Writes the version bumps the project needs into its files and checks it
/// again; refuses while it has errors a bump does not settle.
fn bump(root: &std::path::Path, checked: crate::Checked) -> Result<crate::Checked, u8> {
    let blocking: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !settled_by_locking(d) && d.code != Code::ComputationChanged)
        .cloned()
        .collect();
    if !blocking.is_empty() {
        eprint!("{}", render::human(&blocking, &checked.sources, false));
        eprintln!("error: fix these first; no version was bumped");
        return Err(EXIT_ERRORS);
    }
    let Some(lock) = checked.lock.as_ref() else { return Ok(checked) };
    let bumps = lock::bump::needed(&checked.model, &checked.graph, &checked.prints, lock);
    for (path, text) in lock::bump::rewrite(&checked.sources, &bumps) {
        if let Err(error) = crate::atomic::write_file(&path, text.as_bytes()) {
            return Err(fail(format!("cannot write `{}`: {error}", path.display())));
        }
    }
    for bump in &bumps {
        let (file, line, _) = crate::diagnostics::location(&checked.sources, bump.span);
        println!("bumped `{}` to version {} ({file}:{line})", checked.model.kpi(bump.kpi).name, bump.to);
    }
    crate::check_dir(root).map_err(fail)
}
