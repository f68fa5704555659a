//! `kpic lsp` driven as an editor drives it: JSON-RPC messages over stdio
//! on a copy of the bundled library — initialize, a document opened with an
//! error and fixed, hover, definition across files, references, completion,
//! formatting, rename, document and workspace symbols, shutdown.

#[path = "support/lsp_client.rs"]
mod lsp_client;
#[path = "support/tree.rs"]
mod tree;

use std::path::Path;

use lsp_client::Client;
use serde_json::{json, Value};
use tree::copy_tree;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The LSP position of the first `needle` in `text`, `skip` characters into it.
fn position_of(text: &str, needle: &str, skip: usize) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the text")) + skip;
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

/// A server initialized on the project at `root`, and its answer to `initialize`.
fn start_on(root: &Path) -> (Client, Value) {
    let mut client = Client::start(env!("CARGO_BIN_EXE_kpic"));
    let initialized =
        client.request("initialize", json!({"processId": null, "rootUri": uri(root), "capabilities": {}}));
    client.notify("initialized", json!({}));
    (client, initialized)
}

/// The editor's text of the document at `file_uri` is now `text`.
fn change(client: &mut Client, file_uri: &str, version: u32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": file_uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
}

/// Asks the server to shut down and exit, as an editor does on closing.
fn shut_down(mut client: Client) {
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

/// Opens the document at `file_uri` (growth/acquisition.kpi, whose saved text
/// is `text`) with a typo in it: one diagnostic, at the typo.
fn open_with_a_typo(client: &mut Client, file_uri: &str, text: &str) {
    let broken =
        text.replacen("count_distinct(web_sessions.visitor_id)\n", "count_distinct(web_sessions.visiter_id)\n", 1);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file_uri, "languageId": "kpi", "version": 1, "text": broken}}),
    );
    let diagnostics = client.diagnostics_for(file_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "unknown-column");
    assert_eq!(diagnostics[0]["range"]["start"], position_of(&broken, "visiter_id", 0));
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("did you mean `visitor_id`?"));
}

