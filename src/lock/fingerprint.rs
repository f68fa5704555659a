//! A stable fingerprint of each KPI's computation: SHA-256 over canonical
//! text built from the resolved model — so formatting, comments, declaration
//! order, titles, descriptions, owners, targets, units and lifecycle never
//! change it, and anything that changes the numbers does.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest as _, Sha256};

use crate::model::{expr_text, FormulaKind, Kpi, KpiId, Model, Periods, Relation, Source, SourceId};

/// The first 8 bytes of a SHA-256: 16 hex digits in kpic.lock and the catalog.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Digest([u8; 8]);

/// Canonical text, lines apart by `\n`, hashed as it is written instead of
/// held: its [`Digest`] is that of the whole text.
#[derive(Default)]
struct Canonical {
    hasher: Sha256,
    /// Whether a line was written (the next one starts with `\n`).
    started: bool,
}

impl Canonical {
    /// Writes `line`, apart from the one before by `\n`; `write!` continues it.
    fn line(&mut self, line: std::fmt::Arguments) {
        use std::fmt::Write as _;
        if std::mem::replace(&mut self.started, true) {
            self.hasher.update(b"\n");
        }
        let _ = self.write_fmt(line);
    }

    fn digest(self) -> Digest {
        let digest = self.hasher.finalize();
        let mut bytes = [0; 8];
        bytes.copy_from_slice(&digest[..8]);
        Digest(bytes)
    }
}

impl std::fmt::Write for Canonical {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.hasher.update(text.as_bytes());
        Ok(())
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 16];
        for (i, byte) in self.0.iter().enumerate() {
            text[2 * i] = HEX[usize::from(byte >> 4)];
            text[2 * i + 1] = HEX[usize::from(byte & 0xf)];
        }
        f.write_str(std::str::from_utf8(&text).expect("hex digits are ASCII"))
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::str::FromStr for Digest {
    type Err = String;

    fn from_str(text: &str) -> Result<Digest, String> {
        let invalid = || format!("`{text}` is not a fingerprint (16 hexadecimal digits)");
        let digits = text.as_bytes();
        if digits.len() != 16 {
            return Err(invalid());
        }
        let digit = |d: u8| char::from(d).to_digit(16).ok_or_else(invalid);
        let mut bytes = [0; 8];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = (digit(pair[0])? << 4 | digit(pair[1])?) as u8;
        }
        Ok(Digest(bytes))
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        struct Hex;
        impl serde::de::Visitor<'_> for Hex {
            type Value = Digest;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a fingerprint of 16 hexadecimal digits")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Digest, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Hex)
    }
}

/// The fingerprints of a computation's parts, each on its own so that a
/// change can be named (fields in the lock's sorted order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Parts {
    pub dimensions: Digest,
    pub settings: Digest,
    pub sources: Digest,
    pub time: Digest,
    pub upstream: Digest,
    pub value: Digest,
}

impl Parts {
    /// Each part with its name, in the order changes are named.
    pub fn named(&self) -> [(&'static str, Digest); 6] {
        let Parts { dimensions, settings, sources, time, upstream, value } = *self;
        [
            ("value", value),
            ("time", time),
            ("dimensions", dimensions),
            ("sources", sources),
            ("upstream", upstream),
            ("settings", settings),
        ]
    }

    /// The names of the parts that differ from `other`'s.
    pub fn changed_from(&self, other: &Parts) -> Vec<&'static str> {
        self.named().into_iter().zip(other.named()).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0).collect()
    }
}

/// A KPI's fingerprint and the fingerprints of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    pub fingerprint: Digest,
    pub parts: Parts,
}

