//! The drift guard: the model against kpic.lock, and KPIs that compute the
//! same thing under two names.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Digest, Fingerprint, Lock};
use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::graph::{Graph, Node};
use crate::model::{KpiId, Lifecycle, Model};
use crate::source::Span;

/// The lock file as read: its content (or why it cannot be read) and where it is.
pub struct LockInput<'a> {
    pub lock: Result<&'a Lock, String>,
    pub span: Span,
}

/// Which lock a check compares the model with.
pub enum LockState<'a> {
    /// No versions are checked (a project checked from memory).
    Unchecked,
    /// The project has no lock file.
    Missing,
    Present(LockInput<'a>),
}

/// Checks versions against the lock and reports duplicate computations;
/// `prints` are the KPIs' fingerprints, none when KPIs read each other in a
/// cycle (reported elsewhere).
pub fn check(
    model: &Model,
    graph: &Graph,
    prints: Option<&crate::Fingerprints>,
    lock: LockState,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(prints) = prints else { return };
    // Like unused sources, duplicates are noise while a project has errors.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        duplicates(model, prints, diagnostics);
    }
    match lock {
        LockState::Unchecked => {}
        LockState::Missing => {
            // At the `project` block; a project without one at its first KPI.
            if let Some(at) = model.settings.declared_at.or(model.kpis.first().map(|k| k.name.span)) {
                diagnostics.push(
                    Diagnostic::new(Code::LockMissing, at, "this project has no kpic.lock")
                        .label("versions are not recorded")
                        .help("run `kpic lock` and commit kpic.lock, so that changed computations need a version bump"),
                );
            }
        }
        LockState::Present(LockInput { lock: Err(error), span }) => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidLock, span, format!("kpic.lock cannot be read: {error}"))
                    .help("restore it from version control, or start a new one with `kpic lock --force`"),
            );
        }
        LockState::Present(LockInput { lock: Ok(lock), span }) => {
            // One mistake, one error: a KPI with an error of its own, or reading
            // something that has one, is not compared with the lock; nor is
            // any while a declaration does not parse (what reads it is not
            // known), nor are removals reported while the project has errors
            // (a declaration that does not parse is not "removed").
            // Readers of a renamed KPI's old name are in error before that is one error.
            let skipped = in_error(model, graph, diagnostics);
            let current: HashMap<&str, KpiId> =
                model.kpi_ids().map(|id| (model.kpi(id).name.text.as_str(), id)).collect();
            let renames = renames(model, &current, prints, lock);
            let read_after_rename = renamed_but_read(model, &renames, diagnostics);
            let has_errors = diagnostics.iter().any(Diagnostic::is_error);
            let unparsed = diagnostics.iter().any(|d| matches!(d.code, Code::Syntax | Code::TooComplex));
            // A KPI whose id is declared twice: which one the lock means is not known.
            let declared_twice: HashSet<&str> = diagnostics
                .iter()
                .filter(|d| d.code == Code::DuplicateName)
                .filter_map(|d| d.group.as_deref()?.strip_prefix("KPI "))
                .collect();
            let skipped: HashSet<KpiId> = skipped
                .into_iter()
                .chain(model.kpi_ids().filter(|&id| declared_twice.contains(model.kpi(id).name.text.as_str())))
                .collect();
            let drift = Drift { model, graph, prints, lock };
            let renamed_to: HashSet<KpiId> = renames.values().copied().collect();
            // A KPI under a new name is reported as the rename.
            let compared: Vec<(KpiId, &Fingerprint)> = prints
                .iter()
                .filter(|(id, _)| !unparsed && !skipped.contains(id) && !renamed_to.contains(id))
                .map(|(&id, print)| (id, print))
                .collect();
            let found = crate::parallel::map_in_parallel(&compared, |&(id, print)| {
                let mut found = Vec::new();
                drift.versions(id, print, &mut found);
                found
            });
            diagnostics.extend(found.into_iter().flatten());
            if !has_errors {
                removed(model, &current, lock, &renames, &read_after_rename, span, diagnostics);
            }
            earlier_views(model, &current, lock, diagnostics);
        }
    }
}

