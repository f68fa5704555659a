//! `catalog.json`: every team, source and KPI as the catalog publishes them
//! (docs/catalog.md; schema in docs/catalog.schema.json). The site is
//! rendered from this document, so the two never disagree.

use std::collections::BTreeMap;

use serde::Serialize;

use super::reading;
use crate::emit::lookml::{self, rollup::Rollup};
use crate::emit::sql::{self, for_dialect, Batch};
use crate::graph::Node;
use crate::lock::Lock;
use crate::model::{
    expr_text, Dialect, Goal, Grain, Kpi, KpiId, Lifecycle, Link, Looker, Model, Periods, Relation, Settings, Source,
    SourceId, Team, Threshold, Unit, Validity, Window,
};
use crate::source::Written;
use crate::Valid;

/// The format of `catalog.json` this kpic writes; bumped on any breaking change.
pub const FORMAT: u32 = 1;

/// Every team, source and KPI; the KPIs in dependency order (upstream first).
#[derive(Debug)]
pub struct Catalog {
    pub format: u32,
    pub project: Settings,
    pub teams: Vec<TeamEntry>,
    pub sources: Vec<SourceEntry>,
    pub kpis: Vec<KpiEntry>,
}

/// What `catalog.json` holds before its KPIs, in the order it holds it.
#[derive(Serialize)]
pub struct Head<'a> {
    pub format: u32,
    pub project: &'a Settings,
    pub teams: &'a [TeamEntry],
    pub sources: &'a [SourceEntry],
}

impl Catalog {
    pub fn head(&self) -> Head<'_> {
        Head { format: self.format, project: &self.project, teams: &self.teams, sources: &self.sources }
    }
}

