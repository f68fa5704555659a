//! Typed expressions. Column references are bound to a source's columns or
//! to a column of one of its joins; `active_at` and `in_period` are already
//! expanded into comparisons with the period bounds.

use super::{BinaryOp, DurationUnit, KpiId, Number, SourceId, UnaryOp};
use crate::source::Span;

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    String,
    Number,
    Boolean,
    Timestamp,
    Date,
    Duration,
    /// The type of `null`: fits anywhere.
    Null,
    /// The type of a raw SQL fragment: kpic cannot know it.
    Any,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::Timestamp => "timestamp",
            Type::Date => "date",
            Type::Duration => "duration",
            Type::Null => "null",
            Type::Any => "any",
        }
    }

    /// The column types a source may declare.
    pub fn from_column_type(name: &str) -> Option<Type> {
        Some(match name {
            "string" | "text" => Type::String,
            "number" | "integer" | "decimal" => Type::Number,
            "boolean" | "bool" => Type::Boolean,
            "timestamp" | "datetime" => Type::Timestamp,
            "date" => Type::Date,
            _ => return None,
        })
    }

    /// Whether values of the two types can be compared or mixed in a `case`.
    pub fn fits(self, other: Type) -> bool {
        self == other
            || matches!(self, Type::Null | Type::Any)
            || matches!(other, Type::Null | Type::Any)
            || (self.is_temporal() && other.is_temporal())
    }

    pub fn is_temporal(self) -> bool {
        matches!(self, Type::Timestamp | Type::Date)
    }

    /// Number, or unknown.
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Number | Type::Null | Type::Any)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(Number),
    String(String),
    Boolean(bool),
    Null,
    Date(String),
    Duration(u32, DurationUnit),
}

/// A column of the aggregate's (or dimension's) base source, or of one of its joins.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnRef {
    /// Index into the base source's `joins`; `None` for the base source itself.
    pub join: Option<usize>,
    pub column: String,
}

/// Portable scalar functions, compiled per dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Coalesce,
    Lower,
    Upper,
    Abs,
    Round,
    Least,
    Greatest,
    /// The date of a timestamp.
    Date,
    /// `b - a` in fractional minutes, hours or days.
    MinutesBetween,
    HoursBetween,
    DaysBetween,
}

impl Function {
    pub const ALL: [Function; 11] = [
        Function::Coalesce,
        Function::Lower,
        Function::Upper,
        Function::Abs,
        Function::Round,
        Function::Least,
        Function::Greatest,
        Function::Date,
        Function::MinutesBetween,
        Function::HoursBetween,
        Function::DaysBetween,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Function::Coalesce => "coalesce",
            Function::Lower => "lower",
            Function::Upper => "upper",
            Function::Abs => "abs",
            Function::Round => "round",
            Function::Least => "least",
            Function::Greatest => "greatest",
            Function::Date => "date",
            Function::MinutesBetween => "minutes_between",
            Function::HoursBetween => "hours_between",
            Function::DaysBetween => "days_between",
        }
    }
}

/// Aggregate functions over the rows of one source.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "function", content = "fraction")]
pub enum AggFunc {
    /// Rows (no argument) or non-null values.
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    /// Continuous percentile, `PERCENTILE_CONT` semantics; the fraction is in (0, 1).
    Percentile(f64),
}

impl AggFunc {
    /// The value an aggregate has over no rows: 0 for counts and sums, NULL otherwise.
    pub fn is_zero_when_empty(self) -> bool {
        matches!(self, AggFunc::Count | AggFunc::CountDistinct | AggFunc::Sum)
    }

    /// Whether the totals of two disjoint row sets add up to the total of their union.
    pub fn is_additive(self) -> bool {
        matches!(self, AggFunc::Count | AggFunc::Sum)
    }

    pub fn name(self) -> String {
        match self {
            AggFunc::Count => "count".into(),
            AggFunc::CountDistinct => "count_distinct".into(),
            AggFunc::Sum => "sum".into(),
            AggFunc::Avg => "avg".into(),
            AggFunc::Min => "min".into(),
            AggFunc::Max => "max".into(),
            AggFunc::Percentile(p) => format!("percentile({p})"),
        }
    }
}

