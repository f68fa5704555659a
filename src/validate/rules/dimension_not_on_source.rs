//! `dimension-not-on-source`: a KPI slices by a dimension that one of the
//! sources it aggregates does not declare.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{FormulaKind, Model};

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for kpi in model.kpis.iter().filter(|k| k.kind == FormulaKind::Measure) {
        for dimension in &kpi.dimensions {
            for source_id in kpi.sources() {
                let source = model.source(source_id);
                if source.dimension(&dimension.text).is_some() {
                    continue;
                }
                let names = source.dimensions.iter().map(|d| d.name.text.as_str());
                let help = match did_you_mean(&dimension.text, names) {
                    Some(suggestion) => suggestion,
                    None => format!("add `dimension {}` to source `{}`", dimension.text, source.name),
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::DimensionNotOnSource,
                        dimension.span,
                        format!("source `{}` has no dimension `{}`", source.name, dimension.text),
                    )
                    .label(format!("not on `{}`", source.name))
                    .secondary(source.name.span, "source declared here")
                    .help(help),
                );
            }
        }
    }
}
