//! `kpic diff` on git repositories with two commits: the base project, then
//! one change. Each scenario snapshots `kpic check` and the Markdown diff.

use std::path::Path;
use std::process::Command;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

const BASE: &str = r#"
team growth {
  name "Growth"
}

team sales {
  name "Sales"
}

source signups {
  table "app.signups"
  time  created_at
  columns {
    user_id    string
    created_at timestamp
    method     string
    country    string
  }
  dimension country
  dimension method
}

kpi signups {
  title   "Sign-ups"
  owner   growth
  value   count(signups)
  grain   week
  target  at_least 100
  version 1
}

kpi google_signups {
  owner   growth
  value   count(signups where method = "google")
  grain   week
  version 1
}

kpi google_share {
  owner   sales
  value   google_signups / signups
  version 1
}
"#;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.email=ci@kpic.example", "-c", "user.name=kpic", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// A change to a project's text.
type Edit = Box<dyn Fn(&str) -> String>;

fn kpic(dir: &Path, args: &[&str]) -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_kpic")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap();
    format!(
        "exit: {}\n{}{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A repository whose first commit is BASE (locked) and second is `edit(BASE)`.
fn repository(name: &str, edit: impl Fn(&str) -> String) -> Scratch {
    let dir = Scratch::new(&format!("diff-{name}"));
    std::fs::create_dir_all(dir.join("kpis")).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join("kpis/kpis.kpi"), BASE).unwrap();
    assert!(kpic(&dir, &["lock", "kpis"]).starts_with("exit: 0"));
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(dir.join("kpis/kpis.kpi"), edit(BASE)).unwrap();
    git(&dir, &["commit", "-q", "-am", "change"]);
    dir
}

fn bump(text: &str, kpi: &str) -> String {
    let start = text.find(&format!("kpi {kpi} {{")).unwrap();
    let end = start + text[start..].find("version 1").unwrap();
    format!("{}version 2{}", &text[..end], &text[end + "version 1".len()..])
}

#[test]
fn diff_scenarios() {
    let github = |t: &str| t.replace("method = \"google\"", "method in (\"google\", \"github\")");
    let scenarios: Vec<(&str, Edit)> = vec![
        (
            "cosmetic",
            Box::new(|t: &str| {
                t.replace("title   \"Sign-ups\"", "title   \"New sign-ups\"")
                    .replace("at_least 100", "at_least 120")
                    .replace("owner   sales", "owner   growth")
            }),
        ),
        ("formula_without_bump", Box::new(github)),
        ("formula_with_bump", Box::new(move |t: &str| bump(&bump(&github(t), "google_signups"), "google_share"))),
        (
            "dimension_added",
            Box::new(|t: &str| {
                bump(
                    &t.replace(
                        "  value   count(signups)\n  grain   week\n",
                        "  value   count(signups)\n  grain   week\n  dimensions [country]\n",
                    ),
                    "signups",
                )
            }),
        ),
        (
            "removed_dependency",
            Box::new(|t: &str| {
                t.split("kpi google_signups").next().unwrap().to_string()
                    + "kpi google_share {\n  owner   sales\n  value   signups / signups\n  version 2\n}\n"
            }),
        ),
        ("renamed", Box::new(|t: &str| t.replace("kpi google_share {", "kpi share_of_google {"))),
        ("title_only", Box::new(|t: &str| t.replace("title   \"Sign-ups\"", "title   \"New sign-ups\""))),
        (
            "added",
            Box::new(|t: &str| {
                format!(
                    "{t}\n# Share of sign-ups that came through Google.\nkpi google_rate {{\n  owner   growth\n  value   count(signups where method = \"google\") / count(signups)\n  grain   week\n  target  at_least 25% critical 10%\n  unit    percent\n  version 1\n}}\n"
                )
            }),
        ),
    ];
    for (name, edit) in scenarios {
        let dir = repository(name, edit);
        insta::assert_snapshot!(format!("{name}_check"), kpic(&dir, &["check", "kpis"]));
        insta::assert_snapshot!(
            format!("{name}_diff"),
            kpic(&dir, &["diff", "kpis", "--base", "HEAD~1", "--format", "markdown"])
        );
    }
}

