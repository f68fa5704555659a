//! `lookml-name`: with a `looker` block, KPI ids name LookML views and
//! explores, team ids dashboards, and dimensions LookML fields — which
//! Looker only accepts in lower case, and which may not take the name of a
//! field every KPI view has.

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::lookml::fields::RESERVED;
use crate::graph::Graph;
use crate::model::{FormulaKind, Model, Name};
use crate::validate::rules::reserved_name::VIEW_COLUMNS;

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    if model.settings.looker.is_none() {
        return;
    }
    let lookml = |name: &Name, what: &str| {
        let ok = name.text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        (!ok).then(|| {
            Diagnostic::new(Code::LookmlName, name.span, format!("{what} `{name}` is not a LookML name"))
                .label("Looker names are lower case")
                .help(format!(
                    "rename it `{}`: LookML names are lower-case letters, digits and `_`",
                    name.text.to_lowercase()
                ))
        })
    };
    diagnostics.extend(model.teams.iter().filter_map(|t| lookml(&t.name, "the team id")));
    diagnostics.extend(model.kpis.iter().filter_map(|k| lookml(&k.name, "the KPI id")));
    // A KPI over KPIs has its upstream KPIs' dimensions, reported there.
    for kpi in model.kpis.iter().filter(|k| k.kind == FormulaKind::Measure) {
        // A name of a view column is reported by `reserved-name`.
        let view_column = |name: &Name| VIEW_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(&name.text));
        for dimension in kpi.dimensions.iter().filter(|d| !view_column(d)) {
            if let Some(diagnostic) = lookml(dimension, "the dimension") {
                diagnostics.push(diagnostic);
            } else if RESERVED.contains(&dimension.text.as_str()) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::LookmlName,
                        dimension.span,
                        format!("a dimension cannot be named `{}` in LookML", dimension.text),
                    )
                    .label("clashes with a field of the KPI's LookML view")
                    .help(format!(
                        "every KPI's LookML view has the fields {}; declare the dimension under another name on the source",
                        RESERVED.join(", ")
                    )),
                );
            }
        }
    }
}
