//! Stage 2 output: the resolved, typed model. Names are bound to ids, every
//! expression has a type, inherited properties (a derived KPI's grain) are
//! filled in. Emitters read this, never the AST.

mod expr;
mod text;

pub use crate::syntax::ast::{BinaryOp, DurationUnit, Number, UnaryOp};
pub use expr::{AggFunc, Aggregate, ColumnRef, Expr, ExprKind, Function, Literal, RawSql, SqlToken, Type};
pub use text::expr_text;

use crate::source::{Span, Written};

/// The summary view of every KPI's latest complete period (docs/sql.md).
pub const SCOREBOARD_VIEW: &str = "kpi_scoreboard";

/// Each dialect's script that creates every view, `sql/<dialect>/deploy.sql`
/// (beside each KPI's `sql/<dialect>/<kpi>.sql`, so no KPI takes this name).
pub const DEPLOY_SCRIPT: &str = "deploy";

/// The longest title, in characters: titles are labels; the rest goes in the description.
pub const MAX_TITLE: usize = 200;

/// The highest version a KPI may have: view names stay short, arithmetic on versions never overflows.
pub const MAX_VERSION: u32 = 1_000_000;

macro_rules! id_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(TeamId, "Index of a team in [`Model::teams`].");
id_type!(SourceId, "Index of a source in [`Model::sources`].");
id_type!(KpiId, "Index of a KPI in [`Model::kpis`].");

/// A declared name and where it was declared. Equality ignores the span.
#[derive(Debug, Clone, Eq, PartialOrd, Ord)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A whole project, resolved.
#[derive(Debug, Clone)]
pub struct Model {
    pub settings: Settings,
    pub teams: Vec<Team>,
    pub sources: Vec<Source>,
    pub kpis: Vec<Kpi>,
}

impl Model {
    pub fn team(&self, id: TeamId) -> &Team {
        &self.teams[id.index()]
    }

    pub fn source(&self, id: SourceId) -> &Source {
        &self.sources[id.index()]
    }

    pub fn kpi(&self, id: KpiId) -> &Kpi {
        &self.kpis[id.index()]
    }

    pub fn kpi_ids(&self) -> impl Iterator<Item = KpiId> {
        (0..self.kpis.len() as u32).map(KpiId)
    }

    pub fn source_ids(&self) -> impl Iterator<Item = SourceId> {
        (0..self.sources.len() as u32).map(SourceId)
    }

    pub fn team_ids(&self) -> impl Iterator<Item = TeamId> {
        (0..self.teams.len() as u32).map(TeamId)
    }
}

/// A warehouse SQL dialect kpic emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    DuckDb,
    Postgres,
    Snowflake,
    BigQuery,
    Redshift,
    Databricks,
    Trino,
}

impl Dialect {
    pub const ALL: [Dialect; 7] = [
        Dialect::DuckDb,
        Dialect::Postgres,
        Dialect::Snowflake,
        Dialect::BigQuery,
        Dialect::Redshift,
        Dialect::Databricks,
        Dialect::Trino,
    ];

    /// The name used in `.kpi` files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Snowflake => "snowflake",
            Dialect::BigQuery => "bigquery",
            Dialect::Redshift => "redshift",
            Dialect::Databricks => "databricks",
            Dialect::Trino => "trino",
        }
    }

    /// The warehouse's name as its vendor writes it (`BigQuery`), for people.
    pub fn product_name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Snowflake => "Snowflake",
            Dialect::BigQuery => "BigQuery",
            Dialect::Redshift => "Redshift",
            Dialect::Databricks => "Databricks",
            Dialect::Trino => "Trino",
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The longest identifier, in bytes, the warehouse keeps (longer ones
    /// are truncated or refused); `None` where no practical limit applies.
    /// PostgreSQL: https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
    /// Redshift: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
    /// Snowflake: https://docs.snowflake.com/en/sql-reference/identifiers-syntax
    /// BigQuery: https://cloud.google.com/bigquery/docs/tables#table_naming
    /// Databricks: https://docs.databricks.com/en/sql/language-manual/sql-ref-names.html
    pub fn identifier_limit(self) -> Option<usize> {
        match self {
            Dialect::Postgres => Some(63),
            Dialect::Redshift => Some(127),
            Dialect::Snowflake | Dialect::Databricks => Some(255),
            Dialect::BigQuery => Some(1024),
            Dialect::DuckDb | Dialect::Trino => None,
        }
    }

    /// The characters the warehouse takes in a name at `level`, where it
    /// refuses some even quoted (the other dialects quote any name).
    /// Databricks (Unity Catalog): https://docs.databricks.com/en/sql/language-manual/sql-ref-names.html
    /// BigQuery: https://cloud.google.com/bigquery/docs/datasets#dataset-naming and
    /// https://cloud.google.com/bigquery/docs/tables#table_naming
    pub fn name_rule(self, level: NameLevel) -> Option<NameRule> {
        let (accepts, takes): (fn(char) -> bool, _) = match (self, level) {
            (Dialect::Databricks, _) => (
                |c| !matches!(c, '.' | ' ' | '/') && !c.is_ascii_control(),
                "take no `.`, space, `/` or control character",
            ),
            (Dialect::BigQuery, NameLevel::Schema) => {
                (|c| c.is_ascii_alphanumeric() || c == '_', "take only letters, digits and `_`")
            }
            (Dialect::BigQuery, NameLevel::Table) => (
                |c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '),
                "take only letters, digits, `_`, `-` and spaces",
            ),
            _ => return None,
        };
        Some(NameRule { accepts, takes })
    }

    /// The strictest identifier limit among `dialects`, with its dialect.
    pub fn strictest_identifier_limit(dialects: &[Dialect]) -> Option<(usize, Dialect)> {
        dialects.iter().filter_map(|d| Some((d.identifier_limit()?, *d))).min()
    }
}

