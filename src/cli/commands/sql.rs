//! `kpic sql KPI [PATH]`: the SQL that computes one KPI.

use crate::cli::commands::emit::{parse_dialect, within_project};
use crate::cli::{fail, without_errors, ProjectArg, EXIT_OK};
use crate::diagnostics::did_you_mean;
use crate::emit::sql;
use crate::model::Dialect;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The KPI id
    pub kpi: String,
    #[command(flatten)]
    pub project: ProjectArg,
    /// SQL dialect (default: the project's first)
    #[arg(long, value_parser = parse_dialect)]
    pub dialect: Option<Dialect>,
}

pub fn run(args: Args) -> u8 {
    let checked = match args.project.check().and_then(|(_, checked)| without_errors(checked)) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let valid = checked.valid().expect("checked without errors");
    let model = valid.model;
    let Some(id) = model.kpi_ids().find(|&id| model.kpi(id).name.text == args.kpi) else {
        let names = model.kpis.iter().map(|k| k.name.text.as_str());
        let hint = did_you_mean(&args.kpi, names).map(|h| format!(" ({h})")).unwrap_or_default();
        return fail(format!("no KPI named `{}`{hint}", args.kpi));
    };
    // A project lists at least one dialect (an empty list is a checked error).
    let Some(dialect) = args.dialect.or(model.settings.dialects.first().copied()) else {
        return fail("the project emits no dialect");
    };
    if let Err(message) = within_project(model, &[dialect]) {
        return fail(message);
    }
    // Only this KPI's SQL: a project of thousands need not be emitted to print one.
    let view = sql::versioned_view(model, id, sql::for_dialect(dialect));
    println!("{};", view.statement);
    EXIT_OK
}
