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
