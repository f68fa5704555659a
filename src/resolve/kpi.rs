//! `kpi` blocks: owner, lifecycle, value, time, dimensions, target, unit, version.

use super::expr::{aggregate_function, ExprResolver, Scope};
use super::names::Declarations;
use super::settings::{invalid, periods};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::model::{
    Dialect, DurationUnit, Expr, ExprKind, FormulaKind, Goal, Grain, Kpi, Lifecycle, Link, Literal, Name, Periods,
    Settings, Source, SourceId, Target, TeamId, Threshold, Type, Unit, Window, MAX_TITLE,
};
use crate::source::SourceMap;
use crate::syntax::ast::{self, Ident};

const STATUSES: [&str; 3] = ["draft", "active", "deprecated"];
const WINDOWS: [&str; 5] = ["cumulative", "week_to_date", "month_to_date", "quarter_to_date", "year_to_date"];
const UNITS: [&str; 10] =
    ["count", "number", "percent", "ratio", "currency", "milliseconds", "seconds", "minutes", "hours", "days"];

pub fn resolve_all(
    declarations: &Declarations,
    sources: &[Source],
    files: &SourceMap,
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Kpi> {
    let context = Context { declarations, sources, files, dialects: &settings.dialects, periods: &settings.periods };
    // Each KPI resolves on its own: on every core, findings kept in declaration order.
    let resolved = crate::parallel::map_in_parallel(&declarations.kpis, |decl| {
        let mut found = Vec::new();
        (context.kpi(decl, &mut found), found)
    });
    // Collected in place: the KPIs are not held twice.
    resolved
        .into_iter()
        .map(|(kpi, found)| {
            diagnostics.extend(found);
            kpi
        })
        .collect()
}

struct Context<'a> {
    declarations: &'a Declarations<'a>,
    sources: &'a [Source],
    files: &'a SourceMap,
    dialects: &'a [Dialect],
    /// The project's `periods`.
    periods: &'a Periods,
}

