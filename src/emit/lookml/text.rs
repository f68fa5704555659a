//! Text from `.kpi` files inside LookML and dashboard YAML: always a quoted
//! string, on one line, with nothing Looker would evaluate.

use crate::model::{Kpi, Lifecycle};

/// `"…"` for LookML: quotes and backslashes escaped, line breaks as blanks,
/// Liquid (`{{`, `{%`) and substitutions (`${`) broken apart.
pub fn lkml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in inert(text).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `"…"` for YAML (a JSON string, which YAML reads alike), inert as [`lkml_string`].
pub fn yaml_string(text: &str) -> String {
    serde_json::to_string(&inert(text)).expect("a string serializes")
}

/// One line, at most `MAX` characters, with `{{`, `{%` and `${` spelled apart.
fn inert(text: &str) -> String {
    const MAX: usize = 1000;
    let breaks_line = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    let mut out = String::with_capacity(text.len());
    for c in text.chars().take(MAX) {
        let c = if breaks_line(c) { ' ' } else { c };
        if matches!(c, '{' | '%') && out.ends_with(['{', '$']) {
            out.push(' ');
        }
        out.push(c);
    }
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// A KPI's description as plain text, led by a deprecation note.
pub fn kpi_description(kpi: &Kpi) -> String {
    let description = kpi.description.as_deref().map(plain_text).unwrap_or_default();
    match &kpi.lifecycle {
        Lifecycle::Deprecated { replaced_by } => {
            let instead = replaced_by.as_ref().map_or_else(String::new, |r| format!("; use {r} instead"));
            format!("Deprecated{instead}. {description}").trim().to_string()
        }
        _ => description,
    }
}

/// A description as plain text: Markdown emphasis, code marks, headings and
/// links reduced to their words, on one line.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines().map(str::trim) {
        let line = line.trim_start_matches('#').trim_start_matches(['-', '*', '>']).trim();
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&unlink(line));
    }
    out.replace("**", "").replace('`', "")
}

/// `[words](url)` → `words`.
fn unlink(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else { break };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_stay_strings() {
        assert_eq!(lkml_string("a \"b\" \\ ;; }"), r#""a \"b\" \\ ;; }""#);
        assert_eq!(lkml_string("x\ny"), "\"x y\"");
        assert_eq!(
            lkml_string("{{ _user_attributes['a'] }} {% if %} ${TABLE}"),
            "\"{ { _user_attributes['a'] }} { % if %} $ {TABLE}\""
        );
        assert_eq!(yaml_string("a: \"b\"\n- c {{x}}"), r#""a: \"b\" - c { {x}}""#);
    }

    #[test]
    fn markdown_becomes_plain_text() {
        assert_eq!(
            plain_text("# Title\n\nCounts **paid** sign-ups; see [the runbook](https://x.y/z).\n- `internal` excluded"),
            "Title Counts paid sign-ups; see the runbook. internal excluded"
        );
    }
}
