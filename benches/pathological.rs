//! Shapes that were once quadratic, at sizes machine-made projects reach:
//! `emit --check` against a written output, many KPIs on one source, a lock
//! full of removed KPIs, a long dependency cycle rendered for humans, a huge
//! title, a filter of 10,000 terms. Each must grow linearly. Run:
//!
//! ```sh
//! cargo bench --bench pathological
//! ```

mod synth;

use std::time::{Duration, Instant};

use kpic::source::{SourceFile, SourceMap};

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let out = f();
    (started.elapsed(), out)
}

fn one_file(text: String) -> SourceMap {
    let mut sources = SourceMap::default();
    sources.add(SourceFile::new("p.kpi", text));
    sources
}

const HEADER: &str = "team t {\n}\nsource s {\n  table \"a.s\"\n  time at\n  columns {\n    at timestamp\n    x number\n    label string\n  }\n}\n";

/// `n` KPIs that all read source `s`.
fn on_one_source(n: usize) -> String {
    let mut text = HEADER.to_string();
    for i in 0..n {
        text.push_str(&format!(
            "kpi k{i} {{\n  owner t\n  value count(s where s.x > {i})\n  grain day\n  version 1\n}}\n"
        ));
    }
    text
}

/// `n` KPIs in one dependency cycle: `k0` reads `k{n-1}`, each other `k{i}` reads `k{i-1}`.
fn cycle(n: usize) -> String {
    let mut text = HEADER.to_string();
    for i in 0..n {
        let upstream = (i + n - 1) % n;
        text.push_str(&format!("kpi k{i} {{\n  owner t\n  value k{upstream} * 2\n  version 1\n}}\n"));
    }
    text
}

fn emit_check(n: usize) -> Duration {
    let checked = kpic::check(synth::project(n));
    let valid = checked.valid().expect("the synthetic project checks clean");
    let files = kpic::emit::sql::files(&valid, &valid.model.settings.dialects);
    let dir = std::env::temp_dir().join(format!("kpic-bench-emit-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    kpic::emit::write_atomically(&dir, &files).expect("written");
    let (time, stale) = timed(|| kpic::emit::stale_files(&dir, &files));
    assert!(stale.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
    time
}

fn ghosts(n: usize) -> Duration {
    let checked = kpic::check(synth::project(100));
    let valid = checked.valid().expect("clean");
    let mut lock = kpic::lock::update(&valid, None);
    let entry = lock.kpis.values().next().expect("an entry").clone();
    for i in 0..n {
        lock.kpis.insert(format!("removed_{i}"), entry.clone());
    }
    let dir = std::env::temp_dir().join(format!("kpic-bench-ghosts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (_, file) in synth::project(100).files() {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.text).unwrap();
    }
    std::fs::write(dir.join(kpic::lock::FILE_NAME), lock.to_text()).unwrap();
    let (time, checked) = timed(|| kpic::check_dir(&dir).expect("loads"));
    let (render, _) = timed(|| kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false));
    let _ = std::fs::remove_dir_all(&dir);
    time + render
}

fn main() {
    println!("| shape | size | time |");
    println!("|-------|-----:|-----:|");
    for n in [2_500, 5_000] {
        println!("| `emit --check` against the written output | {n} KPIs | {:.1?} |", emit_check(n));
    }
    for n in [25_000, 50_000] {
        let text = on_one_source(n);
        let (time, _) = timed(|| kpic::check(one_file(text)));
        println!("| check, every KPI on one source | {n} KPIs | {time:.1?} |");
    }
    for n in [5_000, 10_000] {
        println!("| check and render, kpic.lock with removed KPIs | {n} entries | {:.1?} |", ghosts(n));
    }
    for n in [5_000, 10_000] {
        let text = cycle(n);
        let (time, _) = timed(|| {
            let checked = kpic::check(one_file(text));
            kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false).len()
        });
        println!("| check and render a dependency cycle | {n} KPIs | {time:.1?} |");
    }
    for megabytes in [1, 10] {
        let title = "T".repeat(megabytes << 20);
        let text = format!(
            "{HEADER}kpi k {{\n  title \"{title}\"\n  owner t\n  value count(s)\n  grain day\n  version 1\n}}\n"
        );
        let (time, bytes) = timed(|| {
            let checked = kpic::check(one_file(text));
            kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false).len()
        });
        println!("| check and render a title of {megabytes} MB (refused) | {bytes} bytes out | {time:.1?} |");
    }
    for terms in [5_000, 10_000] {
        let filter = (0..terms).map(|i| format!("s.label = \"v{i}\"")).collect::<Vec<_>>().join(" or ");
        let text =
            format!("{HEADER}kpi k {{\n  owner t\n  value count(s where {filter})\n  grain day\n  version 1\n}}\n");
        let (time, _) = kpic::cli::on_large_stack(|| {
            timed(|| {
                let checked = kpic::check(one_file(text));
                let valid = checked.valid().expect("clean");
                kpic::emit::sql::files(&valid, &valid.model.settings.dialects).len()
            })
        })
        .expect("thread starts")
        .expect("no panic");
        println!("| check and emit a filter of {terms} `or` terms | 1 KPI | {time:.1?} |");
    }
}
