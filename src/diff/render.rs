//! A diff for people (terminal), machines (JSON) and pull requests (Markdown).

use super::{Change, KpiDiff};

fn change_text(d: &KpiDiff) -> String {
    match &d.change {
        Change::Added => "added".into(),
        Change::Removed => "removed".into(),
        Change::Renamed { from } => format!("renamed from `{from}`"),
        Change::Breaking => "breaking".into(),
        Change::Compatible => "compatible".into(),
        Change::Cosmetic => "cosmetic".into(),
    }
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

fn details(d: &KpiDiff) -> Vec<String> {
    let mut lines: Vec<String> = d.reasons.clone();
    if d.change == Change::Breaking || d.change == Change::Compatible {
        if let (Some(a), Some(b)) = &d.formula {
            if a != b {
                lines.push(format!("formula: `{a}` → `{b}`"));
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

pub fn human(diffs: &[KpiDiff]) -> String {
    if diffs.is_empty() {
        return "no KPI changed\n".into();
    }
    let mut out = String::new();
    for d in diffs {
        out.push_str(&format!("{} — {} {}\n", d.kpi, change_text(d), version_text(d)));
        for line in details(d) {
            out.push_str(&format!("    {line}\n"));
        }
        let impact = impact_text(d);
        if !impact.is_empty() {
            out.push_str(&format!("    impact: {impact}\n"));
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

pub fn markdown(diffs: &[KpiDiff]) -> String {
    if diffs.is_empty() {
        return "### kpic: no KPI changed\n".into();
    }
    let breaking = diffs
        .iter()
        .filter(|d| matches!(d.change, Change::Breaking | Change::Removed | Change::Renamed { .. }))
        .count();
    let mut out = format!("### kpic: {} KPI(s) changed, {breaking} breaking\n\n| KPI | change | version | what changed | impact |\n|-----|--------|---------|--------------|--------|\n", diffs.len());
    for d in diffs {
        let change = match d.change {
            Change::Breaking | Change::Removed | Change::Renamed { .. } => format!("**{}**", change_text(d)),
            _ => change_text(d),
        };
        let what = details(d).join("<br>").replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {change} | {} | {what} | {} |\n",
            d.kpi,
            version_text(d),
            impact_text(d).replace('|', "\\|")
        ));
    }
    out
}
