//! Binds and types expressions. What a name means depends on the [`Scope`]:
//! a source's columns in filters and dimensions, aggregates over sources in a
//! measure KPI's value, other KPIs in a derived KPI's value.

use std::collections::HashMap;

use super::sql::{self, SqlKind};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::model::{
    AggFunc, Aggregate, BinaryOp, ColumnRef, Dialect, Expr, ExprKind, Function, KpiId, Literal, Source, SourceId, Type,
    UnaryOp,
};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, Ident};

/// Where an expression stands, which decides what its names mean.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A row of `base`: its columns, dimensions and joined columns; the
    /// period bounds too when `period` (inside a KPI's aggregates).
    Row { base: SourceId, period: bool },
    /// The `on` condition of `base`'s join number `join` to `target`.
    JoinOn { base: SourceId, join: usize, target: SourceId },
    /// A measure KPI's value: aggregates over sources and constants.
    Measure { from: Option<SourceId> },
    /// A derived KPI's value: other KPIs and constants.
    Derived,
}

/// The aggregate functions, by name.
pub fn aggregate_function(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "count_distinct" => AggFunc::CountDistinct,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "p50" | "median" => AggFunc::Percentile(0.5),
        "p90" => AggFunc::Percentile(0.9),
        "p95" => AggFunc::Percentile(0.95),
        "p99" => AggFunc::Percentile(0.99),
        "percentile" => AggFunc::Percentile(f64::NAN),
        _ => return None,
    })
}

/// Names callable besides the portable functions and aggregates.
const SPECIAL_FUNCTIONS: [&str; 3] = ["active_at", "in_period", "previous"];
/// The aggregates a KPI value can call.
pub const AGGREGATE_NAMES: [&str; 12] =
    ["count", "count_distinct", "sum", "avg", "min", "max", "p50", "median", "p90", "p95", "p99", "percentile"];

