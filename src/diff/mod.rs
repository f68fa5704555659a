//! What a change does to the KPIs: compares a base project with the head
//! project — added, removed, renamed, changed in computation (breaking or
//! compatible), given a new target, changed only cosmetically — with version
//! bumps, targets and owners, where each KPI is declared, and the downstream
//! KPIs, teams and team dashboards affected.

mod base;
mod render;

pub use base::{base_from_dir, base_from_git};
pub use render::{human, json, markdown};

use std::collections::BTreeMap;

use crate::graph::Node;
use crate::lock::Fingerprint;
use crate::model::{expr_text, Goal, Kpi, KpiId, Model, Threshold};
use crate::Checked;

/// How a KPI's computation changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Renamed {
        from: String,
    },
    /// The numbers change for existing readers.
    Breaking,
    /// Existing numbers stay; something was added (a dimension).
    Compatible,
    /// The same numbers, held to another target: statuses change.
    Target,
    /// Title, description, tags, owner, unit or format only.
    Cosmetic,
}

/// Who and what a change reaches downstream.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Impact {
    pub kpis: Vec<String>,
    pub teams: Vec<String>,
    pub dashboards: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KpiDiff {
    pub kpi: String,
    pub change: Change,
    pub reasons: Vec<String>,
    pub version: (Option<u32>, Option<u32>),
    pub formula: (Option<String>, Option<String>),
    pub target: Option<(Option<String>, Option<String>)>,
    pub owner: Option<(Option<String>, Option<String>)>,
    pub impact: Impact,
    /// `file:line` of the declaration (in the head project; in the base for a removed KPI).
    pub location: String,
    /// The whole declaration of an added KPI, as written.
    pub definition: Option<String>,
}

/// Every KPI that differs between `base` and `head`, sorted by id.
pub fn diff(base: &Checked, head: &Checked) -> Vec<KpiDiff> {
    let (old, new) = (Side::new(base), Side::new(head));
    let mut out = Vec::new();
    let mut renamed_from = Vec::new();
    for (name, &id) in &new.ids {
        let kpi = head.model.kpi(id);
        match old.ids.get(name) {
            Some(&old_id) => out.extend(changed(&old, old_id, &new, id)),
            None => {
                let renamed = old.ids.iter().find(|(old_name, old_id)| {
                    !new.ids.contains_key(*old_name)
                        && old.prints.get(old_id).map(|p| &p.fingerprint) == new.prints.get(&id).map(|p| &p.fingerprint)
                });
                let mut diff = match renamed {
                    Some((from, &old_id)) => {
                        renamed_from.push(from.clone());
                        let old_side = Some((base.model.kpi(old_id), base));
                        let mut diff = entry(name, Change::Renamed { from: from.clone() }, old_side, Some((kpi, head)));
                        diff.reasons.push(format!("views under the old name `{from}` disappear"));
                        diff
                    }
                    None => {
                        let mut diff = entry(name, Change::Added, None, Some((kpi, head)));
                        diff.definition = Some(kpi.written.text.clone());
                        diff
                    }
                };
                diff.impact = impact(head, id);
                out.push(diff);
            }
        }
    }
    for (name, &id) in &old.ids {
        if !new.ids.contains_key(name) && !renamed_from.contains(name) {
            let mut diff = entry(name, Change::Removed, Some((base.model.kpi(id), base)), None);
            diff.impact = impact(base, id);
            out.push(diff);
        }
    }
    out.sort_by(|a, b| a.kpi.cmp(&b.kpi));
    out
}

/// One side of a diff: KPIs by name and their fingerprints.
struct Side<'a> {
    checked: &'a Checked,
    ids: BTreeMap<String, KpiId>,
    prints: &'a crate::Fingerprints,
}

