//! `kpic emit`: deterministic files, `--check` on stale output, and an
//! output directory that is replaced whole or not at all.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn kpic(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic")).args(args).output().expect("kpic runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8 output");
    (output.status.code().unwrap_or(-1), text(output.stdout), text(output.stderr))
}

fn project() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/valid/every_shape").display().to_string()
}

fn temp_dir(name: &str) -> Scratch {
    Scratch::new(&format!("emit-{name}"))
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn emitting_twice_gives_byte_identical_files() {
    let dir = temp_dir("twice");
    let (first, second) = (dir.join("a"), dir.join("b"));
    assert_eq!(kpic(&["emit", &project(), "--out", first.to_str().unwrap()]).0, 0);
    assert_eq!(kpic(&["emit", &project(), "--out", second.to_str().unwrap()]).0, 0);
    let (a, b) = (read_tree(&first), read_tree(&second));
    assert!(a.len() > 7 * 15, "expected a view per KPI and dialect, found {} files", a.len());
    assert_eq!(a, b);
}

#[test]
fn check_reports_stale_and_missing_files() {
    let dir = temp_dir("check");
    let out = dir.join("build");
    let out_str = out.to_str().unwrap();
    assert_eq!(kpic(&["emit", &project(), "--out", out_str]).0, 0);
    let (code, stdout, _) = kpic(&["emit", &project(), "--out", out_str, "--check"]);
    assert_eq!(code, 0, "{stdout}");

    std::fs::write(out.join("sql/duckdb/mrr.sql"), "-- edited by hand\n").unwrap();
    std::fs::remove_file(out.join("sql/postgres/churn.sql")).unwrap();
    std::fs::write(out.join("sql/trino/leftover.sql"), "select 1;\n").unwrap();
    let (code, stdout, _) = kpic(&["emit", &project(), "--out", out_str, "--check"]);
    assert_eq!(code, 1);
    for path in ["sql/duckdb/mrr.sql", "sql/postgres/churn.sql", "sql/trino/leftover.sql"] {
        assert!(stdout.contains(path), "{path} missing from:\n{stdout}");
    }
}

#[test]
fn a_failed_emit_leaves_the_previous_output_intact() {
    let dir = temp_dir("atomic");
    let out = dir.join("build");
    assert_eq!(kpic(&["emit", &project(), "--out", out.to_str().unwrap()]).0, 0);
    let before = read_tree(&out);
    // A project with errors emits nothing and keeps the output.
    let broken = dir.join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("a.kpi"), "kpi x { value count(nowhere) }").unwrap();
    let (code, _, stderr) = kpic(&["emit", broken.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("nothing was emitted"), "{stderr}");
    assert_eq!(read_tree(&out), before);
    // Writing into a path below a file fails with exit 2 and leaves no staging directory behind.
    let blocker = dir.join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let target = blocker.join("build");
    let (code, _, stderr) = kpic(&["emit", &project(), "--out", target.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("kpic-new"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_dialect_outside_the_project_is_refused() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart").display().to_string();
    let dir = temp_dir("dialect");
    let out = dir.join("build");
    let (code, _, stderr) = kpic(&["emit", &project, "--dialect", "bigquery", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("bigquery is not among the project's `dialects`"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn sql_prints_one_view_and_suggests_names() {
    let (code, stdout, _) = kpic(&["sql", "churn", &project(), "--dialect", "postgres"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("CREATE OR REPLACE VIEW \"metrics\".\"churn_v1\" AS"), "{stdout}");
    let (code, _, stderr) = kpic(&["sql", "chrn", &project()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `churn`?"), "{stderr}");
    // The earlier spelling still works, and says so.
    let (code, old, stderr) = kpic(&["explain", "churn", &project(), "--dialect", "postgres"]);
    assert_eq!((code, old), (0, stdout));
    assert!(stderr.contains("`kpic explain KPI` is now `kpic sql KPI`"), "{stderr}");
}

#[test]
fn explain_explains_a_code() {
    let (code, stdout, _) = kpic(&["explain", "unknown-team"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("unknown-team (error): "), "{stdout}");
    assert!(
        stdout.contains("For example:") && stdout.contains("Fix: ") && stdout.contains("diagnostics.md#unknown-team")
    );
    let (code, _, stderr) = kpic(&["explain", "unknown-tema"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `unknown-team`?"), "{stderr}");
}