/// Fingerprints of every KPI, upstream KPIs first. A KPI in a dependency
/// cycle (an error reported elsewhere) gets no fingerprint. What a KPI
/// computes itself is hashed on every core; what it reads of other KPIs
/// then in dependency order.
pub fn fingerprints(model: &Model, order: &[KpiId]) -> BTreeMap<KpiId, Fingerprint> {
    // What each KPI reads, on every core: its sources and the KPIs upstream of it.
    let reads = crate::parallel::map_in_parallel(order, |&id| {
        let kpi = model.kpi(id);
        (kpi.sources(), kpi.upstream_kpis())
    });
    // Many KPIs read the same sources: each set of sources is hashed once.
    let source_sets: Vec<&[SourceId]> = {
        let mut sets: Vec<&[SourceId]> = reads.iter().map(|(sources, _)| sources.as_slice()).collect();
        sets.sort();
        sets.dedup();
        sets
    };
    let set_hashes = crate::parallel::map_in_parallel(&source_sets, |set| {
        let mut text = Canonical::default();
        for &s in *set {
            text.line(format_args!("{}", source(model, s)));
        }
        text.digest()
    });
    let by_set: HashMap<&[SourceId], Digest> = source_sets.into_iter().zip(set_hashes).collect();
    let settings = {
        let mut text = Canonical::default();
        text.line(format_args!(
            "week_start={} time_zone={}",
            model.settings.week_start.name(),
            model.settings.time_zone
        ));
        text.digest()
    };
    let kpis: Vec<(KpiId, &[SourceId])> =
        order.iter().zip(&reads).map(|(&id, (sources, _))| (id, sources.as_slice())).collect();
    let own = crate::parallel::map_in_parallel(&kpis, |&(id, sources)| {
        let kpi = model.kpi(id);
        let mut value = Canonical::default();
        value.line(format_args!("{:?} {}", kpi.kind, expr_text(model, None, &kpi.value)));
        (value.digest(), time(kpi), dimensions(model, kpi, sources), by_set[sources])
    });
    // What a KPI reads of others needs their fingerprints: KPIs are hashed a
    // depth at a time (those that read no KPI first), each depth on every core.
    let mut depth: Vec<Option<usize>> = vec![None; model.kpis.len()];
    let mut depths: Vec<Vec<usize>> = Vec::new();
    for (at, (&id, (_, upstream))) in order.iter().zip(&reads).enumerate() {
        let Some(deepest) =
            upstream.iter().map(|u| depth[u.index()].map(|d| d + 1)).try_fold(0, |a, d| Some(a.max(d?)))
        else {
            continue;
        };
        depth[id.index()] = Some(deepest);
        if depths.len() <= deepest {
            depths.resize_with(deepest + 1, Vec::new);
        }
        depths[deepest].push(at);
    }
    let mut prints: Vec<Option<Fingerprint>> = vec![None; model.kpis.len()];
    for level in depths {
        let made = crate::parallel::map_in_parallel(&level, |&at| {
            let (value, time, dimensions, sources) = own[at];
            let mut upstream = Canonical::default();
            for u in &reads[at].1 {
                let print = prints[u.index()].expect("upstream KPIs are hashed first");
                upstream.line(format_args!("{}={}", model.kpi(*u).name, print.fingerprint));
            }
            let parts = Parts { dimensions, settings, sources, time, upstream: upstream.digest(), value };
            // The whole: `name=digest` lines of the parts, by name.
            let mut named = parts.named();
            named.sort_by_key(|(name, _)| *name);
            let mut whole = Canonical::default();
            for (name, digest) in named {
                whole.line(format_args!("{name}={digest}"));
            }
            Fingerprint { fingerprint: whole.digest(), parts }
        });
        for (at, print) in level.into_iter().zip(made) {
            prints[order[at].index()] = Some(print);
        }
    }
    prints.into_iter().enumerate().filter_map(|(i, print)| Some((KpiId(i as u32), print?))).collect()
}

/// Grain, window and fixed periods (unwritten when the data decides, so that
/// KPIs locked before `periods` existed keep their fingerprints).
fn time(kpi: &Kpi) -> Digest {
    use std::fmt::Write as _;
    let mut text = Canonical::default();
    text.line(format_args!("{} {}", kpi.grain.name(), kpi.window.describe()));
    if kpi.periods != Periods::default() {
        let _ = write!(text, " periods {}", kpi.periods.describe());
    }
    text.digest()
}

/// The dimensions in order, with what each means on each of the `sources` read.
fn dimensions(model: &Model, kpi: &Kpi, sources: &[SourceId]) -> Digest {
    let mut text = Canonical::default();
    for name in &kpi.dimensions {
        text.line(format_args!("{}", name.text));
        if kpi.kind == FormulaKind::Measure {
            for &s in sources {
                if let Some(d) = model.source(s).dimension(&name.text) {
                    let meaning = expr_text(model, Some(s), &d.expr);
                    text.line(format_args!("  {} = {meaning}", model.source(s).name));
                }
            }
        }
    }
    text.digest()
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

#[cfg(test)]
mod tests {
    use super::Digest;

    #[test]
    fn digests_read_back_what_they_print_and_refuse_anything_else() {
        let mut text = super::Canonical::default();
        text.line(format_args!("kpi"));
        let digest = text.digest();
        assert_eq!(digest.to_string().parse::<Digest>(), Ok(digest));
        assert_eq!(serde_json::from_str::<Digest>(&serde_json::to_string(&digest).unwrap()).unwrap(), digest);
        let signs = "+1+a+c+f+0+f+0+9"; // what `u8::from_str_radix` would take
        for text in ["", "1a5cffa0df30f99", "1a5cffa0df30f993a", "1a5cffa0df30f99g", "1a5cffa0df30f9é", signs] {
            assert!(text.parse::<Digest>().is_err(), "{text}");
        }
    }
}
