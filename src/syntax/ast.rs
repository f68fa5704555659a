//! The syntax tree of one `.kpi` file. Every node carries its span; names are
//! not yet bound (that is `resolve`'s job).

use crate::source::Span;

/// A name as written, with where it was written.
#[derive(Debug, Clone)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A value with the span it was written at.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

/// A decimal number kept as its exact text (without `_` separators), so that
/// emitted SQL shows the number the user wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub text: String,
    pub value: f64,
}

impl Number {
    pub fn parse(text: &str) -> Number {
        let text = text.replace('_', "");
        let value = text.parse().unwrap_or(f64::NAN);
        Number { text, value }
    }

    /// `25` read as a percent: `0.25`, shifted exactly in decimal.
    pub fn percent(text: &str) -> Number {
        let text = text.replace('_', "");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let whole = format!("{whole:0>3}");
        let (int_part, moved) = whole.split_at(whole.len() - 2);
        let int_part = int_part.trim_start_matches('0');
        let digits = format!("{moved}{fraction}");
        let digits = digits.trim_end_matches('0');
        let int_part = if int_part.is_empty() { "0" } else { int_part };
        let text = if digits.is_empty() { int_part.to_string() } else { format!("{int_part}.{digits}") };
        Number::parse(&text)
    }

    pub fn negate(&self) -> Number {
        let text = match self.text.strip_prefix('-') {
            Some(rest) => rest.to_string(),
            None => format!("-{}", self.text),
        };
        Number { text, value: -self.value }
    }
}

/// A number in a target, remembering whether it was written as a percent.
#[derive(Debug, Clone)]
pub struct Quantity {
    pub number: Number,
    pub is_percent: bool,
    pub span: Span,
}

