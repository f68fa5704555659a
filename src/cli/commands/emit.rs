//! `kpic emit [DIR] --out OUT`: write every artifact, atomically; with
//! `--check`, compare instead and fail when the committed output is stale.

use std::path::PathBuf;

use crate::atomic::{Staging, WriteError};
use crate::cli::{fail, without_errors, ProjectArg, EXIT_ERRORS, EXIT_OK};
use crate::emit;
use crate::model::Dialect;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    project: ProjectArg,
    /// Output directory (replaced as a whole)
    #[arg(long, default_value = "build")]
    out: PathBuf,
    /// Dialects to emit (repeatable); defaults to the project's `dialects`
    #[arg(long = "dialect", value_parser = parse_dialect)]
    dialects: Vec<Dialect>,
    /// Write nothing; exit 1 and list the files that differ from OUT
    #[arg(long)]
    check: bool,
}

pub fn parse_dialect(name: &str) -> Result<Dialect, String> {
    Dialect::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        format!("unknown dialect `{name}` (one of {})", names.join(", "))
    })
}

/// Refuses dialects outside the project's `dialects`: raw SQL was checked for those only.
pub fn within_project(model: &crate::model::Model, requested: &[Dialect]) -> Result<(), String> {
    match requested.iter().find(|d| !model.settings.dialects.contains(d)) {
        Some(other) => Err(format!(
            "{} is not among the project's `dialects`; add it to the `project` block so that raw SQL is checked for it",
            other.name()
        )),
        None => Ok(()),
    }
}

pub fn run(args: Args) -> u8 {
    let (root, checked) = match args.project.check() {
        Ok(found) => found,
        Err(code) => return code,
    };
    let checked = match without_errors(checked) {
        Ok(checked) => checked,
        Err(code) => {
            eprintln!("error: the project has errors; nothing was emitted");
            return code;
        }
    };
    let valid = checked.valid().expect("checked without errors");
    if checked.model.kpis.is_empty() {
        return fail(format!(
            "`{}` has no KPIs; nothing was emitted and `{}` was left as it was",
            root.display(),
            args.out.display()
        ));
    }
    if let Err(message) = within_project(&checked.model, &args.dialects) {
        return fail(message);
    }
    let project_dialects = &checked.model.settings.dialects;
    let dialects = if args.dialects.is_empty() { project_dialects.clone() } else { args.dialects.clone() };
    if args.check {
        let mut comparison = emit::Comparison::new(&args.out);
        if let Err(error) =
            emit::pipelined(&mut comparison, |sink| emit::generate(&valid, &dialects, emit::Outputs::ALL, sink))
        {
            return fail(format!("cannot compare with `{}`: {error}", args.out.display()));
        }
        let files = comparison.files();
        let stale = comparison.stale();
        if stale.is_empty() {
            println!("{} is up to date ({files} files)", args.out.display());
            return EXIT_OK;
        }
        println!(
            "{} is stale: {} file(s) differ; run `kpic emit` and commit the result",
            args.out.display(),
            stale.len()
        );
        for path in stale {
            println!("  {}", path.display());
        }
        return EXIT_ERRORS;
    }
    let failed = |error: WriteError| match error {
        WriteError::Refused(why) => fail(format!("{why}; nothing was written")),
        WriteError::Io(error) => fail(format!("cannot write `{}`: {error}", args.out.display())),
    };
    // Each batch of files is written to the staging directory while the next is made, then freed.
    let mut staging = match Staging::begin(&args.out) {
        Ok(staging) => staging,
        Err(error) => return failed(error),
    };
    if let Err(error) =
        emit::pipelined(&mut staging, |sink| emit::generate(&valid, &dialects, emit::Outputs::ALL, sink))
    {
        return failed(WriteError::Io(error));
    }
    let files = staging.files();
    if let Err(error) = staging.commit() {
        return failed(error);
    }
    println!("wrote {files} files to {}", args.out.display());
    crate::cli::leave_to_exit(checked);
    EXIT_OK
}