#[test]
fn an_editor_session() {
    let dir = Scratch::new("lsp");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis"), &dir);
    let dir = std::fs::canonicalize(&dir).unwrap();
    let file = dir.join("growth/acquisition.kpi");
    let file_uri = uri(&file);
    let text = std::fs::read_to_string(&file).unwrap();

    let (mut client, initialized) = start_on(&dir);
    assert_eq!(initialized["capabilities"]["hoverProvider"], true);

    // Opened with a typo: one diagnostic, at the typo.
    open_with_a_typo(&mut client, &file_uri, &text);

    // Fixed: the diagnostics are cleared.
    change(&mut client, &file_uri, 2, &text);
    assert_eq!(client.diagnostics_for(&file_uri), Vec::<Value>::new());

    // kpic.lock is kept between keystrokes, and read again once it changes on disk.
    let lock_path = dir.join("kpic.lock");
    let locked = std::fs::read_to_string(&lock_path).unwrap();
    std::fs::write(&lock_path, "{ not a lock").unwrap();
    change(&mut client, &file_uri, 3, &text);
    let on_lock = client.diagnostics_for(&uri(&lock_path));
    assert_eq!(on_lock.len(), 1, "{on_lock:?}");
    assert_eq!(on_lock[0]["code"], "invalid-lock");
    std::fs::write(&lock_path, &locked).unwrap();
    change(&mut client, &file_uri, 4, &text);
    assert_eq!(client.diagnostics_for(&uri(&lock_path)), Vec::<Value>::new());

    // A file that is not open is read again when it changes on disk.
    let other = dir.join("growth/checkout.kpi");
    let on_disk = std::fs::read_to_string(&other).unwrap();
    let typo = on_disk.replacen("checkout_steps.session_id where", "checkout_steps.sesion_id where", 1);
    std::fs::write(&other, &typo).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri}}));
    let on_other = client.diagnostics_for(&uri(&other));
    assert_eq!(on_other.len(), 1, "{on_other:?}");
    assert_eq!(on_other[0]["code"], "unknown-column");
    std::fs::write(&other, &on_disk).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri}}));
    assert_eq!(client.diagnostics_for(&uri(&other)), Vec::<Value>::new());

    // A project that cannot be read (a link to no file) is said so, and checked again once it can be.
    let dangling = dir.join("growth/gone.kpi");
    std::os::unix::fs::symlink(dir.join("no-such-file.kpi"), &dangling).unwrap();
    std::fs::write(&other, &typo).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri}}));
    let shown = client.notification("window/showMessage");
    assert!(shown["params"]["message"].as_str().unwrap().starts_with("kpic cannot read the project"), "{shown}");
    std::fs::remove_file(&dangling).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri}}));
    assert_eq!(client.diagnostics_for(&uri(&other))[0]["code"], "unknown-column", "checked again");
    std::fs::write(&other, &on_disk).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": file_uri}}));
    assert_eq!(client.diagnostics_for(&uri(&other)), Vec::<Value>::new());

    // Hover: a KPI inside a formula over KPIs, and a source inside an aggregate.
    let at_kpi = position_of(&text, "signups - previous(signups)", 0);
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": file_uri}, "position": at_kpi}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("**Sign-ups** — KPI `signups`, version 1") && shown.contains("grain: week"), "{shown}");
    assert!(shown.contains("owner: Growth (`growth`)"), "{shown}");
    let at_source = position_of(&text, "count_distinct(web_sessions", 16);
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": file_uri}, "position": at_source}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("source `web_sessions`") && shown.contains("| `visitor_id` | string |"), "{shown}");

    // Definition in another file.
    let definition =
        client.request("textDocument/definition", json!({"textDocument": {"uri": file_uri}, "position": at_source}));
    let sources = std::fs::read_to_string(dir.join("growth/sources.kpi")).unwrap();
    assert_eq!(definition["uri"], uri(&dir.join("growth/sources.kpi")));
    assert_eq!(definition["range"]["start"], position_of(&sources, "web_sessions {", 0));

    // References of the KPI `signups`: its declaration and the formulas over it, not `count(signups)`.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": file_uri}, "position": at_kpi, "context": {"includeDeclaration": true}}),
    );
    let references = references.as_array().unwrap();
    let lines: Vec<u64> = references.iter().map(|r| r["range"]["start"]["line"].as_u64().unwrap()).collect();
    let line_of = |needle: &str| position_of(&text, needle, 0)["line"].as_u64().unwrap();
    assert!(lines.contains(&line_of("kpi signups {")), "{references:?}");
    assert!(lines.contains(&line_of("signups - previous(signups)")), "{references:?}");
    assert!(!lines.contains(&line_of("count(signups)\n")), "a source is not the KPI: {references:?}");
    assert_eq!(references.len(), 6, "declaration, signups_change (2), signups_growth (3): {references:?}");

    // A dimension: defined on a source, referenced by the KPIs sliced by it.
    let at_dimension = position_of(&text, "[country]", 1);
    let definition =
        client.request("textDocument/definition", json!({"textDocument": {"uri": file_uri}, "position": at_dimension}));
    assert_eq!(definition["uri"], uri(&dir.join("growth/sources.kpi")), "{definition}");
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": file_uri}, "position": at_dimension, "context": {"includeDeclaration": false}}),
    );
    assert!(references.as_array().unwrap().len() >= 3, "signups, weekly_visitors, signup_conversion: {references}");

    // Completion: teams after `owner`, columns after `source.`.
    let at_owner = position_of(&text, "growth\n  tags", 0);
    let completion =
        client.request("textDocument/completion", json!({"textDocument": {"uri": file_uri}, "position": at_owner}));
    let labels: Vec<&str> = completion.as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"growth") && labels.contains(&"sre") && !labels.contains(&"signups"), "{labels:?}");
    let at_column = position_of(&text, "web_sessions.visitor_id", 13);
    let completion =
        client.request("textDocument/completion", json!({"textDocument": {"uri": file_uri}, "position": at_column}));
    let labels: Vec<&str> = completion.as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"visitor_id") && labels.contains(&"landing_page"), "{labels:?}");

    // Formatting goes through `kpic fmt`.
    let messy = text.replacen("growth\n  tags", "growth\n     tags", 1);
    change(&mut client, &file_uri, 5, &messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": file_uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], text);

    // Document and workspace symbols.
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": file_uri}}));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"signup_conversion") && !names.contains(&"users"), "{names:?}");
    let symbols = client.request("workspace/symbol", json!({"query": "latency"}));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["p95_latency", "p99_latency"]);

    // Rename the KPI `signups` everywhere it is read as a KPI.
    let edit = client.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": file_uri}, "position": at_kpi, "newName": "weekly_signups"}),
    );
    let edits = edit["changes"][&file_uri].as_array().unwrap();
    assert_eq!(edits.len(), 6, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "weekly_signups"));

    // Rename refuses what is not a name, or a name another KPI has.
    for bad in ["bad name!", "weekly_visitors"] {
        client.send(json!({"jsonrpc": "2.0", "id": 998, "method": "textDocument/rename",
            "params": {"textDocument": {"uri": file_uri}, "position": at_kpi, "newName": bad}}));
        let answer = loop {
            let message = client.receive();
            if message["id"] == 998 {
                break message;
            }
        };
        assert_eq!(answer["error"]["code"], -32602, "{bad}: {answer}");
    }

    // A request the server does not know is answered "method not found", and the session goes on.
    client.send(json!({"jsonrpc": "2.0", "id": 999, "method": "textDocument/codeLens", "params": {"textDocument": {"uri": file_uri}}}));
    let answer = loop {
        let message = client.receive();
        if message["id"] == 999 {
            break message;
        }
    };
    assert_eq!(answer["error"]["code"], -32601, "{answer}");

    shut_down(client);
}

/// An editor that opens the project through a linked folder (macOS's `/tmp`
/// is one) gets the diagnostics of its unsaved text on the document it shows.
#[test]
fn a_project_opened_through_a_link() {
    let real = Scratch::new("lsp-real");
    let linked = Scratch::empty("lsp-linked");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis"), &real);
    std::os::unix::fs::symlink(&real, &linked).unwrap();
    let file_uri = uri(&linked.join("growth/acquisition.kpi"));
    let text = std::fs::read_to_string(real.join("growth/acquisition.kpi")).unwrap();

    let (mut client, _) = start_on(&linked);
    open_with_a_typo(&mut client, &file_uri, &text);
    change(&mut client, &file_uri, 2, &text);
    assert_eq!(client.diagnostics_for(&file_uri), Vec::<Value>::new());

    shut_down(client);
    std::fs::remove_file(&linked).unwrap();
    std::fs::remove_dir_all(&real).unwrap();
}
