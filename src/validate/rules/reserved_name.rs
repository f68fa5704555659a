//! `reserved-name`: a KPI dimension named like a column of every KPI view,
//! in any case (most warehouses fold unquoted names).

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{FormulaKind, Model};

/// The columns every KPI view has besides its dimensions (see docs/sql.md).
pub const VIEW_COLUMNS: [&str; 8] =
    ["period_start", "period_end", "value", "numerator", "denominator", "target", "status", "period_complete"];

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    // A KPI over KPIs has its upstream KPIs' dimensions, reported there.
    for kpi in model.kpis.iter().filter(|k| k.kind == FormulaKind::Measure) {
        let reserved = |name: &str| VIEW_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name));
        for dimension in kpi.dimensions.iter().filter(|d| reserved(&d.text)) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ReservedName,
                    dimension.span,
                    format!("a dimension cannot be named `{}`", dimension.text),
                )
                .label("clashes with a view column")
                .help(format!(
                    "every KPI view has the columns {}; declare the dimension under another name on the source",
                    VIEW_COLUMNS.join(", ")
                )),
            );
        }
    }
}
