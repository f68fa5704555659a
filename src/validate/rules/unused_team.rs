//! `unused-team`: a team that owns no KPI.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::Model;

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for id in model.team_ids() {
        if model.kpis.iter().any(|k| k.owner == Some(id)) {
            continue;
        }
        let team = model.team(id);
        diagnostics.push(
            Diagnostic::new(Code::UnusedTeam, team.name.span, format!("team `{}` owns no KPI", team.name))
                .label("unused")
                .help("delete it, or make it the `owner` of its KPIs"),
        );
    }
}