/// `func(arg)` over the rows of `source` that pass its default filters
/// (applied by emitters), the KPI's `filter` lines, and the aggregate's own
/// `where`. The KPI filters define the population (dimension domains and
/// period range); the `where` only which rows this aggregate measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub func: AggFunc,
    pub source: SourceId,
    pub arg: Option<Expr>,
    /// The KPI's `filter` lines, resolved against `source`.
    pub kpi_filters: Vec<Expr>,
    /// The aggregate's `where`.
    pub condition: Option<Expr>,
    /// `at <column>`: the timestamp that places this aggregate's rows in
    /// periods, when it is not the source's `time`.
    pub at: Option<String>,
}

impl Aggregate {
    /// A snapshot aggregate reads rows by their validity at each period, not by
    /// their time column: its filters refer to the period bounds.
    pub fn is_snapshot(&self) -> bool {
        self.arg.iter().chain(&self.kpi_filters).chain(&self.condition).any(Expr::refers_to_period)
    }

    /// Every expression of the aggregate: argument, KPI filters, condition.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.arg.iter().chain(&self.kpi_filters).chain(&self.condition)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Column(ColumnRef),
    /// The start (inclusive) of the period being computed.
    PeriodStart,
    /// The end (exclusive) of the period being computed.
    PeriodEnd,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Case {
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Function(Function, Vec<Expr>),
    Aggregate(Box<Aggregate>),
    /// The value of another KPI in the same period and dimension values.
    Kpi(KpiId),
    /// The value of another KPI the given number of periods earlier (at least 1).
    Previous(KpiId, u32),
    /// A raw SQL fragment, already checked against every dialect.
    Raw(RawSql),
}

/// Raw SQL as kpic read it: the text as written (fingerprints, catalog) and,
/// for each dialect of the project, the tokens that dialect's parser checked.
/// Emitters print those tokens back with their own quoting, so comments and
/// escapes that engines read differently never reach the warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSql {
    /// The text between the quotes, as written.
    pub written: String,
    /// Per dialect of the project, the tokens its parser checked.
    pub tokens: Vec<(super::Dialect, Vec<SqlToken>)>,
}

impl RawSql {
    /// The tokens checked for `dialect` (none when it was not checked).
    pub fn tokens(&self, dialect: super::Dialect) -> Option<&[SqlToken]> {
        self.tokens.iter().find(|(d, _)| *d == dialect).map(|(_, t)| t.as_slice())
    }
}

/// One token of checked raw SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlToken {
    /// A keyword, unquoted name, number or operator, printed as written.
    Verbatim(String),
    /// A quoted identifier's value.
    Ident(String),
    /// A string literal's value.
    String(String),
    /// Blank space (comments included).
    Space,
    /// A line break (a `--` comment ends in one).
    Newline,
}

/// A typed expression. Equality ignores spans.
#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.ty == other.ty
    }
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// Whether the expression reads `period_start` or `period_end`.
    pub fn refers_to_period(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.kind, ExprKind::PeriodStart | ExprKind::PeriodEnd));
        found
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Unary(_, e) => e.walk(f),
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::InList { expr, list, .. } => {
                expr.walk(f);
                list.iter().for_each(|e| e.walk(f));
            }
            ExprKind::IsNull { expr, .. } => expr.walk(f),
            ExprKind::Case { whens, otherwise } => {
                for (condition, result) in whens {
                    condition.walk(f);
                    result.walk(f);
                }
                if let Some(e) = otherwise {
                    e.walk(f);
                }
            }
            ExprKind::Function(_, args) => args.iter().for_each(|e| e.walk(f)),
            ExprKind::Aggregate(a) => a.exprs().for_each(|e| e.walk(f)),
            ExprKind::Literal(_)
            | ExprKind::Column(_)
            | ExprKind::PeriodStart
            | ExprKind::PeriodEnd
            | ExprKind::Kpi(_)
            | ExprKind::Previous(..)
            | ExprKind::Raw(_) => {}
        }
    }
}
