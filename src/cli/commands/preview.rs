//! `kpic preview [KPI…] --data DIR`: KPI values on sample data, computed by
//! the project's DuckDB views in an embedded DuckDB.

use std::path::PathBuf;

use crate::cli::{check_project, fail, stdout_is_terminal, without_errors, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// KPI ids to show (default: every KPI)
    kpis: Vec<String>,
    /// Sample data: a folder of CSV/Parquet files named `schema.table.csv` (or `schema/table.csv`), or a DuckDB file
    #[arg(long)]
    data: PathBuf,
    /// The project: its folder, a folder inside it, or one of its .kpi files
    /// [default: the project around the current folder]
    #[arg(long)]
    project: Option<PathBuf>,
    /// How many recent periods to show per KPI
    #[arg(long, default_value_t = 6)]
    periods: usize,
}

#[cfg(feature = "engine")]
pub fn run(args: Args) -> u8 {
    use crate::diagnostics::did_you_mean;
    let checked = match check_project(args.project.as_slice()).and_then(|(_, checked)| without_errors(checked)) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let valid = checked.valid().expect("checked without errors");
    let model = valid.model;
    let mut ids = Vec::new();
    for name in &args.kpis {
        match model.kpi_ids().find(|&id| model.kpi(id).name.text == *name) {
            Some(id) => ids.push(id),
            None => {
                let hint = did_you_mean(name, model.kpis.iter().map(|k| k.name.text.as_str()))
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                return fail(format!("no KPI named `{name}`{hint}"));
            }
        }
    }
    if ids.is_empty() {
        ids = model.kpi_ids().collect();
    }
    match crate::preview::run(&valid, &args.data, &ids, args.periods.max(1)) {
        Ok(previews) => {
            print!("{}", crate::preview::render(model, &previews, stdout_is_terminal()));
            EXIT_OK
        }
        Err(error) => fail(error),
    }
}

#[cfg(not(feature = "engine"))]
pub fn run(args: Args) -> u8 {
    let _ = (args, check_project, without_errors, stdout_is_terminal, EXIT_OK);
    fail("this kpic was built without the embedded engine; build it with `cargo build --features engine` (see README)")
}