impl<'a> Side<'a> {
    fn new(checked: &'a Checked) -> Side<'a> {
        let ids = checked.model.kpi_ids().map(|id| (checked.model.kpi(id).name.text.clone(), id)).collect();
        Side { checked, ids, prints: &checked.prints }
    }
}

fn changed(old: &Side, old_id: KpiId, new: &Side, new_id: KpiId) -> Option<KpiDiff> {
    let (a, b) = (old.checked.model.kpi(old_id), new.checked.model.kpi(new_id));
    let (pa, pb) = (old.prints.get(&old_id)?, new.prints.get(&new_id)?);
    let target = (target_text(a) != target_text(b)).then(|| (target_text(a), target_text(b)));
    let owner_name = |k: &Kpi, m: &Model| k.owner.map(|t| m.team(t).name.text.clone());
    let owner = (owner_name(a, &old.checked.model) != owner_name(b, &new.checked.model))
        .then(|| (owner_name(a, &old.checked.model), owner_name(b, &new.checked.model)));
    let cosmetic: Vec<String> = [
        ("title", a.title != b.title),
        ("description", a.description != b.description),
        ("tags", a.tags != b.tags),
        ("unit", a.unit != b.unit),
        ("format", a.format != b.format),
        ("status", a.lifecycle != b.lifecycle),
        ("links", a.links != b.links),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(what, _)| format!("{what} changed"))
    .collect();
    let (change, reasons) = if pa.fingerprint != pb.fingerprint {
        classify(old, a, pa, new, b, pb)
    } else if target.is_some() {
        (Change::Target, cosmetic)
    } else if !cosmetic.is_empty() || owner.is_some() || a.version != b.version {
        (Change::Cosmetic, cosmetic)
    } else {
        return None;
    };
    let mut diff = entry(&b.name.text, change, Some((a, old.checked)), Some((b, new.checked)));
    diff.reasons = reasons;
    diff.impact = impact(new.checked, new_id);
    diff.target = target;
    diff.owner = owner;
    Some(diff)
}

/// Breaking unless the only change is added dimensions.
fn classify(old: &Side, a: &Kpi, pa: &Fingerprint, new: &Side, b: &Kpi, pb: &Fingerprint) -> (Change, Vec<String>) {
    let changed = pa.parts.changed_from(&pb.parts);
    let part = |name: &str| changed.contains(&name);
    let mut reasons = Vec::new();
    let mut breaking = false;
    let names = |k: &Kpi| k.dimensions.iter().map(|d| d.text.clone()).collect::<Vec<_>>();
    let (da, db) = (names(a), names(b));
    for removed in da.iter().filter(|d| !db.contains(d)) {
        reasons.push(format!("dimension `{removed}` removed"));
        breaking = true;
    }
    for added in db.iter().filter(|d| !da.contains(d)) {
        reasons.push(format!("dimension `{added}` added"));
    }
    if part("dimensions") && reasons.is_empty() {
        reasons.push("dimension definitions changed".into());
        breaking = true;
    }
    if part("value") {
        breaking = true;
        reasons.extend(value_reasons(&old.checked.model, a, &new.checked.model, b));
    }
    for (name, reason) in [
        ("time", "grain or window changed".to_string()),
        ("sources", "source rows changed (table, query, filters or joins)".to_string()),
        ("upstream", upstream_reason(old, new, b)),
        ("settings", "week start or time zone changed".to_string()),
    ] {
        if part(name) {
            breaking = true;
            reasons.push(reason);
        }
    }
    (if breaking { Change::Breaking } else { Change::Compatible }, reasons)
}

/// "upstream `x` changed" for the KPIs `kpi` reads whose computation changed.
fn upstream_reason(old: &Side, new: &Side, kpi: &Kpi) -> String {
    let changed: Vec<String> = kpi
        .upstream_kpis()
        .into_iter()
        .filter(|u| {
            let name = &new.checked.model.kpi(*u).name.text;
            let before = old.ids.get(name).and_then(|id| old.prints.get(id)).map(|p| &p.fingerprint);
            before != new.prints.get(u).map(|p| &p.fingerprint)
        })
        .map(|u| format!("`{}`", new.checked.model.kpi(u).name))
        .collect();
    if changed.is_empty() {
        "the KPIs it reads changed".to_string()
    } else {
        format!("upstream {} changed", changed.join(", "))
    }
}

/// What changed in a formula: its aggregations, its filters, its denominator.
fn value_reasons(ma: &Model, a: &Kpi, mb: &Model, b: &Kpi) -> Vec<String> {
    let funcs = |k: &Kpi| k.aggregates().iter().map(|g| g.func.name()).collect::<Vec<_>>();
    let filters = |m: &Model, k: &Kpi| {
        k.aggregates()
            .iter()
            .map(|g| {
                g.kpi_filters.iter().chain(&g.condition).map(|f| expr_text(m, Some(g.source), f)).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let denominator = |m: &Model, k: &Kpi| k.ratio().map(|(_, d)| expr_text(m, None, d));
    let mut reasons = Vec::new();
    if funcs(a) != funcs(b) {
        reasons.push("aggregation changed".to_string());
    }
    if filters(ma, a) != filters(mb, b) {
        reasons.push("filter widened or narrowed".to_string());
    }
    if denominator(ma, a) != denominator(mb, b) {
        reasons.push("denominator changed".to_string());
    }
    if reasons.is_empty() {
        reasons.push("formula changed".to_string());
    }
    reasons
}

/// The target as written: `at least 4%, critical 3%`.
fn target_text(kpi: &Kpi) -> Option<String> {
    let target = kpi.target.as_ref()?;
    let written = |t: &Threshold| kpi.written.excerpt(t.span).map_or_else(|| t.number.text.clone(), str::to_string);
    let goal = match &target.goal {
        Goal::AtLeast(t) => format!("at least {}", written(t)),
        Goal::AtMost(t) => format!("at most {}", written(t)),
        Goal::Between(l, h) => format!("between {} and {}", written(l), written(h)),
    };
    let critical: Vec<String> = target.critical.iter().map(written).collect();
    Some(if critical.is_empty() { goal } else { format!("{goal}, critical {}", critical.join(" and ")) })
}

/// A diff row for `name`: its versions, formulas and where it is declared.
fn entry(name: &str, change: Change, old: Option<(&Kpi, &Checked)>, new: Option<(&Kpi, &Checked)>) -> KpiDiff {
    let formula = |side: Option<(&Kpi, &Checked)>| side.map(|(k, c)| expr_text(&c.model, None, &k.value));
    let (declared, checked) = new.or(old).expect("a KPI on one side at least");
    let file = checked.sources.get(declared.written.span.file).display_path();
    KpiDiff {
        kpi: name.to_string(),
        change,
        reasons: Vec::new(),
        version: (old.map(|(k, _)| k.version), new.map(|(k, _)| k.version)),
        formula: (formula(old), formula(new)),
        target: None,
        owner: None,
        impact: Impact::default(),
        location: format!("{file}:{}", declared.written.line),
        definition: None,
    }
}

/// Downstream KPIs of `id`, the teams owning it and them, and their dashboards.
fn impact(checked: &Checked, id: KpiId) -> Impact {
    let model = &checked.model;
    let downstream: Vec<KpiId> = checked
        .graph
        .impact(Node::Kpi(id))
        .into_iter()
        .filter_map(|n| match n {
            Node::Kpi(k) => Some(k),
            Node::Source(_) => None,
        })
        .collect();
    let mut teams: Vec<String> = std::iter::once(id)
        .chain(downstream.iter().copied())
        .filter_map(|k| model.kpi(k).owner)
        .map(|t| model.team(t).name.text.clone())
        .collect();
    teams.sort();
    teams.dedup();
    let mut kpis: Vec<String> = downstream.iter().map(|k| model.kpi(*k).name.text.clone()).collect();
    kpis.sort();
    let dashboards = teams.iter().map(|t| format!("{t} dashboard")).collect();
    Impact { kpis, teams, dashboards }
}
