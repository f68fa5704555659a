//! `unit-mismatch`: a target written in another unit than the KPI's, such as
//! `25%` on a count, or `25` on a percent (which would mean 2500%).

use std::collections::HashSet;

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{Goal, Model, Threshold, Unit};
use crate::source::Span;

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    // A unit that is itself invalid is reported once, not again here.
    let errors: HashSet<Span> = diagnostics.iter().filter(|d| d.is_error()).map(Diagnostic::span).collect();
    for kpi in &model.kpis {
        let Some(target) = &kpi.target else { continue };
        if kpi.unit_span.is_some_and(|span| errors.contains(&span)) {
            continue;
        }
        let goals: Vec<&Threshold> = match &target.goal {
            Goal::AtLeast(t) | Goal::AtMost(t) => vec![t],
            Goal::Between(low, high) => vec![low, high],
        };
        let mut found: Option<Diagnostic> = None;
        for threshold in goals.into_iter().chain(&target.critical) {
            let problem = match (&kpi.unit, threshold.written_as_percent) {
                (Unit::Percent, false) if threshold.number.value.abs() > 1.0 => Some((
                    format!("`{}` on a percent KPI means {}%", threshold.number.text, threshold.number.value * 100.0),
                    format!("percent values are fractions: write `{}%`", threshold.number.text),
                )),
                // A ratio is a fraction too: `25%` is 0.25.
                (Unit::Percent | Unit::Ratio, _) | (_, false) => None,
                (unit, true) => Some((
                    format!("a percent target on a KPI measured in {}", unit_name(unit)),
                    "write the target as a plain number, or set `unit percent`".to_string(),
                )),
            };
            let Some((message, help)) = problem else {
                continue;
            };
            // One target, one error: its other thresholds are labels of it.
            found = Some(match found {
                Some(diagnostic) => diagnostic.secondary(threshold.span, "this one too"),
                None => {
                    let diagnostic = Diagnostic::new(Code::UnitMismatch, threshold.span, message)
                        .label("unit does not fit")
                        .help(help);
                    match kpi.unit_span {
                        Some(unit_span) => diagnostic.secondary(unit_span, "unit declared here"),
                        None => diagnostic,
                    }
                }
            });
        }
        diagnostics.extend(found);
    }
}

fn unit_name(unit: &Unit) -> String {
    match unit {
        Unit::Count => "counts".into(),
        Unit::Number => "plain numbers".into(),
        Unit::Percent => "percent".into(),
        Unit::Ratio => "ratios".into(),
        Unit::Currency { code } => code.clone(),
        Unit::Duration { unit } => format!("{unit:?}s").to_lowercase(),
    }
}
