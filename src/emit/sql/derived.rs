//! The view of a KPI that combines other KPIs: it reads their current views
//! (so warehouse lineage matches the graph), aligns them on period and
//! dimensions over a dense grid, and fills a missing upstream value with the
//! value that KPI has over no rows (0 for counts and sums, NULL otherwise).
//! `previous(k, n)` reads `k` n periods earlier, filled the same way.

use super::dialect::SqlDialect;
use super::expr::{render, Names};
use super::frame::Frame;
use super::query::{select, Query};
use crate::model::{BinaryOp, ExprKind, Kpi, KpiId, Literal, Model, Window};

pub fn query(model: &Model, kpi: &Kpi, d: &dyn SqlDialect, view: &dyn Fn(KpiId) -> String) -> String {
    let frame = Frame::new(model, kpi, d);
    let upstream = kpi.upstream_kpis();
    let mut query = Query::new();
    for (i, id) in upstream.iter().enumerate() {
        let mut columns = vec![frame.q("period_start")];
        for (k, name) in kpi.dimensions.iter().enumerate() {
            columns.push(frame.named(&frame.q(&name.text), &format!("d{k}")));
        }
        columns.push(frame.q("value"));
        query.cte(frame.q(&format!("u{i}")), select(&columns, &format!("FROM {}", view(*id))));
    }
    let ctes: Vec<String> = (0..upstream.len()).map(|i| format!("u{i}")).collect();
    let ranges: Vec<String> = ctes
        .iter()
        .map(|cte| {
            let start = frame.q("period_start");
            format!("SELECT MIN({start}) AS {}, MAX({start}) AS {} FROM {}", frame.q("lo"), frame.q("hi"), frame.q(cte))
        })
        .collect();
    frame.add_grid(&mut query, &ranges, 0, &kpi.periods, &ctes);
    // How far back `previous` reads each upstream KPI, each offset once.
    let offsets = |id: KpiId| {
        let mut found: Vec<u32> = Vec::new();
        kpi.value.walk(&mut |e| match e.kind {
            ExprKind::Previous(u, periods) if u == id && !found.contains(&periods) => found.push(periods),
            _ => {}
        });
        found.sort_unstable();
        found
    };
    let mut columns = frame.keys("g");
    columns.insert(1, frame.col("g", "period_end"));
    let mut from = format!("FROM {} AS {}", frame.q("grid"), frame.q("g"));
    for (i, id) in upstream.iter().enumerate() {
        let empty = empty_value(model, *id).map(format_number);
        let fill = |value: String| empty.as_ref().map_or_else(|| value.clone(), |e| format!("COALESCE({value}, {e})"));
        let u = format!("u{i}");
        frame.left_join(&mut from, &u, &u);
        columns.push(frame.named(&fill(frame.col(&u, "value")), &format!("k{i}")));
        for periods in offsets(*id) {
            let p = previous_column(i, periods);
            let previous = frame.previous_period(&frame.col("g", "period_start"), periods);
            from.push_str(&format!(
                "\nLEFT JOIN {} AS {} ON {} = {previous} AND {}",
                frame.q(&u),
                frame.q(&p),
                frame.col(&p, "period_start"),
                frame.same_dimensions(&p, "g")
            ));
            columns.push(frame.named(&fill(frame.col(&p, "value")), &p));
        }
    }
    query.cte(frame.q("measures"), select(&columns, &from));
    let column = |id: KpiId, periods: u32| {
        let i = upstream.iter().position(|u| *u == id).unwrap_or(0);
        frame.q(&if periods == 0 { format!("k{i}") } else { previous_column(i, periods) })
    };
    let names = Names {
        column: &|_| String::new(),
        period: None,
        aggregate: &|_| String::new(),
        kpi: &column,
        time_zone: frame.zone(),
    };
    let value = render(&kpi.value, d, &names);
    let ratio = kpi.ratio().map(|(n, den)| (render(n, d, &names), render(den, d, &names)));
    query.finish(&frame.output(kpi, "measures", &value, ratio))
}

/// The column of upstream KPI `i` read `periods` back: `p0` one period back
/// (as before offsets existed), `p0_12` twelve.
fn previous_column(i: usize, periods: u32) -> String {
    if periods == 1 {
        format!("p{i}")
    } else {
        format!("p{i}_{periods}")
    }
}

/// The value a KPI has for a period without rows, when it is a constant:
/// its formula with counts and sums at 0 and other aggregates NULL. Windowed
/// KPIs carry earlier periods' rows, so no constant fills their gaps.
pub fn empty_value(model: &Model, id: KpiId) -> Option<f64> {
    let kpi = model.kpi(id);
    if kpi.window != Window::Period {
        return None;
    }
    evaluate(model, &kpi.value, 0)
}

fn evaluate(model: &Model, e: &crate::model::Expr, depth: usize) -> Option<f64> {
    // A cycle is a checked error; the bound keeps a broken model from recursing forever.
    if depth > 64 {
        return None;
    }
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => Some(n.value),
        ExprKind::Aggregate(a) => a.func.is_zero_when_empty().then_some(0.0),
        ExprKind::Kpi(id) | ExprKind::Previous(id, _) => {
            let kpi = model.kpi(*id);
            if kpi.window != Window::Period {
                return None;
            }
            evaluate(model, &kpi.value, depth + 1)
        }
        ExprKind::Unary(crate::model::UnaryOp::Neg, inner) => evaluate(model, inner, depth).map(|v| -v),
        ExprKind::Binary(op, left, right) => {
            let (l, r) = (evaluate(model, left, depth)?, evaluate(model, right, depth)?);
            match op {
                BinaryOp::Add => Some(l + r),
                BinaryOp::Sub => Some(l - r),
                BinaryOp::Mul => Some(l * r),
                BinaryOp::Div if r == 0.0 => None,
                BinaryOp::Div => Some(l / r),
                _ => None,
            }
        }
        _ => None,
    }
}

fn format_number(value: f64) -> String {
    let text = format!("{value}");
    if text.contains('.') || text.contains('e') {
        text
    } else {
        format!("{text}.0")
    }
}
