//! Latency of `kpic lsp` as an editor sees it, on synthetic projects: the
//! diagnostics after a change to one file (what every keystroke costs) and a
//! hover, both over stdio from the client's side. Run:
//!
//! ```sh
//! cargo bench --bench lsp
//! ```

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;
mod synth;

use std::time::{Duration, Instant};

use lsp_client::Client;
use serde_json::json;

const SIZES: [usize; 3] = [1_000, 10_000, 20_000];
const RUNS: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    println!("| KPIs | diagnostics after a change | hover |");
    println!("|-----:|---------------------------:|------:|");
    for n in SIZES {
        let dir = std::env::temp_dir().join(format!("kpic-bench-lsp-{n}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (_, file) in synth::project(n).files() {
            let path = dir.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &file.text).unwrap();
        }
        let dir = std::fs::canonicalize(&dir).unwrap();
        // Files written in the last two seconds are read again on every check (`source::Stamp`):
        // an editor's files have been on disk for longer.
        std::thread::sleep(std::time::Duration::from_secs(2));
        let (path, text) = {
            let (_, file) = synth::project(n).files().nth(1).map(|(id, f)| (id, f.clone())).unwrap();
            (dir.join(&file.path), file.text)
        };
        let uri = format!("file://{}", path.display());
        let mut client = Client::start(env!("CARGO_BIN_EXE_kpic"));
        client.request(
            "initialize",
            json!({"processId": null, "rootUri": format!("file://{}", dir.display()), "capabilities": {}}),
        );
        client.notify("initialized", json!({}));
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kpi", "version": 1, "text": text}}),
        );
        client.diagnostics_for(&uri);
        let mut changes = Vec::new();
        for run in 0..RUNS {
            // A keystroke: a title edited.
            let edited = text.replacen("title \"", &format!("title \"{run} "), 1);
            let started = Instant::now();
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": run + 2}, "contentChanges": [{"text": edited}]}),
            );
            client.diagnostics_for(&uri);
            changes.push(started.elapsed());
        }
        let kpi = text.find("kpi ").unwrap() + 4;
        let line = text[..kpi].matches('\n').count();
        let column = kpi - text[..kpi].rfind('\n').map_or(0, |i| i + 1);
        let mut hovers = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let hover = client.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": column}}),
            );
            hovers.push(started.elapsed());
            assert!(!hover.is_null(), "the hover names a KPI");
        }
        client.request("shutdown", serde_json::Value::Null);
        client.notify("exit", serde_json::Value::Null);
        let _ = client.child.wait();
        println!("| {n} | {:.1?} | {:.1?} |", median(changes), median(hovers));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
