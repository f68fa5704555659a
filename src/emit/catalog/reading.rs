//! A KPI's definition and target read aloud, for readers who do not write
//! `.kpi` files: "the number of distinct session_id in checkout_steps where
//! step = "cart", per week". Conditions are quoted as their authors wrote them.

use super::document::ThresholdEntry;
use crate::model::{
    expr_text, AggFunc, Aggregate, BinaryOp, Expr, ExprKind, Kpi, Model, SourceId, Target, UnaryOp, Window,
};
use crate::source::Written;

/// The whole definition: formula, population, time and dimensions.
pub fn kpi(model: &Model, kpi: &Kpi) -> String {
    let mut out = formula(model, kpi, &kpi.value);
    let filters: Vec<String> = kpi
        .aggregates()
        .first()
        .map(|a| a.kpi_filters.iter().map(|f| quoted(model, kpi, a, f)).collect())
        .unwrap_or_default();
    if !filters.is_empty() {
        out.push_str(", counting only rows where ");
        out.push_str(&list(&filters, "and"));
    }
    out.push_str(", ");
    out.push_str(&time(kpi));
    if !kpi.dimensions.is_empty() {
        let names: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        out.push_str(", by ");
        out.push_str(&list(&names, "and"));
    }
    match out.strip_prefix("the ") {
        Some(rest) => format!("The {rest}"),
        None => out,
    }
}

/// A KPI in a formula: its title and id, or its id alone when it has no title of its own.
fn named(model: &Model, id: crate::model::KpiId) -> String {
    let kpi = model.kpi(id);
    if kpi.title == kpi.name.text {
        kpi.name.text.clone()
    } else {
        format!("{} ({})", kpi.title, kpi.name)
    }
}

/// `at least 60%, off track below 50%, from 2024-01-01`.
pub fn target(direction: &str, goal: &[ThresholdEntry], critical: &[ThresholdEntry], target: &Target) -> String {
    let critical: Vec<&str> = critical.iter().map(|t| t.text.as_str()).collect();
    let mut out = self::goal(direction, goal);
    match (direction, critical.as_slice()) {
        ("between", [low, high]) => {
            out.push_str(&format!("; at risk down to {low} and up to {high}, off track beyond"))
        }
        ("at_most", [value]) => out.push_str(&format!("; at risk up to {value}, off track above")),
        (_, [value]) => out.push_str(&format!("; at risk down to {value}, off track below")),
        _ => out.push_str("; off track whenever missed"),
    }
    match (&target.from, &target.until) {
        (Some(from), Some(until)) => out.push_str(&format!("; held from {from} until {until}")),
        (Some(from), None) => out.push_str(&format!("; held from {from}")),
        (None, Some(until)) => out.push_str(&format!("; held until {until}")),
        (None, None) => {}
    }
    if target.from.is_some() || target.until.is_some() {
        out.push_str(" (no target, hence no status, outside those dates)");
    }
    out
}

/// The goal alone: `at least 60%`, `between 1 and 2`.
pub fn goal(direction: &str, goal: &[ThresholdEntry]) -> String {
    let texts: Vec<&str> = goal.iter().map(|t| t.text.as_str()).collect();
    match (direction, texts.as_slice()) {
        ("between", [low, high]) => format!("between {low} and {high}"),
        ("at_most", [value]) => format!("at most {value}"),
        (_, [value]) => format!("at least {value}"),
        _ => String::new(),
    }
}

fn time(kpi: &Kpi) -> String {
    let grain = kpi.grain.name();
    match kpi.window {
        Window::Period => format!("per {grain}"),
        Window::Rolling { days } => format!("over the rolling {days} days up to each day"),
        Window::Cumulative => format!("cumulative up to the end of each {grain}"),
        Window::ToDate { grain: to } => format!("{}-to-date, each day", to.name()),
    }
}

