//! The benchmark's synthetic projects are realistic enough to check clean.

#[path = "support/scratch.rs"]
mod scratch;
#[path = "../benches/synth/mod.rs"]
mod synth;

use scratch::Scratch;

#[test]
fn synthetic_projects_check_clean_and_emit() {
    let checked = kpic::check(synth::project(250));
    let rendered = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
    assert!(checked.diagnostics.is_empty(), "{rendered}");
    assert_eq!(checked.model.kpis.len(), 250);
    let valid = checked.valid().unwrap();
    assert_eq!(kpic::emit::sql::views(&valid, kpic::model::Dialect::Postgres).len(), 500);
}

/// An editor's re-check parses only the changed file, and finds what a fresh
/// check of the same files finds.
#[test]
fn a_cached_recheck_is_a_fresh_check() {
    let root = Scratch::new("synthetic-cache");
    let mut cache = kpic::ParseCache::default();
    let project = synth::project(250);
    let first = kpic::check_files_cached(project.clone(), &root, Some(&mut cache)).unwrap();
    let mut changed = kpic::source::SourceMap::default();
    for (_, file) in project.files() {
        let mut file = file.clone();
        if file.path.ends_with("kpis_00003.kpi") {
            file.text = file.text.replace("owner team_0", "owner no_such_team");
        }
        changed.add(file);
    }
    let cached = kpic::check_files_cached(changed.clone(), &root, Some(&mut cache)).unwrap();
    let fresh = kpic::check_files(changed, &root).unwrap();
    let render = |c: &kpic::Checked| kpic::diagnostics::render::concise(&c.diagnostics, &c.sources);
    assert_ne!(render(&cached), render(&first), "the change is seen");
    assert!(render(&cached).contains("no_such_team"), "{}", render(&cached));
    assert_eq!(render(&cached), render(&fresh));
    std::fs::remove_dir_all(&root).unwrap();
}

/// `emit` makes `deploy.sql` and `catalog.json` a batch of KPIs at a time:
/// across batches they hold every view and KPI once, in dependency order,
/// and a written output compares clean until a part of such a file changes.
#[test]
fn files_made_in_parts_are_whole() {
    use kpic::emit::{self, Outputs};
    use kpic::model::Dialect;
    let checked = kpic::check(synth::project(1300));
    let valid = checked.valid().unwrap();
    let dialects = [Dialect::Postgres, Dialect::DuckDb];
    let files = emit::files(&valid, &dialects, Outputs::ALL);
    let text = |path: &str| &files.iter().find(|f| f.path == std::path::Path::new(path)).unwrap().contents;
    // The views, built in one piece, in the order deploy.sql must create them.
    let versioned: Vec<String> = emit::sql::views(&valid, Dialect::Postgres)
        .into_iter()
        .filter(|v| v.name.contains("_v"))
        .map(|v| format!("{};\n", v.statement))
        .collect();
    assert_eq!(versioned.len(), 1300);
    let deploy = text("sql/postgres/deploy.sql");
    let mut at = 0;
    for statement in &versioned {
        at += deploy[at..].find(statement.as_str()).expect("each view once, in dependency order") + statement.len();
        assert_eq!(deploy.matches(statement.as_str()).count(), 1);
    }
    assert!(deploy.ends_with("COMMIT;\n"));
    let catalog: serde_json::Value = serde_json::from_str(text("catalog/catalog.json")).unwrap();
    let ids: Vec<&str> = catalog["kpis"].as_array().unwrap().iter().map(|k| k["id"].as_str().unwrap()).collect();
    let in_order: Vec<String> =
        valid.kpis_in_dependency_order().iter().map(|&id| valid.model.kpi(id).name.text.clone()).collect();
    assert_eq!(ids, in_order);

    let out = Scratch::empty("parts");
    let mut staging = kpic::atomic::Staging::begin(&out).unwrap();
    emit::pipelined(&mut staging, |sink| emit::generate(&valid, &dialects, Outputs::ALL, sink)).unwrap();
    staging.commit().unwrap();
    let stale = || {
        let mut comparison = emit::Comparison::new(&out);
        emit::pipelined(&mut comparison, |sink| emit::generate(&valid, &dialects, Outputs::ALL, sink)).unwrap();
        comparison.stale()
    };
    assert_eq!(stale(), Vec::<std::path::PathBuf>::new(), "what was written compares clean");
    for (path, file) in files.iter().map(|f| (&f.path, &f.contents)) {
        assert_eq!(&std::fs::read_to_string(out.join(path)).unwrap(), file, "{}", path.display());
    }
    let json = out.join("catalog/catalog.json");
    let whole = std::fs::read_to_string(&json).unwrap();
    std::fs::write(&json, format!("{whole} ")).unwrap();
    assert_eq!(stale(), vec![std::path::PathBuf::from("catalog/catalog.json")], "a longer file");
    let last = whole.rfind("\"id\"").unwrap();
    std::fs::write(&json, format!("{}\"Id\"{}", &whole[..last], &whole[last + 4..])).unwrap();
    assert_eq!(stale(), vec![std::path::PathBuf::from("catalog/catalog.json")], "a changed later part");
    std::fs::write(&json, &whole[..whole.len() - 2]).unwrap();
    assert_eq!(stale(), vec![std::path::PathBuf::from("catalog/catalog.json")], "a shorter file");
    std::fs::remove_dir_all(&out).unwrap();
}
