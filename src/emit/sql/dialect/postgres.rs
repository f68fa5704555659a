//! PostgreSQL. https://www.postgresql.org/docs/current/functions-datetime.html

use super::{DateUnit, SqlDialect};
use crate::model::Dialect;

pub struct Postgres;

impl SqlDialect for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    /// https://www.postgresql.org/docs/current/functions-datetime.html#FUNCTIONS-DATETIME-CURRENT
    fn current_utc_timestamp(&self) -> String {
        "(now() AT TIME ZONE 'UTC')".into()
    }

    /// `CREATE OR REPLACE VIEW` must keep the view's columns: https://www.postgresql.org/docs/current/sql-createview.html
    fn replace_changes_columns(&self) -> bool {
        false
    }

    /// https://www.postgresql.org/docs/current/sql-begin.html (DDL is transactional)
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// A string with a backslash is an escape string (`E'…'`), which reads
    /// backslashes the same whatever `standard_conforming_strings` says.
    /// https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE
    fn string_literal(&self, text: &str) -> String {
        if text.contains('\\') {
            format!("E{}", super::backslash_escaped_literal(text))
        } else {
            super::single_quoted(text)
        }
    }

    /// https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-CTE-MATERIALIZATION
    fn materialized(&self) -> &'static str {
        "MATERIALIZED "
    }

    /// A snapshot's rows are joined to every period: scanned from the table,
    /// not from a stored CTE, PostgreSQL answers in about 60 % of the time.
    fn inlined(&self) -> &'static str {
        "NOT MATERIALIZED "
    }

    // The spine is the default recursive CTE, not `generate_series`: the
    // planner estimates a set-returning function at 1,000 rows, and that
    // estimate, multiplied through the grid of every view a KPI over KPIs
    // reads, made PostgreSQL JIT-compile views over a few dozen rows for
    // seconds. A recursive CTE is estimated at a handful of rows.

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        format!("CAST({date} + {} AS DATE)", interval(n, unit))
    }

    /// `AT TIME ZONE` twice: read the value as UTC, then show it in `zone`.
    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("(({timestamp}) AT TIME ZONE 'UTC' AT TIME ZONE {})", self.string_literal(zone))
    }

    /// `AT TIME ZONE` twice: read the value as wall-clock time in `zone`, then show it in UTC.
    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("(({local}) AT TIME ZONE {} AT TIME ZONE 'UTC')", self.string_literal(zone))
    }

    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("EXTRACT(EPOCH FROM (CAST({end} AS TIMESTAMP) - CAST({start} AS TIMESTAMP)))")
    }

    /// PostgreSQL rounds to digits only for NUMERIC.
    fn round(&self, args: &[String]) -> String {
        match args {
            [value, digits] => {
                format!("CAST(ROUND(CAST({value} AS NUMERIC), {digits}) AS DOUBLE PRECISION)")
            }
            _ => format!("ROUND({})", args.join(", ")),
        }
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("({timestamp} + INTERVAL '{n} {unit}')")
    }
}

fn interval(n: i64, unit: DateUnit) -> String {
    match unit {
        DateUnit::Day => format!("INTERVAL '{n} day'"),
        DateUnit::Month => format!("INTERVAL '{n} month'"),
    }
}
