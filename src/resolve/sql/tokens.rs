//! Raw SQL as one dialect's tokenizer reads it, reduced to tokens that the
//! emitters print back themselves: comments become blank space and every
//! string and quoted name is re-quoted by the dialect's own rules. What the
//! warehouse runs is then exactly what sqlparser checked, whatever the
//! engine's tokenizer does with comments, nesting or backslashes.

use sqlparser::dialect::{DatabricksDialect, PostgreSqlDialect, RedshiftSqlDialect};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::model::SqlToken;
use crate::source::is_forbidden_char;

/// Why a fragment cannot be printed back safely, at a 1-based line and column of the fragment.
#[derive(Debug)]
pub struct Rejected {
    /// What is wrong, as a phrase.
    pub message: String,
    pub line: u64,
    pub column: u64,
}

/// The tokens of `sql` for one dialect, leading and trailing blanks and
/// trailing `;` removed.
pub fn tokens(sql: &str, dialect: &dyn sqlparser::dialect::Dialect) -> Result<Vec<SqlToken>, Rejected> {
    let read = |unescape| {
        Tokenizer::new(dialect, sql).with_unescape(unescape).tokenize_with_location().map_err(|e| Rejected {
            message: e.message,
            line: e.location.line,
            column: e.location.column,
        })
    };
    let (read, raw) = (read(true)?, read(false)?);
    if read.len() != raw.len() {
        return Err(Rejected { message: "its escapes change how it reads".into(), line: 1, column: 1 });
    }
    let backslashes = dialect.supports_string_literal_backslash_escape();
    let mut out = Vec::with_capacity(read.len());
    for (TokenWithSpan { token, span }, written) in read.into_iter().zip(raw) {
        let at = |message: String| Rejected { message, line: span.start.line, column: span.start.column };
        known_escapes(&written.token, backslashes).map_err(at)?;
        let token = match token {
            Token::EOF => continue,
            Token::Whitespace(Whitespace::Newline | Whitespace::SingleLineComment { .. }) => SqlToken::Newline,
            Token::Whitespace(_) => SqlToken::Space,
            Token::Word(word) if word.quote_style.is_none() => verbatim(word.value).map_err(at)?,
            Token::Word(word) => SqlToken::Ident(plain_text(word.value, "a quoted name").map_err(at)?),
            // Spark and BigQuery read `"x"` as a string; every other dialect as a name.
            Token::DoubleQuotedString(text) => {
                return Err(at(format!(
                "\"{text}\" is a string in Databricks and BigQuery, a name in the other dialects: write names unquoted"
            )))
            }
            Token::SingleQuotedString(text)
            | Token::TripleSingleQuotedString(text)
            | Token::TripleDoubleQuotedString(text)
            | Token::EscapedStringLiteral(text) => SqlToken::String(plain_text(text, "a string").map_err(at)?),
            Token::DollarQuotedString(quoted) => SqlToken::String(plain_text(quoted.value, "a string").map_err(at)?),
            Token::Char(c) => return Err(at(format!("unexpected character {c:?}"))),
            Token::Placeholder(p) => return Err(at(format!("placeholder `{p}`: a view has no parameters"))),
            // Engines split operators where sqlparser does not (PostgreSQL at `--` and `/*`).
            Token::CustomBinaryOperator(op) => return Err(at(format!("operator `{op}`, which kpic does not know"))),
            // psql reads a backslash outside quotes as a command of its own.
            Token::Backslash => return Err(at("a backslash outside a string".into())),
            Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedByteStringLiteral(_)
            | Token::TripleDoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::TripleSingleQuotedRawStringLiteral(_)
            | Token::TripleDoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::QuoteDelimitedStringLiteral(_)
            | Token::NationalQuoteDelimitedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_) => {
                return Err(at("kpic prints raw SQL back and supports only plain '…' strings here".into()))
            }
            // Digit separators (`1_000`) are read by sqlparser, not by every engine.
            Token::Number(digits, long) => {
                verbatim(format!("{}{}", digits.replace('_', ""), if long { "L" } else { "" })).map_err(at)?
            }
            other => verbatim(other.to_string()).map_err(at)?,
        };
        out.push(token);
    }
    trim(&mut out);
    separate_glued(&mut out, dialect.is::<PostgreSqlDialect>() || dialect.is::<RedshiftSqlDialect>());
    if dialect.is::<DatabricksDialect>()
        && out.iter().any(|t| matches!(t, SqlToken::Ident(n) | SqlToken::Verbatim(n) if n.contains("${")))
    {
        return Err(Rejected {
            message: "`${` in a name: Spark substitutes variables there".into(),
            line: 1,
            column: 1,
        });
    }
    if semicolon_inside(&out) {
        return Err(Rejected { message: "a `;` inside the SQL".into(), line: 1, column: 1 });
    }
    Ok(out)
}

