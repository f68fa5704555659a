//! Where the time of `kpic check` and `kpic emit` goes: every stage timed on
//! its own over one synthetic project (`benches/synth/`, 10,000 KPIs unless
//! `KPIC_BENCH_KPIS` says otherwise), written to disk and read back as the
//! command does. Median of 5; run:
//!
//! ```sh
//! cargo bench --bench stages
//! ```
//!
//! Parsing is timed on one core (`check` parses files on every core) and the
//! whole of `check` and of `emit`'s generation is timed too, so the stages
//! can be compared with what a user waits for.

mod synth;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kpic::model::Dialect;

const RUNS: usize = 5;

fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut out = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        out = Some(f());
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], out.expect("RUNS > 0"))
}

fn row(stage: &str, time: Duration, note: impl std::fmt::Display) {
    println!("| {stage} | {:.1} ms | {note} |", time.as_secs_f64() * 1e3);
}

fn main() {
    let n: usize = std::env::var("KPIC_BENCH_KPIS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-stages");
    let project_dir = root.join("project");
    let _ = std::fs::remove_dir_all(&root);
    let synthetic = synth::project(n);
    let mut bytes = 0;
    for (_, file) in synthetic.files() {
        let path = project_dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("bench directory");
        std::fs::write(&path, &file.text).expect("bench file");
        bytes += file.text.len();
    }
    let files = synthetic.files().count();
    println!("{n} KPIs in {files} files ({:.1} MB of .kpi text), median of {RUNS}:\n", bytes as f64 / 1e6);
    println!("| stage | time | |");
    println!("|-------|-----:|-|");

    let (time, sources) = median(|| kpic::project::load(&project_dir).expect("the project loads"));
    row("read the files", time, format!("{files} files"));

    let parse = |sources: &kpic::source::SourceMap| {
        let mut diagnostics = Vec::new();
        let asts: Vec<_> = sources
            .files()
            .map(|(id, file)| Arc::new(kpic::syntax::parse_file(id, &file.text, &mut diagnostics)))
            .collect();
        (asts, diagnostics)
    };
    let (time, (asts, diagnostics)) = median(|| parse(&sources));
    assert!(diagnostics.is_empty(), "the synthetic project parses");
    row("parse and lower (one core)", time, "");

    let (time, model) = median(|| kpic::resolve::resolve(&sources, &asts, &mut Vec::new()));
    row("resolve", time, format!("{} KPIs, {} sources", model.kpis.len(), model.sources.len()));

    let (time, graph) = median(|| kpic::graph::Graph::build(&model));
    row("graph", time, "");

    let (time, found) = median(|| {
        let mut found = Vec::new();
        kpic::validate::validate(&model, &graph, &mut found);
        found
    });
    assert!(found.is_empty(), "the synthetic project validates");
    row("validate", time, "");

    let order = graph.kpis_in_dependency_order().expect("no cycle");
    let (time, fingerprints) = median(|| kpic::lock::fingerprints(&model, &order));
    row("fingerprints", time, format!("{} KPIs", fingerprints.len()));

    // The lock, as `kpic lock` writes it, then read back by `check`.
    let checked = kpic::check(sources.clone());
    let valid = checked.valid().expect("no errors");
    let (time, lock_text) = median(|| kpic::lock::update(&valid, None).to_text());
    row("lock: build and print", time, format!("{:.1} MB", lock_text.len() as f64 / 1e6));
    std::fs::write(project_dir.join(kpic::lock::FILE_NAME), &lock_text).expect("lock file");
    let (time, _) = median(|| kpic::lock::Lock::parse(&lock_text).expect("the lock parses"));
    row("lock: parse", time, "");

    let (time, checked) = median(|| kpic::check_dir(&project_dir).expect("the project loads"));
    assert!(!checked.has_errors(), "the locked project checks clean");
    row("**check, whole** (read, parse on every core, resolve, graph, validate, lock)", time, "");

    let valid = checked.valid().expect("no errors");
    for dialect in Dialect::ALL {
        let (time, files) = median(|| kpic::emit::sql::files(&valid, &[dialect]));
        let megabytes = files.iter().map(|f| f.contents.len()).sum::<usize>() as f64 / 1e6;
        row(&format!("SQL text, {}", dialect.name()), time, format!("{} files, {megabytes:.1} MB", files.len()));
    }
    let (time, lookml) = median(|| kpic::emit::lookml::files(&valid));
    row("LookML", time, format!("{} files", lookml.len()));
    let dialects = valid.model.settings.dialects.clone();
    let (time, catalog) = median(|| kpic::emit::catalog::files(&valid, &dialects));
    row("catalog (JSON and site, building its SQL views)", time, format!("{} files", catalog.len()));

    let (time, files) = median(|| kpic::emit::files(&valid, &dialects, kpic::emit::Outputs::ALL));
    let megabytes = files.iter().map(|f| f.contents.len()).sum::<usize>() as f64 / 1e6;
    row("**emit, generation whole**", time, format!("{} files, {megabytes:.0} MB", files.len()));
    let out = root.join("out");
    let (time, ()) = median(|| kpic::emit::write_atomically(&out, &files).expect("the output is written"));
    row("write the files (staged, then swapped in)", time, "");
    let _ = std::fs::remove_dir_all(&root);
}
