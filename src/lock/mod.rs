//! Versioned definitions: fingerprints of each KPI's computation, the lock
//! file that records them, and the checks that keep a changed computation
//! from keeping its version (metric drift).

pub mod bump;
mod check;
mod file;
mod fingerprint;

pub use check::{check, LockInput, LockState};
pub use file::{Earlier, Entry, Lock, LockError, FILE_NAME, FORMAT};
pub use fingerprint::{fingerprints, Digest, Fingerprint, Parts};

use crate::Valid;

/// The lock for a valid project: every KPI's current version and fingerprint,
/// keeping the history of `previous` and adding the versions it replaces.
pub fn update(valid: &Valid, previous: Option<&Lock>) -> Lock {
    let model = valid.model;
    let mut lock = Lock { format: FORMAT, kpis: Default::default() };
    for (&id, &print) in valid.prints {
        let kpi = model.kpi(id);
        let old = previous.and_then(|p| p.kpis.get(&kpi.name.text));
        let mut history = old.map(|o| o.history.clone()).unwrap_or_default();
        if let Some(old) = old.filter(|o| o.version < kpi.version) {
            let (version, columns) = (old.version, old.columns.clone());
            history.push(Earlier { version, fingerprint: old.fingerprint, columns });
        }
        let reads = kpi.upstream_kpis().iter().map(|u| model.kpi(*u).name.text.clone()).collect();
        let Fingerprint { fingerprint, parts } = print;
        let entry = Entry { version: kpi.version, fingerprint, parts, reads, columns: kpi.view_columns(), history };
        lock.kpis.insert(kpi.name.text.clone(), entry);
    }
    lock
}
