//! The re-aggregation rules: which groupings of a KPI's view Looker may
//! offer, and how its measures combine rows so that every number Looker
//! shows equals kpic's own computation of that grouping. The one place
//! these rules live (docs/lookml.md, "Re-aggregation").
//!
//! | value                                   | combined by           | coarser periods | fewer dimensions |
//! |-----------------------------------------|-----------------------|-----------------|------------------|
//! | counts and sums (and `+ - ×` constants) | `sum`                 | yes             | yes              |
//! | ratio of two such                       | Σ numerator / Σ denominator | yes       | yes              |
//! | `min` / `max`                           | `min` / `max`         | yes             | yes              |
//! | any of these as a snapshot, over a rolling, cumulative or to-date window, or through `previous` | as above | no | yes |
//! | count distinct, average, percentile, any other formula | none: one view row | no | no         |

use crate::model::Expr;
use crate::model::{AggFunc, BinaryOp, ExprKind, Grain, Kpi, Literal, Model, UnaryOp, Window};

/// How the value measure combines the view rows of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    Sum,
    /// Σ numerator / Σ denominator.
    Ratio,
    Min,
    Max,
    /// Only a group of one view row has a value.
    None,
}

/// What Looker may do with a KPI's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollup {
    pub combine: Combine,
    /// Periods may be grouped into coarser calendar periods (and all time).
    pub over_time: bool,
    /// Dimension values may be grouped together (a dimension left out).
    pub over_dimensions: bool,
}

impl Rollup {
    /// The rule for a KPI.
    pub fn of(model: &Model, kpi: &Kpi) -> Rollup {
        let exact = Rollup { combine: Combine::None, over_time: false, over_dimensions: false };
        let windowed = kpi.window != Window::Period;
        if let Some((numerator, denominator)) = kpi.ratio() {
            if let (Shape::Additive { over_time: n }, Shape::Additive { over_time: d }) =
                (shape(model, numerator, 0), shape(model, denominator, 0))
            {
                return Rollup { combine: Combine::Ratio, over_time: n && d && !windowed, over_dimensions: true };
            }
        }
        let (combine, over_time) = match shape(model, &kpi.value, 0) {
            Shape::Additive { over_time } => (Combine::Sum, over_time),
            Shape::Extreme { max: false, over_time } => (Combine::Min, over_time),
            Shape::Extreme { max: true, over_time } => (Combine::Max, over_time),
            Shape::Constant | Shape::Other => return exact,
        };
        Rollup { combine, over_time: over_time && !windowed, over_dimensions: true }
    }

    /// The grain's own timeframe, then the coarser ones the value may be grouped into.
    pub fn timeframes(self, grain: Grain) -> Vec<&'static str> {
        let mut out = vec![timeframe(grain)];
        if self.over_time {
            // Weeks do not nest in months, quarters or years; days nest in everything.
            let coarser: &[Grain] = match grain {
                Grain::Day => &[Grain::Week, Grain::Month, Grain::Quarter, Grain::Year],
                Grain::Month => &[Grain::Quarter, Grain::Year],
                Grain::Quarter => &[Grain::Year],
                Grain::Week | Grain::Year => &[],
            };
            out.extend(coarser.iter().map(|g| timeframe(*g)));
        }
        out
    }

    /// A short reading of the rule, for field descriptions.
    pub fn describe(self) -> &'static str {
        match (self.combine, self.over_time) {
            (Combine::None, _) => {
                "Shown only per period and for every dimension; blank when rows are grouped together, since this value cannot be re-aggregated."
            }
            (_, false) => "Shown per period; may be summed up over dimension values, not over periods.",
            (Combine::Ratio, true) => "Recomputed from the summed numerator and denominator for any grouping.",
            (_, true) => "Re-aggregates exactly for any grouping of periods and dimension values.",
        }
    }
}

/// Looker's timeframe for a calendar grain.
pub fn timeframe(grain: Grain) -> &'static str {
    match grain {
        Grain::Day => "date",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Quarter => "quarter",
        Grain::Year => "year",
    }
}

/// How an expression's totals over disjoint groups of rows combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A number, the same for every group.
    Constant,
    /// Totals add up; over periods only when `over_time`.
    Additive { over_time: bool },
    /// The least or greatest of the groups' values.
    Extreme { max: bool, over_time: bool },
    /// Nothing combines it.
    Other,
}

fn shape(model: &Model, e: &Expr, depth: usize) -> Shape {
    // A cycle is a checked error; the bound keeps a broken model from recursing forever.
    if depth > 64 {
        return Shape::Other;
    }
    let additive = |over_time| Shape::Additive { over_time };
    match &e.kind {
        ExprKind::Literal(Literal::Number(_)) => Shape::Constant,
        ExprKind::Aggregate(a) => {
            let over_time = !a.is_snapshot();
            match a.func {
                AggFunc::Count | AggFunc::Sum => additive(over_time),
                AggFunc::Min => Shape::Extreme { max: false, over_time },
                AggFunc::Max => Shape::Extreme { max: true, over_time },
                AggFunc::CountDistinct | AggFunc::Avg | AggFunc::Percentile(_) => Shape::Other,
            }
        }
        ExprKind::Kpi(id) | ExprKind::Previous(id, _) => {
            let upstream = model.kpi(*id);
            let within_period = upstream.window == Window::Period && matches!(e.kind, ExprKind::Kpi(_));
            match shape(model, &upstream.value, depth + 1) {
                Shape::Additive { over_time } => additive(over_time && within_period),
                Shape::Extreme { max, over_time } => Shape::Extreme { max, over_time: over_time && within_period },
                other => other,
            }
        }
        ExprKind::Unary(UnaryOp::Neg, inner) => match shape(model, inner, depth) {
            s @ (Shape::Constant | Shape::Additive { .. }) => s,
            _ => Shape::Other,
        },
        ExprKind::Binary(op, left, right) => {
            let (l, r) = (shape(model, left, depth), shape(model, right, depth));
            match (op, l, r) {
                (_, Shape::Constant, Shape::Constant) => Shape::Constant,
                (BinaryOp::Add | BinaryOp::Sub, Shape::Additive { over_time: a }, Shape::Additive { over_time: b }) => {
                    additive(a && b)
                }
                (BinaryOp::Mul, Shape::Additive { over_time }, Shape::Constant)
                | (BinaryOp::Mul, Shape::Constant, Shape::Additive { over_time })
                | (BinaryOp::Div, Shape::Additive { over_time }, Shape::Constant) => additive(over_time),
                _ => Shape::Other,
            }
        }
        _ => Shape::Other,
    }
}