/// KPIs whose own declaration has an error, or that read (directly or not)
/// a source or KPI whose declaration has one.
fn in_error(model: &Model, graph: &Graph, diagnostics: &[Diagnostic]) -> HashSet<KpiId> {
    let errors: Vec<Span> = diagnostics.iter().filter(|d| d.is_error()).map(Diagnostic::span).collect();
    if errors.is_empty() {
        return HashSet::new();
    }
    let broken = |declared: Span| errors.iter().any(|e| declared.contains(*e));
    let roots = model
        .source_ids()
        .filter(|&id| broken(model.source(id).written.span))
        .map(Node::Source)
        .chain(model.kpi_ids().filter(|&id| broken(model.kpi(id).written.span)).map(Node::Kpi));
    let mut out = HashSet::new();
    for root in roots {
        for node in std::iter::once(root).chain(graph.impact(root)) {
            if let Node::Kpi(id) = node {
                out.insert(id);
            }
        }
    }
    out
}

/// The model's fingerprints against the lock's.
struct Drift<'a> {
    model: &'a Model,
    graph: &'a Graph,
    prints: &'a BTreeMap<KpiId, Fingerprint>,
    lock: &'a Lock,
}

impl Drift<'_> {
    /// Whether the KPI's computation differs from the lock's at the same version.
    fn unbumped(&self, id: KpiId) -> bool {
        let kpi = self.model.kpi(id);
        let (Some(entry), Some(print)) = (self.lock.kpis.get(&kpi.name.text), self.prints.get(&id)) else {
            return false;
        };
        entry.version == kpi.version && entry.fingerprint != print.fingerprint
    }

    /// KPIs `id` depends on, directly or not, whose computation changed without a bump.
    fn unbumped_upstream(&self, id: KpiId) -> bool {
        self.graph.lineage(Node::Kpi(id)).into_iter().any(|n| matches!(n, Node::Kpi(u) if self.unbumped(u)))
    }

    /// The KPIs that read `id`, directly or not: they get a new computation too.
    fn downstream_names(&self, id: KpiId) -> Vec<String> {
        self.graph
            .impact(Node::Kpi(id))
            .into_iter()
            .filter_map(|n| match n {
                Node::Kpi(d) => Some(format!("`{}`", self.model.kpi(d).name)),
                Node::Source(_) => None,
            })
            .collect()
    }

    /// The KPIs read by `id` whose computation differs from the lock.
    fn changed_upstream(&self, id: KpiId) -> String {
        let names: Vec<String> = self
            .model
            .kpi(id)
            .upstream_kpis()
            .into_iter()
            .filter(|u| {
                let locked = self.lock.kpis.get(&self.model.kpi(*u).name.text).map(|e| e.fingerprint);
                locked != self.prints.get(u).map(|p| p.fingerprint)
            })
            .map(|u| format!("`{}`", self.model.kpi(u).name))
            .collect();
        names.join(", ")
    }

    fn versions(&self, id: KpiId, print: &Fingerprint, diagnostics: &mut Vec<Diagnostic>) {
        let (model, lock) = (self.model, self.lock);
        let kpi = model.kpi(id);
        let (name, version, span) = (&kpi.name.text, kpi.version, kpi.version_span);
        let Some(entry) = lock.kpis.get(name) else {
            diagnostics.push(
                Diagnostic::new(Code::LockMissing, kpi.name.span, format!("`{name}` is not in kpic.lock"))
                    .label("new KPI")
                    .help("run `kpic lock` and commit kpic.lock"),
            );
            return;
        };
        let changed_parts = print.parts.changed_from(&entry.parts);
        let changed: Vec<String> = changed_parts
            .iter()
            .map(|p| match (*p, self.changed_upstream(id)) {
                ("upstream", names) if !names.is_empty() => format!("upstream ({names})"),
                (part, _) => part.to_string(),
            })
            .collect();
        let same = print.fingerprint == entry.fingerprint;
        // Widened: a hand-edited lock may hold any u32, and `+ 1` must not overflow.
        let (version, locked) = (u64::from(version), u64::from(entry.version));
        let diagnostic = if version < locked {
            Diagnostic::new(
                Code::VersionDecreased,
                span,
                format!("the version of `{name}` went down from {locked} to {version}"),
            )
            .label(format!("kpic.lock has version {locked}"))
            .help(format!(
                "versions only go up: restore `version {locked}`, or write `version {}` if the computation changed",
                locked + 1
            ))
        } else if version > locked + 1 {
            Diagnostic::new(
                Code::VersionSkipped,
                span,
                format!("the version of `{name}` jumped from {locked} to {version}"),
            )
            .label(format!("kpic.lock has version {locked}"))
            .help(format!("bump by one: `version {}`", locked + 1))
        } else if version == locked && !same {
            // Changed only through a KPI it reads that is itself unbumped: that
            // KPI's error names this one.
            if changed_parts == ["upstream"] && self.unbumped_upstream(id) {
                return;
            }
            let downstream = self.downstream_names(id);
            let also = if downstream.is_empty() {
                String::new()
            } else {
                format!("; {} read it and need a bump too", downstream.join(", "))
            };
            Diagnostic::new(
                Code::ComputationChanged,
                span,
                format!("the computation of `{name}` changed, but its version is still {version}"),
            )
            .label(format!("changed: {}", changed.join(", ")))
            .help(format!(
                "bump to `version {}` and run `kpic lock` (`kpic lock --bump` does both{}): views and dashboards must not change meaning silently{also}",
                version + 1,
                if downstream.is_empty() { "" } else { ", for them too" }
            ))
        } else if version == locked + 1 && same {
            Diagnostic::new(
                Code::UnneededVersionBump,
                span,
                format!("`{name}` was bumped to version {version}, but its computation did not change"),
            )
            .label("same computation as version ".to_string() + &locked.to_string())
            .help(format!("keep `version {locked}`: cosmetic edits need no new version"))
        } else if version == locked + 1 {
            Diagnostic::new(
                Code::LockOutdated,
                span,
                format!(
                    "`{name}` has a new computation as version {version}; kpic.lock still records version {locked}"
                ),
            )
            .label(format!("changed: {}", changed.join(", ")))
            .help("run `kpic lock` and commit kpic.lock")
        } else {
            return;
        };
        diagnostics.push(diagnostic);
    }
}

