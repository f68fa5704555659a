//! Trino. https://trino.io/docs/current/functions/datetime.html
//! sqlparser has no Trino dialect; emitted SQL is checked with the generic one.

use super::{interval, DateUnit, SqlDialect};
use crate::model::{Dialect, Grain};

pub struct Trino;

impl SqlDialect for Trino {
    fn dialect(&self) -> Dialect {
        Dialect::Trino
    }

    /// https://trino.io/docs/current/functions/datetime.html
    fn current_utc_timestamp(&self) -> String {
        "CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP)".into()
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    fn spine_is_recursive(&self) -> bool {
        false
    }

    /// https://trino.io/docs/current/functions/array.html#sequence
    fn spine(&self, grain: Grain) -> String {
        let (n, unit) = super::grain_step(grain);
        format!(
            "SELECT \"s\".\"period_start\" FROM \"bounds\" CROSS JOIN UNNEST(sequence(\"lo\", \"hi\", {})) AS \"s\"(\"period_start\") WHERE \"lo\" <= \"hi\"",
            interval(n, unit, true)
        )
    }

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        let unit = match unit {
            DateUnit::Day => "day",
            DateUnit::Month => "month",
        };
        format!("date_add('{unit}', {n}, {date})")
    }

    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("CAST(with_timezone({timestamp}, 'UTC') AT TIME ZONE {} AS TIMESTAMP)", self.string_literal(zone))
    }

    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("CAST(with_timezone({local}, {}) AT TIME ZONE 'UTC' AS TIMESTAMP)", self.string_literal(zone))
    }

    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("CAST(date_diff('millisecond', {start}, {end}) AS DOUBLE) / 1000")
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("date_add('{unit}', {n}, {timestamp})")
    }

    /// Exact, by linear interpolation between the two nearest ranks of the
    /// group's sorted values (`approx_percentile` is approximate). The sorted
    /// array is bound once, as the parameter `s` of a lambda over a
    /// one-element array, so that the group is gathered and sorted once.
    /// https://trino.io/docs/current/functions/array.html
    fn percentile(&self, value: &str, fraction: f64) -> String {
        let sorted = format!("array_sort(filter(array_agg({value}), x -> x IS NOT NULL))");
        let rank = format!("({fraction} * (cardinality(s) - 1))");
        let at = |round: &str| format!("element_at(s, CAST({round}({rank}) AS BIGINT) + 1)");
        let (low, high) = (at("floor"), at("ceiling"));
        let interpolated =
            format!("CASE WHEN cardinality(s) > 0 THEN {low} + ({rank} - floor({rank})) * ({high} - {low}) END");
        format!("element_at(transform(ARRAY[{sorted}], s -> {interpolated}), 1)")
    }
}
