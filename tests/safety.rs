//! The `kpic` binary on careless and hostile input: `emit` never destroys
//! what it does not own, `lock` never loses the version history, deep input
//! is a diagnostic, links and encodings are handled. Each test works in a
//! scratch directory of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn kpic(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("kpic runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn scratch(name: &str) -> Scratch {
    Scratch::new(&format!("safety-{name}"))
}

const SOURCE: &str = "team t {\n}\nsource s {\n  table \"app.s\"\n  time at\n  columns {\n    at timestamp\n    label string\n    x number\n  }\n}\n";

fn kpi(name: &str, value: &str) -> String {
    format!("kpi {name} {{\n  owner t\n  value {value}\n  grain day\n  version 1\n}}\n")
}

/// A project `p` under `root` with one KPI.
fn project(root: &Path) -> PathBuf {
    let p = root.join("p");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("p.kpi"), format!("{SOURCE}{}", kpi("k", "count(s)"))).unwrap();
    p
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

#[test]
fn emit_refuses_directories_it_does_not_own_and_touches_nothing() {
    let root = scratch("emit-refuses");
    let p = project(&root);
    std::fs::write(root.join("notes.txt"), "mine").unwrap();
    let file = root.join("report.sql");
    std::fs::write(&file, "select 1").unwrap();
    for out in ["p", ".", "report.sql", "p/.."] {
        let output = kpic(&["emit", "p", "--out", out], &root);
        assert_eq!(code(&output), 2, "--out {out}: {}", stderr(&output));
        assert!(stderr(&output).contains(&format!("`{out}`")), "--out {out}: {}", stderr(&output));
    }
    assert!(p.join("p.kpi").is_file() && root.join("notes.txt").is_file());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "select 1");
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 3, "nothing was added beside the project");
}

#[test]
fn emit_replaces_its_own_output_and_cleans_up_after_killed_runs() {
    let root = scratch("emit-replaces");
    project(&root);
    let abandoned = root.join(".build.kpic-new-999999999-1");
    std::fs::create_dir_all(abandoned.join("sql")).unwrap();
    assert_eq!(code(&kpic(&["emit", "p", "--out", "build"], &root)), 0);
    assert!(!abandoned.exists(), "the staging directory of a killed run is removed");
    assert!(root.join("build/.kpic-output").is_file() && root.join("build/sql/duckdb/k.sql").is_file());
    std::fs::write(root.join("p/p.kpi"), format!("{SOURCE}{}", kpi("renamed", "count(s)"))).unwrap();
    assert_eq!(code(&kpic(&["emit", "p", "--out", "build"], &root)), 0);
    assert!(!root.join("build/sql/duckdb/k.sql").exists() && root.join("build/sql/duckdb/renamed.sql").is_file());
    let check = kpic(&["emit", "p", "--out", "build", "--check"], &root);
    assert_eq!(code(&check), 0, "{}", stdout(&check));
    let names: Vec<String> =
        std::fs::read_dir(&root).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "only the project and the output: {names:?}");
    // From inside the output, `--out .` replaces it too.
    let output = kpic(&["emit", "../p", "--out", "."], &root.join("build"));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(root.join("build/sql/duckdb/renamed.sql").is_file());
    std::os::unix::fs::symlink(root.join("build"), root.join("link")).unwrap();
    let output = kpic(&["emit", "p", "--out", "link"], &root);
    assert!(code(&output) == 2 && stderr(&output).contains("is a link"), "{}", stderr(&output));
}

#[test]
fn an_empty_project_does_not_replace_a_build() {
    let root = scratch("emit-empty");
    project(&root);
    assert_eq!(code(&kpic(&["emit", "p", "--out", "build"], &root)), 0);
    std::fs::write(root.join("p/p.kpi"), SOURCE).unwrap();
    let output = kpic(&["emit", "p", "--out", "build"], &root);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(root.join("build/sql/duckdb/k.sql").is_file(), "the previous build is left as it was");
}