#[derive(Debug, Serialize)]
pub struct TeamEntry {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub chat: Option<String>,
    pub description: Option<String>,
    /// The KPIs the team owns, by id.
    pub kpis: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SourceEntry {
    pub id: String,
    pub description: Option<String>,
    pub relation: RelationEntry,
    pub time: Option<String>,
    pub key: Option<String>,
    pub validity: Option<Validity>,
    pub columns: Vec<ColumnEntry>,
    pub dimensions: Vec<DimensionEntry>,
    /// Default filters, applied whenever the source is read, in the source's terms.
    pub filters: Vec<String>,
    pub joins: Vec<JoinEntry>,
    /// The KPIs that read the source directly, by id.
    pub read_by: Vec<String>,
    /// Every KPI that depends on the source: directly, through a join or through other KPIs.
    pub used_by: Vec<String>,
    pub definition: Written,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RelationEntry {
    Table { table: String },
    Sql { sql: String, tables: Vec<String> },
}

#[derive(Debug, Serialize)]
pub struct ColumnEntry {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: crate::model::Type,
}

#[derive(Debug, Serialize)]
pub struct DimensionEntry {
    pub name: String,
    /// The dimension's expression, as written.
    pub expression: String,
}

#[derive(Debug, Serialize)]
pub struct JoinEntry {
    pub source: String,
    /// The join condition, as written.
    pub on: String,
}

#[derive(Debug, Serialize)]
pub struct KpiEntry {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub owner: String,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
    pub lifecycle: Lifecycle,
    pub definition: Definition,
    pub grain: Grain,
    pub window: Window,
    pub periods: Periods,
    pub dimensions: Vec<String>,
    pub unit: Unit,
    pub format: Option<String>,
    pub target: Option<TargetEntry>,
    pub version: u32,
    pub fingerprint: String,
    /// Every version kpic.lock records, oldest first, the current one last.
    pub history: Vec<VersionEntry>,
    /// What the KPI reads directly.
    pub reads: Lineage,
    /// Everything it depends on, directly or not.
    pub upstream: Lineage,
    /// Every KPI that depends on it, directly or not.
    pub downstream: Vec<String>,
    pub sql: SqlEntry,
    pub lookml: Option<LookmlEntry>,
}

#[derive(Debug, Serialize)]
pub struct Definition {
    /// The KPI's declaration as written.
    pub written: Written,
    /// `measure`: aggregates over sources; `derived`: a formula over KPIs.
    pub kind: &'static str,
    /// The formula with every name resolved (the form fingerprints use).
    pub formula: String,
    /// The formula read aloud.
    pub reading: String,
}

#[derive(Debug, Serialize)]
pub struct TargetEntry {
    /// `at_least`, `at_most` or `between`.
    pub direction: &'static str,
    /// The goal: one bound, or low and high for `between`.
    pub goal: Vec<ThresholdEntry>,
    /// Beyond these the KPI is off track: one bound, or low and high.
    pub critical: Vec<ThresholdEntry>,
    pub from: Option<String>,
    pub until: Option<String>,
    /// The target read aloud.
    pub reading: String,
}

#[derive(Debug, Serialize)]
pub struct ThresholdEntry {
    /// The number the view compares with (a percent as a fraction).
    pub value: f64,
    /// As written: `60%`, `0.6`, `250`.
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    pub version: u32,
    pub fingerprint: String,
    pub current: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Lineage {
    pub sources: Vec<String>,
    pub kpis: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SqlEntry {
    /// The view of this version, e.g. `signups_v2`.
    pub versioned_view: String,
    /// The stable view that selects from the current version.
    pub alias_view: String,
    /// The versioned view's statement per emitted dialect.
    pub dialects: Vec<DialectSql>,
}

#[derive(Debug, Serialize)]
pub struct DialectSql {
    pub dialect: Dialect,
    /// The versioned view's name, schema-qualified and quoted for the dialect.
    pub view: String,
    pub statement: String,
}

#[derive(Debug, Serialize)]
pub struct LookmlEntry {
    pub model: String,
    pub view: String,
    pub explore: String,
    /// How the value combines when Looker groups rows.
    pub rollup: &'static str,
    /// The dashboards that show the KPI.
    pub dashboards: Vec<String>,
}

/// The catalog of a valid project, its KPIs in `order`, without their SQL
/// ([`add_sql`] adds it a batch at a time).
pub fn build(valid: &Valid, order: &[KpiId]) -> Catalog {
    let model = valid.model;
    let kpis = crate::parallel::map_in_parallel(order, |&id| {
        let fingerprint = valid.prints.get(&id).map_or_else(String::new, |p| p.fingerprint.to_string());
        kpi_entry(valid, id, fingerprint)
    });
    Catalog {
        format: FORMAT,
        project: model.settings.clone(),
        teams: model.team_ids().map(|id| team_entry(model, model.team(id), id)).collect(),
        sources: model.source_ids().map(|id| source_entry(valid, id)).collect(),
        kpis,
    }
}

/// Moves the statements of `batch` into the entries of its KPIs, `entries`.
pub fn add_sql(model: &Model, entries: &mut [KpiEntry], batch: Batch) {
    let dialects = batch.dialects.len();
    for entry in entries.iter_mut() {
        entry.sql.dialects.reserve_exact(dialects);
    }
    for (dialect, views) in batch.dialects {
        let d = for_dialect(dialect);
        for (entry, view) in entries.iter_mut().zip(views) {
            let view_name = sql::qualified(model, d, &view.name);
            entry.sql.dialects.push(DialectSql { dialect, view: view_name, statement: view.statement });
        }
    }
}

fn team_entry(model: &Model, team: &Team, id: crate::model::TeamId) -> TeamEntry {
    let kpis = model.kpis.iter().filter(|k| k.owner == Some(id)).map(|k| k.name.text.clone()).collect();
    TeamEntry {
        id: team.name.text.clone(),
        name: team.display_name.clone(),
        email: team.email.clone(),
        chat: team.chat.clone(),
        description: team.description.clone(),
        kpis: sorted(kpis),
    }
}

/// An expression of `source` as its author wrote it.
fn as_written(model: &Model, source: SourceId, e: &crate::model::Expr) -> String {
    reading::as_written(model, &model.source(source).written, Some(source), e)
}

fn source_entry(valid: &Valid, id: SourceId) -> SourceEntry {
    let model = valid.model;
    let source: &Source = model.source(id);
    let relation = match &source.relation {
        Relation::Table(table) => RelationEntry::Table { table: table.clone() },
        Relation::Query { sql, tables } => RelationEntry::Sql { sql: sql.written.clone(), tables: tables.clone() },
    };
    let node = Node::Source(id);
    SourceEntry {
        id: source.name.text.clone(),
        description: source.description.clone(),
        relation,
        time: source.time.clone(),
        key: source.key.clone(),
        validity: source.validity.clone(),
        columns: source.columns.iter().map(|c| ColumnEntry { name: c.name.text.clone(), ty: c.ty }).collect(),
        dimensions: source
            .dimensions
            .iter()
            .map(|d| DimensionEntry { name: d.name.text.clone(), expression: as_written(model, id, &d.expr) })
            .collect(),
        filters: source.filters.iter().map(|f| as_written(model, id, f)).collect(),
        joins: source
            .joins
            .iter()
            .map(|j| JoinEntry { source: model.source(j.target).name.text.clone(), on: as_written(model, id, &j.on) })
            .collect(),
        read_by: lineage(model, valid.graph.downstream(node)).kpis,
        used_by: lineage(model, valid.graph.impact(node)).kpis,
        definition: source.written.clone(),
    }
}

fn kpi_entry(valid: &Valid, id: KpiId, fingerprint: String) -> KpiEntry {
    let model = valid.model;
    let kpi = model.kpi(id);
    let node = Node::Kpi(id);
    KpiEntry {
        id: kpi.name.text.clone(),
        title: kpi.title.clone(),
        description: kpi.description.clone(),
        owner: kpi.owner.map_or_else(String::new, |t| model.team(t).name.text.clone()),
        tags: kpi.tags.clone(),
        links: kpi.links.clone(),
        lifecycle: kpi.lifecycle.clone(),
        definition: Definition {
            written: kpi.written.clone(),
            kind: match kpi.kind {
                crate::model::FormulaKind::Measure => "measure",
                crate::model::FormulaKind::Derived => "derived",
            },
            formula: expr_text(model, None, &kpi.value),
            reading: reading::kpi(model, kpi),
        },
        grain: kpi.grain,
        window: kpi.window,
        periods: kpi.periods.clone(),
        dimensions: kpi.dimensions.iter().map(|d| d.text.clone()).collect(),
        unit: kpi.unit.clone(),
        format: kpi.format.clone(),
        target: kpi.target.as_ref().map(|t| target_entry(kpi, t)),
        version: kpi.version,
        history: history(valid.lock, kpi, &fingerprint),
        fingerprint,
        reads: lineage(model, valid.graph.upstream(node)),
        upstream: lineage(model, valid.graph.lineage(node)),
        downstream: lineage(model, valid.graph.impact(node)).kpis,
        // The statements are added by `add_sql`, from the views built for the SQL files.
        sql: SqlEntry {
            versioned_view: sql::versioned_name(model, id),
            alias_view: kpi.name.text.clone(),
            dialects: Vec::new(),
        },
        lookml: model.settings.looker.as_ref().map(|looker| lookml_entry(model, kpi, looker)),
    }
}

fn threshold(kpi: &Kpi, t: &Threshold) -> ThresholdEntry {
    let text = kpi.written.excerpt(t.span).unwrap_or(&t.number.text).to_string();
    ThresholdEntry { value: t.number.value, text }
}

fn target_entry(kpi: &Kpi, target: &crate::model::Target) -> TargetEntry {
    let threshold = |t| threshold(kpi, t);
    let (direction, goal) = match &target.goal {
        Goal::AtLeast(t) => ("at_least", vec![threshold(t)]),
        Goal::AtMost(t) => ("at_most", vec![threshold(t)]),
        Goal::Between(low, high) => ("between", vec![threshold(low), threshold(high)]),
    };
    let critical: Vec<ThresholdEntry> = target.critical.iter().map(threshold).collect();
    let reading = reading::target(direction, &goal, &critical, target);
    TargetEntry { direction, goal, critical, from: target.from.clone(), until: target.until.clone(), reading }
}

fn history(lock: Option<&Lock>, kpi: &Kpi, fingerprint: &str) -> Vec<VersionEntry> {
    let mut versions: BTreeMap<u32, String> = BTreeMap::new();
    if let Some(entry) = lock.and_then(|l| l.kpis.get(&kpi.name.text)) {
        for earlier in &entry.history {
            versions.insert(earlier.version, earlier.fingerprint.to_string());
        }
        versions.insert(entry.version, entry.fingerprint.to_string());
    }
    versions.retain(|v, _| *v < kpi.version);
    versions.insert(kpi.version, fingerprint.to_string());
    versions
        .into_iter()
        .map(|(version, fingerprint)| VersionEntry { version, fingerprint, current: version == kpi.version })
        .collect()
}

fn lookml_entry(model: &Model, kpi: &Kpi, looker: &Looker) -> LookmlEntry {
    let mut dashboards = Vec::new();
    if kpi.lifecycle == Lifecycle::Active {
        if let Some(team) = kpi.owner {
            dashboards.push(lookml::team_dashboard(&model.team(team).name.text));
        }
    }
    if kpi.target.is_some() {
        dashboards.push(lookml::COMPANY_DASHBOARD.to_string());
    }
    LookmlEntry {
        model: looker.model.clone(),
        view: kpi.name.text.clone(),
        explore: kpi.name.text.clone(),
        rollup: Rollup::of(model, kpi).describe(),
        dashboards,
    }
}

/// The ids of the sources and KPIs among `nodes`, each list sorted.
fn lineage(model: &Model, nodes: Vec<Node>) -> Lineage {
    let mut lineage = Lineage::default();
    for n in nodes {
        match n {
            Node::Source(s) => lineage.sources.push(model.source(s).name.text.clone()),
            Node::Kpi(k) => lineage.kpis.push(model.kpi(k).name.text.clone()),
        }
    }
    lineage.sources.sort();
    lineage.kpis.sort();
    lineage
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}
