//! `kpic fmt [PATH…] [--check] [--diff]`: rewrite `.kpi` files in the
//! canonical layout (`syntax::format`), or report those that are not in it.

use std::path::PathBuf;

use crate::cli::{fail, EXIT_ERRORS, EXIT_OK};
use crate::diagnostics::render;
use crate::source::{SourceFile, SourceMap};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders (every .kpi file below them) [default: the current folder]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if any
    #[arg(long)]
    check: bool,
    /// Write nothing; print a unified diff of what formatting would change
    #[arg(long)]
    diff: bool,
}

pub fn run(args: Args) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for path in &paths {
        match crate::project::kpi_files(path) {
            Ok(found) => files.extend(found),
            Err(error) => return fail(error),
        }
    }
    files.sort();
    files.dedup();
    let (mut unformatted, mut broken) = (0, 0);
    for path in &files {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => return fail(format!("cannot read `{}`: {error}", path.display())),
        };
        let shown = path.strip_prefix(".").unwrap_or(path).to_path_buf();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Some(formatted) = std::str::from_utf8(&bytes).ok().and_then(crate::syntax::format) else {
            broken += 1;
            report_unparsable(shown, bytes);
            continue;
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.diff {
            let shown = shown.display().to_string();
            print!("{}", similar::TextDiff::from_lines(&text, &formatted).unified_diff().header(&shown, &shown));
        } else if args.check {
            println!("{}", shown.display());
        } else if let Err(error) = crate::atomic::write_file(path, formatted.as_bytes()) {
            return fail(format!("cannot write `{}`: {error}", path.display()));
        }
    }
    if broken > 0 {
        eprintln!("error: {broken} file(s) do not parse and were left as they are");
        return EXIT_ERRORS;
    }
    if (args.check || args.diff) && unformatted > 0 {
        eprintln!("{unformatted} of {} file(s) are not formatted; run `kpic fmt`", files.len());
        return EXIT_ERRORS;
    }
    EXIT_OK
}

/// Prints the syntax errors of a file that cannot be formatted.
fn report_unparsable(shown: PathBuf, bytes: Vec<u8>) {
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile::from_bytes(shown, bytes));
    let mut diagnostics = Vec::new();
    crate::syntax::parse_file(id, &sources.get(id).text, &mut diagnostics);
    diagnostics
        .retain(|d| d.code == crate::diagnostics::Code::Syntax || d.code == crate::diagnostics::Code::TooComplex);
    eprint!("{}", render::human(&diagnostics, &sources, false));
}
