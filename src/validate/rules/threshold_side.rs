//! `threshold-side`: a critical threshold on the wrong side of the target.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{Goal, Model, Threshold};

pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for kpi in &model.kpis {
        let Some(target) = &kpi.target else { continue };
        let wrong = |critical: &Threshold, goal: &Threshold, above: bool| {
            let (c, g) = (critical.number.value, goal.number.value);
            (if above { c > g } else { c < g }).then_some((critical.span, goal.span, above))
        };
        let problems: Vec<_> = match (&target.goal, target.critical.as_slice()) {
            (Goal::AtLeast(goal), [critical]) => wrong(critical, goal, true).into_iter().collect(),
            (Goal::AtMost(goal), [critical]) => wrong(critical, goal, false).into_iter().collect(),
            (Goal::Between(low, high), [c_low, c_high]) => {
                wrong(c_low, low, true).into_iter().chain(wrong(c_high, high, false)).collect()
            }
            _ => Vec::new(),
        };
        for (critical, goal, above) in problems {
            let (side, fix) = if above { ("above", "below") } else { ("below", "above") };
            diagnostics.push(
                Diagnostic::new(Code::ThresholdSide, critical, format!("the critical threshold is {side} the target"))
                    .label(format!("critical is {side}"))
                    .secondary(goal, "target")
                    .help(format!(
                        "the value turns critical after it has missed the target: put the threshold {fix} it"
                    )),
            );
        }
    }
}
