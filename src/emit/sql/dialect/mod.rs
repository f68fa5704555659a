//! SQL dialects as capabilities. Generic emitter code asks a capability
//! (`quote_ident`, `date_trunc`, `spine`, …); each dialect file overrides
//! only what differs from the defaults here, citing the vendor's docs.

mod bigquery;
mod databricks;
mod duckdb;
mod postgres;
mod redshift;
mod snowflake;
mod trino;

use crate::model::{Dialect, Grain, TimestampStorage};

/// A calendar unit for date arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Day,
    Month,
}

/// `n` units of a grain, for period arithmetic: weeks are 7 days, quarters 3 months.
pub fn grain_step(grain: Grain) -> (i64, DateUnit) {
    match grain {
        Grain::Day => (1, DateUnit::Day),
        Grain::Week => (7, DateUnit::Day),
        Grain::Month => (1, DateUnit::Month),
        Grain::Quarter => (3, DateUnit::Month),
        Grain::Year => (12, DateUnit::Month),
    }
}

/// `INTERVAL 7 DAY` (`quoted`: `INTERVAL '7' DAY`, the SQL standard's form).
pub fn interval(n: i64, unit: DateUnit, quoted: bool) -> String {
    let unit = match unit {
        DateUnit::Day => "DAY",
        DateUnit::Month => "MONTH",
    };
    if quoted {
        format!("INTERVAL '{n}' {unit}")
    } else {
        format!("INTERVAL {n} {unit}")
    }
}

/// `date + INTERVAL n UNIT`, or `date - INTERVAL |n| UNIT` for negative `n`
/// (DuckDB rejects `INTERVAL -6 DAY`).
pub fn plus_interval(date: &str, n: i64, unit: DateUnit, quoted: bool) -> String {
    let sign = if n < 0 { '-' } else { '+' };
    format!("{date} {sign} {}", interval(n.abs(), unit, quoted))
}

/// `'text'` for a warehouse that reads backslash escapes in strings:
/// backslashes doubled as well as quotes, so that no string ends early.
pub fn backslash_escaped_literal(text: &str) -> String {
    enclosed('\'', text, |c| match c {
        b'\\' => Some("\\\\"),
        b'\'' => Some("''"),
        _ => None,
    })
}

/// `"name"`, embedded quotes doubled: the standard quoted identifier.
pub fn double_quoted(name: &str) -> String {
    enclosed('"', name, |c| (c == b'"').then_some("\"\""))
}

/// `'text'`, embedded quotes doubled: the standard string literal.
pub fn single_quoted(text: &str) -> String {
    enclosed('\'', text, |c| (c == b'\'').then_some("''"))
}

/// `text` between two `quote`s, each byte that `escape` maps (always an
/// ASCII character, so never part of another character) written as what it
/// maps to: one allocation, as identifiers and literals are quoted for every
/// column of every view.
pub fn enclosed(quote: char, text: &str, escape: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        if let Some(escaped) = escape(byte) {
            debug_assert!(byte.is_ascii(), "only ASCII characters are escaped");
            out.push_str(&text[plain..at]);
            out.push_str(escaped);
            plain = at + 1;
        }
    }
    out.push_str(&text[plain..]);
    out.push(quote);
    out
}

/// How one warehouse spells what kpic needs.
pub trait SqlDialect: Sync {
    fn dialect(&self) -> Dialect;

    /// A quoted identifier: `"name"`, with embedded quotes doubled.
    fn quote_ident(&self, name: &str) -> String {
        double_quoted(name)
    }

    /// A string literal: `'text'`, with embedded quotes doubled.
    fn string_literal(&self, text: &str) -> String {
        single_quoted(text)
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }

    /// Whether `CREATE OR REPLACE VIEW` may change a view's columns (where
    /// not, kpic drops an alias view and creates it again).
    fn replace_changes_columns(&self) -> bool {
        true
    }

    /// Whether DDL runs inside a transaction, so that `deploy.sql` is one.
    fn transactional_ddl(&self) -> bool {
        false
    }

