//! The KPI catalog: `catalog/catalog.json`, the manifest integrations read
//! (docs/catalog.md, schema in docs/catalog.schema.json), and a static
//! website rendered from it, `catalog/site/`.

pub mod document;
pub(crate) mod reading;
pub mod site;

use std::path::Path;

use serde::Serialize;

use super::{OutputFile, Outputs, Part};
use crate::emit::sql::Batch;
use crate::model::{Dialect, KpiId};
use crate::Valid;
use document::{Catalog, KpiEntry};

/// The folder of the output that holds the catalog.
pub const DIR: &str = "catalog";

/// `catalog.json` and the site, with the SQL of `dialects`.
pub fn files(valid: &Valid, dialects: &[Dialect]) -> Vec<OutputFile> {
    super::files(valid, dialects, Outputs { sql: false, lookml: false, catalog: true })
}

/// The catalog made a batch of KPIs at a time, in dependency order: a
/// batch's pages and its part of `catalog.json` are made with its SQL,
/// which is then dropped. The pages over every KPI come last.
pub struct Stream<'a> {
    valid: Valid<'a>,
    catalog: Catalog,
    /// How many KPIs the batches so far held.
    done: usize,
}

impl<'a> Stream<'a> {
    pub fn new(valid: Valid<'a>, order: &[KpiId]) -> Stream<'a> {
        Stream { valid, catalog: document::build(&valid, order), done: 0 }
    }

    /// The site's assets, and `catalog.json` up to its first KPI.
    pub fn opening(&self) -> Vec<OutputFile> {
        let head = serde_json::to_string_pretty(&self.catalog.head()).expect("the catalog serializes");
        // The head is an object; the KPIs follow its last member.
        let head = head.strip_suffix("\n}").unwrap_or(&head);
        let json = OutputFile::part(JSON, format!("{head},\n  \"kpis\": ["), Part::First);
        in_catalog(site::assets()).chain([json]).collect()
    }

    /// The pages of `batch`'s KPIs and their part of `catalog.json`.
    pub fn batch(&mut self, batch: Batch) -> Vec<OutputFile> {
        let (ids, kpis) = (batch.kpis, self.done..self.done + batch.kpis.len());
        document::add_sql(self.valid.model, &mut self.catalog.kpis[kpis.clone()], batch);
        let entries = &self.catalog.kpis[kpis.clone()];
        let json = crate::parallel::map_in_parallel(entries, json_entry);
        let mut part = String::with_capacity(json.iter().map(|entry| entry.len() + 2).sum());
        for (at, entry) in json.iter().enumerate() {
            part.push_str(if kpis.start + at == 0 { "\n" } else { ",\n" });
            part.push_str(entry);
        }
        let pages: Vec<(KpiId, &KpiEntry)> = ids.iter().copied().zip(entries).collect();
        let pages = site::kpi_pages(&self.valid, &self.catalog, &pages);
        for entry in &mut self.catalog.kpis[kpis.clone()] {
            entry.sql.dialects = Vec::new();
        }
        self.done = kpis.end;
        in_catalog(pages).chain([OutputFile::part(JSON, part, Part::Next)]).collect()
    }

    /// The end of `catalog.json`, and the pages over every KPI.
    pub fn ending(self) -> Vec<OutputFile> {
        let end = if self.catalog.kpis.is_empty() { "]\n}\n" } else { "\n  ]\n}\n" };
        in_catalog(site::overview_pages(&self.catalog)).chain([OutputFile::part(JSON, end, Part::Next)]).collect()
    }
}

/// The path of `catalog.json` in the output.
const JSON: &str = "catalog/catalog.json";

/// A KPI's entry as an element of `catalog.json`'s `kpis`: pretty, each line
/// indented two levels.
fn json_entry(entry: &KpiEntry) -> String {
    // Most of an entry is its SQL, which escaping lengthens a little.
    let sql: usize = entry.sql.dialects.iter().map(|d| d.statement.len() + d.view.len()).sum();
    indented_json(entry, sql + sql / 8 + 4096)
}

/// `value` as pretty JSON, every line indented by [`ENTRY_INDENT`], in a
/// buffer of `capacity` bytes to start with.
fn indented_json(value: &impl Serialize, capacity: usize) -> String {
    let mut json = Vec::with_capacity(capacity);
    json.extend_from_slice(ENTRY_INDENT);
    let mut serializer = serde_json::Serializer::with_formatter(&mut json, EntryFormatter::default());
    value.serialize(&mut serializer).expect("the catalog serializes");
    String::from_utf8(json).expect("serde_json writes UTF-8")
}

/// What a KPI's entry is indented by: it is an element of the `kpis` array.
const ENTRY_INDENT: &[u8] = b"    ";

/// serde_json's pretty format, every line after the first indented by
/// [`ENTRY_INDENT`] too: the layout is serde_json's own, its line breaks go
/// through [`Indented`]; strings, which hold no line break of their own, are
/// escaped straight into the output (most of an entry is its SQL).
#[derive(Default)]
struct EntryFormatter(serde_json::ser::PrettyFormatter<'static>);

/// Passes what it is given on, with [`ENTRY_INDENT`] after every line break.
struct Indented<'a, W: ?Sized>(&'a mut W);

impl<W: ?Sized + std::io::Write> std::io::Write for Indented<'_, W> {
    fn write(&mut self, text: &[u8]) -> std::io::Result<usize> {
        let mut rest = text;
        while let Some(at) = rest.iter().position(|&byte| byte == b'\n') {
            self.0.write_all(&rest[..=at])?;
            self.0.write_all(ENTRY_INDENT)?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(text.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The formatter's layout calls, each made by serde_json's pretty formatter
/// through [`Indented`].
impl serde_json::ser::Formatter for EntryFormatter {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_array(&mut Indented(writer))
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array(&mut Indented(writer))
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_array_value(&mut Indented(writer), first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(&mut Indented(writer))
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object(&mut Indented(writer))
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object(&mut Indented(writer))
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_object_key(&mut Indented(writer), first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(&mut Indented(writer))
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(&mut Indented(writer))
    }
}

/// `files` with their paths in the catalog folder.
fn in_catalog(files: Vec<OutputFile>) -> impl Iterator<Item = OutputFile> {
    files.into_iter().map(|f| OutputFile { path: Path::new(DIR).join(f.path), ..f })
}

#[cfg(test)]
mod tests {
    #[test]
    fn entries_are_serde_jsons_pretty_format_indented() {
        let value = serde_json::json!({
            "a": [], "b": {}, "c": [1, [2, []], {"d": {"e": [true, null]}}],
            "f": "line\nbreak \"quoted\" \\ tab\t", "g": {"h": [{}], "i": 1.5}
        });
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let expected = format!("    {}", pretty.replace('\n', "\n    "));
        assert_eq!(super::indented_json(&value, 0), expected);
    }
}
