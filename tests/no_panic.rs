//! kpic never panics, whatever it is given: arbitrary text, and mutations of
//! real projects (bytes deleted, duplicated, swapped; tokens inserted), through
//! every stage up to SQL emission. Every diagnostic span lies inside its file
//! on character boundaries.

use std::path::Path;

use kpic::source::{SourceFile, SourceMap};
use proptest::prelude::*;

/// The text of every valid case, the library and the examples: the seeds to mutate.
fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests/cases/valid"), root.join("kpis"), root.join("examples")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "kpi") {
                out.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    out.sort();
    out
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "%",
    "2026-13-45",
    "where",
    "count(",
    "kpi x {",
    "source",
    ",",
    ".",
    "-",
    "sql(\"",
    "active_at(period_end)",
    "previous(",
    "1e999",
    "99999999999999999999",
    "é",
    "\\",
    "#",
    "\n",
    "not",
    "in (",
    "\r",
    "\u{0}",
    "\u{2028}",
    "\u{feff}",
    "sql(\"a /* x */ -- y\")",
    "sql(\"$1\")",
];

/// Checks `text` as a one-file project, formats it, and emits SQL if it is valid.
fn exercise(text: &str) {
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new("fuzz.kpi", text));
    let checked = kpic::check(sources);
    for d in &checked.diagnostics {
        for label in &d.labels {
            let file = checked.sources.get(label.span.file);
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= file.text.len(), "span {start}..{end} outside the file: {d:?}");
            assert!(
                file.text.is_char_boundary(start) && file.text.is_char_boundary(end),
                "span not on char boundaries: {d:?}"
            );
        }
    }
    let _ = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
    // What parses formats, and the formatted text formats to itself.
    if let Some(formatted) = kpic::syntax::format(text) {
        assert_eq!(
            kpic::syntax::format(&formatted).as_ref(),
            Some(&formatted),
            "formatting is not idempotent on:\n{text}"
        );
    }
    if let Some(valid) = checked.valid() {
        let _ = kpic::emit::sql::files(&valid, &valid.model.settings.dialects);
    }
}

/// Ways to nest an expression `x` once more, as `(prefix, suffix)`.
const WRAPPERS: &[(&str, &str)] = &[
    ("(", ")"),
    ("abs(", ")"),
    ("not ", ""),
    ("- ", ""),
    ("case when s.x > 0 then ", " end"),
    ("true = not (", ")"),
    ("coalesce(", ", 1)"),
];

const OPERATORS: &[&str] = &[" or ", " and ", " + ", " - ", " * ", " / ", " = "];

/// A KPI whose value nests `depth` wrappers around a chain of `terms` terms.
fn deep_project(wrappers: &[usize], terms: usize, operator: usize) -> String {
    let chain = vec!["s.x"; terms.max(1)].join(OPERATORS[operator]);
    let mut value = chain;
    for &w in wrappers {
        let (prefix, suffix) = WRAPPERS[w];
        value = format!("{prefix}{value}{suffix}");
    }
    project_with_value(&value)
}

/// A project with one KPI, whose value is `sum(<value>)`.
fn project_with_value(value: &str) -> String {
    format!(
        "team t {{\n}}\nsource s {{\n  table \"a.s\"\n  time at\n  columns {{\n    at timestamp\n    x number\n  }}\n}}\n\
         kpi k {{\n  owner t\n  value sum({value})\n  grain day\n  version 1\n}}\n"
    )
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize, usize),
    Insert(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0..60usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        (any::<usize>(), any::<usize>(), 1..30usize).prop_map(|(a, b, n)| Mutation::Swap(a, b, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
    ]
}

/// The nearest char boundary at or below `at`, within the text.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let at = |i: usize| boundary(text, i);
    // Range ends clamp to the text rather than wrap around.
    let end = |from: usize, n: usize| boundary(text, from.saturating_add(n).min(text.len()));
    match *mutation {
        Mutation::Delete(a, n) => {
            let (s, e) = (at(a), end(at(a), n));
            format!("{}{}", &text[..s], &text[e..])
        }
        Mutation::Duplicate(a, n) => {
            let (s, e) = (at(a), end(at(a), n));
            format!("{}{}{}", &text[..e], &text[s..e], &text[e..])
        }
        Mutation::Swap(a, b, n) => {
            let (x, y) = (at(a).min(at(b)), at(a).max(at(b)));
            let (x_end, y_end) = (end(x, n).min(y), end(y, n));
            format!("{}{}{}{}{}", &text[..x], &text[y..y_end], &text[x_end..y], &text[x..x_end], &text[y_end..])
        }
        Mutation::Insert(a, t) => {
            let s = at(a);
            format!("{}{}{}", &text[..s], TOKENS[t], &text[s..])
        }
    }
}

