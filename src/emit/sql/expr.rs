//! Typed model expressions → SQL text for one dialect. Every operation is
//! parenthesized, so precedence never depends on the dialect; division is
//! in floating point and a zero divisor gives NULL.

use super::dialect::{duration_unit_name, SqlDialect};
use crate::model::{
    Aggregate, BinaryOp, ColumnRef, Expr, ExprKind, Function, KpiId, Literal, RawSql, SqlToken, Type, UnaryOp,
};

/// How the names of an expression are spelled where it is rendered.
pub struct Names<'a> {
    /// A column of the base source or one of its joins.
    pub column: &'a dyn Fn(&ColumnRef) -> String,
    /// `(period_start, period_end)` as timestamps, where available.
    pub period: Option<(String, String)>,
    /// An aggregate's result column (measure formulas).
    pub aggregate: &'a dyn Fn(&Aggregate) -> String,
    /// Another KPI's value, this period (0) or that many periods earlier.
    pub kpi: &'a dyn Fn(KpiId, u32) -> String,
    /// The project's time zone, unless it is UTC: timestamps are UTC
    /// instants, and a date stands for the midnight that starts it there.
    pub time_zone: Option<&'a str>,
}

/// Names for contexts that have only columns.
pub fn columns_only<'a>(column: &'a dyn Fn(&ColumnRef) -> String, time_zone: Option<&'a str>) -> Names<'a> {
    Names {
        column,
        period: None,
        aggregate: &|_| unreachable_name("aggregate"),
        kpi: &|_, _| unreachable_name("KPI"),
        time_zone,
    }
}

/// The resolver only allows aggregates and KPI references in a KPI's value;
/// rendering one elsewhere would be an emitter bug, shown loudly in the SQL.
fn unreachable_name(what: &str) -> String {
    format!("kpic_internal_error_unexpected_{what}")
}

pub fn render(e: &Expr, d: &dyn SqlDialect, names: &Names) -> String {
    let r = |e: &Expr| render(e, d, names);
    match &e.kind {
        ExprKind::Literal(literal) => literal_sql(literal, d),
        ExprKind::Column(column) => (names.column)(column),
        ExprKind::PeriodStart => names.period.as_ref().map_or_else(|| unreachable_name("period"), |p| p.0.clone()),
        ExprKind::PeriodEnd => names.period.as_ref().map_or_else(|| unreachable_name("period"), |p| p.1.clone()),
        ExprKind::Unary(UnaryOp::Not, inner) => format!("(NOT {})", r(inner)),
        ExprKind::Unary(UnaryOp::Neg, inner) => format!("(-{})", r(inner)),
        ExprKind::Binary(op, left, right) => binary(*op, left, right, d, names),
        ExprKind::InList { expr, list, negated } => {
            let items: Vec<String> = list.iter().map(r).collect();
            let not = if *negated { "NOT " } else { "" };
            format!("({} {not}IN ({}))", r(expr), items.join(", "))
        }
        ExprKind::IsNull { expr, negated } => {
            let not = if *negated { "NOT " } else { "" };
            format!("({} IS {not}NULL)", r(expr))
        }
        ExprKind::Case { whens, otherwise } => {
            let mut out = String::from("CASE");
            for (condition, result) in whens {
                out.push_str(&format!(" WHEN {} THEN {}", r(condition), r(result)));
            }
            if let Some(otherwise) = otherwise {
                out.push_str(&format!(" ELSE {}", r(otherwise)));
            }
            out.push_str(" END");
            out
        }
        ExprKind::Function(Function::Date, args) if args.first().is_some_and(|a| a.ty == Type::Timestamp) => {
            d.to_date(&local_time(&r(&args[0]), d, names))
        }
        ExprKind::Function(function, args) => function_sql(*function, &args.iter().map(r).collect::<Vec<_>>(), d),
        ExprKind::Aggregate(aggregate) => (names.aggregate)(aggregate),
        ExprKind::Kpi(id) => (names.kpi)(*id, 0),
        ExprKind::Previous(id, periods) => (names.kpi)(*id, *periods),
        ExprKind::Raw(sql) => format!("({})", raw(sql, d)),
    }
}

fn binary(op: BinaryOp, left: &Expr, right: &Expr, d: &dyn SqlDialect, names: &Names) -> String {
    if is_chainable(op, left, right) {
        return chain(op, left, right, d, names);
    }
    let (mut l, mut r) = (render(left, d, names), render(right, d, names));
    if op.is_comparison() {
        match (left.ty, right.ty) {
            (Type::Timestamp, Type::Date) => r = date_instant(&r, d, names.time_zone),
            (Type::Date, Type::Timestamp) => l = date_instant(&l, d, names.time_zone),
            _ => {}
        }
    }
    let double = d.double_type();
    match op {
        BinaryOp::Div => format!("(CAST({l} AS {double}) / NULLIF(CAST({r} AS {double}), 0))"),
        BinaryOp::Add | BinaryOp::Sub if right.ty == Type::Duration => duration(op, &l, right, d),
        BinaryOp::Add if left.ty == Type::Duration => duration(op, &r, left, d),
        BinaryOp::Ne => cat!("(", l, " <> ", r, ")"),
        _ => cat!("(", l, " ", op.symbol().to_uppercase(), " ", r, ")"),
    }
}

/// Left-associative operators that SQL spells as a flat chain: `(a OR b OR c)`
/// is `((a OR b) OR c)`, without a parenthesis per term that a warehouse
/// parser would have to nest (machine-made filters have thousands of terms).
fn is_chainable(op: BinaryOp, left: &Expr, right: &Expr) -> bool {
    let numeric = left.ty != Type::Duration && right.ty != Type::Duration;
    matches!(op, BinaryOp::Or | BinaryOp::And)
        || (matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul) && numeric)
}

