//! The `kpic` binary as users and CI call it: exit code, stdout and stderr
//! snapshotted together. Paths are relative to the crate root.

use std::path::Path;
use std::process::Command;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn run(args: &[&str]) -> String {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn run_in(folder: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(args)
        .current_dir(folder)
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
    let dir = Scratch::new("cli-warn");
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

fn temp_folder(name: &str) -> Scratch {
    Scratch::new(&format!("cli-{name}"))
}

#[test]
fn check_finds_the_project_from_a_subfolder_or_a_file() {
    let kpis = Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis");
    let whole = run_in(&kpis, &["check"]);
    assert!(whole.starts_with("exit: 0\n") && whole.contains("0 errors, 0 warnings"), "{whole}");
    let checked = whole.lines().find(|l| l.starts_with("checked")).unwrap().to_string();
    // From a subfolder: the whole project, files shown relative to where kpic runs.
    let from_growth = run_in(&kpis.join("growth"), &["check"]);
    assert!(from_growth.contains(&checked), "{from_growth}");
    // A .kpi file, as pre-commit hooks and editors pass them.
    let from_file = run(&["check", "kpis/growth/acquisition.kpi", "kpis/sre/reliability.kpi"]);
    assert!(from_file.contains(&checked), "{from_file}");
    let relative = run_in(&kpis.join("growth"), &["check", "acquisition.kpi", "../teams.kpi"]);
    assert!(relative.contains(&checked), "{relative}");
}

#[test]
fn check_refuses_folders_that_are_not_one_project() {
    let empty = temp_folder("empty");
    let output = run_in(&empty, &["check"]);
    assert!(output.starts_with("exit: 2\n") && output.contains("has no .kpi files"), "{output}");
    let two = temp_folder("two");
    for name in ["a", "b"] {
        std::fs::create_dir_all(two.join(name)).unwrap();
        std::fs::write(two.join(name).join("project.kpi"), format!("project {name} {{\n}}\n")).unwrap();
    }
    let output = run_in(&two, &["check"]);
    assert!(output.starts_with("exit: 2\n"), "{output}");
    assert!(output.contains("holds several projects: `a`, `b`"), "{output}");
    let output = run_in(&two, &["check", "a/project.kpi", "b/project.kpi"]);
    assert!(output.starts_with("exit: 2\n") && output.contains("two projects"), "{output}");
    let output = run(&["check", "README.md"]);
    assert!(output.starts_with("exit: 2\n") && output.contains("is not a .kpi file"), "{output}");
    // A project inside another folder's project is its own: never merged into it.
    std::fs::write(two.join("top.kpi"), "project top {\n}\n").unwrap();
    let output = run_in(&two, &["check"]);
    assert!(output.starts_with("exit: 0\n") && output.contains("in 1 file"), "{output}");
}

#[test]
fn init_creates_a_project_that_checks_and_emits_clean() {
    let parent = temp_folder("init");
    let output = run_in(&parent, &["init", "acme-kpis"]);
    assert!(output.starts_with("exit: 0\n") && output.contains("`acme_kpis`"), "{output}");
    let project = parent.join("acme-kpis");
    for file in ["project.kpi", "sources.kpi", "kpis.kpi", "kpic.lock", "README.md", ".github/workflows/kpis.yml"] {
        assert!(project.join(file).is_file(), "{file} is missing");
    }
    let check = run_in(&project, &["check", "--deny-warnings"]);
    assert!(check.starts_with("exit: 0\n") && check.contains("checked 2 KPIs"), "{check}");
    assert!(run_in(&project, &["fmt", "--check"]).starts_with("exit: 0\n"));
    let emit = run_in(&project, &["emit", "--out", "build"]);
    assert!(emit.starts_with("exit: 0\n"), "{emit}");
    assert!(project.join("build/catalog/catalog.json").is_file());
    // Never over anything.
    let again = run_in(&parent, &["init", "acme-kpis"]);
    assert!(again.starts_with("exit: 2\n") && again.contains("already exists"), "{again}");
    std::fs::write(parent.join("notes.txt"), "mine").unwrap();
    let busy = run_in(&parent, &["init"]);
    assert!(busy.starts_with("exit: 2\n"), "{busy}");
    assert_eq!(std::fs::read_to_string(parent.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn completions_complete_subcommands() {
    let script = run(&["completions", "bash"]);
    let script = script.split_once("--- stdout\n").unwrap().1.split_once("--- stderr\n").unwrap().0.to_string();
    let dir = temp_folder("completions");
    let file = dir.join("kpic.bash");
    std::fs::write(&file, script).unwrap();
    let probe = format!(
        "source {}; COMP_WORDS=(kpic fm); COMP_CWORD=1; _kpic kpic fm kpic; echo \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let output = Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "fmt", "{}", String::from_utf8_lossy(&output.stderr));
    for shell in ["zsh", "fish"] {
        let script = run(&["completions", shell]);
        assert!(script.starts_with("exit: 0\n") && script.contains("lock"), "{script}");
    }
}
