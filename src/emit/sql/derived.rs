//! The view of a KPI that combines other KPIs: it reads their current views
//! (so warehouse lineage matches the graph), aligns them on period and
//! dimensions over a dense grid, and fills a missing upstream value with the
//! value that KPI has over no rows (0 for counts and sums, NULL otherwise).
//! `previous(k)` reads `k` one period earlier, filled the same way.

use super::dialect::SqlDialect;
use super::expr::{render, Names};
use super::frame::Frame;
use super::query::{select, Query};
use crate::model::{BinaryOp, ExprKind, Kpi, KpiId, Literal, Model, Window};

pub fn query(model: &Model, kpi: &Kpi, d: &dyn SqlDialect, view: &dyn Fn(KpiId) -> String) -> String {
    let frame = Frame { d, grain: kpi.grain, dimensions: kpi.dimensions.len(), time_zone: &model.settings.time_zone };
    let upstream = kpi.upstream_kpis();
    let mut query = Query::new();
    for (i, id) in upstream.iter().enumerate() {
        let mut columns = vec![frame.q("period_start")];
        for (k, name) in kpi.dimensions.iter().enumerate() {
            columns.push(format!("{} AS {}", frame.q(&name.text), frame.q(&format!("d{k}"))));
        }
        columns.push(frame.q("value"));
        query.cte(frame.q(&format!("u{i}")), select(&columns, &format!("FROM {}", view(*id))));
    }
    let ctes: Vec<String> = (0..upstream.len()).map(|i| format!("u{i}")).collect();
    let periods: Vec<(String, String)> = ctes.iter().map(|c| (c.clone(), "period_start".to_string())).collect();
    frame.add_grid(&mut query, &periods, &ctes);
    let uses_previous = |id: KpiId| {
        let mut found = false;
        kpi.value.walk(&mut |e| found |= e.kind == ExprKind::Previous(id));
        found
    };
    let mut columns = frame.keys("g");
    columns.insert(1, frame.col("g", "period_end"));
    let mut from = format!("FROM {} AS {}", frame.q("grid"), frame.q("g"));
    for (i, id) in upstream.iter().enumerate() {
        let empty = empty_value(model, *id).map(format_number);
        let fill = |value: String| empty.as_ref().map_or_else(|| value.clone(), |e| format!("COALESCE({value}, {e})"));
        let (u, p) = (format!("u{i}"), format!("p{i}"));
        from.push_str(&format!("\nLEFT JOIN {} AS {} ON {}", frame.q(&u), frame.q(&u), frame.same_keys(&u, "g")));
        columns.push(format!("{} AS {}", fill(frame.col(&u, "value")), frame.q(&format!("k{i}"))));
        if uses_previous(*id) {
            let previous = frame.previous_period(&frame.col("g", "period_start"));
            from.push_str(&format!(
                "\nLEFT JOIN {} AS {} ON {} = {previous} AND {}",
                frame.q(&u),
                frame.q(&p),
                frame.col(&p, "period_start"),
                frame.same_dimensions(&p, "g")
            ));
            columns.push(format!("{} AS {}", fill(frame.col(&p, "value")), frame.q(&p)));
        }
    }
    query.cte(frame.q("measures"), select(&columns, &from));
    let column = |id: KpiId, previous: bool| {
        let i = upstream.iter().position(|u| *u == id).unwrap_or(0);
        frame.q(&if previous { format!("p{i}") } else { format!("k{i}") })
    };
    let names = Names { column: &|_| String::new(), period: None, aggregate: &|_| String::new(), kpi: &column };
    let value = render(&kpi.value, d, &names);
    let ratio = kpi.ratio().map(|(n, den)| (render(n, d, &names), render(den, d, &names)));
    query.finish(&frame.output(kpi, "measures", &value, ratio))
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
        ExprKind::Kpi(id) | ExprKind::Previous(id) => {
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