/// KPIs of the lock that are gone, each to the new KPI (not in the lock)
/// that computes exactly what it computed: renamed. `current` holds the
/// project's KPIs by name.
fn renames<'a>(
    model: &Model,
    current: &HashMap<&str, KpiId>,
    prints: &BTreeMap<KpiId, Fingerprint>,
    lock: &'a Lock,
) -> BTreeMap<&'a str, KpiId> {
    let gone: Vec<(&str, &super::Entry)> = lock
        .kpis
        .iter()
        .filter(|(name, _)| !current.contains_key(name.as_str()))
        .map(|(name, entry)| (name.as_str(), entry))
        .collect();
    if gone.is_empty() {
        return BTreeMap::new();
    }
    let mut new_by_fingerprint: HashMap<Digest, KpiId> = HashMap::new();
    for (id, print) in prints.iter().filter(|(id, _)| !lock.kpis.contains_key(&model.kpi(**id).name.text)) {
        new_by_fingerprint.entry(print.fingerprint).or_insert(*id);
    }
    gone.into_iter().filter_map(|(name, entry)| Some((name, *new_by_fingerprint.get(&entry.fingerprint)?))).collect()
}

/// A KPI renamed while others still read its old name: one error at the
/// rename, in place of an unknown-KPI error at each reader. Returns the old
/// names it reported.
fn renamed_but_read<'a>(
    model: &Model,
    renames: &BTreeMap<&'a str, KpiId>,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashSet<&'a str> {
    let mut reported = HashSet::new();
    for (&old, &new) in renames {
        let reads_old = |d: &Diagnostic| d.code == Code::UnknownKpi && d.group.as_deref() == Some(old);
        let uses: Vec<Span> = diagnostics.iter().filter(|d| reads_old(d)).map(Diagnostic::span).collect();
        if uses.is_empty() {
            continue;
        }
        diagnostics.retain(|d| !reads_old(d));
        let new = &model.kpi(new).name;
        let mut diagnostic = Diagnostic::new(
            Code::RemovedKpi,
            new.span,
            format!("KPI `{old}` was renamed to `{new}`, but it is still read as `{old}`"),
        )
        .label(format!("computes what `{old}` computed"))
        .help(format!("write `{new}` where `{old}` is read, or keep the id `{old}`"));
        diagnostic.severity = Severity::Error;
        for span in uses {
            diagnostic = diagnostic.secondary(span, format!("still reads `{old}`"));
        }
        diagnostics.push(diagnostic);
        reported.insert(old);
    }
    reported
}

