//! `<schema>.kpi_scoreboard`: every KPI's latest complete period, per
//! dimension value, with its owning team and contacts, unit, value, target
//! and status — what an alert, a scheduled post or an exec dashboard reads.

use super::{qualified, versioned_name, SqlDialect};
use crate::emit::push_all;
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

/// How many of [`COLUMNS`] each KPI's select casts (the rest are its view's own).
const CAST: usize = 9;

/// The `CREATE VIEW` statement over the versioned views of `kpis`.
pub fn statement(model: &Model, kpis: &[KpiId], d: &dyn SqlDialect) -> String {
    let names = Names::new(d, kpis.iter().map(|&id| model.kpi(id).dimensions.len()).max().unwrap_or(0));
    let selects: Vec<String> = crate::parallel::map_in_parallel(kpis, |&id| latest_complete(model, id, d, &names));
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

/// The text every KPI's select shares, quoted once per dialect (the
/// statement has a select per KPI).
struct Names {
    /// ` AS <column>` for each of the first [`CAST`] of [`COLUMNS`].
    aliases: Vec<String>,
    /// The rest of [`COLUMNS`], the view's own, each `, <column> AS <column>`.
    kept: String,
    /// The columns read from each view, quoted and comma-separated.
    read: String,
    /// `d0`, `d1`, …: the inner names of the dimensions, quoted.
    dimensions: Vec<String>,
    /// From the window over the view up to the view's name.
    latest: String,
    /// After the view's name, to the end of the select.
    end: String,
}

impl Names {
    fn new(d: &dyn SqlDialect, most_dimensions: usize) -> Names {
        let q = |name: &str| d.quote_ident(name);
        let (cast, kept) = COLUMNS.split_at(CAST);
        Names {
            aliases: cast.iter().map(|column| format!(" AS {}", q(column))).collect(),
            kept: kept.iter().map(|column| format!(", {} AS {}", q(column), q(column))).collect(),
            read: kept.iter().map(|column| q(column)).collect::<Vec<_>>().join(", "),
            dimensions: (0..most_dimensions).map(|i| q(&format!("d{i}"))).collect(),
            latest: format!(", MAX({}) OVER () AS {} FROM ", q("period_start"), q("latest")),
            end: format!(
                " WHERE {}) AS {}\nWHERE {} = {}",
                q("period_complete"),
                q("v"),
                q("period_start"),
                q("latest")
            ),
        }
    }
}

/// One KPI's rows of its latest complete period, in one pass over its view.
/// Views are dense, so every dimension value has a row in that period.
/// Dimensions are renamed `d0`, `d1`, … inside, so that no user-written
/// name meets `latest`.
fn latest_complete(model: &Model, id: KpiId, d: &dyn SqlDialect, names: &Names) -> String {
    let kpi = model.kpi(id);
    let view = qualified(model, d, &versioned_name(model, id));
    let team = kpi.owner.map(|t| model.team(t));
    // Every column cast, so that its type never changes with the KPIs and a redeploy can replace the view.
    let text = |value: Option<&str>| value.map_or_else(|| "NULL".into(), |v| d.string_literal(v));
    let casts: [_; CAST] = [
        (text(Some(&kpi.name.text)), d.string_type()),
        (kpi.version.to_string(), d.integer_type()),
        (text(Some(&kpi.title)), d.string_type()),
        (text(team.map(|t| t.name.text.as_str())), d.string_type()),
        (text(team.map(|t| t.display_name.as_str())), d.string_type()),
        (text(team.and_then(|t| t.chat.as_deref())), d.string_type()),
        (text(team.and_then(|t| t.email.as_deref())), d.string_type()),
        (text(Some(&unit_text(kpi))), d.string_type()),
        (dimensions(kpi, d, names), d.string_type()),
    ];
    // Written into one string: this runs for every KPI in every dialect.
    let mut out = String::with_capacity(
        1024 + view.len() + casts.iter().map(|(value, _)| value.len()).sum::<usize>() + 64 * kpi.dimensions.len(),
    );
    out.push_str("SELECT ");
    for (at, ((value, ty), alias)) in casts.iter().zip(&names.aliases).enumerate() {
        if at > 0 {
            out.push_str(", ");
        }
        push_all(&mut out, &["CAST(", value, " AS ", ty, ")", alias]);
    }
    out.push_str(&names.kept);
    out.push_str("\nFROM (SELECT ");
    out.push_str(&names.read);
    for (name, inner) in kpi.dimensions.iter().zip(&names.dimensions) {
        push_all(&mut out, &[", ", &d.quote_ident(&name.text), " AS ", inner]);
    }
    push_all(&mut out, &[&names.latest, &view, &names.end]);
    out
}

/// `country=DE, plan=pro` (a NULL value as `(null)`); NULL for a KPI without dimensions.
fn dimensions(kpi: &Kpi, d: &dyn SqlDialect, names: &Names) -> String {
    if kpi.dimensions.is_empty() {
        return "NULL".into();
    }
    let parts: Vec<String> = kpi
        .dimensions
        .iter()
        .zip(&names.dimensions)
        .map(|(dimension, inner)| {
            let value = format!("CAST({inner} AS {})", d.string_type());
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