/// The characters a warehouse takes in a name.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    pub accepts: fn(char) -> bool,
    /// The rule as a phrase: "take only letters, digits and `_`".
    pub takes: &'static str,
}

impl NameRule {
    /// The first character of `name` the rule refuses.
    pub fn refused(&self, name: &str) -> Option<char> {
        name.chars().find(|&c| !(self.accepts)(c))
    }
}

/// Where a warehouse name stands, for the warehouses' naming rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameLevel {
    /// A schema (BigQuery: a dataset).
    Schema,
    /// A table or a view.
    Table,
}

impl NameLevel {
    /// What `dialect` calls a name at this level.
    pub fn noun(self, dialect: Dialect) -> &'static str {
        match (self, dialect) {
            (NameLevel::Schema, Dialect::BigQuery) => "dataset",
            (NameLevel::Schema, _) => "schema",
            (NameLevel::Table, _) => "table",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }
}

/// Project-wide settings, with their defaults filled in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    pub name: String,
    pub schema: String,
    pub dialects: Vec<Dialect>,
    pub week_start: Weekday,
    pub time_zone: String,
    /// How many earlier versions of a KPI keep their views.
    pub keep_versions: u32,
    /// Where LookML goes; `None`: no LookML is emitted.
    pub looker: Option<Looker>,
    /// The periods every KPI reports unless it says otherwise.
    pub periods: Periods,
    /// The name in the `project` block, when the project has one.
    #[serde(skip)]
    pub declared_at: Option<Span>,
}

/// The `looker` block: the Looker side of the project (docs/lookml.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Looker {
    /// The name of the Looker connection to the warehouse.
    pub connection: String,
    /// The model's name: `lookml/<model>.model.lkml`.
    pub model: String,
    /// The dialect of the SQL views Looker reads.
    pub dialect: Dialect,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: "kpis".to_string(),
            schema: "kpi".to_string(),
            dialects: Dialect::ALL.to_vec(),
            week_start: Weekday::Monday,
            time_zone: "UTC".to_string(),
            keep_versions: 1,
            looker: None,
            periods: Periods::default(),
            declared_at: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Team {
    pub name: Name,
    pub display_name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Relation {
    Table(String),
    /// A SQL query and the tables it reads (for lineage).
    Query {
        sql: RawSql,
        tables: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: Name,
    pub ty: Type,
    /// How a timestamp column is stored; `None` for other types.
    pub storage: Option<TimestampStorage>,
}

/// How the warehouse stores a timestamp column (both are UTC instants to kpic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampStorage {
    /// Declared `timestamp`: the warehouse's instant type (BigQuery and
    /// Databricks `TIMESTAMP`; elsewhere `TIMESTAMP` holding UTC readings).
    Instant,
    /// Declared `datetime`: the UTC reading without a zone (BigQuery
    /// `DATETIME`, Databricks `TIMESTAMP_NTZ`).
    UtcReading,
}

/// A dimension a KPI can slice by: a column, or an expression over columns and joins.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub name: Name,
    pub expr: Expr,
}

/// A many-to-one join to another source.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub target: SourceId,
    pub on: Expr,
    pub span: Span,
}

/// Rows valid from `start` until `end` (NULL: still valid).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Validity {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: Name,
    pub relation: Relation,
    pub time: Option<String>,
    pub key: Option<String>,
    pub columns: Vec<Column>,
    pub dimensions: Vec<Dimension>,
    /// Default filters, applied whenever the source is read.
    pub filters: Vec<Expr>,
    pub joins: Vec<Join>,
    pub validity: Option<Validity>,
    pub description: Option<String>,
    pub written: Written,
}

impl Source {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.text == name)
    }

    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name.text == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Grain {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Grain {
    pub const ALL: [Grain; 5] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter, Grain::Year];

    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}

/// How periods accumulate rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Window {
    /// Each period on its own.
    Period,
    /// Day D covers `[D - days + 1, D]`; on a weekly grain (`rolling 4 weeks`),
    /// the `days` that end with the week.
    Rolling { days: u32 },
    /// Everything up to the end of the period.
    Cumulative,
    /// From the start of the enclosing `grain` period up to the end of the day.
    ToDate { grain: Grain },
}