/// How many terms one flat group of a chain holds. Warehouses nest a flat
/// `+` chain a level per term (DuckDB stops at 1,000 levels), so longer
/// chains are groups of groups: depth grows with the logarithm.
const CHAIN_GROUP: usize = 64;

/// The left spine of `op` (`+` and `-` mix, as they share a precedence) as
/// flat groups: `(a - b + c)`. Regrouping a long chain is exact for `and`
/// and `or`; for `+` and `*` it may change the last bit of a double.
fn chain(op: BinaryOp, left: &Expr, right: &Expr, d: &dyn SqlDialect, names: &Names) -> String {
    let same_level = |other: BinaryOp| match op {
        BinaryOp::Add | BinaryOp::Sub => matches!(other, BinaryOp::Add | BinaryOp::Sub),
        _ => other == op,
    };
    let mut spine = vec![(op, right)];
    let mut rest = left;
    while let ExprKind::Binary(inner, l, r) = &rest.kind {
        if !same_level(*inner) || !is_chainable(*inner, l, r) {
            break;
        }
        spine.push((*inner, r));
        rest = l;
    }
    let joiner = if op == BinaryOp::Sub { BinaryOp::Add } else { op };
    let mut terms = vec![(joiner, render(rest, d, names))];
    terms.extend(spine.iter().rev().map(|(op, term)| (*op, render(term, d, names))));
    grouped(joiner, terms)
}

/// Terms joined by their operators, each term's operator joining it to the
/// one before (the first term's is `joiner`); groups of [`CHAIN_GROUP`].
fn grouped(joiner: BinaryOp, terms: Vec<(BinaryOp, String)>) -> String {
    let flat = |group: &[(BinaryOp, String)]| {
        let mut out = String::from("(");
        for (index, (op, term)) in group.iter().enumerate() {
            match (index, op) {
                (0, BinaryOp::Sub) => out.push_str(&format!("(-{term})")),
                (0, _) => out.push_str(term),
                _ => out.push_str(&format!(" {} {term}", op.symbol().to_uppercase())),
            }
        }
        out.push(')');
        out
    };
    if terms.len() <= CHAIN_GROUP {
        return flat(&terms);
    }
    grouped(joiner, terms.chunks(CHAIN_GROUP).map(|group| (joiner, flat(group))).collect())
}

/// A timestamp's wall-clock reading in the project's time zone.
fn local_time(timestamp: &str, d: &dyn SqlDialect, names: &Names) -> String {
    names.time_zone.map_or_else(|| timestamp.to_string(), |zone| d.to_time_zone(timestamp, zone))
}

/// The instant (a UTC reading) at which a date starts in the project's time zone.
pub fn date_instant(date: &str, d: &dyn SqlDialect, time_zone: Option<&str>) -> String {
    let midnight = d.date_to_timestamp(date);
    time_zone.map_or_else(|| midnight.clone(), |zone| d.time_zone_to_utc(&midnight, zone))
}

fn duration(op: BinaryOp, timestamp: &str, duration: &Expr, d: &dyn SqlDialect) -> String {
    let ExprKind::Literal(Literal::Duration(amount, unit)) = &duration.kind else {
        return unreachable_name("duration");
    };
    let (name, factor) = duration_unit_name(*unit);
    let n = i64::from(*amount) * factor;
    d.add_duration(timestamp, if op == BinaryOp::Sub { -n } else { n }, name)
}

fn literal_sql(literal: &Literal, d: &dyn SqlDialect) -> String {
    match literal {
        Literal::Number(n) => n.text.clone(),
        Literal::String(s) => d.string_literal(s),
        Literal::Boolean(true) => "TRUE".into(),
        Literal::Boolean(false) => "FALSE".into(),
        Literal::Null => "NULL".into(),
        Literal::Date(date) => d.date_literal(date),
        // Durations only appear as operands of `+`/`-`, rendered there.
        Literal::Duration(..) => unreachable_name("duration"),
    }
}

fn function_sql(function: Function, args: &[String], d: &dyn SqlDialect) -> String {
    let between = |seconds: f64| {
        let [start, end] = args else {
            return unreachable_name("arguments");
        };
        format!("({} / {seconds:.1})", d.seconds_between(start, end))
    };
    match function {
        Function::MinutesBetween => between(60.0),
        Function::HoursBetween => between(3600.0),
        Function::DaysBetween => between(86400.0),
        Function::Date => d.to_date(&args[0]),
        Function::Round => d.round(args),
        _ => format!("{}({})", function.name().to_uppercase(), args.join(", ")),
    }
}

/// Checked raw SQL printed back from its tokens with the dialect's own
/// quoting (see `resolve::sql::tokens`). A re-quoted token gets a blank
/// before it unless it follows a blank, `(`, `,` or `.`, so that no prefix
/// (`E`, `U&`, `N`) or neighbour fuses with it.
pub fn raw(sql: &RawSql, d: &dyn SqlDialect) -> String {
    let Some(tokens) = sql.tokens(d.dialect()) else {
        return unreachable_name("unchecked_sql");
    };
    let mut out = String::new();
    for token in tokens {
        let quoted = matches!(token, SqlToken::Ident(_) | SqlToken::String(_));
        if quoted && !out.is_empty() && !out.ends_with([' ', '\n', '(', ',', '.']) {
            out.push(' ');
        }
        match token {
            SqlToken::Verbatim(text) => out.push_str(text),
            SqlToken::Ident(name) => out.push_str(&d.quote_ident(name)),
            SqlToken::String(text) => out.push_str(&d.string_literal(text)),
            SqlToken::Space => out.push(' '),
            SqlToken::Newline => out.push('\n'),
        }
    }
    out
}
