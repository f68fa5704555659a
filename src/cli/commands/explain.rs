//! `kpic explain CODE`: what a diagnostic code means, why it matters, an
//! example that triggers it and the fix. `kpic explain KPI`, its earlier
//! meaning, still prints the KPI's SQL, with a note that this is `kpic sql`.

use crate::cli::commands::emit::parse_dialect;
use crate::cli::commands::sql;
use crate::cli::{fail, ProjectArg, EXIT_OK};
use crate::diagnostics::{did_you_mean, explanation, Code, Severity};
use crate::model::Dialect;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A diagnostic code, e.g. `unknown-column` (a KPI id still prints its SQL: see `kpic sql`)
    topic: String,
    #[command(flatten)]
    project: ProjectArg,
    /// With a KPI: the SQL dialect, as `kpic sql --dialect`
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
}

pub fn run(args: Args) -> u8 {
    // Diagnostics print codes as `kpic::unknown-team`: that spelling is one too.
    let topic = args.topic.strip_prefix("kpic::").unwrap_or(&args.topic).to_string();
    let Some(code) = Code::from_name(&topic) else {
        if topic.contains('-') {
            let names = Code::ALL.iter().map(|c| c.name());
            let hint = did_you_mean(&args.topic, names).map(|h| format!(" ({h})")).unwrap_or_default();
            return fail(format!("no diagnostic code `{}`{hint}; docs/diagnostics.md lists them", args.topic));
        }
        eprintln!("note: `kpic explain KPI` is now `kpic sql KPI`");
        return sql::run(sql::Args { kpi: args.topic, project: args.project, dialect: args.dialect });
    };
    print!("{}", text(code));
    EXIT_OK
}

/// The explanation as `kpic explain` prints it.
fn text(code: Code) -> String {
    let explained = explanation(code);
    let severity = match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{} ({severity}): {}\n\n{}\n", code.name(), code.summary(), explained.why);
    if let Some(example) = explained.example {
        out.push_str("\nFor example:\n\n");
        let formatted = crate::syntax::format(example);
        for line in formatted.as_deref().unwrap_or(example).lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str(&format!("\nFix: {}\n\nMore: {}\n", explained.fix, code.help_uri()));
    out
}