fn formula(model: &Model, kpi: &Kpi, e: &Expr) -> String {
    match &e.kind {
        ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div), a, b) => {
            let word = match op {
                BinaryOp::Add => "plus",
                BinaryOp::Sub => "minus",
                BinaryOp::Mul => "times",
                _ => "divided by",
            };
            format!("{} {word} {}", operand(model, kpi, a), operand(model, kpi, b))
        }
        ExprKind::Unary(UnaryOp::Neg, inner) => format!("minus {}", operand(model, kpi, inner)),
        ExprKind::Aggregate(a) => aggregate(model, kpi, a),
        ExprKind::Kpi(id) => named(model, *id),
        ExprKind::Previous(id, 1) => format!("the previous {}'s {}", kpi.grain.name(), named(model, *id)),
        ExprKind::Previous(id, periods) => {
            format!("{} {periods} {}s earlier", named(model, *id), kpi.grain.name())
        }
        _ => as_written(model, &kpi.written, None, e),
    }
}

/// A formula's operand, in parentheses when it is itself arithmetic.
fn operand(model: &Model, kpi: &Kpi, e: &Expr) -> String {
    let text = formula(model, kpi, e);
    if matches!(e.kind, ExprKind::Binary(..)) {
        format!("({text})")
    } else {
        text
    }
}

fn aggregate(model: &Model, kpi: &Kpi, a: &Aggregate) -> String {
    let source = &model.source(a.source).name.text;
    let arg = a.arg.as_ref().map(|arg| quoted(model, kpi, a, arg));
    let arg = arg.as_deref().unwrap_or("rows");
    let mut out = match a.func {
        AggFunc::Count if a.arg.is_none() => format!("the number of {source} rows"),
        AggFunc::Count => format!("the number of {source} rows with a {arg}"),
        AggFunc::CountDistinct => format!("the number of distinct {arg} in {source}"),
        AggFunc::Sum => format!("the sum of {arg} over {source}"),
        AggFunc::Avg => format!("the average {arg} over {source}"),
        AggFunc::Min => format!("the smallest {arg} in {source}"),
        AggFunc::Max => format!("the largest {arg} in {source}"),
        AggFunc::Percentile(p) => format!("the {} percentile of {arg} over {source}", ordinal(p * 100.0)),
    };
    if let Some(at) = &a.at {
        out.push_str(&format!(", in the period of their {at}"));
    }
    if let Some(condition) = &a.condition {
        out.push_str(" where ");
        out.push_str(&quoted(model, kpi, a, condition));
    }
    out
}

/// An expression of an aggregate as written in the KPI.
fn quoted(model: &Model, kpi: &Kpi, a: &Aggregate, e: &Expr) -> String {
    as_written(model, &kpi.written, Some(a.source), e)
}

/// `e` as written in `written`, on one line; in canonical form (columns
/// relative to `base`) when it was not written there, as for expanded shorthands.
pub fn as_written(model: &Model, written: &Written, base: Option<SourceId>, e: &Expr) -> String {
    written.excerpt(e.span).map_or_else(|| expr_text(model, base, e), squash)
}

/// Text on one line: runs of white space become one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `95` → `95th`, `50` → `50th`, `99.9` → `99.9th`.
fn ordinal(n: f64) -> String {
    let text = format!("{}", (n * 1000.0).round() / 1000.0);
    let suffix = match text.as_str() {
        t if t.ends_with("11") || t.ends_with("12") || t.ends_with("13") => "th",
        t if t.ends_with('1') => "st",
        t if t.ends_with('2') => "nd",
        t if t.ends_with('3') => "rd",
        _ => "th",
    };
    format!("{text}{suffix}")
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{list, ordinal};

    #[test]
    fn ordinals_and_lists_read_naturally() {
        assert_eq!(ordinal(95.0), "95th");
        assert_eq!(ordinal(50.0), "50th");
        assert_eq!(ordinal(99.9), "99.9th");
        assert_eq!(ordinal(1.0), "1st");
        assert_eq!(ordinal(12.0), "12th");
        let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(list(&items, "and"), "a, b and c");
        assert_eq!(list(&items[..1], "and"), "a");
    }
}