/// Resolves expressions against the sources resolved so far.
pub struct ExprResolver<'a> {
    pub sources: &'a [Source],
    pub source_ids: &'a HashMap<String, SourceId>,
    pub kpi_ids: &'a HashMap<String, KpiId>,
    pub files: &'a SourceMap,
    pub dialects: &'a [Dialect],
    /// The KPI's `filter` lines, applied inside each of its aggregates.
    pub kpi_filters: &'a [ast::Expr],
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl ExprResolver<'_> {
    fn error(&mut self, diagnostic: Diagnostic) -> Expr {
        let span = diagnostic.span();
        self.diagnostics.push(diagnostic);
        Expr::new(ExprKind::Literal(Literal::Null), Type::Any, span)
    }

    /// Resolves `e` and checks that its type fits `expected`.
    pub fn expect(&mut self, e: &ast::Expr, scope: Scope, expected: Type, what: &str) -> Expr {
        let resolved = self.resolve(e, scope);
        if !resolved.ty.fits(expected) {
            let message = format!("{what} must be a {}, found a {}", expected.name(), resolved.ty.name());
            self.diagnostics.push(
                Diagnostic::new(Code::TypeMismatch, e.span, message).label(format!("this is a {}", resolved.ty.name())),
            );
        }
        resolved
    }

    pub fn resolve(&mut self, e: &ast::Expr, scope: Scope) -> Expr {
        let span = e.span;
        match &e.kind {
            ast::ExprKind::Invalid => Expr::new(ExprKind::Literal(Literal::Null), Type::Any, span),
            ast::ExprKind::Literal(ast::Literal::Date(date)) if !super::kpi::valid_date(date) => self.error(
                Diagnostic::new(Code::InvalidValue, span, format!("{date} is not a calendar date"))
                    .label("no such day")
                    .help("write an existing day as YYYY-MM-DD"),
            ),
            ast::ExprKind::Literal(literal) => literal_expr(literal, span),
            ast::ExprKind::Path(parts) => self.path(parts, scope, span),
            ast::ExprKind::Unary(op, inner) => {
                let (expected, what) = match op {
                    UnaryOp::Not => (Type::Boolean, "the operand of `not`"),
                    UnaryOp::Neg => (Type::Number, "the operand of `-`"),
                };
                let inner = self.expect(inner, scope, expected, what);
                Expr::new(ExprKind::Unary(*op, Box::new(inner)), expected, span)
            }
            ast::ExprKind::Binary(op, left, right) => self.binary(*op, left, right, scope, span),
            ast::ExprKind::InList { expr, list, negated } => {
                let expr = self.resolve(expr, scope);
                let list =
                    list.iter().map(|item| self.expect(item, scope, expr.ty, "every item of an `in` list")).collect();
                Expr::new(ExprKind::InList { expr: Box::new(expr), list, negated: *negated }, Type::Boolean, span)
            }
            ast::ExprKind::IsNull { expr, negated } => {
                let expr = self.resolve(expr, scope);
                Expr::new(ExprKind::IsNull { expr: Box::new(expr), negated: *negated }, Type::Boolean, span)
            }
            ast::ExprKind::Case { whens, otherwise } => self.case(whens, otherwise.as_deref(), scope, span),
            ast::ExprKind::Call(call) => {
                let ast::Call { name, args, star, at, filter } = call.as_ref();
                self.call(name, args, *star, at.as_ref(), filter.as_deref(), scope, span)
            }
            ast::ExprKind::RawSql(raw) => {
                let file = self.files.get(raw.span.file);
                let (sql, _) =
                    sql::check(&raw.node, SqlKind::Expression, raw.span, file, self.dialects, self.diagnostics);
                Expr::new(ExprKind::Raw(sql), Type::Any, span)
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &ast::Expr, right: &ast::Expr, scope: Scope, span: Span) -> Expr {
        let l = self.resolve(left, scope);
        let r = self.resolve(right, scope);
        let ty = match binary_type(op, l.ty, r.ty) {
            Ok(ty) => ty,
            Err(message) => {
                let diagnostic = Diagnostic::new(Code::TypeMismatch, span, message).label(format!(
                    "{} {} {}",
                    l.ty.name(),
                    op.symbol(),
                    r.ty.name()
                ));
                let diagnostic = if l.ty.is_temporal() && r.ty.is_temporal() && op == BinaryOp::Sub {
                    diagnostic.help("use `minutes_between(a, b)`, `hours_between(a, b)` or `days_between(a, b)`")
                } else {
                    diagnostic
                };
                self.diagnostics.push(diagnostic);
                Type::Any
            }
        };
        Expr::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty, span)
    }

    fn case(
        &mut self,
        whens: &[(ast::Expr, ast::Expr)],
        otherwise: Option<&ast::Expr>,
        scope: Scope,
        span: Span,
    ) -> Expr {
        let mut ty = Type::Null;
        let mut resolved = Vec::new();
        for (condition, result) in whens {
            let condition = self.expect(condition, scope, Type::Boolean, "a `when` condition");
            let result = self.expect(result, scope, ty, "every branch of a `case`");
            if ty == Type::Null {
                ty = result.ty;
            }
            resolved.push((condition, result));
        }
        let otherwise = otherwise.map(|e| Box::new(self.expect(e, scope, ty, "every branch of a `case`")));
        Expr::new(ExprKind::Case { whens: resolved, otherwise }, ty, span)
    }

    fn path(&mut self, parts: &[Ident], scope: Scope, span: Span) -> Expr {
        match scope {
            Scope::Row { base, period } => self.row_path(parts, base, period, span),
            Scope::JoinOn { base, join, target } => self.join_path(parts, base, join, target, span),
            Scope::Measure { .. } => self.measure_path(parts, span),
            Scope::Derived => self.kpi_path(parts, span),
        }
    }

    fn row_path(&mut self, parts: &[Ident], base: SourceId, period: bool, span: Span) -> Expr {
        let source = &self.sources[base.index()];
        match parts {
            [name] => {
                if let Some(column) = source.column(&name.name) {
                    let column_ref = ColumnRef { join: None, column: column.name.text.clone() };
                    return Expr::new(ExprKind::Column(column_ref), column.ty, span);
                }
                if let Some(dimension) = source.dimension(&name.name) {
                    return Expr { span, ..dimension.expr.clone() };
                }
                match name.name.as_str() {
                    "period_start" if period => return Expr::new(ExprKind::PeriodStart, Type::Timestamp, span),
                    "period_end" if period => return Expr::new(ExprKind::PeriodEnd, Type::Timestamp, span),
                    _ => {}
                }
                let candidates = source
                    .columns
                    .iter()
                    .map(|c| c.name.text.as_str())
                    .chain(source.dimensions.iter().map(|d| d.name.text.as_str()));
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownColumn,
                    name.span,
                    format!("source `{}` has no column `{}`", source.name, name.name),
                )
                .label("unknown column")
                .secondary(source.name.span, "source declared here");
                if let Some(help) = did_you_mean(&name.name, candidates) {
                    diagnostic = diagnostic.help(help);
                } else if name.name.starts_with("period_") {
                    diagnostic =
                        diagnostic.help("`period_start` and `period_end` exist only inside a KPI's aggregates");
                } else {
                    diagnostic = diagnostic.help(self.column_help(source, name, true));
                }
                self.error(diagnostic)
            }
            [qualifier, rest @ ..] if qualifier.name == source.name.text && !rest.is_empty() => {
                self.row_path(rest, base, period, span)
            }
            [qualifier, column] => {
                let Some(join) =
                    source.joins.iter().position(|j| self.sources[j.target.index()].name.text == qualifier.name)
                else {
                    return self.not_joined(qualifier, base);
                };
                let target = &self.sources[source.joins[join].target.index()];
                self.column_of(target, column, Some(join), span)
            }
            _ => self.error(
                Diagnostic::new(Code::UnknownColumn, span, "a column reference has at most three parts")
                    .help("write `column`, `join.column` or `source.join.column`"),
            ),
        }
    }

    fn column_of(&mut self, source: &Source, column: &Ident, join: Option<usize>, span: Span) -> Expr {
        if let Some(c) = source.column(&column.name) {
            return Expr::new(ExprKind::Column(ColumnRef { join, column: c.name.text.clone() }), c.ty, span);
        }
        let diagnostic = Diagnostic::new(
            Code::UnknownColumn,
            column.span,
            format!("source `{}` has no column `{}`", source.name, column.name),
        )
        .label("unknown column")
        .secondary(source.name.span, "source declared here");
        let help = self.column_help(source, column, join.is_none());
        self.error(diagnostic.help(help))
    }

    /// What to write instead of an unknown column: the joined source that has
    /// it, the closest name (joined columns qualified), or the columns there are.
    fn column_help(&self, source: &Source, column: &Ident, joins_too: bool) -> String {
        let joined: Vec<&Source> =
            if joins_too { source.joins.iter().map(|j| &self.sources[j.target.index()]).collect() } else { Vec::new() };
        if let Some(target) = joined.iter().find(|t| t.column(&column.name).is_some()) {
            return format!(
                "`{}` is a column of the joined source `{}`: write `{}.{}`",
                column.name, target.name, target.name, column.name
            );
        }
        let qualified: Vec<String> =
            joined.iter().flat_map(|t| t.columns.iter().map(move |c| format!("{}.{}", t.name, c.name))).collect();
        let own = source.columns.iter().map(|c| c.name.text.as_str());
        let bare = |q: &String| q.split_once('.').map_or(q.clone(), |(_, c)| c.to_string());
        if let Some(help) = did_you_mean(&column.name, own) {
            return help;
        }
        if let Some(found) = qualified.iter().find(|q| did_you_mean(&column.name, [bare(q).as_str()]).is_some()) {
            return format!("did you mean `{found}`?");
        }
        let others = || self.sources.iter().filter(|s| s.name.text != source.name.text);
        if let Some(other) = others().find(|s| s.column(&column.name).is_some()) {
            return format!(
                "`{}` is a column of source `{}`; an aggregate reads one source and its joins: aggregate `{}` on its own (e.g. `count({} where …)`), or join it to `{}`",
                column.name, other.name, other.name, other.name, source.name
            );
        }
        if let Some(other) = self.sources.iter().find(|s| did_you_mean(&column.name, [s.name.text.as_str()]).is_some())
        {
            return format!("did you mean the source `{}`? `count({})` counts its rows", other.name, other.name);
        }
        const FEW: usize = 12;
        let names: Vec<String> = source.columns.iter().map(|c| format!("`{}`", c.name)).collect();
        if names.is_empty() {
            format!("declare it in the `columns` of source `{}`", source.name)
        } else if names.len() <= FEW {
            format!("source `{}` has {}; or declare it in its `columns`", source.name, names.join(", "))
        } else {
            format!("declare it in the `columns` of source `{}`", source.name)
        }
    }

    fn not_joined(&mut self, qualifier: &Ident, base: SourceId) -> Expr {
        let base = &self.sources[base.index()];
        let diagnostic = if self.source_ids.contains_key(&qualifier.name) {
            Diagnostic::new(
                Code::UnknownSource,
                qualifier.span,
                format!("source `{}` is not joined to `{}`", qualifier.name, base.name),
            )
            .label("not joined")
            .help(format!("add `join {} on …` to source `{}`", qualifier.name, base.name))
        } else {
            let joins = base.joins.iter().map(|j| self.sources[j.target.index()].name.text.as_str());
            let diagnostic = Diagnostic::new(
                Code::UnknownSource,
                qualifier.span,
                format!("no source or join named `{}`", qualifier.name),
            )
            .label("unknown name");
            match did_you_mean(&qualifier.name, joins.chain(std::iter::once(base.name.text.as_str()))) {
                Some(help) => diagnostic.help(help),
                None => diagnostic,
            }
        };
        self.error(diagnostic)
    }

    fn join_path(&mut self, parts: &[Ident], base: SourceId, join: usize, target: SourceId, span: Span) -> Expr {
        let base_source = &self.sources[base.index()];
        let target_source = &self.sources[target.index()];
        match parts {
            [column] => self.column_of(base_source, column, None, span),
            [q, column] if q.name == target_source.name.text => self.column_of(target_source, column, Some(join), span),
            [q, column] if q.name == base_source.name.text => self.column_of(base_source, column, None, span),
            [q, ..] => self.error(
                Diagnostic::new(
                    Code::UnknownSource,
                    q.span,
                    format!("a join condition compares `{}` with `{}` only", base_source.name, target_source.name),
                )
                .help(format!("write `column = {}.column`", target_source.name)),
            ),
            [] => unreachable!("grammar: empty path"),
        }
    }

    fn measure_path(&mut self, parts: &[Ident], span: Span) -> Expr {
        let name = &parts[0];
        if parts.len() == 1 && self.kpi_ids.contains_key(&name.name) {
            return self.error(
                Diagnostic::new(
                    Code::MixedFormula,
                    span,
                    format!("`{}` is a KPI, but this value aggregates sources", name.name),
                )
                .label("a KPI")
                .help("a value either aggregates sources or combines KPIs; move the aggregate into its own KPI"),
            );
        }
        self.column_outside_aggregate(parts, span)
    }

    /// A column (or a source) named in a value where only aggregates of it can be.
    fn column_outside_aggregate(&mut self, parts: &[Ident], span: Span) -> Expr {
        let text: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        let text = text.join(".");
        let help = match parts {
            [source, column] => format!(
                "a value aggregates rows: e.g. `count({source} where {column} = …)` counts them, `max({text})` or `sum({text})` combines a column",
                source = source.name,
                column = column.name
            ),
            _ => format!("aggregate it, e.g. `sum({text})`, or count rows with `count(<source>)`"),
        };
        self.error(
            Diagnostic::new(Code::ColumnOutsideAggregate, span, format!("`{text}` is used outside an aggregate"))
                .label("not aggregated")
                .help(help),
        )
    }

    fn kpi_path(&mut self, parts: &[Ident], span: Span) -> Expr {
        let name = &parts[0];
        match (parts.len(), self.kpi_ids.get(&name.name)) {
            (1, Some(&id)) => Expr::new(ExprKind::Kpi(id), Type::Number, span),
            _ if parts.len() > 1 && self.source_ids.contains_key(&name.name) => {
                self.column_outside_aggregate(parts, span)
            }
            _ => {
                let mut diagnostic = Diagnostic::new(Code::UnknownKpi, span, format!("no KPI named `{}`", name.name))
                    .label("unknown KPI")
                    .grouped(&name.name);
                if let Some(help) = did_you_mean(&name.name, self.kpi_ids.keys().map(String::as_str)) {
                    diagnostic = diagnostic.help(help);
                }
                self.error(diagnostic)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        name: &Ident,
        args: &[ast::Expr],
        star: bool,
        at: Option<&Ident>,
        filter: Option<&ast::Expr>,
        scope: Scope,
        span: Span,
    ) -> Expr {
        if let Some(func) = aggregate_function(&name.name) {
            return match scope {
                Scope::Measure { from } => self.aggregate(func, name, args, star, at, filter, from, span),
                _ => self.error(
                    Diagnostic::new(
                        Code::MisplacedAggregate,
                        name.span,
                        format!("`{}` cannot be used here", name.name),
                    )
                    .label("aggregate")
                    .help("aggregates belong in a KPI's `value`, outside other aggregates"),
                ),
            };
        }
        let known =
            Function::ALL.iter().any(|f| f.name() == name.name) || SPECIAL_FUNCTIONS.contains(&name.name.as_str());
        if !known {
            return self.unknown_function(name);
        }
        if star || at.is_some() || filter.is_some() {
            let what = if star {
                "`*`"
            } else if at.is_some() {
                "`at`"
            } else {
                "`where`"
            };
            return self.error(
                Diagnostic::new(Code::WrongArguments, span, format!("{what} is only allowed in aggregates"))
                    .help(format!("`{}` is not an aggregate", name.name)),
            );
        }
        match name.name.as_str() {
            "active_at" => self.active_at(name, args, scope, span),
            "in_period" => self.in_period(name, args, scope, span),
            "previous" => self.previous(name, args, scope, span),
            _ => self.function(name, args, scope, span),
        }
    }

    fn function(&mut self, name: &Ident, args: &[ast::Expr], scope: Scope, span: Span) -> Expr {
        let Some(func) = Function::ALL.into_iter().find(|f| f.name() == name.name) else {
            return self.unknown_function(name);
        };
        let resolved: Vec<Expr> = args.iter().map(|a| self.resolve(a, scope)).collect();
        let types: Vec<Type> = resolved.iter().map(|a| a.ty).collect();
        if let (Function::Round, [_, digits]) = (func, args) {
            if !is_round_digits(digits) {
                return self.error(
                    Diagnostic::new(
                        Code::WrongArguments,
                        digits.span,
                        "`round` takes its digits as a whole number from -10 to 10",
                    )
                    .label("not a number of digits")
                    .help("write the digits as a literal, e.g. `round(x, 2)`"),
                );
            }
        }
        match function_type(func, &types) {
            Ok(ty) => Expr::new(ExprKind::Function(func, resolved), ty, span),
            Err(message) => self.error(
                Diagnostic::new(Code::WrongArguments, span, format!("`{}` {message}", func.name()))
                    .label("called here"),
            ),
        }
    }

    fn unknown_function(&mut self, name: &Ident) -> Expr {
        let known = Function::ALL.map(Function::name);
        let candidates = known.iter().copied().chain(SPECIAL_FUNCTIONS).chain(AGGREGATE_NAMES);
        let mut diagnostic =
            Diagnostic::new(Code::UnknownFunction, name.span, format!("unknown function `{}`", name.name))
                .label("unknown function");
        let help = match name.name.as_str() {
            "mean" | "average" => Some("did you mean `avg`?".to_string()),
            _ => did_you_mean(&name.name, candidates),
        };
        if let Some(help) = help {
            diagnostic = diagnostic.help(help);
        }
        self.error(diagnostic)
    }

    fn single_arg<'e>(&mut self, name: &Ident, args: &'e [ast::Expr], span: Span) -> Option<&'e ast::Expr> {
        if let [arg] = args {
            return Some(arg);
        }
        self.diagnostics.push(Diagnostic::new(
            Code::WrongArguments,
            span,
            format!("`{}` takes one argument, found {}", name.name, args.len()),
        ));
        None
    }

    /// `active_at(t)`: `start < t and (end is null or end >= t)` over the source's validity.
    fn active_at(&mut self, name: &Ident, args: &[ast::Expr], scope: Scope, span: Span) -> Expr {
        let Scope::Row { base, period: true } = scope else {
            return self.outside_aggregate(name);
        };
        let Some(arg) = self.single_arg(name, args, span) else {
            return null(span);
        };
        let at = self.expect(arg, scope, Type::Timestamp, "the argument of `active_at`");
        if let Some(missing) = self.without_validity(name, base) {
            return missing;
        }
        let source = &self.sources[base.index()];
        let validity = source.validity.as_ref().expect("checked above");
        let column = |name: &str| {
            let ty = source.column(name).map_or(Type::Any, |c| c.ty);
            Expr::new(ExprKind::Column(ColumnRef { join: None, column: name.to_string() }), ty, span)
        };
        let (start, end) = (column(&validity.start), column(&validity.end));
        let started = binary(BinaryOp::Lt, start, at.clone());
        let open = Expr::new(ExprKind::IsNull { expr: Box::new(end.clone()), negated: false }, Type::Boolean, span);
        let not_ended = binary(BinaryOp::Or, open, binary(BinaryOp::Ge, end, at));
        binary(BinaryOp::And, started, not_ended)
    }

    /// The error for a period test over a source without `validity`, if it has none:
    /// periods are tested per row only for snapshot sources.
    fn without_validity(&mut self, name: &Ident, base: SourceId) -> Option<Expr> {
        let source = &self.sources[base.index()];
        if source.validity.is_some() {
            return None;
        }
        let diagnostic = Diagnostic::new(
            Code::SnapshotWithoutValidity,
            name.span,
            format!("source `{}` declares no validity interval", source.name),
        )
        .label("needs `validity`")
        .secondary(source.name.span, "source declared here");
        let help = if name.name == "in_period" {
            format!(
                "to count rows in the period of another timestamp, name it with `at`: `count({} at <column>)`; \
                 for rows valid over an interval, add `validity <start column> to <end column>` to the source",
                source.name
            )
        } else {
            format!("add `validity <start column> to <end column>` to source `{}`", source.name)
        };
        Some(self.error(diagnostic.help(help)))
    }

    /// `in_period(t)`: `t >= period_start and t < period_end`, over a snapshot source.
    fn in_period(&mut self, name: &Ident, args: &[ast::Expr], scope: Scope, span: Span) -> Expr {
        let Scope::Row { base, period: true } = scope else {
            return self.outside_aggregate(name);
        };
        let Some(arg) = self.single_arg(name, args, span) else {
            return null(span);
        };
        let at = self.expect(arg, scope, Type::Timestamp, "the argument of `in_period`");
        // An event source places its rows in periods by its `time`; testing
        // another column per period needs the snapshot join of a validity.
        if let Some(missing) = self.without_validity(name, base) {
            return missing;
        }
        let start = Expr::new(ExprKind::PeriodStart, Type::Timestamp, span);
        let end = Expr::new(ExprKind::PeriodEnd, Type::Timestamp, span);
        binary(BinaryOp::And, binary(BinaryOp::Ge, at.clone(), start), binary(BinaryOp::Lt, at, end))
    }

    fn outside_aggregate(&mut self, name: &Ident) -> Expr {
        self.error(
            Diagnostic::new(
                Code::WrongArguments,
                name.span,
                format!("`{}` is only available inside a KPI's aggregates", name.name),
            )
            .help("use it in an aggregate's `where` or in the KPI's `filter`"),
        )
    }

    /// `previous(kpi)` or `previous(kpi, n)`: the KPI's value `n` periods earlier.
    fn previous(&mut self, name: &Ident, args: &[ast::Expr], scope: Scope, span: Span) -> Expr {
        let (arg, periods) = match args {
            [arg] => (arg, 1),
            [arg, offset] => match periods_back(offset) {
                Some(n) => (arg, n),
                None => {
                    return self.error(
                        Diagnostic::new(
                            Code::WrongArguments,
                            offset.span,
                            format!("`previous` reaches back a whole number of periods, from 1 to {MAX_PERIODS_BACK}"),
                        )
                        .label("not a number of periods")
                        .help("write e.g. `previous(revenue, 12)` for the same month a year earlier"),
                    )
                }
            },
            _ => {
                return self.error(
                    Diagnostic::new(
                        Code::WrongArguments,
                        span,
                        format!(
                            "`previous` takes a KPI and optionally a number of periods, found {} arguments",
                            args.len()
                        ),
                    )
                    .help("write `previous(kpi)` or `previous(kpi, 12)`"),
                )
            }
        };
        let reported = self.diagnostics.len();
        let resolved = match scope {
            Scope::Derived => self.resolve(arg, scope),
            _ => {
                return self.error(
                    Diagnostic::new(
                        Code::WrongArguments,
                        name.span,
                        "`previous` takes a KPI and is only available in a value that combines KPIs",
                    )
                    .help("define the KPI first, then `previous(kpi)` in a KPI of its own"),
                )
            }
        };
        match resolved.kind {
            ExprKind::Kpi(id) => Expr::new(ExprKind::Previous(id, periods), Type::Number, span),
            // Already reported (an unknown KPI): one mistake, one error.
            _ if self.diagnostics.len() > reported => resolved,
            _ => self.error(Diagnostic::new(Code::WrongArguments, arg.span, "`previous` takes the name of a KPI")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        func: AggFunc,
        name: &Ident,
        args: &[ast::Expr],
        star: bool,
        at: Option<&Ident>,
        filter: Option<&ast::Expr>,
        from: Option<SourceId>,
        span: Span,
    ) -> Expr {
        let source_argument = self.source_argument(args, from);
        let counted_source = source_argument.filter(|_| func == AggFunc::Count && args.len() == 1);
        if let Some(source) = source_argument.filter(|_| func != AggFunc::Count) {
            let source = &self.sources[source.index()];
            let column = source
                .key
                .clone()
                .or(source.columns.first().map(|c| c.name.text.clone()))
                .unwrap_or_else(|| "id".into());
            return self.error(
                Diagnostic::new(
                    Code::WrongArguments,
                    args[0].span,
                    format!("`{}` aggregates a column, and `{}` is a source", name.name, source.name),
                )
                .label("a source, not a column")
                .help(format!(
                    "name one of its columns, e.g. `{}({}.{column})`; `count({})` counts its rows",
                    name.name, source.name, source.name
                )),
            );
        }
        let (arg, fraction) = match (func, args) {
            (AggFunc::Percentile(_), [arg, fraction]) if name.name == "percentile" => (Some(arg), Some(fraction)),
            (_, []) => (None, None),
            (_, [arg]) if counted_source.is_none() => (Some(arg), None),
            (_, [_]) => (None, None),
            _ => {
                return self.error(Diagnostic::new(
                    Code::WrongArguments,
                    span,
                    format!("`{}` takes one argument, found {}", name.name, args.len()),
                ))
            }
        };
        let func = match fraction {
            Some(fraction) => match percentile_fraction(fraction) {
                Some(p) => AggFunc::Percentile(p),
                None => {
                    return self.error(
                        Diagnostic::new(
                            Code::WrongArguments,
                            fraction.span,
                            "a percentile is a number between 0 and 1",
                        )
                        .help("write e.g. `percentile(latency_ms, 0.75)`"),
                    )
                }
            },
            None if matches!(func, AggFunc::Percentile(p) if p.is_nan()) => {
                return self.error(
                    Diagnostic::new(Code::WrongArguments, span, "`percentile` takes a value and a fraction")
                        .help("write e.g. `percentile(latency_ms, 0.75)`"),
                );
            }
            None => func,
        };
        if star && func != AggFunc::Count {
            return self.error(Diagnostic::new(
                Code::WrongArguments,
                span,
                format!("`{}` needs a value to aggregate", name.name),
            ));
        }
        if arg.is_none() && !star && counted_source.is_none() && func != AggFunc::Count {
            return self.error(
                Diagnostic::new(Code::WrongArguments, span, format!("`{}` needs a value to aggregate", name.name))
                    .help(format!("write e.g. `{}(orders.amount)`", name.name)),
            );
        }
        // `count(signups)` where no source or column is called `signups` (its
        // source was deleted or renamed): that name, once for all its uses.
        if let (None, None, [ast::Expr { kind: ast::ExprKind::Path(parts), .. }]) = (counted_source, from, args) {
            if let [name] = parts.as_slice() {
                if !self.sources.iter().any(|s| s.column(&name.name).is_some()) {
                    let mut diagnostic =
                        Diagnostic::new(Code::UnknownSource, name.span, format!("no source named `{}`", name.name))
                            .label("unknown source")
                            .grouped(&name.name);
                    if let Some(help) = did_you_mean(&name.name, self.source_ids.keys().map(String::as_str)) {
                        diagnostic = diagnostic.help(help);
                    }
                    return self.error(diagnostic);
                }
            }
        }
        let qualified: Vec<&ast::Expr> = arg.into_iter().chain(filter).collect();
        let Some(base) = counted_source.or_else(|| self.infer_base(&qualified, from, span)) else {
            return null(span);
        };
        let scope = Scope::Row { base, period: true };
        let arg = arg.map(|a| self.resolve(a, scope));
        if let Some(arg) = &arg {
            self.check_aggregate_type(func, name, arg);
        }
        let kpi_filters = self.kpi_filters;
        let kpi_filters = kpi_filters.iter().map(|f| self.expect(f, scope, Type::Boolean, "a `filter`")).collect();
        let condition = filter.map(|f| self.expect(f, scope, Type::Boolean, "a `where` condition"));
        let mut aggregate = Aggregate { func, source: base, arg, kpi_filters, condition, at: None };
        if let Some(at) = at {
            match self.placing_column(at, &aggregate) {
                Ok(column) => aggregate.at = column,
                Err(diagnostic) => return self.error(diagnostic),
            }
        }
        let source = &self.sources[base.index()];
        if source.time.is_none() && aggregate.at.is_none() && !aggregate.is_snapshot() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::MissingProperty,
                    source.name.span,
                    format!("source `{}` has no `time` column to place rows in periods", source.name),
                )
                .label("no `time`")
                .secondary(span, "aggregated by period here")
                .grouped(format!("time of {}", source.name))
                .help(format!(
                    "add `time <column>` to source `{}`, or aggregate a snapshot with `active_at(period_end)`",
                    source.name
                )),
            );
        }
        Expr::new(ExprKind::Aggregate(Box::new(aggregate)), Type::Number, span)
    }

    /// The column of `at <column>`: a timestamp or date of the aggregate's
    /// source; `None` when it is the source's `time` anyway.
    fn placing_column(&self, at: &Ident, aggregate: &Aggregate) -> Result<Option<String>, Diagnostic> {
        let source = &self.sources[aggregate.source.index()];
        if aggregate.is_snapshot() {
            return Err(Diagnostic::new(
                Code::WrongArguments,
                at.span,
                "a snapshot aggregate is tested at the period's bounds and is not placed by a timestamp",
            )
            .label("`at` on a snapshot")
            .help("remove `at`, or count events in their period without `active_at`/`in_period`"));
        }
        let Some(column) = source.column(&at.name) else {
            let mut diagnostic = Diagnostic::new(
                Code::UnknownColumn,
                at.span,
                format!("source `{}` has no column `{}`", source.name, at.name),
            )
            .label("unknown column")
            .secondary(source.name.span, "source declared here");
            let timestamps = source.columns.iter().filter(|c| c.ty.is_temporal()).map(|c| c.name.text.as_str());
            if let Some(help) = did_you_mean(&at.name, timestamps) {
                diagnostic = diagnostic.help(help);
            }
            return Err(diagnostic);
        };
        if !column.ty.is_temporal() {
            return Err(Diagnostic::new(
                Code::TypeMismatch,
                at.span,
                format!("`{}` is a {}, not a timestamp that places rows in periods", at.name, column.ty.name()),
            )
            .label(format!("{} column", column.ty.name()))
            .help("name a `timestamp` or `date` column of the source after `at`"));
        }
        Ok((source.time.as_deref() != Some(at.name.as_str())).then(|| at.name.clone()))
    }

    /// The source an aggregate's only argument names (`count(signups)`),
    /// unless it is a column of `from`.
    fn source_argument(&self, args: &[ast::Expr], from: Option<SourceId>) -> Option<SourceId> {
        let [ast::Expr { kind: ast::ExprKind::Path(parts), .. }, ..] = args else {
            return None;
        };
        let [name] = parts.as_slice() else {
            return None;
        };
        let id = *self.source_ids.get(&name.name)?;
        let is_column_of_from = from.is_some_and(|f| self.sources[f.index()].column(&name.name).is_some());
        (!is_column_of_from).then_some(id)
    }

    /// The source an aggregate reads: the one its qualified names point at
    /// (other than joins of it or of `from`), else `from`.
    fn infer_base(&mut self, exprs: &[&ast::Expr], from: Option<SourceId>, span: Span) -> Option<SourceId> {
        let mut qualifiers: Vec<&Ident> = Vec::new();
        for e in exprs {
            collect_qualifiers(e, &mut qualifiers);
        }
        let belongs_to = |base: SourceId, name: &str| {
            let source = &self.sources[base.index()];
            source.name.text == name || source.joins.iter().any(|j| self.sources[j.target.index()].name.text == name)
        };
        let mut candidates: Vec<SourceId> = Vec::new();
        for q in &qualifiers {
            if from.is_some_and(|f| belongs_to(f, &q.name)) {
                continue;
            }
            if let Some(&id) = self.source_ids.get(&q.name) {
                if !candidates.contains(&id) {
                    candidates.push(id);
                }
            }
        }
        let base = candidates
            .iter()
            .copied()
            .find(|&c| candidates.iter().all(|&o| belongs_to(c, &self.sources[o.index()].name.text)));
        match (candidates.len(), base, from) {
            (0, _, Some(from)) => Some(from),
            // Already reported where it failed to lower.
            (0, _, None) if exprs.iter().any(|e| has_invalid(e)) => None,
            (0, _, None) => {
                let diagnostic = self.misspelled_source(exprs).unwrap_or_else(|| {
                    Diagnostic::new(Code::MissingSource, span, "this aggregate does not say which source it reads")
                        .label("which source?")
                        .help("name the source, e.g. `count(orders)` or `sum(orders.amount)`, or add `from <source>` to the KPI")
                });
                self.diagnostics.push(diagnostic);
                None
            }
            (_, Some(base), _) => Some(base),
            _ => {
                let names: Vec<String> =
                    candidates.iter().map(|c| format!("`{}`", self.sources[c.index()].name)).collect();
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::AmbiguousSource,
                        span,
                        format!("this aggregate reads {}, which are not joined", names.join(" and ")),
                    )
                    .label("reads unrelated sources")
                    .help(
                        "aggregate each source separately and combine the aggregates, or declare a join between them",
                    ),
                );
                None
            }
        }
    }

    /// `count(signup)`, `sum(order.amount)`: the first name of a path, when it
    /// is close to a source's name — the aggregate meant that source.
    fn misspelled_source(&self, exprs: &[&ast::Expr]) -> Option<Diagnostic> {
        let mut heads: Vec<&Ident> = Vec::new();
        for e in exprs {
            e.walk(&mut |e| {
                if let ast::ExprKind::Path(parts) = &e.kind {
                    heads.extend(parts.first());
                }
            });
        }
        heads.into_iter().find_map(|head| {
            let help = did_you_mean(&head.name, self.source_ids.keys().map(String::as_str))?;
            Some(
                Diagnostic::new(Code::UnknownSource, head.span, format!("no source named `{}`", head.name))
                    .label("unknown source")
                    .help(help)
                    .grouped(&head.name),
            )
        })
    }

    fn check_aggregate_type(&mut self, func: AggFunc, name: &Ident, arg: &Expr) {
        let needs_number = !matches!(func, AggFunc::Count | AggFunc::CountDistinct);
        if needs_number && !arg.ty.is_numeric() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::AggregateType,
                    arg.span,
                    format!("`{}` needs a number, found a {}", name.name, arg.ty.name()),
                )
                .label(format!("this is a {}", arg.ty.name()))
                .help(if arg.ty.is_temporal() {
                    "aggregate a duration such as `hours_between(started_at, finished_at)`"
                } else {
                    "count it with `count_distinct(…)`, or aggregate a numeric column"
                }),
            );
        }
    }
}

