//! The benchmark's synthetic projects are realistic enough to check clean.

#[path = "../benches/synth/mod.rs"]
mod synth;

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
    let root = std::env::temp_dir().join(format!("kpic-synthetic-cache-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
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
