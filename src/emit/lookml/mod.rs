//! Looker: a view per KPI over its versioned SQL view, a model with an
//! explore per KPI and one over the scoreboard, a dashboard per team and a
//! company dashboard (docs/lookml.md). Emitted when the project has a
//! `looker` block, for the dialect it names.

mod dashboard;
pub mod fields;
mod model;
pub mod rollup;
mod text;
mod view;
mod writer;

use super::OutputFile;
use crate::emit::sql::for_dialect;
use crate::model::{KpiId, SCOREBOARD_VIEW};
use crate::Valid;

/// The folder of the output that holds the LookML.
pub const DIR: &str = "lookml";

/// The folder of the Looker project, outside kpic's output, whose refinements
/// and dashboards the generated model includes (docs/lookml.md, Customising).
pub const CUSTOM_DIR: &str = "kpic_custom";

/// The LookML dashboard of a team.
pub fn team_dashboard(team: &str) -> String {
    format!("team_{team}")
}

/// The dashboard of every team's KPIs that are off track or at risk.
pub const COMPANY_DASHBOARD: &str = "company_kpis";

/// Every LookML file; none without a `looker` block.
pub fn files(valid: &Valid) -> Vec<OutputFile> {
    let kpis: Vec<KpiId> = valid.model.kpi_ids().collect();
    // The model first, then the KPIs' views, the scoreboard's and the dashboards.
    let mut files = project_files(valid);
    let views = kpi_views(valid, &kpis);
    files.splice(files.len().min(1)..files.len().min(1), views);
    files
}

/// The views of `kpis`, made on every core; none without a `looker` block.
pub fn kpi_views(valid: &Valid, kpis: &[KpiId]) -> Vec<OutputFile> {
    let Some(looker) = &valid.model.settings.looker else { return Vec::new() };
    let (model, d) = (valid.model, for_dialect(looker.dialect));
    crate::parallel::map_in_parallel(kpis, |&id| {
        let name = &model.kpi(id).name.text;
        OutputFile::new(format!("{DIR}/views/{name}.view.lkml"), view::kpi_view(model, id, d))
    })
}

/// The model, the scoreboard's view and the dashboards, in that order; none without a `looker` block.
pub fn project_files(valid: &Valid) -> Vec<OutputFile> {
    let Some(looker) = &valid.model.settings.looker else { return Vec::new() };
    let model = valid.model;
    let d = for_dialect(looker.dialect);
    let mut files =
        vec![OutputFile::new(format!("{DIR}/{}.model.lkml", looker.model), model::model_file(model, looker))];
    files.push(OutputFile::new(format!("{DIR}/views/{SCOREBOARD_VIEW}.view.lkml"), view::scoreboard_view(model, d)));
    for team in model.team_ids() {
        let Some(text) = dashboard::team(model, looker, team) else { continue };
        let name = team_dashboard(&model.team(team).name.text);
        files.push(OutputFile::new(format!("{DIR}/dashboards/{name}.dashboard.lookml"), text));
    }
    files.push(OutputFile::new(
        format!("{DIR}/dashboards/{COMPANY_DASHBOARD}.dashboard.lookml"),
        dashboard::company(model, looker),
    ));
    files
}
