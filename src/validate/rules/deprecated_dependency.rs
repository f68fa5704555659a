//! `deprecated-dependency`: an active KPI that reads a deprecated one.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{ExprKind, Kpi, KpiId, Lifecycle, Model};
use crate::source::Span;

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for kpi in &model.kpis {
        if kpi.lifecycle != Lifecycle::Active {
            continue;
        }
        for upstream_id in kpi.upstream_kpis() {
            let upstream = model.kpi(upstream_id);
            let Lifecycle::Deprecated { replaced_by } = &upstream.lifecycle else {
                continue;
            };
            let help = match replaced_by {
                Some(replacement) => format!("read `{replacement}` instead"),
                None => format!("`{}` has no replacement: ask its owner what to read instead", upstream.name),
            };
            let span = reference_span(kpi, upstream_id).unwrap_or(kpi.value.span);
            diagnostics.push(
                Diagnostic::new(
                    Code::DeprecatedDependency,
                    span,
                    format!("active KPI `{}` reads deprecated KPI `{}`", kpi.name, upstream.name),
                )
                .label("deprecated")
                .secondary(upstream.name.span, "deprecated here")
                .help(help),
            );
        }
    }
}

/// Where the value names `upstream`.
fn reference_span(kpi: &Kpi, upstream: KpiId) -> Option<Span> {
    let mut found = None;
    kpi.value.walk(&mut |e| {
        if matches!(e.kind, ExprKind::Kpi(id) | ExprKind::Previous(id, _) if id == upstream) {
            found = found.or(Some(e.span));
        }
    });
    found
}
