//! `dependency-cycle`: KPIs that depend on each other in a loop, reported
//! once per loop with its whole path.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::Model;

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
        let first = model.kpi(cycle[0]);
        let mut diagnostic =
            Diagnostic::new(Code::DependencyCycle, first.name.span, format!("dependency cycle: {path}"))
                .label(format!("`{}` starts the cycle", first.name))
                .help("a KPI cannot depend on itself, directly or through others; break one of these references");
        for (index, id) in cycle.iter().enumerate().skip(1).take(SHOWN - 1) {
            let previous = names[index - 1];
            diagnostic =
                diagnostic.secondary(model.kpi(*id).name.span, format!("`{}` reads `{previous}`", names[index]));
        }
        diagnostics.push(diagnostic);
    }
}
