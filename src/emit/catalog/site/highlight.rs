//! `.kpi` text as highlighted, escaped HTML: keywords, strings, numbers,
//! comments and punctuation in `<span class="tok-…">`.

use std::fmt::Write;

use pulldown_cmark_escape::escape_html;

/// The language's keywords (the `kw_` rules of grammar/kpi.pest; a test keeps them in step).
pub const KEYWORDS: [&str; 68] = [
    "project",
    "team",
    "source",
    "kpi",
    "schema",
    "dialects",
    "week_start",
    "time_zone",
    "keep_versions",
    "periods",
    "current",
    "looker",
    "connection",
    "model",
    "dialect",
    "name",
    "email",
    "chat",
    "table",
    "sql",
    "time",
    "key",
    "columns",
    "dimension",
    "dimensions",
    "filter",
    "join",
    "on",
    "validity",
    "to",
    "title",
    "description",
    "owner",
    "tags",
    "link",
    "status",
    "replaced_by",
    "from",
    "value",
    "grain",
    "window",
    "rolling",
    "days",
    "weeks",
    "target",
    "at_least",
    "at_most",
    "between",
    "critical",
    "until",
    "unit",
    "format",
    "version",
    "and",
    "or",
    "not",
    "in",
    "is",
    "null",
    "true",
    "false",
    "case",
    "when",
    "then",
    "else",
    "end",
    "where",
    "at",
];

/// Highlighted HTML of `.kpi` text.
pub fn kpi_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (class, len) = match c {
            '#' => (Some("tok-comment"), rest.find('\n').unwrap_or(rest.len())),
            '"' => (Some("tok-str"), string_len(rest)),
            c if c.is_ascii_digit() => (
                Some("tok-num"),
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '%'))).unwrap_or(rest.len()),
            ),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                let class = if KEYWORDS.contains(&&rest[..len]) { "tok-kw" } else { "tok-ident" };
                (Some(class), len)
            }
            '{' | '}' | '(' | ')' | '[' | ']' | ',' | ':' | '.' => (Some("tok-punct"), 1),
            c => (None, c.len_utf8()),
        };
        let (token, tail) = rest.split_at(len.max(c.len_utf8()));
        match class {
            Some(class) => {
                let _ = write!(out, "<span class=\"{class}\">");
                let _ = escape_html(&mut out, token);
                out.push_str("</span>");
            }
            None => {
                let _ = escape_html(&mut out, token);
            }
        }
        rest = tail;
    }
    out
}

/// The length of the string literal at the start of `text`: `"…"` with
/// backslash escapes, or `"""…"""`; to the end of the text when unclosed.
fn string_len(text: &str) -> usize {
    if let Some(body) = text.strip_prefix("\"\"\"") {
        return body.find("\"\"\"").map_or(text.len(), |end| end + 6);
    }
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return i + 1,
            _ => escaped = false,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::{kpi_text, KEYWORDS};

    #[test]
    fn keywords_are_the_grammars() {
        let grammar = include_str!("../../../../grammar/kpi.pest");
        let mut rules: Vec<&str> = grammar
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("kw_"))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let mut keywords = KEYWORDS.to_vec();
        rules.sort_unstable();
        keywords.sort_unstable();
        assert_eq!(keywords, rules);
    }

    #[test]
    fn tokens_are_classed_and_escaped() {
        assert_eq!(
            kpi_text("kpi a { title \"<b>\" } # x<y"),
            "<span class=\"tok-kw\">kpi</span> <span class=\"tok-ident\">a</span> <span class=\"tok-punct\">{</span> \
             <span class=\"tok-kw\">title</span> <span class=\"tok-str\">&quot;&lt;b&gt;&quot;</span> \
             <span class=\"tok-punct\">}</span> <span class=\"tok-comment\"># x&lt;y</span>"
        );
        assert_eq!(
            kpi_text("\"a\\\"b\" 60%"),
            "<span class=\"tok-str\">&quot;a\\&quot;b&quot;</span> <span class=\"tok-num\">60%</span>"
        );
        assert_eq!(kpi_text("\"\"\"x\"y\"\"\"."), "<span class=\"tok-str\">&quot;&quot;&quot;x&quot;y&quot;&quot;&quot;</span><span class=\"tok-punct\">.</span>");
    }
}
