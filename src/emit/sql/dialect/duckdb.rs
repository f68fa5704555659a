//! DuckDB. https://duckdb.org/docs/sql/functions/date

use super::{interval, plus_interval, DateUnit, SqlDialect};
use crate::model::{Dialect, Grain};

pub struct DuckDb;

impl SqlDialect for DuckDb {
    fn dialect(&self) -> Dialect {
        Dialect::DuckDb
    }

    /// https://duckdb.org/docs/sql/functions/timestamptz
    fn current_utc_timestamp(&self) -> String {
        "timezone('UTC', now())".into()
    }

    /// DuckDB runs DDL in transactions: https://duckdb.org/docs/sql/statements/transactions
    fn transactional_ddl(&self) -> bool {
        true
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    fn spine_is_recursive(&self) -> bool {
        false
    }

    /// `generate_series` over timestamps returns a list; UNNEST turns it into rows.
    /// https://duckdb.org/docs/sql/functions/list#generate_series
    fn spine(&self, grain: Grain) -> String {
        let (n, unit) = super::grain_step(grain);
        let interval = interval(n, unit, false);
        format!(
            "SELECT CAST(UNNEST(generate_series(CAST(\"lo\" AS TIMESTAMP), CAST(\"hi\" AS TIMESTAMP), {interval})) AS DATE) AS \"period_start\" FROM \"bounds\" WHERE \"lo\" <= \"hi\""
        )
    }

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        format!("CAST({} AS DATE)", plus_interval(date, n, unit, false))
    }

    /// https://duckdb.org/docs/sql/functions/timestamptz#timezone
    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("timezone({}, timezone('UTC', {timestamp}))", self.string_literal(zone))
    }

    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("timezone('UTC', timezone({}, {local}))", self.string_literal(zone))
    }

    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("(epoch(CAST({end} AS TIMESTAMP)) - epoch(CAST({start} AS TIMESTAMP)))")
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("({timestamp} + INTERVAL {n} {unit})")
    }
}
