//! Databricks (Spark SQL). https://docs.databricks.com/en/sql/language-manual/sql-ref-functions-builtin.html
//!
//! Views compute on `TIMESTAMP_NTZ` values holding UTC readings, with
//! functions that never consult the session time zone: a `TIMESTAMP`
//! column (an instant) is turned into its UTC reading through its epoch
//! microseconds, zones are converted with `convert_timezone` on NTZ values,
//! periods truncate DATEs with `trunc`. The same view gives the same rows in
//! every session time zone, with or without ANSI mode.

use super::{interval, DateUnit, SqlDialect};
use crate::model::{Dialect, Grain, TimestampStorage};

/// The UTC reading of an instant, from its epoch microseconds.
fn utc_reading(instant: &str) -> String {
    format!("timestampadd(MICROSECOND, unix_micros({instant}), TIMESTAMP_NTZ'1970-01-01 00:00:00')")
}

pub struct Databricks;

impl SqlDialect for Databricks {
    fn dialect(&self) -> Dialect {
        Dialect::Databricks
    }

    fn current_utc_timestamp(&self) -> String {
        utc_reading("current_timestamp()")
    }

    /// https://docs.databricks.com/en/sql/language-manual/functions/unix_micros.html
    fn read_timestamp(&self, column: &str, storage: TimestampStorage) -> String {
        match storage {
            TimestampStorage::Instant => utc_reading(column),
            TimestampStorage::UtcReading => column.to_string(),
        }
    }

    /// https://docs.databricks.com/en/sql/language-manual/functions/trunc.html
    fn date_trunc(&self, grain: Grain, timestamp: &str) -> String {
        let unit = match grain {
            Grain::Day => return self.to_date(timestamp),
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        };
        format!("trunc({}, '{unit}')", self.to_date(timestamp))
    }

    fn date_to_timestamp(&self, date: &str) -> String {
        format!("CAST({date} AS TIMESTAMP_NTZ)")
    }

    fn quote_ident(&self, name: &str) -> String {
        super::enclosed('`', name, |c| (c == b'`').then_some("``"))
    }

    /// Spark string literals use backslash escapes. A quote is spelled
    /// `chr(39)`: `\'` is valid Spark but not for sqlparser's Databricks tokenizer.
    /// A `$` before `{` is spelled `chr(36)`: Spark substitutes `${…}`
    /// (`${env:SECRET}`) anywhere in a statement, strings included.
    /// https://spark.apache.org/docs/latest/sql-ref-syntax-aux-conf-mgmt-set.html
    fn string_literal(&self, text: &str) -> String {
        let escape = |part: &str| format!("'{}'", part.replace('\\', "\\\\").replace('\n', "\\n"));
        let special = |at: usize| text[at..].starts_with('\'') || text[at..].starts_with("${");
        let cuts: Vec<usize> = text.char_indices().map(|(at, _)| at).filter(|&at| special(at)).collect();
        if cuts.is_empty() {
            return escape(text);
        }
        let mut parts = Vec::new();
        let mut from = 0;
        for at in cuts {
            parts.push(escape(&text[from..at]));
            parts.push(if text[at..].starts_with('\'') { "chr(39)".into() } else { "chr(36)".into() });
            from = at + 1;
        }
        parts.push(escape(&text[from..]));
        format!("concat({})", parts.join(", "))
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    fn string_type(&self) -> &'static str {
        "STRING"
    }

    fn spine_is_recursive(&self) -> bool {
        false
    }

    /// https://docs.databricks.com/en/sql/language-manual/functions/sequence.html
    fn spine(&self, grain: Grain) -> String {
        let (n, unit) = super::grain_step(grain);
        format!(
            "SELECT explode(sequence(`lo`, `hi`, {})) AS `period_start` FROM `bounds` WHERE `lo` <= `hi`",
            interval(n, unit, false)
        )
    }

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        match unit {
            DateUnit::Day => format!("date_add({date}, {n})"),
            DateUnit::Month => format!("add_months({date}, {n})"),
        }
    }

    /// https://docs.databricks.com/en/sql/language-manual/functions/convert_timezone.html
    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("convert_timezone('UTC', {}, {timestamp})", self.string_literal(zone))
    }

    fn time_zone_to_utc(&self, local: &str, zone: &str) -> String {
        format!("convert_timezone({}, 'UTC', {local})", self.string_literal(zone))
    }

    /// The difference of two `TIMESTAMP_NTZ` readings is an exact day-time
    /// interval, read field by field. (`timestampdiff` on `TIMESTAMP_NTZ` goes
    /// through the session time zone: across its spring-forward gap it counts an
    /// hour too many.)
    /// https://docs.databricks.com/en/sql/language-manual/functions/extract.html
    fn seconds_between(&self, start: &str, end: &str) -> String {
        let interval = format!("({end} - {start})");
        format!(
            "(CAST(extract(DAY FROM {interval}) AS DOUBLE) * 86400 + extract(HOUR FROM {interval}) * 3600 \
             + extract(MINUTE FROM {interval}) * 60 + extract(SECOND FROM {interval}))"
        )
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("({timestamp} + INTERVAL {n} {})", unit.to_uppercase())
    }

    fn null_safe_eq(&self, left: &str, right: &str) -> String {
        format!("{left} <=> {right}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_substitutions_are_spelled_out() {
        assert_eq!(Databricks.string_literal("a\\b"), "'a\\\\b'");
        assert_eq!(Databricks.string_literal("it's ${env:X} $5"), "concat('it', chr(39), 's ', chr(36), '{env:X} $5')");
    }
}
