//! Checks raw SQL with sqlparser for every dialect of the project, maps
//! sqlparser's line/column onto the `.kpi` file, and lists the tables a
//! SQL source reads (for lineage).

use std::ops::ControlFlow;

use sqlparser::ast::Statement;
use sqlparser::parser::Parser;

use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Dialect, RawSql};
use crate::source::{is_forbidden_char, SourceFile, Span};

mod tokens;

/// The sqlparser dialect that checks SQL for `dialect`. sqlparser has no
/// Trino dialect; the generic one is the closest.
pub fn parser_dialect(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    use sqlparser::dialect as sp;
    match dialect {
        Dialect::DuckDb => Box::new(sp::DuckDbDialect {}),
        Dialect::Postgres => Box::new(sp::PostgreSqlDialect {}),
        Dialect::Snowflake => Box::new(sp::SnowflakeDialect {}),
        Dialect::BigQuery => Box::new(sp::BigQueryDialect {}),
        Dialect::Redshift => Box::new(sp::RedshiftSqlDialect {}),
        Dialect::Databricks => Box::new(sp::DatabricksDialect {}),
        Dialect::Trino => Box::new(sp::GenericDialect {}),
    }
}

/// What a SQL text is: a whole query, or an expression fragment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    Query,
    Expression,
}

/// Parses `sql` for each dialect and keeps the tokens each one checked;
/// reports the first dialect that rejects it. For a query, also lists the
/// tables it reads, sorted.
pub fn check(
    sql: &str,
    kind: SqlKind,
    span: Span,
    file: &SourceFile,
    dialects: &[Dialect],
    diagnostics: &mut Vec<Diagnostic>,
) -> (RawSql, Vec<String>) {
    const PREFIX: &str = "SELECT ";
    let text = match kind {
        SqlKind::Query => sql.to_string(),
        SqlKind::Expression => format!("{PREFIX}{sql}"),
    };
    let mut raw = RawSql { written: sql.to_string(), tokens: Vec::new() };
    // Lowering reported the control character already.
    if sql.chars().any(|c| is_forbidden_char(c) && c != '\r') {
        return (raw, Vec::new());
    }
    let mut tables = Vec::new();
    for &dialect in dialects {
        let parser_dialect = parser_dialect(dialect);
        match Parser::parse_sql(parser_dialect.as_ref(), &text) {
            Ok(statements) if kind == SqlKind::Query && !is_plain_query(&statements) => {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidSql, span, "a SQL source is one query that changes nothing")
                        .label("not a plain SELECT query")
                        .help("write the `SELECT …` whose rows the source reads"),
                );
                return (raw, tables);
            }
            Ok(statements) if statements.len() == 1 => {
                if kind == SqlKind::Query && tables.is_empty() {
                    tables = relations(&statements);
                }
            }
            Ok(statements) => {
                let message = format!("expected one SQL {}, found {}", what(kind), statements.len());
                diagnostics
                    .push(Diagnostic::new(Code::InvalidSql, span, message).help("remove the `;` and what follows it"));
                return (raw, tables);
            }
            Err(error) => {
                let shift = if kind == SqlKind::Expression { PREFIX.len() } else { 0 };
                let message = error.to_string();
                let at = error_span(sql, span, file, &message, shift);
                let reason = message.trim_start_matches("sql parser error: ");
                let reason = reason.split(" at Line: ").next().unwrap_or(reason);
                diagnostics.push(
                    Diagnostic::new(Code::InvalidSql, at, format!("invalid SQL for {}: {reason}", dialect.name()))
                        .label(format!("{} rejects this", dialect.name()))
                        .help(format!(
                            "write SQL that every dialect of the project accepts, or remove {} from `dialects`",
                            dialect.name()
                        )),
                );
                return (raw, tables);
            }
        }
        match tokens::tokens(sql, parser_dialect.as_ref()) {
            Ok(read) => raw.tokens.push((dialect, read)),
            Err(rejected) => {
                let at = span_at(sql, span, file, rejected.line as usize, rejected.column as usize);
                diagnostics.push(
                    Diagnostic::new(Code::InvalidSql, at, format!("unsafe SQL: {}", rejected.message))
                        .label("here")
                        .help("write it with plain names, numbers and '…' strings"),
                );
                return (raw, tables);
            }
        }
    }
    (raw, tables)
}

/// One `SELECT` that changes nothing: no `DELETE`, `INSERT` or `UPDATE`, not even in a `WITH`.
fn is_plain_query(statements: &[Statement]) -> bool {
    let [statement @ Statement::Query(_)] = statements else { return false };
    let writes = sqlparser::ast::visit_statements(statement, |s| match s {
        Statement::Query(_) => ControlFlow::Continue(()),
        _ => ControlFlow::Break(()),
    });
    writes.is_continue()
}

fn what(kind: SqlKind) -> &'static str {
    match kind {
        SqlKind::Query => "statement",
        SqlKind::Expression => "expression",
    }
}

fn relations(statements: &[sqlparser::ast::Statement]) -> Vec<String> {
    let mut tables = Vec::new();
    for statement in statements {
        let _ = sqlparser::ast::visit_relations(statement, |name| {
            tables.push(name.to_string());
            ControlFlow::<()>::Continue(())
        });
    }
    tables.sort();
    tables.dedup();
    tables
}

/// Maps "… at Line: L, Column: C" (1-based, relative to the SQL text, with
/// `shift` characters of prefix on line 1) onto the file; falls back to the
/// whole fragment when the message has no position or it lies outside.
pub fn error_span(sql: &str, span: Span, file: &SourceFile, message: &str, shift: usize) -> Span {
    let Some((line, column)) = position(message) else {
        return span;
    };
    let column = if line == 1 { column.saturating_sub(shift) } else { column };
    span_at(sql, span, file, line, column)
}

/// The word at a 1-based line and column of `sql`, whose text is `span` in
/// `file`; the whole span when the position lies outside it.
fn span_at(sql: &str, span: Span, file: &SourceFile, line: usize, column: usize) -> Span {
    let fragment = SourceFile::new("", sql);
    let offset = fragment.offset_of(line, column.max(1));
    let start = span.start as usize + offset;
    // The SQL text may differ from the file text (escapes): only trust positions inside the span.
    if start >= span.end as usize || file.text.get(start..span.end as usize).is_none() {
        return span;
    }
    let word = file.text[start..span.end as usize]
        .find(|c: char| c.is_whitespace() || c == ',' || c == ')')
        .unwrap_or(span.end as usize - start)
        .max(1);
    Span::new(span.file, start, (start + word).min(span.end as usize))
}

fn position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.rfind("Line: ")? + 6..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn maps_parser_positions_into_the_file() {
        let text = "x sql(\"a +\n * b\")";
        let file = SourceFile::new("a.kpi", text);
        let span = Span::new(FileId(0), 7, 15);
        let at = error_span("a +\n * b", span, &file, "Expected: an expression, found: * at Line: 2, Column: 2", 7);
        assert_eq!(&text[at.start as usize..at.end as usize], "*");
        assert_eq!(error_span("a", span, &file, "no position", 0), span);
    }

    #[test]
    fn lists_tables_of_a_query() {
        let mut diagnostics = Vec::new();
        let file = SourceFile::new("a.kpi", "");
        let span = Span::new(FileId(0), 0, 0);
        let sql = "select * from b.t join a.u on t.id = u.id";
        let (_, tables) = check(sql, SqlKind::Query, span, &file, &[Dialect::Postgres], &mut diagnostics);
        assert_eq!(tables, vec!["a.u", "b.t"]);
        assert!(diagnostics.is_empty());
    }
}
