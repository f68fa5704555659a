//! `kpic.lock`: per KPI its version, fingerprint, the fingerprints of its
//! parts, the KPIs it reads, and the fingerprints of earlier versions.
//! Pretty JSON with sorted keys, so that a change reads well in a diff.

use std::collections::BTreeMap;

use super::fingerprint::{Digest, Parts};
use crate::model::MAX_VERSION;

/// The lock file's name, at the project root.
pub const FILE_NAME: &str = "kpic.lock";

/// The format this version of kpic reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lock {
    /// The format version of this file.
    pub format: u32,
    pub kpis: BTreeMap<String, Entry>,
}

/// One KPI as last locked.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub version: u32,
    pub fingerprint: Digest,
    pub parts: Parts,
    /// The KPIs this one reads.
    pub reads: Vec<String>,
    /// The columns of its views (empty in locks written before kpic recorded them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Earlier versions, oldest first.
    #[serde(default)]
    pub history: Vec<Earlier>,
}

/// An earlier version of a KPI.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Earlier {
    pub version: u32,
    pub fingerprint: Digest,
    /// The columns of its views, where recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

impl Entry {
    /// The columns of the version before `version`, where recorded: what a
    /// deploy of `version` finds in the warehouse's alias view.
    pub fn columns_before(&self, version: u32) -> &[String] {
        if self.version < version {
            return &self.columns;
        }
        self.history.iter().rev().find(|e| e.version < version).map_or(&[], |e| &e.columns)
    }
}

/// Why a lock file cannot be read, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockError {
    pub message: String,
    /// The byte offset the reason points at.
    pub at: usize,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, LockError> {
        let lock: Lock = serde_json::from_str(text)
            .map_err(|e| LockError { message: e.to_string(), at: offset(text, e.line(), e.column()) })?;
        let at = |needle: &str| text.find(needle).unwrap_or(0);
        if lock.format != FORMAT {
            let message = format!("its format is {}, this kpic reads format {FORMAT}", lock.format);
            return Err(LockError { message, at: at("\"format\"") });
        }
        for (name, entry) in &lock.kpis {
            let versions = entry.history.iter().map(|e| e.version).chain([entry.version]);
            if let Some(version) = versions.into_iter().find(|v| !(1..=MAX_VERSION).contains(v)) {
                let message = format!("it records version {version} of `{name}`; versions go from 1 to {MAX_VERSION}");
                return Err(LockError { message, at: at(&serde_json::to_string(name).unwrap_or_default()) });
            }
        }
        Ok(lock)
    }

    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a lock serializes");
        text.push('\n');
        text
    }
}

/// The byte offset of a 1-based line and column as serde_json counts them
/// (0 when it gives none).
fn offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let line_start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let rest = &text[line_start.min(text.len())..];
    let within = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    (line_start + within).min(text.len())
}