/// KPIs in the lock that no longer exist, or exist under a new name (a
/// warning; an error when other KPIs read them). Renames already reported
/// with their readers are not reported again.
fn removed(
    model: &Model,
    current: &HashMap<&str, KpiId>,
    lock: &Lock,
    renames: &BTreeMap<&str, KpiId>,
    reported: &HashSet<&str>,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let gone: Vec<(&String, &super::Entry)> = lock
        .kpis
        .iter()
        .filter(|(name, _)| !current.contains_key(name.as_str()) && !reported.contains(name.as_str()))
        .collect();
    if gone.is_empty() {
        return;
    }
    // Indexes built once: a lock with many removed KPIs stays linear.
    let mut readers_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (reader, entry) in lock.kpis.iter().filter(|(name, _)| current.contains_key(name.as_str())) {
        for read in &entry.reads {
            readers_of.entry(read.as_str()).or_default().push(reader.as_str());
        }
    }
    for (name, entry) in gone {
        let readers = readers_of.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        let (message, label, mut diagnostic_span) = match renames.get(name.as_str()) {
            Some(&id) => (
                format!("KPI `{name}` was renamed to `{}`", model.kpi(id).name),
                format!("computes what `{name}` computed"),
                model.kpi(id).name.span,
            ),
            None => (format!("KPI `{name}` was removed"), "not in the project any more".to_string(), span),
        };
        let mut help = format!("its views `{name}` and `{name}_v{}` will no longer be emitted; keep the id, or mark it `status deprecated replaced_by …` for a while", entry.version);
        let mut diagnostic = Diagnostic::new(Code::RemovedKpi, diagnostic_span, message);
        if !readers.is_empty() {
            let list: Vec<String> = readers.iter().map(|r| format!("`{r}`")).collect();
            help = format!("{} read it; {help}", list.join(", "));
            diagnostic.severity = Severity::Error;
            if let Some(reader) = current.get(readers[0]) {
                diagnostic_span = model.kpi(*reader).name.span;
                diagnostic = diagnostic.secondary(diagnostic_span, format!("`{}` read `{name}`", readers[0]));
            }
        }
        diagnostics.push(diagnostic.label(label).help(help));
    }
}

/// A KPI named like an earlier version's view of another (`x_v1` while
/// `x` is at version 2): deploys keep or drop that view, so it is taken.
fn earlier_views(model: &Model, current: &HashMap<&str, KpiId>, lock: &Lock, diagnostics: &mut Vec<Diagnostic>) {
    let mut views = Vec::new();
    for (name, entry) in &lock.kpis {
        let Some(&id) = current.get(name.as_str()) else { continue };
        let version = model.kpi(id).version;
        let earlier = entry.history.iter().map(|e| e.version).chain([entry.version]).filter(|v| *v < version);
        views.extend(earlier.map(|earlier| (id, earlier)));
    }
    if views.is_empty() {
        return;
    }
    let by_lowercase: HashMap<String, KpiId> = current.iter().map(|(name, &id)| (name.to_lowercase(), id)).collect();
    for (id, version) in views {
        let kpi = model.kpi(id);
        let view = format!("{}_v{version}", kpi.name.text);
        let Some(&other) = by_lowercase.get(&view.to_lowercase()) else { continue };
        let other = model.kpi(other);
        diagnostics.push(
            Diagnostic::new(
                Code::NameCollision,
                other.name.span,
                format!("KPI `{}` is named like the view of version {version} of `{}`", other.name, kpi.name),
            )
            .label("taken by an earlier version")
            .secondary(kpi.name.span, format!("kpic.lock records version {version} of `{}`", kpi.name))
            .help("deploys keep or drop the views of earlier versions; rename the KPI"),
        );
    }
}

/// Two KPIs with one fingerprint. A deprecated KPI is exempt: deprecating
/// one in favour of an identical replacement is how a KPI is renamed.
fn duplicates(model: &Model, prints: &BTreeMap<KpiId, Fingerprint>, diagnostics: &mut Vec<Diagnostic>) {
    let mut first_with: HashMap<Digest, KpiId> = HashMap::new();
    let live = prints.iter().filter(|(id, _)| !matches!(model.kpi(**id).lifecycle, Lifecycle::Deprecated { .. }));
    for (&id, print) in live {
        let Some(&first) = first_with.get(&print.fingerprint) else {
            first_with.insert(print.fingerprint, id);
            continue;
        };
        let (a, b) = (model.kpi(first), model.kpi(id));
        diagnostics.push(
            Diagnostic::new(
                Code::DuplicateComputation,
                b.name.span,
                format!("`{}` computes exactly what `{}` computes", b.name, a.name),
            )
            .label("same computation")
            .secondary(a.name.span, "computed here first")
            .help(format!(
                "keep one: read `{}` instead, or mark `{}` `status deprecated replaced_by {}`",
                a.name, b.name, a.name
            )),
        );
    }
}
