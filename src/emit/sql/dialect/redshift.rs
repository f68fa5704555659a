//! Amazon Redshift. `generate_series` runs only on the leader node, so the
//! spine is the default recursive CTE; Redshift has no `IS DISTINCT FROM`.
//! https://docs.aws.amazon.com/redshift/latest/dg/r_WITH_clause.html

use super::{backslash_escaped_literal, SqlDialect};
use crate::model::Dialect;

pub struct Redshift;

impl SqlDialect for Redshift {
    fn dialect(&self) -> Dialect {
        Dialect::Redshift
    }

    /// https://docs.aws.amazon.com/redshift/latest/dg/r_GETDATE.html
    fn current_utc_timestamp(&self) -> String {
        "GETDATE()".into()
    }

    /// `CREATE OR REPLACE VIEW` must keep the view's columns: https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_VIEW.html
    fn replace_changes_columns(&self) -> bool {
        false
    }

    /// https://docs.aws.amazon.com/redshift/latest/dg/r_BEGIN.html
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// Redshift reads backslash escapes in '…' strings.
    /// https://docs.aws.amazon.com/redshift/latest/dg/r_Literals.html
    fn string_literal(&self, text: &str) -> String {
        backslash_escaped_literal(text)
    }

    fn null_safe_eq(&self, left: &str, right: &str) -> String {
        format!("({left} = {right} OR ({left} IS NULL AND {right} IS NULL))")
    }
}
