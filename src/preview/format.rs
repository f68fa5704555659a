//! Preview tables for people: value in the KPI's unit, target, status.

use super::Preview;
use crate::model::{DurationUnit, Model, Unit};

/// A readable table per KPI; status coloured when `color`.
pub fn render(model: &Model, previews: &[Preview], color: bool) -> String {
    let mut out = String::new();
    for preview in previews {
        let kpi = model.kpi(preview.kpi);
        out.push_str(&format!("{} — {} (v{}, per {})\n", kpi.name, kpi.title, kpi.version, kpi.grain.name()));
        let mut header: Vec<String> = vec!["period".into()];
        header.extend(kpi.dimensions.iter().map(|d| d.text.clone()));
        header.extend(["value".into(), "target".into(), "status".into()]);
        let mut rows: Vec<Vec<String>> = vec![header];
        for row in &preview.rows {
            let mut cells = vec![row.period_start.clone()];
            cells.extend(row.dimensions.iter().map(|d| d.clone().unwrap_or_else(|| "∅".into())));
            cells.push(row.value.map_or_else(|| "—".into(), |v| number(v, &kpi.unit)));
            cells.push(row.target.map_or_else(|| "".into(), |v| number(v, &kpi.unit)));
            cells.push(row.status.clone().unwrap_or_default());
            rows.push(cells);
        }
        if preview.rows.is_empty() {
            out.push_str("  (no rows: the sample data has none for this KPI)\n\n");
            continue;
        }
        out.push_str(&table(&rows, color));
        out.push('\n');
    }
    out
}

fn table(rows: &[Vec<String>], color: bool) -> String {
    let columns = rows[0].len();
    let widths: Vec<usize> =
        (0..columns).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (index, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let padded = format!("{cell:<width$}", width = widths[c]);
                if color && c == columns - 1 {
                    paint(&padded, cell)
                } else {
                    padded
                }
            })
            .collect();
        out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        if index == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            out.push_str(&format!("  {}\n", rule.join("  ")));
        }
    }
    out
}

fn paint(padded: &str, status: &str) -> String {
    let code = match status {
        "on_track" => "32",
        "at_risk" => "33",
        "off_track" => "31",
        _ => return padded.to_string(),
    };
    format!("\x1b[{code}m{padded}\x1b[0m")
}

/// A value in its unit: `25.0%`, `1234.50 EUR`, `3.2 h`, `42`.
pub fn number(value: f64, unit: &Unit) -> String {
    match unit {
        Unit::Percent => format!("{:.1}%", value * 100.0),
        Unit::Currency { code } => format!("{value:.2} {code}"),
        Unit::Count => format!("{value:.0}"),
        Unit::Ratio => format!("{value:.4}"),
        Unit::Duration { unit } => {
            let suffix = match unit {
                DurationUnit::Millisecond => "ms",
                DurationUnit::Second => "s",
                DurationUnit::Minute => "min",
                DurationUnit::Hour => "h",
                DurationUnit::Day | DurationUnit::Week => "d",
            };
            format!("{value:.1} {suffix}")
        }
        Unit::Number if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.0}"),
        Unit::Number => format!("{value:.3}"),
    }
}