impl Context<'_> {
    fn kpi(&self, decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> Kpi {
        let kind = formula_kind(decl);
        let from = decl.from.as_ref().and_then(|f| self.source(f, diagnostics));
        let value = self.value(decl, kind, from, diagnostics);
        if kind == FormulaKind::Derived {
            for filter in &decl.filters {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        filter.span,
                        "a KPI that combines other KPIs cannot filter rows",
                    )
                    .label("no rows to filter here")
                    .help("filter the upstream KPIs instead"),
                );
            }
        }
        let grain = self.grain(decl, kind, diagnostics);
        let window = window(decl, kind, grain, diagnostics);
        if let Some(title) = decl.title.as_ref().filter(|t| t.node.chars().count() > MAX_TITLE) {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, title.span, format!("a title is at most {MAX_TITLE} characters"))
                    .label("too long for a title")
                    .help("keep the title short; say the rest in `description`"),
            );
        }
        let kpi = Kpi {
            name: name(&decl.id),
            title: decl.title.as_ref().map_or_else(|| decl.id.name.clone(), |t| t.node.clone()),
            description: decl.description.as_ref().map(|d| d.node.clone()),
            owner: self.owner(decl, diagnostics),
            tags: decl.tags.iter().map(|t| t.name.clone()).collect(),
            links: decl.links.iter().map(|l| Link { label: l.label.node.clone(), url: l.url.node.clone() }).collect(),
            lifecycle: self.lifecycle(decl, diagnostics),
            kind,
            value,
            grain,
            window,
            periods: decl.periods.as_ref().map_or_else(|| self.periods.clone(), |p| periods(p, diagnostics)),
            dimensions: dimensions(decl, diagnostics),
            target: decl.target.as_ref().and_then(|t| target(t, diagnostics)),
            unit: unit(decl, diagnostics),
            unit_span: decl.unit.as_ref().map(|u| u.unit.span),
            format: decl.format.as_ref().map(|f| f.node.clone()),
            version: version(decl, diagnostics),
            version_span: decl.version.as_ref().map_or(decl.id.span, |v| v.span),
            from,
            written: self.files.written(decl.span),
        };
        if kpi.kind == FormulaKind::Measure && kpi.window != Window::Period {
            check_window_on_snapshots(&kpi, decl, diagnostics);
        }
        kpi
    }

    fn owner(&self, decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> Option<TeamId> {
        let Some(owner) = &decl.owner else {
            diagnostics.push(
                Diagnostic::new(Code::MissingProperty, decl.id.span, format!("KPI `{}` has no owner", decl.id.name))
                    .label("who owns this number?")
                    .help("add `owner <team>`; every KPI has exactly one owning team"),
            );
            return None;
        };
        let found = self.declarations.team_ids.get(&owner.name).copied();
        if found.is_none() {
            let mut diagnostic =
                Diagnostic::new(Code::UnknownTeam, owner.span, format!("no team named `{}`", owner.name))
                    .label("unknown team")
                    .grouped(&owner.name);
            let teams = self.declarations.team_ids.keys().map(String::as_str);
            diagnostic = match did_you_mean(&owner.name, teams) {
                Some(help) => diagnostic.help(help),
                None => {
                    let mut known: Vec<String> = self.declarations.team_ids.keys().map(|t| format!("`{t}`")).collect();
                    known.sort();
                    let declare = format!("declare it: `team {} {{ name \"…\" }}`", owner.name);
                    match known.len() {
                        0 => diagnostic.help(declare),
                        n if n <= 12 => diagnostic.help(format!("the teams are {}; or {declare}", known.join(", "))),
                        _ => diagnostic.help(declare),
                    }
                }
            };
            diagnostics.push(diagnostic);
        }
        found
    }

    fn source(&self, name: &Ident, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceId> {
        let found = self.declarations.source_ids.get(&name.name).copied();
        if found.is_none() {
            let mut diagnostic =
                Diagnostic::new(Code::UnknownSource, name.span, format!("no source named `{}`", name.name))
                    .label("unknown source")
                    .grouped(&name.name);
            if let Some(help) = did_you_mean(&name.name, self.declarations.source_ids.keys().map(String::as_str)) {
                diagnostic = diagnostic.help(help);
            }
            diagnostics.push(diagnostic);
        }
        found
    }

    fn lifecycle(&self, decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> Lifecycle {
        let Some(status) = &decl.status else {
            return Lifecycle::Active;
        };
        let replaced_by = status.replaced_by.as_ref().and_then(|r| {
            if self.declarations.kpi_ids.contains_key(&r.name) {
                return Some(r.name.clone());
            }
            let mut diagnostic = Diagnostic::new(Code::UnknownKpi, r.span, format!("no KPI named `{}`", r.name))
                .label("unknown KPI")
                .grouped(&r.name);
            if let Some(help) = did_you_mean(&r.name, self.declarations.kpi_ids.keys().map(String::as_str)) {
                diagnostic = diagnostic.help(help);
            }
            diagnostics.push(diagnostic);
            None
        });
        match status.status.name.as_str() {
            "deprecated" => Lifecycle::Deprecated { replaced_by },
            other => {
                if let Some(r) = &status.replaced_by {
                    diagnostics.push(
                        Diagnostic::new(Code::InvalidValue, r.span, "only a deprecated KPI has a replacement")
                            .help("write `status deprecated replaced_by <kpi>`"),
                    );
                }
                match other {
                    "draft" => Lifecycle::Draft,
                    "active" => Lifecycle::Active,
                    _ => {
                        diagnostics.push(invalid(&status.status, "status", &STATUSES));
                        Lifecycle::Active
                    }
                }
            }
        }
    }

    fn value(
        &self,
        decl: &ast::KpiDecl,
        kind: FormulaKind,
        from: Option<SourceId>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Expr {
        let Some(value) = &decl.value else {
            diagnostics.push(
                Diagnostic::new(Code::MissingProperty, decl.id.span, format!("KPI `{}` has no `value`", decl.id.name))
                    .label("what does it compute?")
                    .help("add e.g. `value count(orders)`"),
            );
            return Expr::new(ExprKind::Literal(Literal::Null), Type::Any, decl.id.span);
        };
        let scope = match kind {
            FormulaKind::Measure => Scope::Measure { from },
            FormulaKind::Derived => Scope::Derived,
        };
        let mut resolver = ExprResolver {
            sources: self.sources,
            source_ids: &self.declarations.source_ids,
            kpi_ids: &self.declarations.kpi_ids,
            files: self.files,
            dialects: self.dialects,
            kpi_filters: &decl.filters,
            diagnostics,
        };
        resolver.expect(value, scope, Type::Number, "a KPI's value")
    }

    fn grain(&self, decl: &ast::KpiDecl, kind: FormulaKind, diagnostics: &mut Vec<Diagnostic>) -> Grain {
        let Some(grain) = &decl.grain else {
            if kind == FormulaKind::Measure {
                diagnostics.push(
                    Diagnostic::new(
                        Code::MissingProperty,
                        decl.id.span,
                        format!("KPI `{}` has no `grain`", decl.id.name),
                    )
                    .label("per day, week, month…?")
                    .help("add `grain day`, `week`, `month`, `quarter` or `year`"),
                );
            }
            return Grain::Day;
        };
        grain_named(grain).unwrap_or_else(|| {
            diagnostics.push(invalid(grain, "grain", &Grain::ALL.map(Grain::name)));
            Grain::Day
        })
    }
}

pub fn grain_named(name: &Ident) -> Option<Grain> {
    Grain::ALL.into_iter().find(|g| g.name() == name.name)
}

fn name(ident: &Ident) -> Name {
    Name { text: ident.name.clone(), span: ident.span }
}

/// A value that calls an aggregate reads sources; any other combines KPIs.
fn formula_kind(decl: &ast::KpiDecl) -> FormulaKind {
    // An expression that failed to lower counts as aggregating, so that no "reads no KPI" error follows.
    fn has_aggregate(e: &ast::Expr) -> bool {
        let mut found = false;
        e.walk(&mut |e| {
            found |= match &e.kind {
                ast::ExprKind::Call(call) => aggregate_function(&call.name.name).is_some(),
                ast::ExprKind::Invalid => true,
                _ => false,
            }
        });
        found
    }
    match &decl.value {
        Some(value) if !has_aggregate(value) => FormulaKind::Derived,
        _ => FormulaKind::Measure,
    }
}

/// The longest rolling window: ten years of days.
const MAX_ROLLING_DAYS: u32 = 3_660;

fn window(decl: &ast::KpiDecl, kind: FormulaKind, grain: Grain, diagnostics: &mut Vec<Diagnostic>) -> Window {
    let Some(declared) = &decl.window else {
        return Window::Period;
    };
    let (window, span) = match declared {
        ast::WindowDecl::Rolling { length, .. } if length.node == 0 => {
            diagnostics.push(Diagnostic::new(
                Code::InvalidWindow,
                length.span,
                "a rolling window covers at least one period",
            ));
            return Window::Period;
        }
        ast::WindowDecl::Rolling { length, weeks } => {
            let days = if *weeks { length.node.saturating_mul(7) } else { length.node };
            if days > MAX_ROLLING_DAYS {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidWindow,
                        length.span,
                        format!("a rolling window covers at most {MAX_ROLLING_DAYS} days"),
                    )
                    .help("for everything up to each period, write `window cumulative`"),
                );
                return Window::Period;
            }
            if *weeks && grain != Grain::Week {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidWindow,
                        length.span,
                        format!("a window of weeks is reported per week, but the grain is `{}`", grain.name()),
                    )
                    .label("needs `grain week`")
                    .help(format!("set `grain week`, or write `rolling {days} days` with `grain day`")),
                );
                return Window::Period;
            }
            (Window::Rolling { days }, length.span)
        }
        ast::WindowDecl::Named(name) => {
            let window = match name.name.as_str() {
                "cumulative" => Window::Cumulative,
                "week_to_date" => Window::ToDate { grain: Grain::Week },
                "month_to_date" => Window::ToDate { grain: Grain::Month },
                "quarter_to_date" => Window::ToDate { grain: Grain::Quarter },
                "year_to_date" => Window::ToDate { grain: Grain::Year },
                _ => {
                    diagnostics.push(invalid(name, "window", &WINDOWS).help("or `rolling <n> days`"));
                    return Window::Period;
                }
            };
            (window, name.span)
        }
    };
    if kind == FormulaKind::Derived {
        diagnostics.push(
            Diagnostic::new(Code::InvalidWindow, span, "a KPI that combines other KPIs uses their windows")
                .help("put the window on the upstream KPIs"),
        );
        return Window::Period;
    }
    // A rolling window of whole weeks is reported per week as well as per day.
    let weekly_rolling = matches!(window, Window::Rolling { days } if days % 7 == 0) && grain == Grain::Week;
    let needs_days = matches!(window, Window::Rolling { .. } | Window::ToDate { .. }) && !weekly_rolling;
    if needs_days && grain != Grain::Day {
        let help = if matches!(window, Window::Rolling { .. }) && grain == Grain::Week {
            "on `grain week`, roll whole weeks (`rolling 4 weeks`); or set `grain day`"
        } else {
            "set `grain day`: the window is reported for each day"
        };
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidWindow,
                span,
                format!("this window is evaluated per day, but the grain is `{}`", grain.name()),
            )
            .label("needs `grain day`")
            .help(help),
        );
    }
    window
}

