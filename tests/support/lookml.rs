//! The two independent LookML parsers the tests run on kpic's output:
//! `lkml` (PyPI) through `tests/lookml/parse.py` — views and models, and
//! dashboards as YAML — and `lookml-parser` (npm) through
//! `tests/lookml/assemble.js`, which assembles models from their includes.
//! `.ci/run` installs both; without them a test is skipped, or fails when
//! `KPIC_REQUIRE_ENGINES` is set.

#![allow(dead_code)] // each test binary uses part of it

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lookml").join(name).display().to_string()
}

fn missing(what: &str) -> Option<Value> {
    assert!(std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(), "{what} (bash .ci/run installs it)");
    eprintln!("skipped: {what} (bash .ci/run installs it)");
    None
}

fn run(command: &mut Command, what: &str) -> Value {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(output.status.success(), "{what} fails:\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))
}

/// Every file under `dir` parsed by lkml (dashboards by PyYAML): `{path: parsed}`.
pub fn parse_lkml(dir: &Path) -> Option<Value> {
    let available = Command::new("python3").args(["-c", "import lkml, yaml"]).output();
    if !available.is_ok_and(|o| o.status.success()) {
        return missing("python3 with lkml and PyYAML is not installed");
    }
    Some(run(Command::new("python3").arg(script("parse.py")).arg(dir), "lkml"))
}

/// The Looker project at `dir` parsed and assembled by lookml-parser:
/// `{errors, model: {name: {view, explore, …}}, files}`.
pub fn assemble(dir: &Path) -> Option<Value> {
    let Some(modules) = std::env::var_os("KPIC_LOOKML_PARSER") else {
        return missing("KPIC_LOOKML_PARSER (the node_modules folder holding lookml-parser) is not set");
    };
    Some(run(Command::new("node").arg(script("assemble.js")).arg(dir).env("NODE_PATH", modules), "lookml-parser"))
}

/// Writes `files` (paths relative to `dir`) under `dir`, replacing it.
pub fn write_tree(dir: &Path, files: &[kpic::emit::OutputFile]) {
    let _ = std::fs::remove_dir_all(dir);
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}
