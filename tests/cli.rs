//! The `kpic` binary as users and CI call it: exit code, stdout and stderr
//! snapshotted together. Paths are relative to the crate root.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("kpic runs");
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const CLEAN: &str = "tests/cases/valid/cross_source";
const INVALID: &str = "tests/cases/invalid/duplicate_name";

#[test]
fn check_clean_project() {
    insta::assert_snapshot!(run(&["check", CLEAN]));
}

#[test]
fn check_invalid_project_human() {
    insta::assert_snapshot!(run(&["check", INVALID]));
}

#[test]
fn check_invalid_project_json() {
    insta::assert_snapshot!(run(&["check", INVALID, "--format", "json"]));
}

#[test]
fn check_invalid_project_github() {
    insta::assert_snapshot!(run(&["check", INVALID, "--format", "github"]));
}

#[test]
fn check_denies_warnings_on_request() {
    let dir = std::env::temp_dir().join(format!("kpic-cli-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("tests/cases/invalid/unused.kpi", dir.join("unused.kpi")).unwrap();
    let dir = dir.to_str().unwrap();
    assert!(run(&["check", dir]).starts_with("exit: 0\n"));
    let denied = run(&["check", dir, "--deny-warnings"]);
    assert!(denied.starts_with("exit: 1\n"), "{denied}");
    // Unused team and source, and no kpic.lock.
    assert!(denied.contains("0 errors, 3 warnings"), "{denied}");
}

#[test]
fn check_missing_directory_is_a_usage_failure() {
    insta::assert_snapshot!(run(&["check", "no/such/dir"]));
}

#[test]
fn unknown_flag_is_a_usage_failure() {
    insta::assert_snapshot!(run(&["check", "--frobnicate"]));
}

#[test]
fn graph_formats() {
    for format in ["dot", "mermaid", "json"] {
        insta::assert_snapshot!(format!("graph_{format}"), run(&["graph", CLEAN, "--format", format]));
    }
}