/// Everything one file declares.
#[derive(Debug, Clone, Default)]
pub struct File {
    pub projects: Vec<ProjectDecl>,
    pub teams: Vec<TeamDecl>,
    pub sources: Vec<SourceDecl>,
    pub kpis: Vec<KpiDecl>,
    /// The ids of declarations that did not parse (their syntax error is
    /// reported): references to them are not errors of their own.
    pub unparsed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ProjectDecl {
    pub name: Ident,
    pub schema: Option<Spanned<String>>,
    pub dialects: Option<Spanned<Vec<Ident>>>,
    pub week_start: Option<Ident>,
    pub time_zone: Option<Spanned<String>>,
    pub keep_versions: Option<Spanned<u32>>,
    pub periods: Option<PeriodsDecl>,
    pub looker: Option<LookerDecl>,
}

/// `periods from <date> until <date | current>`: a fixed calendar.
#[derive(Debug, Clone)]
pub struct PeriodsDecl {
    /// The whole property.
    pub span: Span,
    pub from: Option<Spanned<String>>,
    pub until: Option<Spanned<UntilDecl>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UntilDecl {
    Date(String),
    /// The period that contains today.
    Current,
}

/// The `looker { … }` block of a project.
#[derive(Debug, Clone)]
pub struct LookerDecl {
    /// The `looker` keyword.
    pub span: Span,
    pub connection: Option<Spanned<String>>,
    pub model: Option<Spanned<String>>,
    pub dialect: Option<Ident>,
}

#[derive(Debug, Clone)]
pub struct TeamDecl {
    pub id: Ident,
    pub name: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
    pub chat: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub enum Relation {
    Table(Spanned<String>),
    /// A SQL query; the span covers the query text inside the quotes.
    Query(Spanned<String>),
}

#[derive(Debug, Clone)]
pub struct ColumnDecl {
    pub name: Ident,
    pub ty: Ident,
}

#[derive(Debug, Clone)]
pub struct DimensionDecl {
    pub name: Ident,
    /// `None` for a dimension that is the column of the same name.
    pub expr: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct JoinDecl {
    pub target: Ident,
    pub on: Expr,
}

#[derive(Debug, Clone)]
pub struct Validity {
    pub start: Ident,
    pub end: Ident,
}

#[derive(Debug, Clone)]
pub struct SourceDecl {
    /// The whole declaration, keyword to closing brace.
    pub span: Span,
    pub id: Ident,
    pub relation: Option<Relation>,
    pub time: Option<Ident>,
    pub key: Option<Ident>,
    pub columns: Vec<ColumnDecl>,
    pub dimensions: Vec<DimensionDecl>,
    pub filters: Vec<Expr>,
    pub joins: Vec<JoinDecl>,
    pub validity: Option<Validity>,
    pub description: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub label: Spanned<String>,
    pub url: Spanned<String>,
}

#[derive(Debug, Clone)]
pub struct StatusDecl {
    pub status: Ident,
    pub replaced_by: Option<Ident>,
}

#[derive(Debug, Clone)]
pub enum WindowDecl {
    /// `rolling 7 days` or `rolling 4 weeks`.
    Rolling { length: Spanned<u32>, weeks: bool },
    /// `cumulative`, `month_to_date`, …: checked by `resolve`.
    Named(Ident),
}

#[derive(Debug, Clone)]
pub enum Goal {
    AtLeast(Quantity),
    AtMost(Quantity),
    Between(Quantity, Quantity),
}

#[derive(Debug, Clone)]
pub struct TargetDecl {
    pub goal: Goal,
    /// One bound for `at_least`/`at_most`, two for `between`.
    pub critical: Vec<Quantity>,
    pub from: Option<Spanned<String>>,
    pub until: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct UnitDecl {
    pub unit: Ident,
    /// The currency code of `unit currency "EUR"`.
    pub qualifier: Option<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct KpiDecl {
    /// The whole declaration, keyword to closing brace.
    pub span: Span,
    pub id: Ident,
    pub title: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub owner: Option<Ident>,
    pub tags: Vec<Ident>,
    pub links: Vec<Link>,
    pub status: Option<Box<StatusDecl>>,
    pub from: Option<Ident>,
    pub value: Option<Expr>,
    pub filters: Vec<Expr>,
    pub grain: Option<Ident>,
    pub window: Option<WindowDecl>,
    pub dimensions: Option<Spanned<Vec<Ident>>>,
    pub target: Option<Box<TargetDecl>>,
    pub unit: Option<Box<UnitDecl>>,
    pub format: Option<Spanned<String>>,
    pub version: Option<Spanned<u32>>,
    pub periods: Option<Box<PeriodsDecl>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
}

impl DurationUnit {
    /// How many milliseconds one unit lasts.
    pub fn milliseconds(self) -> u64 {
        match self {
            DurationUnit::Millisecond => 1,
            DurationUnit::Second => 1_000,
            DurationUnit::Minute => 60_000,
            DurationUnit::Hour => 3_600_000,
            DurationUnit::Day => 86_400_000,
            DurationUnit::Week => 604_800_000,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Literal {
    Number(Number),
    /// Written `25%`; the number is the fraction (0.25).
    Percent(Number),
    String(String),
    Bool(bool),
    Null,
    /// `2026-01-31`.
    Date(String),
    Duration(u32, DurationUnit),
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// An expression that could not be lowered; its error is already reported.
    Invalid,
    Literal(Literal),
    /// `a`, `a.b` or `a.b.c`: bound by `resolve`.
    Path(Vec<Ident>),
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
    /// A function or aggregate call (boxed: it is the largest kind of node).
    Call(Box<Call>),
    /// `sql("…")`: the span covers the SQL text inside the quotes.
    RawSql(Spanned<String>),
}

/// A function or aggregate call. `count(*)` has `star` set.
#[derive(Debug, Clone)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub star: bool,
    /// `at <column>`: the timestamp that places an aggregate's rows in periods.
    pub at: Option<Ident>,
    pub filter: Option<Box<Expr>>,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Calls `f` on this expression and every sub-expression, parents first
    /// (without recursion: expressions can be long chains).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        let mut pending = vec![self];
        while let Some(e) = pending.pop() {
            f(e);
            pending.extend(e.children().into_iter().rev());
        }
    }

    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Invalid | ExprKind::Literal(_) | ExprKind::Path(_) | ExprKind::RawSql(_) => Vec::new(),
            ExprKind::Unary(_, inner) | ExprKind::IsNull { expr: inner, .. } => vec![inner],
            ExprKind::Binary(_, a, b) => vec![a, b],
            ExprKind::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
            ExprKind::Case { whens, otherwise } => {
                whens.iter().flat_map(|(c, r)| [c, r]).chain(otherwise.as_deref()).collect()
            }
            ExprKind::Call(call) => call.args.iter().chain(call.filter.as_deref()).collect(),
        }
    }
}
