//! `unknown-dimension` and `dimension-not-on-source`: a KPI slices by a
//! dimension that none, or only some, of the sources it aggregates declare.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{FormulaKind, Model};

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for kpi in model.kpis.iter().filter(|k| k.kind == FormulaKind::Measure) {
        let sources = kpi.sources();
        for dimension in &kpi.dimensions {
            let lacking: Vec<_> =
                sources.iter().map(|&s| model.source(s)).filter(|s| s.dimension(&dimension.text).is_none()).collect();
            if lacking.is_empty() {
                continue;
            }
            if lacking.len() == sources.len() {
                let names =
                    sources.iter().flat_map(|&s| model.source(s).dimensions.iter().map(|d| d.name.text.as_str()));
                let source_names: Vec<String> = lacking.iter().map(|s| format!("`{}`", s.name)).collect();
                let help = did_you_mean(&dimension.text, names).unwrap_or_else(|| {
                    format!("declare `dimension {}` on {}", dimension.text, source_names.join(" and "))
                });
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownDimension,
                        dimension.span,
                        format!("no source of this KPI has a dimension `{}`", dimension.text),
                    )
                    .label("unknown dimension")
                    .help(help),
                );
                continue;
            }
            for source in lacking {
                let names = source.dimensions.iter().map(|d| d.name.text.as_str());
                let help = did_you_mean(&dimension.text, names).unwrap_or_else(|| {
                    format!(
                        "add `dimension {}` to source `{}`: a KPI's dimensions exist on every source it reads",
                        dimension.text, source.name
                    )
                });
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
