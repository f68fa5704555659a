//! `<schema>.kpi_scoreboard`: every KPI's latest complete period, per
//! dimension value, with its owning team and contacts, unit, value, target
//! and status — what an alert, a scheduled post or an exec dashboard reads.

use std::fmt::Write as _;

use super::{qualified, versioned_name, SqlDialect};
use crate::model::{Kpi, KpiId, Model, Unit, SCOREBOARD_VIEW};

/// The view's columns, in order (docs/sql.md).
pub const COLUMNS: [&str; 15] = [
    "kpi",
    "version",
    "title",
    "team",
    "team_name",
    "team_chat",
    "team_email",
    "unit",
    "dimensions",
    "period_start",
    "period_end",
    "value",
    "target",
    "status",
    "period_complete",
];

/// The `CREATE VIEW` statement over the versioned views of `kpis`.
pub fn statement(model: &Model, kpis: &[KpiId], d: &dyn SqlDialect) -> String {
    let selects: Vec<String> = crate::parallel::map_in_parallel(kpis, |&id| latest_complete(model, id, d));
    // Megabytes: sized once (`format!` would grow it a doubling at a time).
    let head = ["CREATE OR REPLACE VIEW ", &qualified(model, d, SCOREBOARD_VIEW), " AS\n"].concat();
    let union = "\nUNION ALL\n";
    let mut out = String::with_capacity(head.len() + selects.iter().map(|s| s.len() + union.len()).sum::<usize>());
    out.push_str(&head);
    for (at, select) in selects.iter().enumerate() {
        if at > 0 {
            out.push_str(union);
        }
        out.push_str(select);
    }
    out
}

/// One KPI's rows of its latest complete period, in one pass over its view.
/// Views are dense, so every dimension value has a row in that period.
/// Dimensions are renamed `d0`, `d1`, … inside, so that no user-written
/// name meets `latest`.
fn latest_complete(model: &Model, id: KpiId, d: &dyn SqlDialect) -> String {
    let kpi = model.kpi(id);
    let view = qualified(model, d, &versioned_name(model, id));
    let q = |name: &str| d.quote_ident(name);
    // Every column cast, so that its type never changes with the KPIs and a redeploy can replace the view.
    let cast = |sql: String| format!("CAST({sql} AS {})", d.string_type());
    let text = |value: Option<&str>| cast(value.map_or_else(|| "NULL".into(), |v| d.string_literal(v)));
    let team = kpi.owner.map(|t| model.team(t));
    let values = [
        text(Some(&kpi.name.text)),
        format!("CAST({} AS {})", kpi.version, d.integer_type()),
        text(Some(&kpi.title)),
        text(team.map(|t| t.name.text.as_str())),
        text(team.map(|t| t.display_name.as_str())),
        text(team.and_then(|t| t.chat.as_deref())),
        text(team.and_then(|t| t.email.as_deref())),
        text(Some(&unit_text(kpi))),
        cast(dimensions(kpi, d)),
        q("period_start"),
        q("period_end"),
        q("value"),
        q("target"),
        q("status"),
        q("period_complete"),
    ];
    // Written into one string: this runs for every KPI in every dialect.
    let mut out = String::from("SELECT ");
    for (at, (value, column)) in values.iter().zip(COLUMNS).enumerate() {
        let comma = if at == 0 { "" } else { ", " };
        let _ = write!(out, "{comma}{value} AS {}", q(column));
    }
    out.push_str("\nFROM (SELECT ");
    for (at, column) in
        ["period_start", "period_end", "value", "target", "status", "period_complete"].iter().enumerate()
    {
        let comma = if at == 0 { "" } else { ", " };
        let _ = write!(out, "{comma}{}", q(column));
    }
    for (i, name) in kpi.dimensions.iter().enumerate() {
        let _ = write!(out, ", {} AS {}", q(&name.text), q(&format!("d{i}")));
    }
    let _ = write!(
        out,
        ", MAX({}) OVER () AS {} FROM {view} WHERE {}) AS {}\nWHERE {} = {}",
        q("period_start"),
        q("latest"),
        q("period_complete"),
        q("v"),
        q("period_start"),
        q("latest"),
    );
    out
}

/// `country=DE, plan=pro` (a NULL value as `(null)`); NULL for a KPI without dimensions.
fn dimensions(kpi: &Kpi, d: &dyn SqlDialect) -> String {
    if kpi.dimensions.is_empty() {
        return "NULL".into();
    }
    let parts: Vec<String> = kpi
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, dimension)| {
            let value = format!("CAST({} AS {})", d.quote_ident(&format!("d{i}")), d.string_type());
            format!("{} || COALESCE({value}, '(null)')", d.string_literal(&format!("{}=", dimension.text)))
        })
        .collect();
    format!("({})", parts.join(" || ', ' || "))
}

/// The unit as text: `count`, `percent`, `currency EUR`, `duration hours`.
fn unit_text(kpi: &Kpi) -> String {
    match &kpi.unit {
        Unit::Count => "count".into(),
        Unit::Number => "number".into(),
        Unit::Percent => "percent".into(),
        Unit::Ratio => "ratio".into(),
        Unit::Currency { code } => format!("currency {code}"),
        Unit::Duration { unit } => format!("duration {}", format!("{unit:?}").to_lowercase()),
    }
}
