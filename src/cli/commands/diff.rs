//! `kpic diff [DIR] --base REV` (or `--base-dir DIR`): what a change does to
//! the KPIs, for review.

use std::path::PathBuf;

use crate::cli::{fail, ProjectArg, EXIT_ERRORS, EXIT_OK};
use crate::diagnostics::{render, Code, Diagnostic};
use crate::diff;
use crate::Checked;

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
    /// Link each KPI of the Markdown table to its declaration under this URL,
    /// e.g. `https://github.com/OWNER/REPO/blob/SHA` (paths as kpic shows them)
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
}

/// Whether an error makes a side of the diff unreadable. Version drift does
/// not: what changed without a bump is what the diff shows.
fn unreadable(d: &Diagnostic) -> bool {
    d.is_error()
        && !matches!(
            d.code,
            Code::ComputationChanged
                | Code::VersionDecreased
                | Code::VersionSkipped
                | Code::LockOutdated
                | Code::InvalidLock
                | Code::RemovedKpi
        )
}

/// Refuses a side that does not check: a diff of a broken model would
/// mislead. As Markdown, the refusal is the comment, listing the errors.
fn checks(side: &str, checked: &Checked, format: Format) -> Result<(), u8> {
    let errors: Vec<Diagnostic> = checked.diagnostics.iter().filter(|d| unreadable(d)).cloned().collect();
    if errors.is_empty() {
        return Ok(());
    }
    let summary = format!("{side} does not check ({} error(s)); no diff was made", errors.len());
    if format == Format::Markdown {
        let list = render::concise(&errors, &checked.sources);
        let fence = "`".repeat(list.split(|c| c != '`').map(str::len).max().unwrap_or(0).max(2) + 1);
        print!("### kpic: {summary}\n\nFix these, and the diff follows:\n\n{fence}text\n{list}{fence}\n");
    } else {
        eprint!("{}", render::human(&errors, &checked.sources, false));
        eprintln!("error: {summary} — fix it, then compare again");
    }
    Err(EXIT_ERRORS)
}

pub fn run(args: Args) -> u8 {
    let (root, head) = match args.project.check() {
        Ok(found) => found,
        Err(code) => return code,
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
    if let Err(code) = checks("the project", &head, args.format) {
        return code;
    }
    let side = match (&args.base, &args.base_dir) {
        (Some(revision), _) => format!("the base `{revision}`"),
        (None, Some(dir)) => format!("the base `{}`", dir.display()),
        (None, None) => "the base".to_string(),
    };
    if let Err(code) = checks(&side, &base, args.format) {
        return code;
    }
    let diffs = diff::diff(&base, &head);
    let text = match args.format {
        Format::Human => diff::human(&diffs),
        Format::Json => diff::json(&diffs),
        Format::Markdown => diff::markdown(&diffs, args.link_base.as_deref()),
    };
    print!("{text}");
    EXIT_OK
}