fn collect_qualifiers<'e>(e: &'e ast::Expr, out: &mut Vec<&'e Ident>) {
    e.walk(&mut |e| {
        if let ast::ExprKind::Path(parts) = &e.kind {
            out.extend(parts.first().filter(|_| parts.len() > 1));
        }
    });
}

/// Whether part of `e` failed to lower (and was reported then).
fn has_invalid(e: &ast::Expr) -> bool {
    let mut found = false;
    e.walk(&mut |e| found |= matches!(e.kind, ast::ExprKind::Invalid));
    found
}

fn percentile_fraction(e: &ast::Expr) -> Option<f64> {
    let value = match &e.kind {
        ast::ExprKind::Literal(ast::Literal::Number(n) | ast::Literal::Percent(n)) => n.value,
        _ => return None,
    };
    (value > 0.0 && value < 1.0).then_some(value)
}

fn null(span: Span) -> Expr {
    Expr::new(ExprKind::Literal(Literal::Null), Type::Any, span)
}

fn binary(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    let span = left.span.to(right.span);
    Expr::new(ExprKind::Binary(op, Box::new(left), Box::new(right)), Type::Boolean, span)
}

fn literal_expr(literal: &ast::Literal, span: Span) -> Expr {
    let (literal, ty) = match literal {
        ast::Literal::Number(n) | ast::Literal::Percent(n) => (Literal::Number(n.clone()), Type::Number),
        ast::Literal::String(s) => (Literal::String(s.clone()), Type::String),
        ast::Literal::Bool(b) => (Literal::Boolean(*b), Type::Boolean),
        ast::Literal::Null => (Literal::Null, Type::Null),
        ast::Literal::Date(d) => (Literal::Date(d.clone()), Type::Date),
        ast::Literal::Duration(n, unit) => (Literal::Duration(*n, *unit), Type::Duration),
    };
    Expr::new(ExprKind::Literal(literal), ty, span)
}