/// A token printed as written, unless an engine could read part of it as a
/// comment, a quote or an escape (Redshift's sqlparser reads `#--` as a name,
/// Redshift a `#` and a comment).
fn verbatim(text: String) -> Result<SqlToken, String> {
    const UNSAFE: [&str; 7] = ["--", "/*", "*/", "'", "\"", "`", "\\"];
    match UNSAFE.iter().find(|u| text.contains(*u)) {
        Some(_) => Err(format!("`{text}`, which warehouses may read otherwise")),
        None => Ok(SqlToken::Verbatim(text)),
    }
}

/// A string that reads backslash escapes (any `E'…'`; any string in a
/// dialect that reads them) may use only those that every tokenizer reads
/// alike: `\\ \' \" \n \t`.
fn known_escapes(written: &Token, backslashes: bool) -> Result<(), String> {
    let text = match written {
        Token::EscapedStringLiteral(text) => text,
        Token::SingleQuotedString(text) | Token::DoubleQuotedString(text) if backslashes => text,
        _ => return Ok(()),
    };
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\' | '\'' | '"' | 'n' | 't') => {}
                other => {
                    let escape = other.map_or("\\".to_string(), |o| format!("\\{o}"));
                    return Err(format!("the escape `{escape}` in a string: kpic knows \\\\ \\' \\\" \\n and \\t"));
                }
            }
        }
    }
    Ok(())
}

fn plain_text(text: String, what: &str) -> Result<String, String> {
    match text.chars().find(|&c| is_forbidden_char(c)) {
        Some(c) => Err(format!("{what} holds the control character {c:?}")),
        None => Ok(text),
    }
}

/// Puts a blank between two tokens that an engine or its client would read
/// as one thing where sqlparser read two: tokens printing as `--`, `/*` or
/// `*/` (`#-` then `-`: a comment), a number and a word (`1and`: PostgreSQL's
/// "trailing junk"), and — for psql, which deploys to PostgreSQL and
/// Redshift — `:` and a name (`:PORT` is a psql variable).
fn separate_glued(tokens: &mut Vec<SqlToken>, psql: bool) {
    let mut out: Vec<SqlToken> = Vec::with_capacity(tokens.len());
    for token in tokens.drain(..) {
        let glued = match (out.last(), &token) {
            (Some(SqlToken::Verbatim(before)), SqlToken::Verbatim(after)) => {
                let junction: String = before.chars().last().into_iter().chain(after.chars().next()).collect();
                let number_then_word = before.starts_with(|c: char| c.is_ascii_digit())
                    && after.starts_with(|c: char| c.is_alphabetic() || c == '_');
                ["--", "/*", "*/"].contains(&junction.as_str()) || number_then_word || (psql && before == ":")
            }
            (Some(SqlToken::Verbatim(before)), SqlToken::Ident(_) | SqlToken::String(_)) => psql && before == ":",
            _ => false,
        };
        if glued {
            out.push(SqlToken::Space);
        }
        out.push(token);
    }
    *tokens = out;
}

