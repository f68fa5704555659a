//! What a KPI over other KPIs inherits: grain, window and dimensions. All
//! its upstream KPIs must agree on them; walked upstream-first, cycle-safe
//! (cycles themselves are reported by `validate`).

use super::kpi::grain_named;
use super::names::Declarations;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{FormulaKind, Grain, KpiId, Model, Name, Window};

#[derive(Clone, Copy, PartialEq)]
enum State {
    Pending,
    Visiting,
    Done,
}

pub fn infer(model: &mut Model, declarations: &Declarations, diagnostics: &mut Vec<Diagnostic>) {
    let mut states = vec![State::Pending; model.kpis.len()];
    for id in model.kpi_ids() {
        visit(id, model, declarations, &mut states, diagnostics);
    }
}

fn visit(
    id: KpiId,
    model: &mut Model,
    declarations: &Declarations,
    states: &mut [State],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if states[id.index()] != State::Pending {
        return;
    }
    states[id.index()] = State::Visiting;
    let upstream = model.kpi(id).upstream_kpis();
    for &u in &upstream {
        visit(u, model, declarations, states, diagnostics);
    }
    states[id.index()] = State::Done;
    if model.kpi(id).kind == FormulaKind::Derived && !upstream.is_empty() {
        inherit(id, &upstream, model, declarations, diagnostics);
    }
}

fn inherit(
    id: KpiId,
    upstream: &[KpiId],
    model: &mut Model,
    declarations: &Declarations,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let decl = declarations.kpis[id.index()];
    let first = model.kpi(upstream[0]);
    let (grain, window, dimensions) = (first.grain, first.window, sorted(&first.dimensions));
    let span = model.kpi(id).value.span;
    for &other in &upstream[1..] {
        let other = model.kpi(other);
        let mismatch = if other.grain != grain {
            Some(format!("grain `{}` vs `{}`", grain.name(), other.grain.name()))
        } else if !windows_compatible(grain, other.window, window) {
            Some(format!("windows {} vs {}", window.describe(), other.window.describe()))
        } else if sorted(&other.dimensions) != dimensions {
            Some(format!("dimensions [{}] vs [{}]", dimensions.join(", "), sorted(&other.dimensions).join(", ")))
        } else {
            None
        };
        if let Some(mismatch) = mismatch {
            diagnostics.push(
                Diagnostic::new(
                    Code::IncompatibleGrain,
                    span,
                    format!("`{}` and `{}` cannot be combined: {mismatch}", first.name, other.name),
                )
                .label("combines them")
                .secondary(first.name.span, format!("`{}` declared here", first.name))
                .secondary(other.name.span, format!("`{}` declared here", other.name))
                .help("combine KPIs with the same grain, window and dimensions"),
            );
        }
    }
    let declared_grain = decl.grain.as_ref().and_then(grain_named);
    if let (Some(declared), Some(ident)) = (declared_grain, &decl.grain) {
        if declared != grain {
            diagnostics.push(
                Diagnostic::new(
                    Code::IncompatibleGrain,
                    ident.span,
                    format!("the grain is `{}`, but `{}` is per {}", declared.name(), first.name, grain.name()),
                )
                .label("declared grain")
                .help(format!("remove `grain` (it is inherited) or write `grain {}`", grain.name())),
            );
        }
    }
    let declared_dimensions: Option<Vec<Name>> = decl.dimensions.as_ref().map(|_| model.kpi(id).dimensions.clone());
    let inherited_dimensions = first.dimensions.clone();
    if let (Some(declared), Some(list)) = (&declared_dimensions, &decl.dimensions) {
        if sorted(declared) != dimensions {
            diagnostics.push(
                Diagnostic::new(
                    Code::IncompatibleGrain,
                    list.span,
                    format!("the upstream KPIs are sliced by [{}]", dimensions.join(", ")),
                )
                .label("declared dimensions")
                .help("remove `dimensions` (they are inherited) or list the same ones"),
            );
        }
    }
    // Mixed daily windows: the derived value has no window of its own.
    let same_window = upstream.iter().all(|u| model.kpi(*u).window == window);
    let kpi = &mut model.kpis[id.index()];
    kpi.grain = grain;
    kpi.window = if same_window { window } else { Window::Period };
    if declared_dimensions.is_none() {
        kpi.dimensions = inherited_dimensions;
    }
}

/// Values reported per day (or week) are comparable whether each is a single
/// period or a rolling window of any length (DAU / MAU); other windows must be equal.
fn windows_compatible(grain: Grain, a: Window, b: Window) -> bool {
    let rolling_or_not = |w: Window| matches!(w, Window::Period | Window::Rolling { .. });
    a == b || (matches!(grain, Grain::Day | Grain::Week) && rolling_or_not(a) && rolling_or_not(b))
}

fn sorted(names: &[Name]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.text.clone()).collect();
    names.sort();
    names
}