/// The result type of `l op r`, or why the operands do not fit.
fn binary_type(op: BinaryOp, l: Type, r: Type) -> Result<Type, String> {
    use BinaryOp::*;
    let unknown = |t: Type| matches!(t, Type::Any | Type::Null);
    match op {
        And | Or if (l == Type::Boolean || unknown(l)) && (r == Type::Boolean || unknown(r)) => Ok(Type::Boolean),
        And | Or => Err(format!("`{}` needs booleans", op.symbol())),
        Eq | Ne if l.fits(r) => Ok(Type::Boolean),
        Lt | Le | Gt | Ge if l.fits(r) && l != Type::Boolean && r != Type::Boolean => Ok(Type::Boolean),
        Eq | Ne | Lt | Le | Gt | Ge => Err(format!("cannot compare a {} with a {}", l.name(), r.name())),
        Add | Sub if l.is_temporal() && r == Type::Duration => Ok(Type::Timestamp),
        Add if l == Type::Duration && r.is_temporal() => Ok(Type::Timestamp),
        Add | Sub | Mul | Div if l.is_numeric() && r.is_numeric() => Ok(Type::Number),
        _ => Err(format!("`{}` needs numbers, found a {} and a {}", op.symbol(), l.name(), r.name())),
    }
}

/// Whether `round`'s digits are a whole-number literal every warehouse takes (-10 to 10).
/// How far back `previous` may reach: ten years of weeks.
const MAX_PERIODS_BACK: u32 = 520;

