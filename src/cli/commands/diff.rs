//! `kpic diff [DIR] --base REV` (or `--base-dir DIR`): what a change does to
//! the KPIs, for review.

use std::path::PathBuf;

use crate::cli::{fail, ProjectArg, EXIT_OK};
use crate::diff;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// Ready to post as a pull-request comment
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    project: ProjectArg,
    /// The git revision to compare with (e.g. `origin/main`, `HEAD~1`)
    #[arg(long, conflicts_with = "base_dir", required_unless_present = "base_dir")]
    base: Option<String>,
    /// A directory holding the base version of the project
    #[arg(long)]
    base_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(args: Args) -> u8 {
    let root = match args.project.root() {
        Ok(root) => root,
        Err(error) => return fail(error),
    };
    let head = match crate::check_dir(&root) {
        Ok(checked) => checked,
        Err(error) => return fail(error),
    };
    let base = match (&args.base, &args.base_dir) {
        (Some(revision), _) => diff::base_from_git(&root, revision),
        (None, Some(dir)) => diff::base_from_dir(dir),
        (None, None) => Err("give --base REV or --base-dir DIR".to_string()),
    };
    let base = match base {
        Ok(base) => base,
        Err(error) => return fail(error),
    };
    let diffs = diff::diff(&base, &head);
    let text = match args.format {
        Format::Human => diff::human(&diffs),
        Format::Json => diff::json(&diffs),
        Format::Markdown => diff::markdown(&diffs),
    };
    print!("{text}");
    EXIT_OK
}
