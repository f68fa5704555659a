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

/// Appends `e`'s text: every term is written into `out` directly, so that
/// a chain of thousands of terms is written in linear time and no term
/// makes a string of its own (fingerprints write every KPI's formula).
fn write(out: &mut String, model: &Model, base: Option<SourceId>, e: &Expr) {
    use std::fmt::Write as _;
    let list = |out: &mut String, items: &[Expr], base: Option<SourceId>| {
        for (at, item) in items.iter().enumerate() {
            if at > 0 {
                out.push_str(", ");
            }
            write(out, model, base, item);
        }
    };
    match &e.kind {
        ExprKind::Binary(op, a, b) => {
            out.push('(');
            write(out, model, base, a);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write(out, model, base, b);
            out.push(')');
        }
        ExprKind::Literal(Literal::Number(n)) => out.push_str(&n.text),
        ExprKind::Literal(Literal::String(s)) => {
            let _ = write!(out, "{s:?}");
        }
        ExprKind::Literal(Literal::Boolean(b)) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Literal(Literal::Null) => out.push_str("null"),
        ExprKind::Literal(Literal::Date(d)) => out.push_str(d),
        ExprKind::Literal(Literal::Duration(n, unit)) => {
            let _ = write!(out, "{n} {unit:?}");
        }
        ExprKind::Column(c) => {
            match base.map(|b| model.source(b)) {
                None => out.push('?'),
                Some(base) => {
                    out.push_str(&base.name.text);
                    if let Some(j) = c.join {
                        out.push('.');
                        out.push_str(&model.source(base.joins[j].target).name.text);
                    }
                }
            }
            out.push('.');
            out.push_str(&c.column);
        }
        ExprKind::PeriodStart => out.push_str("period_start"),
        ExprKind::PeriodEnd => out.push_str("period_end"),
        ExprKind::Unary(op, inner) => {
            let _ = write!(out, "({op:?} ");
            write(out, model, base, inner);
            out.push(')');
        }
        ExprKind::InList { expr, list: items, negated } => {
            out.push('(');
            write(out, model, base, expr);
            out.push_str(if *negated { " not in [" } else { " in [" });
            list(out, items, base);
            out.push_str("])");
        }
        ExprKind::IsNull { expr, negated } => {
            out.push('(');
            write(out, model, base, expr);
            out.push_str(if *negated { " is not null)" } else { " is null)" });
        }
        ExprKind::Case { whens, otherwise } => {
            out.push_str("case ");
            for (at, (condition, value)) in whens.iter().enumerate() {
                if at > 0 {
                    out.push(' ');
                }
                out.push_str("when ");
                write(out, model, base, condition);
                out.push_str(" then ");
                write(out, model, base, value);
            }
            out.push_str(" else ");
            match otherwise {
                Some(otherwise) => write(out, model, base, otherwise),
                None => out.push_str("null"),
            }
            out.push_str(" end");
        }
        ExprKind::Function(f, args) => {
            out.push_str(f.name());
            out.push('(');
            list(out, args, base);
            out.push(')');
        }
        ExprKind::Aggregate(a) => {
            let inner = Some(a.source);
            out.push_str(&a.func.name());
            out.push('(');
            out.push_str(&model.source(a.source).name.text);
            if let Some(arg) = &a.arg {
                out.push_str(": ");
                write(out, model, inner, arg);
            }
            for f in &a.kpi_filters {
                out.push_str(" filter ");
                write(out, model, inner, f);
            }
            if let Some(at) = &a.at {
                out.push_str(" at ");
                out.push_str(at);
            }
            if let Some(c) = &a.condition {
                out.push_str(" where ");
                write(out, model, inner, c);
            }
            out.push(')');
        }
        ExprKind::Kpi(id) => out.push_str(&model.kpi(*id).name.text),
        ExprKind::Previous(id, 1) => {
            let _ = write!(out, "previous({})", model.kpi(*id).name);
        }
        ExprKind::Previous(id, periods) => {
            let _ = write!(out, "previous({}, {periods})", model.kpi(*id).name);
        }
        ExprKind::Raw(sql) => {
            let _ = write!(out, "sql({:?})", sql.written);
        }
    }
}
