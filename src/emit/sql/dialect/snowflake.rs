//! Snowflake: the defaults (DATEADD, DATEDIFF, CONVERT_TIMEZONE, recursive
//! spine). https://docs.snowflake.com/en/sql-reference/functions-date-time
//! `SYSDATE()` is the current time in UTC.
//!
//! Names: Snowflake stores unquoted identifiers in upper case, and a quoted
//! lowercase name is another, case-sensitive one. Names that can be written
//! unquoted are, so that `select * from kpi.signups` finds a view and a source
//! `table "analytics.signups"` finds a table created the usual, unquoted way.
//! https://docs.snowflake.com/en/sql-reference/identifiers-syntax

use super::{backslash_escaped_literal, SqlDialect};
use crate::model::{Dialect, Grain};

pub struct Snowflake;

/// Reserved keywords, which an unquoted identifier cannot be (sorted, as
/// every identifier of every view is looked up):
/// https://docs.snowflake.com/en/sql-reference/reserved-keywords
const RESERVED: &[&str] = &[
    "account",
    "all",
    "alter",
    "and",
    "any",
    "as",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "column",
    "connect",
    "connection",
    "constraint",
    "create",
    "cross",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "delete",
    "distinct",
    "drop",
    "else",
    "exists",
    "false",
    "following",
    "for",
    "from",
    "full",
    "grant",
    "group",
    "gscluster",
    "having",
    "ilike",
    "in",
    "increment",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "issue",
    "join",
    "lateral",
    "left",
    "like",
    "localtime",
    "localtimestamp",
    "minus",
    "natural",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "organization",
    "qualify",
    "regexp",
    "revoke",
    "right",
    "rlike",
    "row",
    "rows",
    "sample",
    "schema",
    "select",
    "set",
    "some",
    "start",
    "table",
    "tablesample",
    "then",
    "to",
    "trigger",
    "true",
    "try_cast",
    "union",
    "unique",
    "update",
    "using",
    "values",
    "view",
    "when",
    "whenever",
    "where",
    "window",
    "with",
];

impl SqlDialect for Snowflake {
    fn dialect(&self) -> Dialect {
        Dialect::Snowflake
    }

    /// Lowercase names unquoted (Snowflake folds them to upper case); a
    /// reserved word quoted in upper case, which is the same name; any other
    /// name (upper case letters included, so that `Signups` and `signups`
    /// stay two names) quoted as written.
    fn quote_ident(&self, name: &str) -> String {
        let mut bytes = name.bytes();
        let simple = bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
            && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$');
        if !simple {
            return super::double_quoted(name);
        }
        if RESERVED.binary_search(&name).is_ok() {
            format!("\"{}\"", name.to_ascii_uppercase())
        } else {
            name.to_string()
        }
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE"
    }

    /// Snowflake reads backslash escapes in '…' strings.
    /// https://docs.snowflake.com/en/sql-reference/data-types-text#escape-sequences-in-single-quoted-string-constants
    fn string_literal(&self, text: &str) -> String {
        backslash_escaped_literal(text)
    }

    /// Weeks from `DAYOFWEEKISO` (Monday 1 … Sunday 7), not `DATE_TRUNC('week')`,
    /// which follows the account's `WEEK_START` parameter.
    /// https://docs.snowflake.com/en/sql-reference/functions-date-time#label-calendar-weeks-weekdays
    fn date_trunc(&self, grain: Grain, timestamp: &str) -> String {
        match grain {
            Grain::Day => self.to_date(timestamp),
            Grain::Week => format!("CAST(DATEADD(day, 1 - DAYOFWEEKISO({timestamp}), {timestamp}) AS DATE)"),
            _ => format!("CAST(DATE_TRUNC('{}', {timestamp}) AS DATE)", grain.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unquoted_where_snowflake_reads_them_so() {
        assert_eq!(Snowflake.quote_ident("signups"), "signups");
        assert_eq!(Snowflake.quote_ident("start"), "\"START\"");
        assert_eq!(Snowflake.quote_ident("Mixed Case"), "\"Mixed Case\"");
        assert_eq!(Snowflake.quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Snowflake.quote_ident("1st"), "\"1st\"");
        assert_eq!(Snowflake.quote_ident("Signups"), "\"Signups\"");
    }

    #[test]
    fn the_reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED.is_sorted());
    }
}