/// A `;` anywhere but at the end ends the statement: everything after it
/// would run on its own.
fn semicolon_inside(tokens: &[SqlToken]) -> bool {
    tokens.contains(&semicolon())
}

fn trim(tokens: &mut Vec<SqlToken>) {
    let blank_or_semicolon = |t: &SqlToken| matches!(t, SqlToken::Space | SqlToken::Newline) || *t == semicolon();
    while tokens.last().is_some_and(blank_or_semicolon) {
        tokens.pop();
    }
    let leading = tokens.iter().take_while(|t| matches!(t, SqlToken::Space | SqlToken::Newline)).count();
    tokens.drain(..leading);
}

fn semicolon() -> SqlToken {
    SqlToken::Verbatim(";".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::{DuckDbDialect, PostgreSqlDialect, SnowflakeDialect};

    fn read(sql: &str, dialect: &dyn sqlparser::dialect::Dialect) -> Vec<SqlToken> {
        tokens(sql, dialect).unwrap()
    }

    #[test]
    fn comments_become_blanks() {
        let t = read("a -- x\r) ; drop\n+ /* y */ b", &DuckDbDialect {});
        assert!(!t.iter().any(|t| matches!(t, SqlToken::Verbatim(v) if v.contains("drop"))), "{t:?}");
        assert_eq!(t.first(), Some(&SqlToken::Verbatim("a".into())));
        assert_eq!(t.last(), Some(&SqlToken::Verbatim("b".into())));
    }

    #[test]
    fn strings_keep_their_value() {
        assert_eq!(read("'a''b'", &PostgreSqlDialect {}), vec![SqlToken::String("a'b".into())]);
        assert_eq!(read(r"'a\'b'", &SnowflakeDialect {}), vec![SqlToken::String("a'b".into())]);
        assert_eq!(read("\"x\"\"y\"", &PostgreSqlDialect {}), vec![SqlToken::Ident("x\"y".into())]);
    }

    #[test]
    fn trailing_semicolons_and_blanks_go() {
        assert_eq!(read("  select 1 ;\n", &PostgreSqlDialect {}).len(), 3);
    }

    #[test]
    fn glued_tokens_are_printed_apart() {
        let pg = read("a[1:PORT] > 1and 1_000", &PostgreSqlDialect {});
        assert!(pg.contains(&SqlToken::Verbatim("1000".into())), "{pg:?}");
        let colon = pg.iter().position(|t| *t == SqlToken::Verbatim(":".into())).unwrap();
        assert_eq!(pg[colon + 1], SqlToken::Space);
        assert!(tokens("`${env:X}` = 1", &DatabricksDialect {}).is_err());
    }

    #[test]
    fn odd_literals_and_control_characters_are_refused() {
        assert!(tokens("X'00'", &PostgreSqlDialect {}).is_err());
        assert!(tokens("'a\u{0}b'", &PostgreSqlDialect {}).is_err());
        assert!(tokens("$1", &PostgreSqlDialect {}).is_err());
    }

    #[test]
    fn what_engines_read_otherwise_is_refused() {
        // PostgreSQL reads `>--` as `>` and a comment; sqlparser as one operator.
        assert!(tokens("a >--'\n2", &PostgreSqlDialect {}).is_err());
        // psql runs `\!` as a shell command.
        assert!(tokens("a \\! ls", &PostgreSqlDialect {}).is_err());
        assert!(tokens("select 1; select 2", &PostgreSqlDialect {}).is_err());
        // sqlparser reads `\x41` as `x41`, Snowflake as `A`.
        assert!(tokens(r"'\x41'", &SnowflakeDialect {}).is_err());
        assert_eq!(read(r"'a\\b\'c'", &SnowflakeDialect {}), vec![SqlToken::String("a\\b'c".into())]);
    }
}
