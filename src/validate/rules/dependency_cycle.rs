//! `dependency-cycle`: KPIs that depend on each other in a loop, reported
//! once per loop with its whole path.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{ExprKind, KpiId, Model};
use crate::source::Span;

/// How many KPIs of a cycle the message names and labels; a machine-made
/// cycle of thousands is shortened, not rendered in full.
const SHOWN: usize = 12;

pub fn check(model: &Model, graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for cycle in graph.cycles() {
        let names: Vec<&str> = cycle.iter().map(|id| model.kpi(*id).name.text.as_str()).collect();
        let path = if names.len() > SHOWN {
            format!("{} → … ({} KPIs in all) → {}", names[..SHOWN].join(" → "), names.len(), names[0])
        } else {
            format!("{} → {}", names.join(" → "), names[0])
        };
        // Each KPI of the cycle is labelled where its value reads the next one.
        let read_at = |index: usize| {
            let (reader, read) = (cycle[index], cycle[(index + 1) % cycle.len()]);
            reference(model, reader, read).unwrap_or(model.kpi(reader).name.span)
        };
        let mut diagnostic = Diagnostic::new(Code::DependencyCycle, read_at(0), format!("dependency cycle: {path}"))
            .label(format!("`{}` reads `{}`", names[0], names[1 % names.len()]))
            .help("a KPI cannot depend on itself, directly or through others; break one of these references");
        for index in (1..cycle.len()).take(SHOWN - 1) {
            let next = names[(index + 1) % names.len()];
            diagnostic = diagnostic.secondary(read_at(index), format!("`{}` reads `{next}`", names[index]));
        }
        diagnostics.push(diagnostic);
    }
}

/// Where the value of `reader` names `read` (as itself or in `previous`).
fn reference(model: &Model, reader: KpiId, read: KpiId) -> Option<Span> {
    let mut found = None;
    model.kpi(reader).value.walk(&mut |e| {
        if let ExprKind::Kpi(id) | ExprKind::Previous(id, _) = e.kind {
            if id == read && found.is_none() {
                found = Some(e.span);
            }
        }
    });
    found
}
