//! Expressions as canonical text with every name resolved: `orders.amount`,
//! `orders.fx_rates.usd_rate`, `sum(orders: orders.amount where …)`. Used for
//! fingerprints and readable dumps; spans and formatting play no part.

use super::{Expr, ExprKind, Literal, Model, SourceId};

/// `e` as text; column references are relative to `base` (the source of the
/// enclosing aggregate, dimension or filter).
pub fn expr_text(model: &Model, base: Option<SourceId>, e: &Expr) -> String {
    let mut out = String::new();
    write(&mut out, model, base, e);
    out
}

/// Appends `e`'s text. Binary operators write into `out` directly, so that a
/// chain of thousands of terms is written in linear time.
fn write(out: &mut String, model: &Model, base: Option<SourceId>, e: &Expr) {
    if let ExprKind::Binary(op, a, b) = &e.kind {
        out.push('(');
        write(out, model, base, a);
        out.push(' ');
        out.push_str(op.symbol());
        out.push(' ');
        write(out, model, base, b);
        out.push(')');
        return;
    }
    out.push_str(&term_text(model, base, e));
}

fn term_text(model: &Model, base: Option<SourceId>, e: &Expr) -> String {
    let r = |e: &Expr| expr_text(model, base, e);
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => n.text.clone(),
        ExprKind::Literal(Literal::String(s)) => format!("{s:?}"),
        ExprKind::Literal(Literal::Boolean(b)) => b.to_string(),
        ExprKind::Literal(Literal::Null) => "null".into(),
        ExprKind::Literal(Literal::Date(d)) => d.clone(),
        ExprKind::Literal(Literal::Duration(n, unit)) => format!("{n} {unit:?}"),
        ExprKind::Column(c) => {
            let Some(base) = base.map(|b| model.source(b)) else { return format!("?.{}", c.column) };
            match c.join {
                None => format!("{}.{}", base.name, c.column),
                Some(j) => format!("{}.{}.{}", base.name, model.source(base.joins[j].target).name, c.column),
            }
        }
        ExprKind::PeriodStart => "period_start".into(),
        ExprKind::PeriodEnd => "period_end".into(),
        ExprKind::Unary(op, inner) => format!("({op:?} {})", r(inner)),
        ExprKind::Binary(..) => expr_text(model, base, e),
        ExprKind::InList { expr, list, negated } => {
            let items: Vec<String> = list.iter().map(r).collect();
            format!("({} {}in [{}])", r(expr), if *negated { "not " } else { "" }, items.join(", "))
        }
        ExprKind::IsNull { expr, negated } => format!("({} is {}null)", r(expr), if *negated { "not " } else { "" }),
        ExprKind::Case { whens, otherwise } => {
            let arms: Vec<String> = whens.iter().map(|(c, v)| format!("when {} then {}", r(c), r(v))).collect();
            format!("case {} else {} end", arms.join(" "), otherwise.as_ref().map_or("null".to_string(), |o| r(o)))
        }
        ExprKind::Function(f, args) => format!("{}({})", f.name(), args.iter().map(r).collect::<Vec<_>>().join(", ")),
        ExprKind::Aggregate(a) => {
            let inner = |e: &Expr| expr_text(model, Some(a.source), e);
            let mut text = format!("{}({}", a.func.name(), model.source(a.source).name);
            if let Some(arg) = &a.arg {
                text.push_str(&format!(": {}", inner(arg)));
            }
            for f in &a.kpi_filters {
                text.push_str(&format!(" filter {}", inner(f)));
            }
            if let Some(at) = &a.at {
                text.push_str(&format!(" at {at}"));
            }
            if let Some(c) = &a.condition {
                text.push_str(&format!(" where {}", inner(c)));
            }
            text.push(')');
            text
        }
        ExprKind::Kpi(id) => model.kpi(*id).name.text.clone(),
        ExprKind::Previous(id, 1) => format!("previous({})", model.kpi(*id).name),
        ExprKind::Previous(id, periods) => format!("previous({}, {periods})", model.kpi(*id).name),
        ExprKind::Raw(sql) => format!("sql({:?})", sql.written),
    }
}