/// Each `-` or `not` in a row costs the parser a frame of the stack: runs of
/// them inside many parentheses are refused with one error, not a crash.
#[test]
fn long_runs_of_prefix_operators_are_refused() {
    let mut value = "s.x".to_string();
    for _ in 0..200 {
        value = format!("({}{value})", "- ".repeat(19_999));
    }
    let text = project_with_value(&value);
    let run = kpic::cli::on_large_stack(|| {
        exercise(&text);
        let mut sources = SourceMap::default();
        sources.add(SourceFile::new("deep.kpi", text.as_str()));
        let checked = kpic::check(sources);
        kpic::diagnostics::render::concise(&checked.diagnostics, &checked.sources)
    });
    let diagnostics = run.expect("thread starts").unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert_eq!(diagnostics.matches("nested more than 100 levels deep").count(), 1, "{diagnostics}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    /// Deep nesting and long chains, on the CLI's stack as `kpic` runs them.
    #[test]
    fn deep_and_long_expressions_never_panic(
        wrappers in prop::collection::vec(0..WRAPPERS.len(), 0..400),
        repeat in 1..20usize,
        terms in 0..3000usize,
        operator in 0..OPERATORS.len(),
    ) {
        let wrappers: Vec<usize> = wrappers.iter().copied().cycle().take(wrappers.len() * repeat).collect();
        let text = deep_project(&wrappers, terms, operator);
        let run = kpic::cli::on_large_stack(|| exercise(&text)).expect("thread starts");
        run.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        exercise(&text);
    }

    #[test]
    fn mutated_projects_never_panic(seed in any::<prop::sample::Index>(), mutations in prop::collection::vec(mutation(), 1..6)) {
        let corpus = corpus();
        let mut text = seed.get(&corpus).clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        exercise(&text);
    }
}

/// DuckDB tables typed as the project's sources declare, for its views to
/// bind, with three rows each (two values and a NULL of every type) for them to compute.
#[cfg(feature = "engine")]
fn source_tables(model: &kpic::model::Model) -> Option<String> {
    use kpic::model::{Relation, Type};
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    // Per table, the union of the columns its sources declare (the first type wins).
    let mut tables: std::collections::BTreeMap<Vec<String>, Vec<(String, Type)>> = Default::default();
    for source in &model.sources {
        // A SQL source reads tables whose columns nothing declares.
        let Relation::Table(table) = &source.relation else { return None };
        let parts: Vec<String> = table.split('.').map(quote).collect();
        // A three-part name reads another catalog, which one database cannot hold.
        if parts.len() > 2 {
            return None;
        }
        let columns = tables.entry(parts).or_default();
        for c in &source.columns {
            if !columns.iter().any(|(name, _)| *name == c.name.text) {
                columns.push((c.name.text.clone(), c.ty));
            }
        }
    }
    let mut ddl = String::new();
    for (parts, columns) in &tables {
        let typed: Vec<(String, [&str; 2])> = columns
            .iter()
            .map(|(name, ty)| {
                let (ty, values) = match ty {
                    Type::Number => ("DOUBLE", ["1", "2.5"]),
                    Type::Boolean => ("BOOLEAN", ["true", "false"]),
                    Type::Timestamp => ("TIMESTAMP", ["'2026-01-01 00:00:00'", "'2026-03-15 12:30:00.25'"]),
                    Type::Date => ("DATE", ["'2026-01-01'", "'2026-02-28'"]),
                    _ => ("VARCHAR", ["'a'", "'b'"]),
                };
                (format!("{} {ty}", quote(name)), values)
            })
            .collect();
        if let [schema, _] = parts.as_slice() {
            ddl.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {schema};\n"));
        }
        let table = parts.join(".");
        let names: Vec<&str> = typed.iter().map(|(c, _)| c.as_str()).collect();
        ddl.push_str(&format!("CREATE TABLE {table} ({});\n", names.join(", ")));
        if !typed.is_empty() {
            for row in [0, 1] {
                let values: Vec<&str> = typed.iter().map(|(_, v)| v[row]).collect();
                ddl.push_str(&format!("INSERT INTO {table} VALUES ({});\n", values.join(", ")));
            }
            ddl.push_str(&format!("INSERT INTO {table} VALUES ({});\n", vec!["NULL"; typed.len()].join(", ")));
        }
    }
    Some(ddl)
}

/// Whether any expression holds `sql("…")`: kpic checks its syntax, and only
/// the warehouse knows the names it reads.
#[cfg(feature = "engine")]
fn reads_raw_sql(model: &kpic::model::Model) -> bool {
    let mut found = false;
    let mut visit = |e: &kpic::model::Expr| e.walk(&mut |e| found |= matches!(e.kind, kpic::model::ExprKind::Raw(_)));
    for kpi in &model.kpis {
        visit(&kpi.value);
    }
    for source in &model.sources {
        source.filters.iter().for_each(&mut visit);
        source.dimensions.iter().for_each(|d| visit(&d.expr));
        source.joins.iter().for_each(|j| visit(&j.on));
    }
    found
}

/// Whole projects as one text each: the seeds that check clean before mutation.
#[cfg(feature = "engine")]
fn projects() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("examples/quickstart")];
    for parent in ["tests/cases/valid", "tests/execution", "tests/hostile/accepted"] {
        dirs.extend(std::fs::read_dir(root.join(parent)).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    dirs.sort();
    dirs.iter()
        .filter_map(|dir| {
            let mut files: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).collect();
            files.retain(|p| p.extension().is_some_and(|e| e == "kpi"));
            files.sort();
            let texts: Vec<String> =
                files.iter().map(|f| std::fs::read_to_string(f).unwrap().replace('\u{feff}', "")).collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        })
        .collect()
}

