//! What a name in a `.kpi` file stands for — a team, a source, a column of a
//! source, a dimension, or a KPI — read from the words around it and the checked model,
//! so that it works while the file is being typed; where each is declared,
//! every place it is named, and the names that fit at a cursor.

use std::ops::Range;

use crate::model::{Model, Relation};
use crate::source::{SourceMap, Span};

/// A declared thing a name can stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    Team(String),
    Source(String),
    Column {
        source: String,
        column: String,
    },
    /// A dimension, by name: sources that share a name share the dimension.
    Dimension(String),
    Kpi(String),
}

impl Symbol {
    pub fn name(&self) -> &str {
        match self {
            Symbol::Team(n) | Symbol::Source(n) | Symbol::Kpi(n) | Symbol::Dimension(n) => n,
            Symbol::Column { column, .. } => column,
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The word around `offset`, as a byte range.
pub fn word_at(text: &str, offset: usize) -> Option<Range<usize>> {
    let offset = offset.min(text.len());
    let start = crate::source::run_start(&text[..offset], is_word);
    let end = text[offset..].find(|c: char| !is_word(c)).map_or(text.len(), |i| offset + i);
    (start < end).then_some(start..end)
}

/// The block a place is in: the kind and name of the nearest declaration above it.
fn enclosing(text: &str, offset: usize) -> Option<(&str, &str)> {
    text[..offset].lines().rev().find_map(|line| {
        let mut words = line.split_whitespace();
        let kind = words.next()?;
        let name = words.next()?.trim_end_matches('{');
        ["kpi", "source", "team", "project"].contains(&kind).then_some((kind, name))
    })
}

/// Whether text ends with an aggregate's opening parenthesis: `count(`.
fn after_aggregate(before: &str) -> bool {
    let Some(call) = before.trim_end().strip_suffix('(') else { return false };
    let name = call.trim_end().rsplit(|c: char| !is_word(c)).next().unwrap_or("");
    crate::resolve::AGGREGATE_NAMES.contains(&name)
}

/// What the word at `offset` names.
pub fn at(model: &Model, text: &str, offset: usize) -> Option<(Symbol, Range<usize>)> {
    let range = word_at(text, offset)?;
    let word = &text[range.clone()];
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..range.start];
    let after = &text[range.end..];
    let first = before.split_whitespace().next();
    let previous = before.split_whitespace().next_back();
    let is_source = |n: &str| model.sources.iter().any(|s| s.name.text == n);
    let is_kpi = |n: &str| model.kpis.iter().any(|k| k.name.text == n);
    // A qualifier names a source (a join's target is read under its own name).
    let source_of = |n: &str| is_source(n).then(|| n.to_string());
    if let Some(qualifier) = before.strip_suffix('.').and_then(|b| b.rsplit(|c: char| !is_word(c)).next()) {
        let source = source_of(qualifier)?;
        return Some((Symbol::Column { source, column: word.to_string() }, range));
    }
    if after.starts_with('.') {
        return source_of(word).map(|s| (Symbol::Source(s), range));
    }
    let symbol = match (first, previous) {
        (None, _) => return None,
        (Some("kpi"), Some("kpi")) => Symbol::Kpi(word.to_string()),
        (Some("source"), Some("source")) => Symbol::Source(word.to_string()),
        (Some("team"), Some("team")) => Symbol::Team(word.to_string()),
        (Some("owner"), Some("owner")) => Symbol::Team(word.to_string()),
        (Some("dimension"), Some("dimension")) => Symbol::Dimension(word.to_string()),
        (Some("dimensions"), _) => Symbol::Dimension(word.to_string()),
        (_, Some("from" | "join" | "replaced_by")) if is_source(word) || is_kpi(word) => {
            if previous == Some("replaced_by") {
                Symbol::Kpi(word.to_string())
            } else {
                Symbol::Source(word.to_string())
            }
        }
        _ if after.trim_start().starts_with('(') => return None,
        _ => {
            let in_aggregate = after_aggregate(before);
            match (is_source(word), is_kpi(word)) {
                (true, true) if in_aggregate => Symbol::Source(word.to_string()),
                (_, true) => Symbol::Kpi(word.to_string()),
                (true, false) => Symbol::Source(word.to_string()),
                (false, false) => {
                    let (kind, name) = enclosing(text, range.start)?;
                    let source = match kind {
                        "source" => name.to_string(),
                        "kpi" => {
                            let kpi = model.kpis.iter().find(|k| k.name.text == name)?;
                            model.source(kpi.from?).name.text.clone()
                        }
                        _ => return None,
                    };
                    model.sources.iter().find(|s| s.name.text == source)?.column(word)?;
                    Symbol::Column { source, column: word.to_string() }
                }
            }
        }
    };
    Some((symbol, range))
}

/// Where a symbol is declared.
pub fn declaration(model: &Model, symbol: &Symbol) -> Option<Span> {
    match symbol {
        Symbol::Team(name) => model.teams.iter().find(|t| t.name.text == *name).map(|t| t.name.span),
        Symbol::Source(name) => model.sources.iter().find(|s| s.name.text == *name).map(|s| s.name.span),
        Symbol::Kpi(name) => model.kpis.iter().find(|k| k.name.text == *name).map(|k| k.name.span),
        Symbol::Column { source, column } => {
            let source = model.sources.iter().find(|s| s.name.text == *source)?;
            source.column(column).map(|c| c.name.span)
        }
        Symbol::Dimension(name) => model.sources.iter().find_map(|s| s.dimension(name)).map(|d| d.name.span),
    }
}

/// Every place, in every file, that names `symbol` (its declaration included).
pub fn references(model: &Model, sources: &SourceMap, symbol: &Symbol) -> Vec<Span> {
    let name = symbol.name();
    let mut out = Vec::new();
    for (id, file) in sources.files().filter(|(_, f)| f.path.extension().is_some_and(|e| e == "kpi")) {
        let text = &file.text;
        for (start, _) in text.match_indices(name) {
            let end = start + name.len();
            let bounded = !text[..start].ends_with(is_word) && !text[end..].starts_with(is_word);
            if bounded && in_code(text, start) && at(model, text, start).is_some_and(|(s, _)| s == *symbol) {
                out.push(Span::new(id, start, end));
            }
        }
    }
    out
}

/// Whether an offset is outside strings and comments of its line.
fn in_code(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut quoted = false;
    for c in text[line_start..offset].chars() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return false,
            _ => {}
        }
    }
    !quoted
}

