//! The warehouses' rules for schema and table names, beyond length.

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Dialect, NameLevel};
use crate::source::Span;

/// An error when one of `dialects` refuses a character of `name` at `level`
/// (the first such dialect: one mistake, one error).
pub fn refused(level: NameLevel, name: &str, span: Span, dialects: &[Dialect]) -> Option<Diagnostic> {
    let (dialect, rule, c) = dialects.iter().find_map(|&d| {
        let rule = d.name_rule(level)?;
        Some((d, rule, rule.refused(name)?))
    })?;
    let noun = level.noun(dialect);
    let shown = match c {
        ' ' => "a space".to_string(),
        c if c.is_control() => format!("{c:?}"),
        c => format!("`{c}`"),
    };
    let warehouse = dialect.product_name();
    Some(
        Diagnostic::new(Code::InvalidValue, span, format!("{warehouse} refuses {shown} in a {noun} name"))
            .label(format!("{warehouse} {noun} names {}", rule.takes))
            .help(format!(
                "write a name {warehouse} accepts, or remove `{}` from the project's `dialects`",
                dialect.name()
            )),
    )
}