fn check_window_on_snapshots(kpi: &Kpi, decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) {
    for aggregate in kpi.aggregates().into_iter().filter(|a| a.is_snapshot()) {
        let span = aggregate.exprs().find(|e| e.refers_to_period()).map_or(kpi.name.span, |e| e.span);
        let window_span = match &decl.window {
            Some(ast::WindowDecl::Named(n)) => n.span,
            Some(ast::WindowDecl::Rolling { length, .. }) => length.span,
            None => kpi.name.span,
        };
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidWindow,
                window_span,
                "a snapshot measure is taken at an instant and has no window",
            )
            .label("window")
            .secondary(span, "snapshot filter")
            .help("remove the `window`, or aggregate events by their time column"),
        );
    }
}

fn dimensions(decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    for d in decl.dimensions.iter().flat_map(|d| &d.node) {
        if let Some(first) = out.iter().find(|n| n.text == d.name) {
            diagnostics.push(
                Diagnostic::new(Code::DuplicateName, d.span, format!("dimension `{}` is listed twice", d.name))
                    .secondary(first.span, "first listed here"),
            );
            continue;
        }
        out.push(name(d));
    }
    out
}

fn threshold(q: &ast::Quantity) -> Threshold {
    Threshold { number: q.number.clone(), written_as_percent: q.is_percent, span: q.span }
}

