//! Google BigQuery. https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions

use super::{interval, DateUnit, SqlDialect};
use crate::model::{Dialect, Grain, TimestampStorage};

pub struct BigQuery;

impl SqlDialect for BigQuery {
    fn dialect(&self) -> Dialect {
        Dialect::BigQuery
    }

    /// https://cloud.google.com/bigquery/docs/reference/standard-sql/datetime_functions#current_datetime
    fn current_utc_timestamp(&self) -> String {
        "CURRENT_DATETIME('UTC')".into()
    }

    fn quote_ident(&self, name: &str) -> String {
        super::enclosed('`', name, |c| match c {
            b'\\' => Some("\\\\"),
            b'`' => Some("\\`"),
            _ => None,
        })
    }

    /// BigQuery escapes quotes with a backslash.
    fn string_literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'").replace('\n', "\\n"))
    }

    fn double_type(&self) -> &'static str {
        "FLOAT64"
    }

    fn string_type(&self) -> &'static str {
        "STRING"
    }

    /// `INTEGER` is an alias BigQuery accepts and ZetaSQL does not.
    fn integer_type(&self) -> &'static str {
        "INT64"
    }

    fn spine_is_recursive(&self) -> bool {
        false
    }

    fn spine(&self, grain: Grain) -> String {
        let (n, unit) = super::grain_step(grain);
        format!(
            "SELECT `period_start` FROM `bounds`, UNNEST(GENERATE_DATE_ARRAY(`lo`, `hi`, {})) AS `period_start`",
            interval(n, unit, false)
        )
    }

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        format!("DATE_ADD({date}, {})", interval(n, unit, false))
    }

    /// Weeks truncate to Monday with `WEEK(MONDAY)`.
    fn date_trunc(&self, grain: Grain, timestamp: &str) -> String {
        let part = match grain {
            Grain::Week => "WEEK(MONDAY)",
            Grain::Day => "DAY",
            Grain::Month => "MONTH",
            Grain::Quarter => "QUARTER",
            Grain::Year => "YEAR",
        };
        format!("DATE_TRUNC(DATE({timestamp}), {part})")
    }

    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("DATETIME(TIMESTAMP({timestamp}), {})", self.string_literal(zone))
    }

    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("DATETIME(TIMESTAMP({local}, {}), 'UTC')", self.string_literal(zone))
    }

    /// Views compute on `DATETIME`s holding UTC readings; a `TIMESTAMP` column
    /// is read in UTC explicitly, whatever the session's `@@time_zone`.
    /// https://cloud.google.com/bigquery/docs/reference/standard-sql/datetime_functions#datetime
    fn read_timestamp(&self, column: &str, storage: TimestampStorage) -> String {
        match storage {
            TimestampStorage::Instant => format!("DATETIME({column}, 'UTC')"),
            TimestampStorage::UtcReading => column.to_string(),
        }
    }

    fn date_to_timestamp(&self, date: &str) -> String {
        format!("CAST({date} AS DATETIME)")
    }

    fn to_date(&self, timestamp: &str) -> String {
        format!("DATE({timestamp})")
    }

    /// In microseconds: `DATETIME_DIFF(…, SECOND)` counts second boundaries crossed.
    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("(CAST(DATETIME_DIFF({end}, {start}, MICROSECOND) AS FLOAT64) / 1000000)")
    }

    /// A bare `UNION` is a syntax error: https://cloud.google.com/bigquery/docs/reference/standard-sql/query-syntax#set_operators
    fn union_distinct(&self) -> &'static str {
        "UNION DISTINCT"
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("DATETIME_ADD({timestamp}, INTERVAL {n} {})", unit.to_uppercase())
    }

    /// Exact, interpolated as `PERCENTILE_CONT` does between the two values
    /// around rank `fraction × (n − 1)` of the group's sorted values (no values:
    /// NULL). BigQuery's `PERCENTILE_CONT` is analytic only, and an aggregate
    /// cannot feed a subquery's `UNNEST`.
    /// https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#array_agg
    fn percentile(&self, value: &str, fraction: f64) -> String {
        let rank = format!("({fraction} * (COUNT({value}) - 1))");
        let at = |round: &str| {
            format!("ARRAY_AGG({value} IGNORE NULLS ORDER BY {value})[SAFE_OFFSET(CAST({round}({rank}) AS INT64))]")
        };
        let (low, high) = (at("FLOOR"), at("CEIL"));
        format!("({low} + ({rank} - FLOOR({rank})) * ({high} - {low}))")
    }
}
