//! Databricks (Spark SQL). https://docs.databricks.com/en/sql/language-manual/sql-ref-functions-builtin.html

use super::{interval, DateUnit, SqlDialect};
use crate::model::{Dialect, Grain};

pub struct Databricks;

impl SqlDialect for Databricks {
    fn dialect(&self) -> Dialect {
        Dialect::Databricks
    }

    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    /// Spark string literals use backslash escapes. A quote is spelled
    /// `chr(39)`: `\'` is valid Spark but not for sqlparser's Databricks tokenizer.
    fn string_literal(&self, text: &str) -> String {
        let escape = |part: &str| format!("'{}'", part.replace('\\', "\\\\").replace('\n', "\\n"));
        let parts: Vec<String> = text.split('\'').map(escape).collect();
        match parts.as_slice() {
            [single] => single.clone(),
            _ => format!("concat({})", parts.join(", chr(39), ")),
        }
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
        format!("SELECT explode(sequence(`lo`, `hi`, {})) AS `period_start` FROM `bounds`", interval(n, unit, false))
    }

    fn add_to_date(&self, date: &str, (n, unit): (i64, DateUnit)) -> String {
        match unit {
            DateUnit::Day => format!("date_add({date}, {n})"),
            DateUnit::Month => format!("add_months({date}, {n})"),
        }
    }

    fn to_time_zone(&self, timestamp: &str, zone: &str) -> String {
        format!("from_utc_timestamp({timestamp}, {})", self.string_literal(zone))
    }

    fn seconds_between(&self, start: &str, end: &str) -> String {
        format!("CAST(unix_timestamp({end}) - unix_timestamp({start}) AS DOUBLE)")
    }

    fn add_duration(&self, timestamp: &str, n: i64, unit: &str) -> String {
        format!("({timestamp} + INTERVAL {n} {})", unit.to_uppercase())
    }

    fn null_safe_eq(&self, left: &str, right: &str) -> String {
        format!("{left} <=> {right}")
    }
}