#[test]
fn diff_reads_a_base_directory_and_prints_json() {
    let dir = repository("dirs", |t| t.replace("method = \"google\"", "method = \"apple\""));
    std::fs::create_dir_all(dir.join("before")).unwrap();
    std::fs::write(dir.join("before/kpis.kpi"), BASE).unwrap();
    let output = kpic(&dir, &["diff", "kpis", "--base-dir", "before", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(output.split_once('\n').unwrap().1).unwrap();
    let kpis = json["kpis"].as_array().unwrap();
    let names: Vec<&str> = kpis.iter().map(|k| k["kpi"].as_str().unwrap()).collect();
    assert_eq!(names, ["google_share", "google_signups"]);
    assert_eq!(kpis[1]["change"], "breaking");
    assert_eq!(kpis[1]["impact"]["kpis"][0], "google_share");
    assert!(kpic(&dir, &["diff", "kpis", "--base", "no-such-revision"]).starts_with("exit: 2"));
}

/// Paths git would quote (`"\303\251quipe/…"`) are read as they are.
#[test]
fn diff_reads_non_ascii_paths_at_a_revision() {
    let dir = Scratch::new("diff-unicode");
    std::fs::create_dir_all(dir.join("kpis/équipe")).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join("kpis/équipe/kpis.kpi"), BASE).unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(dir.join("kpis/équipe/kpis.kpi"), BASE.replace("method = \"google\"", "method = \"apple\""))
        .unwrap();
    let output = kpic(&dir, &["diff", "kpis", "--base", "HEAD", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(output.split_once('\n').unwrap().1).unwrap();
    let kpis = json["kpis"].as_array().unwrap();
    let signups = kpis.iter().find(|k| k["kpi"] == "google_signups").expect("google_signups changed");
    assert_eq!(signups["change"], "breaking", "found at the base, not added: {output}");
}

/// A path that is not UTF-8 (a folder named in Latin-1) is read as its bytes.
#[test]
fn diff_reads_paths_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Scratch::new("diff-latin1");
    let folder = dir.join("kpis").join(std::ffi::OsStr::from_bytes(b"\xe9quipe"));
    std::fs::create_dir_all(&folder).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(folder.join("kpis.kpi"), BASE).unwrap();
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(folder.join("kpis.kpi"), BASE.replace("method = \"google\"", "method = \"apple\"")).unwrap();
    let output = kpic(&dir, &["diff", "kpis", "--base", "HEAD", "--format", "json"]);
    assert!(output.starts_with("exit: 0"), "{output}");
    let json: serde_json::Value = serde_json::from_str(output.split_once('\n').unwrap().1).unwrap();
    let kpis = json["kpis"].as_array().unwrap();
    let signups = kpis.iter().find(|k| k["kpi"] == "google_signups").expect("google_signups changed");
    assert_eq!(signups["change"], "breaking", "found at the base, not added: {output}");
}

#[test]
fn diff_links_rows_to_their_declarations() {
    let dir = repository("links", |t| t.replace("at_least 100", "at_least 120"));
    let output = kpic(
        &dir,
        &[
            "diff",
            "kpis",
            "--base",
            "HEAD~1",
            "--format",
            "markdown",
            "--link-base",
            "https://git.example/o/r/blob/abc/",
        ],
    );
    assert!(
        output.contains("| [`signups`](https://git.example/o/r/blob/abc/kpis/kpis.kpi#L23) | new target |"),
        "{output}"
    );
}

#[test]
fn diff_refuses_a_side_that_does_not_check() {
    let dir = repository("broken-head", |t| {
        t.replace("owner   growth\n  value   count(signups)\n", "owner   grwth\n  value   count(signups)\n")
    });
    let output = kpic(&dir, &["diff", "kpis", "--base", "HEAD~1"]);
    assert!(output.starts_with("exit: 1\n"), "{output}");
    assert!(output.contains("the project does not check (1 error(s)); no diff was made"), "{output}");
    // As a pull-request comment, the refusal lists the errors.
    let comment = kpic(&dir, &["diff", "kpis", "--base", "HEAD~1", "--format", "markdown"]);
    assert!(comment.contains("### kpic: the project does not check"), "{comment}");
    assert!(comment.contains("kpis/kpis.kpi:25:11: error[unknown-team] no team named `grwth`"), "{comment}");
    // The base revision broken, the head fixed.
    let dir = repository("broken-base", |t| format!("{t}# a comment\n"));
    std::fs::write(dir.join("kpis/kpis.kpi"), BASE.replace("grain   week\n  target", "grain   weak\n  target"))
        .unwrap();
    git(&dir, &["commit", "-q", "-am", "broken"]);
    std::fs::write(dir.join("kpis/kpis.kpi"), BASE).unwrap();
    let output = kpic(&dir, &["diff", "kpis", "--base", "HEAD"]);
    assert!(output.starts_with("exit: 1\n"), "{output}");
    assert!(output.contains("the base `HEAD` does not check"), "{output}");
}

#[test]
fn diff_shows_percent_targets_as_written() {
    let rate = "kpi google_rate {\n  owner   growth\n  value   count(signups where method = \"google\") / count(signups)\n  grain   week\n  target  at_least 25% critical 10%\n  unit    percent\n  version 1\n}\n";
    let dir = repository("percent", |t| format!("{t}{}", rate.replace("25%", "30%")));
    std::fs::create_dir_all(dir.join("before")).unwrap();
    std::fs::write(dir.join("before/kpis.kpi"), format!("{BASE}{rate}")).unwrap();
    let output = kpic(&dir, &["diff", "kpis", "--base-dir", "before"]);
    assert!(output.contains("target: at least 25%, critical 10% → at least 30%, critical 10%"), "{output}");
}
