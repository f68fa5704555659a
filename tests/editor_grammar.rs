//! The VS Code package's TextMate grammar (editors/vscode): its assertion
//! tests pass under `vscode-tmgrammar-test`, it gives every token of the
//! bundled library a scope, and its keywords are the grammar's `kw_` rules.
//! The npm tools come from .ci/run (`KPIC_TMGRAMMAR`: their node_modules).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The node_modules holding vscode-tmgrammar-test, when installed.
fn tools() -> Option<PathBuf> {
    match std::env::var_os("KPIC_TMGRAMMAR") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            assert!(
                std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(),
                "KPIC_TMGRAMMAR is not set (.ci/run installs vscode-tmgrammar-test)"
            );
            None
        }
    }
}

fn kpi_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            kpi_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "kpi") {
            out.push(path);
        }
    }
}

#[test]
fn grammar_assertions_pass() {
    let Some(tools) = tools() else { return };
    let output = Command::new("node")
        .arg(tools.join("vscode-tmgrammar-test/dist/unit.js"))
        .args(["-g", "editors/vscode/syntaxes/kpi.tmLanguage.json", "-g", "editors/vscode/tests/sql.tmLanguage.json"])
        .arg("editors/vscode/tests/syntax.kpi")
        .current_dir(root())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && !text.contains("failed"), "{text}");
}

#[test]
fn grammar_scopes_every_token_of_the_library() {
    let Some(tools) = tools() else { return };
    let mut files = Vec::new();
    kpi_files(&root().join("kpis"), &mut files);
    kpi_files(&root().join("examples"), &mut files);
    files.sort();
    let output = Command::new("node")
        .arg("editors/vscode/tests/library.js")
        .args(&files)
        .env("NODE_PATH", &tools)
        .current_dir(root())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && text.contains("every one scoped"), "{text}");
}

#[test]
fn grammar_keywords_are_the_languages() {
    let grammar: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("editors/vscode/syntaxes/kpi.tmLanguage.json")).unwrap(),
    )
    .unwrap();
    let mut words = BTreeSet::new();
    let repository = &grammar["repository"];
    let mut patterns: Vec<&str> = vec![
        repository["declaration"]["match"].as_str().unwrap(),
        repository["property"]["match"].as_str().unwrap(),
        repository["embedded-sql-block"]["begin"].as_str().unwrap(),
    ];
    patterns.extend(repository["keyword"]["patterns"].as_array().unwrap().iter().map(|p| p["match"].as_str().unwrap()));
    for pattern in patterns {
        let group = pattern.split_once('(').unwrap().1.split_once(')').unwrap().0;
        words.extend(group.split('|').map(str::to_string));
    }
    let pest = std::fs::read_to_string(root().join("grammar/kpi.pest")).unwrap();
    let rules: BTreeSet<String> =
        pest.lines().filter_map(|l| l.strip_prefix("kw_")?.split_whitespace().next().map(str::to_string)).collect();
    assert_eq!(words, rules, "editors/vscode/syntaxes/kpi.tmLanguage.json and grammar/kpi.pest name other keywords");
}