#[test]
fn lock_keeps_an_unreadable_lock_unless_forced() {
    let root = scratch("lock");
    let p = project(&root);
    let lock = p.join("kpic.lock");
    std::fs::write(&lock, "{\"format\": 1, \"kpis\": {\"k\": {\"version\": 3").unwrap();
    let check = kpic(&["check", "p"], &root);
    assert_eq!(code(&check), 1);
    assert!(stdout(&check).contains("invalid-lock"), "{}", stdout(&check));
    assert_eq!(
        code(&kpic(&["emit", "p", "--out", "build"], &root)),
        1,
        "emit refuses a project with an unreadable lock"
    );
    let refused = kpic(&["lock", "p"], &root);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert!(std::fs::read_to_string(&lock).unwrap().ends_with("\"version\": 3"), "the lock is untouched");
    assert_eq!(code(&kpic(&["lock", "p", "--force"], &root)), 0);
    assert_eq!(code(&kpic(&["check", "p"], &root)), 0);
    assert_eq!(std::fs::read_dir(&p).unwrap().count(), 2, "no temporary file is left beside the lock");
}

#[test]
fn a_lock_of_another_format_or_with_absurd_versions_is_a_diagnostic() {
    let root = scratch("lock-format");
    let p = project(&root);
    assert_eq!(code(&kpic(&["lock", "p"], &root)), 0);
    let lock = std::fs::read_to_string(p.join("kpic.lock")).unwrap();
    std::fs::write(p.join("kpic.lock"), lock.replace("\"format\": 1", "\"format\": 2")).unwrap();
    let check = kpic(&["check", "p"], &root);
    assert!(stdout(&check).contains("format is 2"), "{}", stdout(&check));
    std::fs::write(p.join("kpic.lock"), lock.replace("\"version\": 1", "\"version\": 4294967295")).unwrap();
    let check = kpic(&["check", "p"], &root);
    assert_eq!(code(&check), 1, "{}", stdout(&check));
    assert!(stdout(&check).contains("records version 4294967295 of `k`"), "{}", stdout(&check));
}

/// `kpic check | head` ends quietly, as Unix tools do, instead of panicking.
#[test]
fn a_closed_pipe_ends_quietly() {
    let root = scratch("pipe");
    project(&root);
    let mut child = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(["graph", "p", "--format", "json"])
        .current_dir(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
}

/// Deep input, generated: each is one `too-complex` error, never a crash.
#[test]
fn deep_expressions_are_one_diagnostic_each() {
    let deep = [
        ("calls", format!("sum({}s.x{})", "abs(".repeat(5000), ")".repeat(5000))),
        ("negation", format!("sum({}s.x)", "- ".repeat(7000))),
        ("not", format!("count(s where {}s.label = \"a\")", "not ".repeat(7000))),
        ("case", format!("sum({}s.x{})", "case when s.x > 0 then ".repeat(3000), " end".repeat(3000))),
        ("not-after-equals", format!("count(s where true{})", " = not true".repeat(5000))),
        ("division", format!("sum({})", vec!["s.x"; 1000].join(" / "))),
        ("operators", format!("count(s where {})", vec!["s.x = 1"; 20_002].join(" or "))),
    ];
    for (name, value) in deep {
        let root = scratch(&format!("deep-{name}"));
        std::fs::write(root.join("p.kpi"), format!("{SOURCE}{}", kpi("k", &value))).unwrap();
        let output = kpic(&["check", "."], &root);
        let text = stdout(&output);
        assert_eq!(code(&output), 1, "{name}: {}", stderr(&output));
        assert_eq!(
            text.matches("kpic::").count(),
            2,
            "{name}: one error and the lock warning:\n{}",
            &text[..2000.min(text.len())]
        );
        assert!(text.contains("kpic::too-complex"), "{name}");
        assert!(text.len() < 10_000, "{name}: excerpts of long lines are cut, {} bytes", text.len());
    }
}

/// Parentheses nest in the text but not in the expression: `((x))` is `x`.
#[test]
fn thousands_of_parentheses_are_just_parentheses() {
    let root = scratch("parentheses");
    let value = format!("sum({}s.x{})", "(".repeat(5000), ")".repeat(5000));
    std::fs::write(root.join("p.kpi"), format!("{SOURCE}{}", kpi("k", &value))).unwrap();
    let output = kpic(&["emit", ".", "--out", "build"], &root);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let view = std::fs::read_to_string(root.join("build/sql/duckdb/k.sql")).unwrap();
    assert!(view.contains("\"t\".\"x\" AS \"m0\""), "{view}");
}

#[test]
fn long_flat_chains_check_and_emit() {
    let root = scratch("long-chains");
    let ors = vec!["s.label = \"v\""; 10_000].join(" or ");
    let plus = vec!["s.x"; 10_000].join(" + ");
    let kpis = kpi("ors", &format!("count(s where {ors})")) + &kpi("sums", &format!("sum({plus})"));
    std::fs::write(root.join("p.kpi"), format!("{SOURCE}{kpis}")).unwrap();
    let output = kpic(&["emit", ".", "--out", "build"], &root);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let view = std::fs::read_to_string(root.join("build/sql/postgres/ors.sql")).unwrap();
    let mut depth: i32 = 0;
    let deepest = view.chars().fold(0, |deepest, c| {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        deepest.max(depth)
    });
    assert!(view.contains("= 'v') OR ("), "{}", &view[..500]);
    assert!(deepest < 20, "groups of flat chains, not a parenthesis per term: {deepest} deep");
}

#[test]
fn links_are_followed_once_and_broken_ones_reported() {
    let root = scratch("links");
    let p = project(&root);
    let shared = root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("more.kpi"), kpi("more", "sum(s.x)")).unwrap();
    std::fs::write(root.join("solo.kpi"), kpi("solo", "max(s.x)")).unwrap();
    std::os::unix::fs::symlink(&shared, p.join("linked")).unwrap();
    std::os::unix::fs::symlink(&p, p.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("solo.kpi"), p.join("solo.kpi")).unwrap();
    let output = kpic(&["check", "p"], &root);
    assert!(stdout(&output).contains("checked 3 KPIs in 3 files"), "{}", stdout(&output));
    std::os::unix::fs::symlink(root.join("gone.kpi"), p.join("broken.kpi")).unwrap();
    let output = kpic(&["check", "p"], &root);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("broken.kpi"), "{}", stderr(&output));
}