/// A name offered at a cursor, and what it is.
pub struct Candidate {
    pub label: String,
    pub detail: String,
    pub kind: CandidateKind,
}

pub enum CandidateKind {
    Team,
    Source,
    Column,
    Kpi,
    Function,
}

/// The names that fit where the cursor is: teams after `owner`, columns
/// after `source.`, sources after `from`, `join` or an aggregate's `(`,
/// otherwise KPIs, sources and aggregates.
pub fn completions(model: &Model, text: &str, offset: usize) -> Vec<Candidate> {
    let offset = offset.min(text.len());
    let start = crate::source::run_start(&text[..offset], is_word);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..start];
    let previous = before.split_whitespace().next_back();
    let teams = || {
        model.teams.iter().map(|t| Candidate {
            label: t.name.text.clone(),
            detail: t.display_name.clone(),
            kind: CandidateKind::Team,
        })
    };
    let sources = || {
        model.sources.iter().map(|s| Candidate {
            label: s.name.text.clone(),
            detail: match &s.relation {
                Relation::Table(table) => format!("table {table}"),
                Relation::Query { .. } => "SQL source".to_string(),
            },
            kind: CandidateKind::Source,
        })
    };
    if let Some(qualifier) = before.strip_suffix('.').and_then(|b| b.rsplit(|c: char| !is_word(c)).next()) {
        let Some(source) = model.sources.iter().find(|s| s.name.text == qualifier) else { return Vec::new() };
        return source
            .columns
            .iter()
            .map(|c| Candidate {
                label: c.name.text.clone(),
                detail: format!("{:?} column of {}", c.ty, source.name).to_lowercase(),
                kind: CandidateKind::Column,
            })
            .collect();
    }
    match previous {
        Some("owner") => teams().collect(),
        Some("from" | "join") => sources().collect(),
        _ if after_aggregate(before) => sources().collect(),
        _ => {
            let kpis = model.kpis.iter().map(|k| Candidate {
                label: k.name.text.clone(),
                detail: k.title.clone(),
                kind: CandidateKind::Kpi,
            });
            let functions = crate::resolve::AGGREGATE_NAMES.iter().map(|f| Candidate {
                label: f.to_string(),
                detail: "aggregate".to_string(),
                kind: CandidateKind::Function,
            });
            kpis.chain(sources()).chain(functions).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_end_at_non_ascii_letters() {
        let text = "  title \"Café\"\n";
        assert_eq!(word_at(text, text.len() - 1), None);
        assert_eq!(word_at(text, 9), Some(9..12));
        assert_eq!(word_at("é😀x", "é😀".len()), Some("é😀".len().."é😀x".len()));
    }
}
