//! Every ```kpi block of docs/*.md and README.md checks: together with the
//! earlier blocks of its document (a tutorial builds up) and docs/prelude.kpi,
//! minus any prelude declaration those blocks make themselves.
//! A block starting with `# expect: CODE` must report CODE; every other block
//! must have no errors. Every block that parses is formatted as `kpic fmt`
//! formats it.

use std::collections::BTreeSet;
use std::path::Path;

use kpic::source::{SourceFile, SourceMap};

fn blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_start()) {
            (None, "```kpi") => current = Some((index + 2, String::new())),
            (Some(_), "```") => out.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

/// `(kind, id)` of every declaration a text makes.
fn declarations(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let kind = words.next()?;
            let id = words.next()?;
            ["team", "source", "kpi", "project"].contains(&kind).then(|| (kind.to_string(), id.to_string()))
        })
        .collect()
}

/// The prelude's declarations, without those `block` makes.
fn prelude_for(block: &str) -> String {
    let prelude = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/prelude.kpi")).unwrap();
    let declared = declarations(block);
    let mut out = String::new();
    let mut keep = true;
    for line in prelude.lines() {
        if !line.starts_with([' ', '}']) && !line.is_empty() {
            keep = declarations(line).is_disjoint(&declared);
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn every_example_in_the_docs_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut documents: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    documents.push(root.join("README.md"));
    documents.sort();
    let mut checked_blocks = 0;
    let mut problems = Vec::new();
    for document in documents {
        let markdown = std::fs::read_to_string(&document).unwrap();
        let mut earlier = String::new();
        for (line, block) in blocks(&markdown) {
            let expected = block.lines().next().and_then(|l| l.strip_prefix("# expect:")).map(str::trim);
            let text = format!("{earlier}{block}");
            if expected.is_none() {
                earlier = text.clone();
            }
            let mut sources = SourceMap::default();
            sources.add(SourceFile::new("example.kpi", text.clone()));
            sources.add(SourceFile::new("prelude.kpi", prelude_for(&text)));
            let checked = kpic::check(sources);
            let codes: Vec<&str> = checked.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.name()).collect();
            let all: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.name()).collect();
            let place = format!("{}:{line}", document.strip_prefix(root).unwrap().display());
            // Examples are shown as `kpic fmt` writes them.
            if let Some(formatted) = kpic::syntax::format(&block).filter(|f| *f != block) {
                problems.push(format!("{place}: not formatted; `kpic fmt` writes it as:\n{formatted}"));
            }
            match expected {
                Some(code) if !all.contains(&code) => {
                    problems.push(format!("{place}: expected {code}, found {codes:?}"))
                }
                None if !codes.is_empty() => {
                    let text = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
                    problems.push(format!("{place}: {codes:?}\n{text}"));
                }
                _ => {}
            }
            checked_blocks += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked_blocks >= 15, "only {checked_blocks} examples found");
}