impl Window {
    /// As written in a `.kpi` file: `rolling 7 days`, `month_to_date`, `none`.
    pub fn describe(self) -> String {
        match self {
            Window::Period => "none".into(),
            Window::Rolling { days } => format!("rolling {days} days"),
            Window::Cumulative => "cumulative".into(),
            Window::ToDate { grain } => format!("{}_to_date", grain.name()),
        }
    }
}

/// Which periods a view reports: by default those its sources' data covers
/// (docs/sql.md, "Which periods"); either end may be fixed instead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Periods {
    /// The first period is the one containing this date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The last period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Until>,
}

impl Periods {
    /// As written in a `.kpi` file, e.g. `from 2024-01-01 until current`; empty when the data decides.
    pub fn describe(&self) -> String {
        let from = self.from.iter().map(|d| format!("from {d}"));
        let until = self.until.iter().map(|u| match u {
            Until::Date(d) => format!("until {d}"),
            Until::Current => "until current".to_string(),
        });
        from.chain(until).collect::<Vec<_>>().join(" ")
    }
}

/// The last period a view reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Until {
    /// The period containing this date.
    Date(String),
    /// The period containing today, in the project's time zone.
    Current,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum Lifecycle {
    Draft,
    Active,
    Deprecated { replaced_by: Option<String> },
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Unit {
    Count,
    Number,
    Percent,
    /// A fraction shown as it is (0.25), not as a percent.
    Ratio,
    Currency {
        code: String,
    },
    Duration {
        unit: DurationUnit,
    },
}

/// A number in a target, with how it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub number: Number,
    pub written_as_percent: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Goal {
    AtLeast(Threshold),
    AtMost(Threshold),
    Between(Threshold, Threshold),
}

/// Status `on_track` when the goal is met; `at_risk` when missed but within
/// `critical`; `off_track` beyond it (or whenever the goal is missed and no
/// critical threshold is set).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub goal: Goal,
    /// One bound for at least / at most; low and high for between.
    pub critical: Vec<Threshold>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// What a KPI's value is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormulaKind {
    /// Aggregates over sources, combined with arithmetic and constants.
    Measure,
    /// Other KPIs, combined with arithmetic and constants.
    Derived,
}

#[derive(Debug, Clone)]
pub struct Kpi {
    pub name: Name,
    pub title: String,
    pub description: Option<String>,
    /// `None` only in a project with errors (the owner is missing or unknown).
    pub owner: Option<TeamId>,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
    pub lifecycle: Lifecycle,
    pub kind: FormulaKind,
    pub value: Expr,
    pub grain: Grain,
    pub window: Window,
    /// The periods the view reports: the KPI's own `periods`, else the project's.
    pub periods: Periods,
    pub dimensions: Vec<Name>,
    pub target: Option<Target>,
    pub unit: Unit,
    pub unit_span: Option<Span>,
    pub format: Option<String>,
    pub version: u32,
    /// Where the version is written (the KPI's id when it is missing).
    pub version_span: Span,
    /// Where `from` names the KPI's default source, if it does.
    pub from: Option<SourceId>,
    pub written: Written,
}

impl Kpi {
    /// `(numerator, denominator)` when the value is a ratio `a / b`.
    /// The columns of the KPI's views, in order (the contract in docs/sql.md).
    pub fn view_columns(&self) -> Vec<String> {
        let mut columns = vec!["period_start".to_string(), "period_end".to_string()];
        columns.extend(self.dimensions.iter().map(|d| d.text.clone()));
        columns.push("value".into());
        if self.ratio().is_some() {
            columns.extend(["numerator".into(), "denominator".into()]);
        }
        columns.extend(["target".into(), "status".into(), "period_complete".into()]);
        columns
    }

    pub fn ratio(&self) -> Option<(&Expr, &Expr)> {
        match &self.value.kind {
            ExprKind::Binary(BinaryOp::Div, a, b) => Some((a, b)),
            _ => None,
        }
    }

    /// Every aggregate of a measure KPI, in formula order.
    pub fn aggregates(&self) -> Vec<&Aggregate> {
        let mut out = Vec::new();
        self.value.walk(&mut |e| {
            if let ExprKind::Aggregate(a) = &e.kind {
                out.push(a.as_ref());
            }
        });
        out
    }

    /// The KPIs a derived KPI reads, in formula order, each once.
    pub fn upstream_kpis(&self) -> Vec<KpiId> {
        let mut out = Vec::new();
        self.value.walk(&mut |e| {
            if let ExprKind::Kpi(id) | ExprKind::Previous(id, _) = e.kind {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        });
        out
    }

    /// The sources a measure KPI reads directly, each once, in formula order.
    pub fn sources(&self) -> Vec<SourceId> {
        let mut out = Vec::new();
        for aggregate in self.aggregates() {
            if !out.contains(&aggregate.source) {
                out.push(aggregate.source);
            }
        }
        out
    }
}