fn target(decl: &ast::TargetDecl, diagnostics: &mut Vec<Diagnostic>) -> Option<Target> {
    let goal = match &decl.goal {
        ast::Goal::AtLeast(q) => Goal::AtLeast(threshold(q)),
        ast::Goal::AtMost(q) => Goal::AtMost(threshold(q)),
        ast::Goal::Between(low, high) => {
            if low.number.value > high.number.value {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidTarget,
                        low.span.to(high.span),
                        "the low end of the range is above the high end",
                    )
                    .help("write `between <low> and <high>`"),
                );
            }
            Goal::Between(threshold(low), threshold(high))
        }
    };
    let expected = if matches!(goal, Goal::Between(..)) { 2 } else { 1 };
    if !decl.critical.is_empty() && decl.critical.len() != expected {
        let span = decl.critical[0].span.to(decl.critical[decl.critical.len() - 1].span);
        let help = if expected == 2 {
            "a range's critical bounds are `critical <low> and <high>`"
        } else {
            "write one bound: `critical <value>`"
        };
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidTarget,
                span,
                format!("expected {expected} critical bound(s), found {}", decl.critical.len()),
            )
            .help(help),
        );
        return None;
    }
    for date in decl.from.iter().chain(&decl.until) {
        if !valid_date(&date.node) {
            diagnostics.push(
                Diagnostic::new(Code::InvalidTarget, date.span, format!("`{}` is not a calendar date", date.node))
                    .help("write YYYY-MM-DD"),
            );
        }
    }
    if let (Some(from), Some(until)) = (&decl.from, &decl.until) {
        if from.node > until.node {
            diagnostics.push(
                Diagnostic::new(Code::InvalidTarget, until.span, "the target ends before it starts")
                    .secondary(from.span, "starts here"),
            );
        }
    }
    Some(Target {
        goal,
        critical: decl.critical.iter().map(threshold).collect(),
        from: decl.from.as_ref().map(|d| d.node.clone()),
        until: decl.until.as_ref().map(|d| d.node.clone()),
        span: decl.span,
    })
}