/// The periods of `previous(kpi, n)`: a whole number from 1 to [`MAX_PERIODS_BACK`].
fn periods_back(e: &ast::Expr) -> Option<u32> {
    let ast::ExprKind::Literal(ast::Literal::Number(n)) = &e.kind else { return None };
    let periods: u32 = n.text.parse().ok()?;
    (1..=MAX_PERIODS_BACK).contains(&periods).then_some(periods)
}

fn is_round_digits(e: &ast::Expr) -> bool {
    let magnitude = match &e.kind {
        ast::ExprKind::Unary(UnaryOp::Neg, inner) => &inner.kind,
        other => other,
    };
    matches!(magnitude, ast::ExprKind::Literal(ast::Literal::Number(n)) if n.value <= 10.0 && !n.text.contains('.'))
}

/// The result type of a portable function, or what is wrong with its arguments.
fn function_type(func: Function, args: &[Type]) -> Result<Type, String> {
    use Function::*;
    let all_fit = |ty: Type| args.iter().all(|a| a.fits(ty));
    let first_known = args.iter().copied().find(|t| !matches!(t, Type::Null | Type::Any)).unwrap_or(Type::Any);
    match (func, args.len()) {
        (Coalesce, n) if n >= 1 && all_fit(first_known) => Ok(first_known),
        (Coalesce, _) => Err("takes one or more values of one type".into()),
        (Least | Greatest, n) if n >= 2 && all_fit(first_known) => Ok(first_known),
        (Least | Greatest, _) => Err("takes two or more values of one type".into()),
        (Lower | Upper, 1) if all_fit(Type::String) => Ok(Type::String),
        (Lower | Upper, _) => Err("takes one string".into()),
        (Abs, 1) | (Round, 1 | 2) if args.iter().all(|a| a.is_numeric()) => Ok(Type::Number),
        (Abs, _) => Err("takes one number".into()),
        (Round, _) => Err("takes a number and, optionally, a number of digits".into()),
        (Date, 1) if args[0].is_temporal() || matches!(args[0], Type::Any | Type::Null) => Ok(Type::Date),
        (Date, _) => Err("takes one timestamp".into()),
        (MinutesBetween | HoursBetween | DaysBetween, 2)
            if args.iter().all(|a| a.is_temporal() || matches!(a, Type::Any | Type::Null)) =>
        {
            Ok(Type::Number)
        }
        (MinutesBetween | HoursBetween | DaysBetween, _) => Err("takes two timestamps: the start and the end".into()),
    }
}
