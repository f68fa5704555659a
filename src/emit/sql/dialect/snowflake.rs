//! Snowflake: the defaults (DATEADD, DATEDIFF, CONVERT_TIMEZONE, recursive
//! spine). https://docs.snowflake.com/en/sql-reference/functions-date-time
//! `DATE_TRUNC('week', …)` follows the WEEK_START parameter, whose default
//! (0) means Monday. `SYSDATE()` is the current time in UTC.

use super::{backslash_escaped_literal, SqlDialect};
use crate::model::Dialect;

pub struct Snowflake;

impl SqlDialect for Snowflake {
    fn dialect(&self) -> Dialect {
        Dialect::Snowflake
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    /// Snowflake reads backslash escapes in '…' strings.
    /// https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants
    fn string_literal(&self, text: &str) -> String {
        backslash_escaped_literal(text)
    }
}