/// A real calendar date in `YYYY-MM-DD` form, from year 1 on (there is no year 0).
pub fn valid_date(text: &str) -> bool {
    let parts: Vec<u32> = text.split('-').filter_map(|p| p.parse().ok()).collect();
    let [year, month, day] = parts[..] else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

fn unit(decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> Unit {
    let Some(declared) = &decl.unit else {
        return Unit::Number;
    };
    let unit = match declared.unit.name.as_str() {
        "count" => Unit::Count,
        "number" => Unit::Number,
        "percent" => Unit::Percent,
        "ratio" => Unit::Ratio,
        "currency" => {
            let Some(code) = &declared.qualifier else {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, declared.unit.span, "a currency unit names its currency")
                        .help("write e.g. `unit currency \"EUR\"`"),
                );
                return Unit::Number;
            };
            return Unit::Currency { code: code.node.clone() };
        }
        "milliseconds" | "seconds" | "minutes" | "hours" | "days" => Unit::Duration {
            unit: match declared.unit.name.as_str() {
                "milliseconds" => DurationUnit::Millisecond,
                "minutes" => DurationUnit::Minute,
                "hours" => DurationUnit::Hour,
                "days" => DurationUnit::Day,
                _ => DurationUnit::Second,
            },
        },
        _ => {
            diagnostics.push(invalid(&declared.unit, "unit", &UNITS));
            return Unit::Number;
        }
    };
    if let Some(q) = &declared.qualifier {
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, q.span, "only `currency` takes a code").help("remove the string"),
        );
    }
    unit
}

fn version(decl: &ast::KpiDecl, diagnostics: &mut Vec<Diagnostic>) -> u32 {
    use crate::model::MAX_VERSION;
    match &decl.version {
        Some(v) if (1..=MAX_VERSION).contains(&v.node) => v.node,
        Some(v) if v.node > MAX_VERSION => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, v.span, format!("versions go up to {MAX_VERSION}"))
                    .help("number versions 1, 2, 3, … as the computation changes"),
            );
            MAX_VERSION
        }
        Some(v) => {
            diagnostics
                .push(Diagnostic::new(Code::InvalidValue, v.span, "versions start at 1").help("write `version 1`"));
            1
        }
        None => {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingProperty,
                    decl.id.span,
                    format!("KPI `{}` has no `version`", decl.id.name),
                )
                .label("which computation is this?")
                .help("add `version 1`, and bump it whenever the computation changes"),
            );
            1
        }
    }
}
