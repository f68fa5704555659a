//! `kpic lock --bump`: the version bumps a change needs — every KPI whose
//! computation differs from the lock at the locked version, which includes
//! every KPI reading a changed one — written into the `.kpi` files by
//! replacing only the version numbers, so comments and layout stay.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Lock;
use crate::graph::Graph;
use crate::model::{KpiId, Model};
use crate::source::{FileId, SourceMap, Span};
use crate::Fingerprints;

/// One KPI's version going up by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bump {
    pub kpi: KpiId,
    pub to: u32,
    /// The version number in the `.kpi` file.
    pub span: Span,
}

/// The bumps that make the model agree with the lock, in dependency order.
pub fn needed(model: &Model, graph: &Graph, prints: &Fingerprints, lock: &Lock) -> Vec<Bump> {
    let Some(order) = graph.kpis_in_dependency_order() else { return Vec::new() };
    order
        .into_iter()
        .filter_map(|id| {
            let kpi = model.kpi(id);
            let entry = lock.kpis.get(&kpi.name.text)?;
            let changed = prints.get(&id).is_some_and(|p| p.fingerprint != entry.fingerprint);
            let to = kpi.version.checked_add(1)?;
            (changed && entry.version == kpi.version).then_some(Bump { kpi: id, to, span: kpi.version_span })
        })
        .collect()
}

/// The new text of every file the bumps touch: each version number replaced
/// in place, nothing else changed.
pub fn rewrite(sources: &SourceMap, bumps: &[Bump]) -> Vec<(PathBuf, String)> {
    let mut by_file: BTreeMap<FileId, Vec<&Bump>> = BTreeMap::new();
    for bump in bumps {
        by_file.entry(bump.span.file).or_default().push(bump);
    }
    by_file
        .into_iter()
        .map(|(file, mut bumps)| {
            let source = sources.get(file);
            let mut text = source.text.clone();
            // From the end, so that earlier offsets stay valid.
            bumps.sort_by_key(|b| std::cmp::Reverse(b.span.start));
            for bump in bumps {
                let range = bump.span.start as usize..bump.span.end as usize;
                // A version number, never a name standing in for a missing one.
                if text.get(range.clone()).is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) {
                    text.replace_range(range, &bump.to.to_string());
                }
            }
            (source.path.clone(), text)
        })
        .collect()
}
