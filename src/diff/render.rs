//! A diff for people (terminal), machines (JSON) and pull requests (Markdown).

use super::{Change, KpiDiff};

/// How many characters of an unchanged formula are kept around a change.
const CONTEXT: usize = 16;

fn change_text(d: &KpiDiff) -> String {
    match &d.change {
        Change::Added => "added".into(),
        Change::Removed => "removed".into(),
        Change::Renamed { from } => format!("renamed from `{from}`"),
        Change::Breaking => "breaking".into(),
        Change::Compatible => "compatible".into(),
        Change::Target => "new target".into(),
        Change::Cosmetic => "cosmetic".into(),
    }
}

/// Whether a change breaks what readers of the KPI see.
fn is_breaking(d: &KpiDiff) -> bool {
    matches!(d.change, Change::Breaking | Change::Removed | Change::Renamed { .. })
}

fn version_text(d: &KpiDiff) -> String {
    match d.version {
        (Some(a), Some(b)) if a != b => format!("v{a} → v{b}"),
        (Some(a), Some(_)) => format!("v{a} (not bumped)"),
        (None, Some(b)) => format!("v{b}"),
        (Some(a), None) => format!("v{a}"),
        (None, None) => String::new(),
    }
}

/// The part of two formulas that differs, with a little context: the same
/// prefix and suffix are cut to `…`, at word boundaries.
pub fn changed_part(old: &str, new: &str) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let mut prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let limit = a.len().min(b.len()) - prefix;
    let mut suffix = a.iter().rev().zip(b.iter().rev()).take(limit).take_while(|(x, y)| x == y).count();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    // Whole words: a change inside `google` shows `google`, not `oogle`.
    while prefix > 0 && is_word(a[prefix - 1]) {
        prefix -= 1;
    }
    while suffix > 0 && is_word(a[a.len() - suffix]) {
        suffix -= 1;
    }
    // The context starts and ends on word boundaries too.
    let mut keep_before = prefix.saturating_sub(CONTEXT);
    while keep_before > 0 && is_word(a[keep_before - 1]) && is_word(a[keep_before]) {
        keep_before -= 1;
    }
    let mut keep_after = suffix.saturating_sub(CONTEXT);
    while keep_after > 0 && is_word(a[a.len() - keep_after]) && is_word(a[a.len() - keep_after - 1]) {
        keep_after -= 1;
    }
    let cut = |text: &[char]| {
        let head = if keep_before > 0 { "…" } else { "" };
        let tail = if keep_after > 0 { "…" } else { "" };
        let middle: String = text[keep_before..text.len() - keep_after].iter().collect();
        format!("{head}{middle}{tail}")
    };
    (cut(&a), cut(&b))
}

fn details(d: &KpiDiff, code: fn(&str) -> String) -> Vec<String> {
    let mut lines: Vec<String> = d.reasons.clone();
    if d.change == Change::Breaking || d.change == Change::Compatible {
        if let (Some(a), Some(b)) = &d.formula {
            if a != b {
                let (a, b) = changed_part(a, b);
                lines.push(format!("formula: {} → {}", code(&a), code(&b)));
            }
        }
    }
    if let Some((a, b)) = &d.target {
        lines.push(format!("target: {} → {}", a.as_deref().unwrap_or("none"), b.as_deref().unwrap_or("none")));
    }
    if let Some((a, b)) = &d.owner {
        lines.push(format!("owner: {} → {}", a.as_deref().unwrap_or("none"), b.as_deref().unwrap_or("none")));
    }
    lines
}

fn impact_text(d: &KpiDiff) -> String {
    let i = &d.impact;
    if i.kpis.is_empty() && matches!(d.change, Change::Cosmetic | Change::Added) {
        return String::new();
    }
    let kpis = if i.kpis.is_empty() {
        "no downstream KPIs".to_string()
    } else {
        format!("KPIs {}", i.kpis.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
    };
    format!("{kpis}; dashboards: {}", i.dashboards.join(", "))
}

/// Text in backticks, for a terminal.
fn quoted(text: &str) -> String {
    format!("`{text}`")
}

pub fn human(diffs: &[KpiDiff]) -> String {
    if diffs.is_empty() {
        return "no KPI changed\n".into();
    }
    let mut out = String::new();
    for d in diffs {
        out.push_str(&format!("{} — {} {} ({})\n", d.kpi, change_text(d), version_text(d), d.location));
        for line in details(d, quoted) {
            out.push_str(&format!("    {line}\n"));
        }
        let impact = impact_text(d);
        if !impact.is_empty() {
            out.push_str(&format!("    impact: {impact}\n"));
        }
        for line in d.definition.iter().flat_map(|text| text.lines()) {
            out.push_str(&format!("    | {line}\n"));
        }
    }
    out
}

pub fn json(diffs: &[KpiDiff]) -> String {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "kpis": diffs }))
        .expect("JSON values serialize");
    text.push('\n');
    text
}

/// A Markdown code span that holds any text on one line: the fence is
/// longer than any run of backticks in it, and `|` cannot end a table cell.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A diff as a pull-request comment. With `links`, the base URL of the
/// files at the head revision (e.g. `https://github.com/o/r/blob/<sha>`),
/// each KPI links to its declaration.
pub fn markdown(diffs: &[KpiDiff], links: Option<&str>) -> String {
    if diffs.is_empty() {
        return "### kpic: no KPI changed\n".into();
    }
    let breaking = diffs.iter().filter(|d| is_breaking(d)).count();
    let mut out = format!(
        "### kpic: {} KPI(s) changed, {breaking} breaking\n\n| KPI | change | version | what changed | impact |\n|-----|--------|---------|--------------|--------|\n",
        diffs.len()
    );
    for d in diffs {
        let change = if is_breaking(d) { format!("**{}**", change_text(d)) } else { change_text(d) };
        let what = details(d, code_span).join("<br>");
        out.push_str(&format!(
            "| {} | {change} | {} | {what} | {} |\n",
            kpi_cell(d, links),
            version_text(d),
            impact_text(d).replace('|', "\\|")
        ));
    }
    for d in diffs {
        if let Some(text) = &d.definition {
            let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
            out.push_str(&format!(
                "\n<details><summary>Added: <code>{}</code></summary>\n\n{fence}kpi\n{}\n{fence}\n\n</details>\n",
                d.kpi,
                text.trim_end()
            ));
        }
    }
    out
}

/// The KPI's name, linked to `file#Lline` under `links`, else with its `file:line`.
fn kpi_cell(d: &KpiDiff, links: Option<&str>) -> String {
    let (file, line) = d.location.rsplit_once(':').unwrap_or((&d.location, "1"));
    match links {
        Some(base) => {
            let path: String = file.split('/').map(percent_encode).collect::<Vec<_>>().join("/");
            format!("[`{}`]({}/{path}#L{line})", d.kpi, base.trim_end_matches('/'))
        }
        None => format!("`{}`<br>{}", d.kpi, code_span(&d.location)),
    }
}

/// A path segment safe inside a Markdown link target.
fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_part_keeps_whole_words_and_some_context() {
        let (a, b) = changed_part(
            r#"count(signups where (signups.method = "google") and (signups.country = "FR"))"#,
            r#"count(signups where (signups.method = "github") and (signups.country = "FR"))"#,
        );
        assert_eq!(a, r#"…signups.method = "google") and (signups.…"#);
        assert_eq!(b, r#"…signups.method = "github") and (signups.…"#);
        assert_eq!(changed_part("a + b", "a + b + c"), ("a + b".to_string(), "a + b + c".to_string()));
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code_span("a`b|c"), "``a`b\\|c``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }
}