#[cfg(feature = "engine")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Everything `kpic check` accepts deploys: mutants of the corpus that
    /// check clean create every view on DuckDB, and every view answers.
    #[test]
    fn accepted_mutants_deploy_on_duckdb(seed in any::<prop::sample::Index>(), mutations in prop::collection::vec(mutation(), 0..4)) {
        let corpus = projects();
        let mut text = seed.get(&corpus).clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        let mut sources = SourceMap::default();
        sources.add(SourceFile::new("mutant.kpi", text.clone()));
        let checked = kpic::check(sources);
        let Some(valid) = checked.valid() else { return Ok(()) };
        if !valid.model.settings.dialects.contains(&kpic::model::Dialect::DuckDb) || valid.model.kpis.is_empty() {
            return Ok(());
        }
        if reads_raw_sql(valid.model) {
            return Ok(());
        }
        let Some(tables) = source_tables(valid.model) else { return Ok(()) };
        let files = kpic::emit::sql::files(&valid, &[kpic::model::Dialect::DuckDb]);
        let deploy = files.iter().find(|f| f.path.ends_with("deploy.sql")).unwrap();
        let db = duckdb::Connection::open_in_memory().unwrap();
        db.execute_batch(&tables).unwrap_or_else(|e| panic!("tables: {e}\n{tables}"));
        if let Err(error) = db.execute_batch(&deploy.contents) {
            panic!("accepted, but does not deploy: {error}\n--- project\n{text}");
        }
        let schema = valid.model.settings.schema.replace('"', "\"\"");
        for kpi in &valid.model.kpis {
            let view = kpi.name.text.replace('"', "\"\"");
            if let Err(error) = db.execute_batch(&format!("SELECT * FROM \"{schema}\".\"{view}\"")) {
                panic!("view {view} does not answer: {error}\n--- project\n{text}");
            }
        }
    }
}
