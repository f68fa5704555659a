//! A stable fingerprint of each KPI's computation: SHA-256 over canonical
//! text built from the resolved model — so formatting, comments, declaration
//! order, titles, descriptions, owners, targets, units and lifecycle never
//! change it, and anything that changes the numbers does.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::model::{expr_text, FormulaKind, Kpi, KpiId, Model, Periods, Relation, Source, SourceId};

/// The parts of a computation, each fingerprinted on its own so that a
/// change can be named.
pub const PARTS: [&str; 6] = ["value", "time", "dimensions", "sources", "upstream", "settings"];

/// A KPI's fingerprint and the fingerprints of its parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    pub fingerprint: String,
    pub parts: BTreeMap<String, String>,
}

/// The first 8 bytes of the text's SHA-256, in hex.
fn hash(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(16);
    for byte in &digest[..8] {
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 0xf)] as char);
    }
    out
}

/// Fingerprints of every KPI, upstream KPIs first. A KPI in a dependency
/// cycle (an error reported elsewhere) gets no fingerprint.
pub fn fingerprints(model: &Model, order: &[KpiId]) -> BTreeMap<KpiId, Fingerprint> {
    let mut out = BTreeMap::new();
    // Many KPIs read the same sources: the hash of their canonical text is
    // built once per set of sources; the settings' once for all.
    let mut sources: BTreeMap<Vec<SourceId>, String> = BTreeMap::new();
    let settings =
        hash(&format!("week_start={} time_zone={}", model.settings.week_start.name(), model.settings.time_zone));
    for &id in order {
        let kpi = model.kpi(id);
        let upstream: Option<Vec<String>> = kpi
            .upstream_kpis()
            .iter()
            .map(|u| out.get(u).map(|f: &Fingerprint| format!("{}={}", model.kpi(*u).name, f.fingerprint)))
            .collect();
        let Some(upstream) = upstream else { continue };
        let read = kpi.sources();
        let sources_hash = sources
            .entry(read.clone())
            .or_insert_with(|| hash(&read.iter().map(|&s| source(model, s)).collect::<Vec<_>>().join("\n")))
            .clone();
        let parts: BTreeMap<String, String> = [
            ("value", hash(&format!("{:?} {}", kpi.kind, expr_text(model, None, &kpi.value)))),
            ("time", hash(&time(kpi))),
            ("dimensions", hash(&dimensions(model, kpi))),
            ("sources", sources_hash),
            ("upstream", hash(&upstream.join("\n"))),
            ("settings", settings.clone()),
        ]
        .into_iter()
        .map(|(name, hash)| (name.to_string(), hash))
        .collect();
        let all: Vec<String> = parts.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.insert(id, Fingerprint { fingerprint: hash(&all.join("\n")), parts });
    }
    out
}

/// Grain, window and fixed periods (unwritten when the data decides, so that
/// KPIs locked before `periods` existed keep their fingerprints).
fn time(kpi: &Kpi) -> String {
    let mut text = format!("{} {}", kpi.grain.name(), kpi.window.describe());
    if kpi.periods != Periods::default() {
        text.push_str(&format!(" periods {}", kpi.periods.describe()));
    }
    text
}

/// The dimensions in order, with what each means on each source read.
fn dimensions(model: &Model, kpi: &Kpi) -> String {
    let mut lines = Vec::new();
    for name in &kpi.dimensions {
        lines.push(name.text.clone());
        if kpi.kind == FormulaKind::Measure {
            for s in kpi.sources() {
                if let Some(d) = model.source(s).dimension(&name.text) {
                    lines.push(format!("  {} = {}", model.source(s).name, expr_text(model, Some(s), &d.expr)));
                }
            }
        }
    }
    lines.join("\n")
}

/// Everything about a source that changes the rows a KPI reads.
fn source(model: &Model, id: SourceId) -> String {
    let source = model.source(id);
    let mut lines = vec![format!("source {} {}", source.name, relation(source))];
    lines.push(format!("time {:?} validity {:?}", source.time, source.validity.as_ref().map(|v| (&v.start, &v.end))));
    for join in &source.joins {
        let target = model.source(join.target);
        lines.push(format!("join {} {} on {}", target.name, relation(target), expr_text(model, Some(id), &join.on)));
    }
    for filter in &source.filters {
        lines.push(format!("filter {}", expr_text(model, Some(id), filter)));
    }
    lines.join("\n")
}

/// A table name, or a query normalized by sqlparser (formatting-insensitive).
fn relation(source: &Source) -> String {
    match &source.relation {
        Relation::Table(table) => format!("table {table}"),
        Relation::Query { sql, .. } => {
            let dialect = sqlparser::dialect::GenericDialect {};
            let written = &sql.written;
            let normalized = sqlparser::parser::Parser::parse_sql(&dialect, written)
                .map(|statements| statements.iter().map(ToString::to_string).collect::<Vec<_>>().join(";"))
                .unwrap_or_else(|_| written.split_whitespace().collect::<Vec<_>>().join(" "));
            format!("sql {normalized}")
        }
    }
}