#[test]
fn byte_order_marks_are_read_and_other_encodings_located() {
    let root = scratch("encodings");
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend(format!("{SOURCE}{}", kpi("k", "count(s)")).as_bytes());
    std::fs::write(root.join("a.kpi"), bom).unwrap();
    let latin1 = kpi("b", "sum(s.x)").replace("owner t", "title \"Caf\u{e9}\"\n  owner t");
    let latin1: Vec<u8> = latin1.chars().map(|c| c as u32 as u8).collect();
    std::fs::write(root.join("b.kpi"), latin1).unwrap();
    let output = kpic(&["check", "."], &root);
    let text = stdout(&output);
    assert!(text.contains("kpic::invalid-encoding") && text.contains("b.kpi:2:"), "{text}");
    assert!(text.contains("1 error"), "the byte-order mark is no error: {text}");
}

/// `x_v1` while `x` is at version 2 with version 1 in kpic.lock: a deploy
/// keeps or drops the view `x_v1`, so the name is taken.
#[test]
fn names_of_earlier_versions_are_taken() {
    let root = scratch("earlier-versions");
    let p = project(&root);
    assert_eq!(code(&kpic(&["lock", "p"], &root)), 0);
    let bumped =
        format!("{SOURCE}{}{}", kpi("k", "sum(s.x)").replace("version 1", "version 2"), kpi("k_v1", "count(s)"));
    std::fs::write(p.join("p.kpi"), bumped).unwrap();
    let check = kpic(&["check", "p"], &root);
    assert!(stdout(&check).contains("KPI `k_v1` is named like the view of version 1 of `k`"), "{}", stdout(&check));
}

/// The deploy order depends on names, not on the folders the files are in.
#[test]
fn renaming_a_folder_keeps_the_deploy_order() {
    let root = scratch("folders");
    let files = [
        ("a/first.kpi", kpi("zeta", "count(s)")),
        ("b/second.kpi", kpi("alpha", "sum(s.x)")),
        ("c/source.kpi", SOURCE.to_string()),
    ];
    for (path, text) in &files {
        let path = root.join("p").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    assert_eq!(code(&kpic(&["emit", "p", "--out", "one"], &root)), 0);
    std::fs::rename(root.join("p/a"), root.join("p/z")).unwrap();
    assert_eq!(code(&kpic(&["emit", "p", "--out", "two"], &root)), 0);
    let deploy = |out: &str| std::fs::read_to_string(root.join(out).join("sql/duckdb/deploy.sql")).unwrap();
    assert_eq!(deploy("one"), deploy("two"));
}