    fn string_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn integer_type(&self) -> &'static str {
        "INTEGER"
    }

    /// The keyword that makes a CTE read several times be computed once
    /// (`MATERIALIZED `), where the dialect has one.
    fn materialized(&self) -> &'static str {
        ""
    }

    /// The keyword that makes a CTE read several times be expanded where it
    /// is read (`NOT MATERIALIZED `), where the dialect would store it.
    fn inlined(&self) -> &'static str {
        ""
    }

    /// Whether a spine needs `WITH RECURSIVE` (see [`SqlDialect::spine`]).
    fn spine_is_recursive(&self) -> bool {
        true
    }

    /// The body of a CTE named `spine` with one DATE column `period_start`:
    /// every period from `lo` to `hi` (DATE columns of CTE `bounds`), none
    /// when `lo` is after `hi` or either is NULL. The default is a recursive
    /// CTE, which every warehouse supports.
    fn spine(&self, grain: Grain) -> String {
        let next = self.add_to_date(&self.quote_ident("period_start"), grain_step(grain));
        format!(
            "SELECT {lo} AS {ps} FROM {bounds} WHERE {lo} <= {hi} UNION ALL SELECT {next} FROM {spine}, {bounds} WHERE {next} <= {hi}",
            lo = self.quote_ident("lo"),
            hi = self.quote_ident("hi"),
            ps = self.quote_ident("period_start"),
            bounds = self.quote_ident("bounds"),
            spine = self.quote_ident("spine"),
        )
    }

    /// `date + n units` as a DATE.
    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        let unit = match unit {
            DateUnit::Day => "day",
            DateUnit::Month => "month",
        };
        format!("CAST(DATEADD({unit}, {n}, {date}) AS DATE)")
    }

    /// The start (a DATE) of the day, week (Monday), month, quarter or year
    /// containing a timestamp. A day is a plain cast, cheaper than truncation.
    fn date_trunc(&self, grain: Grain, timestamp: &str) -> String {
        match grain {
            Grain::Day => self.to_date(timestamp),
            _ => format!("CAST(DATE_TRUNC('{}', {timestamp}) AS DATE)", grain.name()),
        }
    }

    /// A timestamp in UTC converted to wall-clock time in `zone`.
    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("CONVERT_TIMEZONE('UTC', {}, {timestamp})", self.string_literal(zone))
    }

    /// Wall-clock time in `zone` converted back to the UTC reading of that
    /// instant: the inverse of [`SqlDialect::to_time_zone`].
    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("CONVERT_TIMEZONE({}, 'UTC', {local})", self.string_literal(zone))
    }

    /// The current instant as a timestamp in UTC (wall-clock reading).
    fn current_utc_timestamp(&self) -> String {
        "SYSDATE()".into()
    }

    /// Today's DATE in `zone`, whatever the session's time zone.
    fn current_date(&self, zone: &str) -> String {
        let now = self.current_utc_timestamp();
        match zone {
            "UTC" => self.to_date(&now),
            _ => self.to_date(&self.to_time_zone(&now, zone)),
        }
    }

    /// A stored timestamp column as the UTC reading every other capability
    /// works on (the warehouse's zone-less timestamp type).
    fn read_timestamp(&self, column: &str, _storage: TimestampStorage) -> String {
        column.to_string()
    }

    /// A DATE as a timestamp at midnight (for comparisons with timestamp columns).
    fn date_to_timestamp(&self, date: &str) -> String {
        format!("CAST({date} AS TIMESTAMP)")
    }

    /// The DATE of a timestamp.
    fn to_date(&self, timestamp: &str) -> String {
        format!("CAST({timestamp} AS DATE)")
    }

    /// `end - start` in seconds, as a double, exact to the microsecond
    /// (`DATEDIFF` counts unit boundaries crossed: in seconds, 0.2 s could be 0 or 1).
    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("(CAST(DATEDIFF(microsecond, {start}, {end}) AS {}) / 1000000)", self.double_type())
    }

    /// `timestamp + n units` for a duration literal.
    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("DATEADD({unit}, {n}, {timestamp})")
    }

    /// Whether two values are equal, NULL equal to NULL.
    fn null_safe_eq(&self, left: &str, right: &str) -> String {
        format!("{left} IS NOT DISTINCT FROM {right}")
    }

    /// A continuous percentile of `value` (PERCENTILE_CONT semantics where the
    /// warehouse has them; see each dialect for approximations).
    fn percentile(&self, value: &str, fraction: f64) -> String {
        format!("PERCENTILE_CONT({fraction}) WITHIN GROUP (ORDER BY {value})")
    }

    /// The set operator that removes duplicate rows.
    fn union_distinct(&self) -> &'static str {
        "UNION"
    }

    /// `ROUND(x[, digits])` on a double.
    fn round(&self, args: &[String]) -> String {
        format!("ROUND({})", args.join(", "))
    }

    /// A DATE literal.
    fn date_literal(&self, date: &str) -> String {
        format!("DATE '{date}'")
    }
}

/// The capabilities of one dialect.
pub fn for_dialect(dialect: Dialect) -> &'static dyn SqlDialect {
    match dialect {
        Dialect::DuckDb => &duckdb::DuckDb,
        Dialect::Postgres => &postgres::Postgres,
        Dialect::Snowflake => &snowflake::Snowflake,
        Dialect::BigQuery => &bigquery::BigQuery,
        Dialect::Redshift => &redshift::Redshift,
        Dialect::Databricks => &databricks::Databricks,
        Dialect::Trino => &trino::Trino,
    }
}

/// Interval unit names for [`SqlDialect::add_duration`].
pub fn duration_unit_name(unit: crate::model::DurationUnit) -> (&'static str, i64) {
    use crate::model::DurationUnit::*;
    match unit {
        Millisecond => ("millisecond", 1),
        Second => ("second", 1),
        Minute => ("minute", 1),
        Hour => ("hour", 1),
        Day => ("day", 1),
        Week => ("day", 7),
    }
}
