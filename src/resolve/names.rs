//! The symbol tables: every declared team, source and KPI by id, with
//! duplicates reported (both places labelled) and left out.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{KpiId, SourceId, TeamId};
use crate::syntax::ast::{self, Ident};

/// The declarations of a project, one per id, in file order.
pub struct Declarations<'a> {
    pub projects: Vec<&'a ast::ProjectDecl>,
    pub teams: Vec<&'a ast::TeamDecl>,
    pub sources: Vec<&'a ast::SourceDecl>,
    pub kpis: Vec<&'a ast::KpiDecl>,
    pub team_ids: HashMap<String, TeamId>,
    pub source_ids: HashMap<String, SourceId>,
    pub kpi_ids: HashMap<String, KpiId>,
}

impl<'a> Declarations<'a> {
    pub fn collect(files: &'a [Arc<ast::File>], diagnostics: &mut Vec<Diagnostic>) -> Self {
        let projects = files.iter().flat_map(|f| &f.projects).collect();
        let (teams, team_ids) =
            unique(files.iter().flat_map(|f| &f.teams), |t| &t.id, "team", TeamId, TeamId::index, diagnostics);
        let (sources, source_ids) =
            unique(files.iter().flat_map(|f| &f.sources), |s| &s.id, "source", SourceId, SourceId::index, diagnostics);
        let (kpis, kpi_ids) =
            unique(files.iter().flat_map(|f| &f.kpis), |k| &k.id, "KPI", KpiId, KpiId::index, diagnostics);
        Declarations { projects, teams, sources, kpis, team_ids, source_ids, kpi_ids }
    }
}

fn unique<'a, T, Id: Copy>(
    items: impl Iterator<Item = &'a T>,
    id_of: impl Fn(&T) -> &Ident,
    kind: &str,
    make_id: impl Fn(u32) -> Id,
    index_of: impl Fn(Id) -> usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<&'a T>, HashMap<String, Id>) {
    let items: Vec<&T> = items.collect();
    let mut kept: Vec<&T> = Vec::with_capacity(items.len());
    let mut ids: HashMap<String, Id> = HashMap::with_capacity(items.len());
    for item in items {
        let id = id_of(item);
        if let Some(&first) = ids.get(&id.name) {
            diagnostics.push(
                Diagnostic::new(Code::DuplicateName, id.span, format!("{kind} `{}` is declared twice", id.name))
                    .label("declared again here")
                    .secondary(id_of(kept[index_of(first)]).span, "first declared here")
                    .help(format!("rename one of them; {kind} ids are unique across all files"))
                    .grouped(format!("{kind} {}", id.name)),
            );
            continue;
        }
        ids.insert(id.name.clone(), make_id(kept.len() as u32));
        kept.push(item);
    }
    (kept, ids)
}
