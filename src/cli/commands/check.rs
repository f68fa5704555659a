//! `kpic check [DIR]`: validate a project and report every finding.

use crate::cli::{stdout_is_terminal, ProjectArg, EXIT_ERRORS, EXIT_OK};
use crate::diagnostics::{counts, render};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable reports with source excerpts (colour on a terminal)
    Human,
    /// One line per finding: `file:line:col: severity[code] message`
    Concise,
    /// One JSON document with every diagnostic
    Json,
    /// GitHub Actions annotations on the pull request's lines
    Github,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    project: ProjectArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when there are warnings, too
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: Args) -> u8 {
    crate::parallel::leave_drops_to_exit();
    let (_, checked) = match args.project.check() {
        Ok(found) => found,
        Err(code) => return code,
    };
    let diagnostics = &checked.diagnostics;
    let (errors, warnings) = counts(diagnostics);
    let output = match args.format {
        Format::Human => {
            let mut text = render::human(diagnostics, &checked.sources, stdout_is_terminal());
            text.push_str(&summary(
                checked.model.kpis.len(),
                checked.sources.files().filter(|(_, f)| f.path.extension().is_some_and(|e| e == "kpi")).count(),
                errors,
                warnings,
            ));
            text
        }
        Format::Concise => render::concise(diagnostics, &checked.sources),
        Format::Json => render::json(diagnostics, &checked.sources),
        Format::Github => render::github(diagnostics, &checked.sources),
        Format::Sarif => render::sarif(diagnostics, &checked.sources),
    };
    print!("{output}");
    crate::cli::leave_to_exit(checked);
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

fn summary(kpis: usize, files: usize, errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "checked {} in {}: {}, {}\n",
        plural(kpis, "KPI"),
        plural(files, "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
