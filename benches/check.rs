//! Times `check` (parse → resolve → graph → validate, with the fingerprints
//! it computes also timed alone), SQL emission for all
//! seven dialects, LookML emission and the catalog (catalog.json and the
//! site, with one dialect's SQL) on synthetic projects of growing size. Run:
//!
//! ```sh
//! cargo bench --bench check
//! ```

mod synth;

use std::time::{Duration, Instant};

use kpic::model::Dialect;

const SIZES: [usize; 4] = [100, 1_000, 10_000, 20_000];
const RUNS: usize = 5;

fn median(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::new();
    let mut out = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        out = f();
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], out)
}

fn main() {
    println!("| KPIs | files | check | per KPI | of which fingerprints | emit SQL, 7 dialects | statements | emit LookML | LookML files | catalog | catalog files | catalog MB |");
    println!("|-----:|------:|------:|--------:|----------------------:|---------------------:|-----------:|------------:|-------------:|--------:|--------------:|-----------:|");
    for n in SIZES {
        let project = synth::project(n);
        let files = project.files().count();
        let (check, diagnostics) = median(|| kpic::check(project.clone()).diagnostics.len());
        assert_eq!(diagnostics, 0, "the synthetic project checks clean");
        let checked = kpic::check(project.clone());
        let valid = checked.valid().expect("no errors");
        let order = checked.graph.kpis_in_dependency_order().expect("no cycle");
        let (fingerprints, _) = median(|| kpic::lock::fingerprints(&checked.model, &order).len());
        let (emit, statements) = median(|| Dialect::ALL.iter().map(|d| kpic::emit::sql::views(&valid, *d).len()).sum());
        let (lookml, lookml_files) = median(|| kpic::emit::lookml::files(&valid).len());
        let (catalog, catalog_files) = median(|| kpic::emit::catalog::files(&valid, &[Dialect::DuckDb]).len());
        let megabytes =
            kpic::emit::catalog::files(&valid, &[Dialect::DuckDb]).iter().map(|f| f.contents.len()).sum::<usize>()
                as f64
                / 1e6;
        let per_kpi = check.as_secs_f64() * 1e6 / n as f64;
        println!(
            "| {n} | {files} | {check:.1?} | {per_kpi:.1} µs | {fingerprints:.1?} | {emit:.1?} | {statements} | {lookml:.1?} | {lookml_files} | {catalog:.1?} | {catalog_files} | {megabytes:.0} |"
        );
    }
}
