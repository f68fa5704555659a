//! Typical mistakes, made the way users make them: each case in
//! `tests/mistakes/` edits a copy of the bundled `kpis/` library (its
//! `kpic.lock` included), runs `kpic check` in it, and states every
//! diagnostic the edit must give — usually exactly one, at the edited line.
//! The human rendering of each case is snapshotted.
//!
//! A case file, `NAME.edit`:
//!
//! ```text
//! # A typo in a column inside an aggregate     (the first comment: the case's title)
//! edit growth/acquisition.kpi                  (a hunk: ' ' context, '-' removed, '+' added lines;
//!    value      count_distinct(web_sessions.visitor_id)    context and removed lines must occur
//! -  grain      week                            once in the file, in order)
//! +  grain      weak
//! crlf growth/acquisition.kpi                  (line ends become CRLF)
//! tabs growth/acquisition.kpi                  (leading spaces become tabs)
//! move growth/acquisition.kpi growth/top.kpi   (a file renamed)
//! in growth                                    (run kpic from this subfolder)
//! expect growth/acquisition.kpi:24 error[unknown-column]
//! expect nothing                               (the edit is harmless)
//! ```
//!
//! `expect` lines name `file:line severity[code]` as `kpic check --format
//! concise` prints it (paths relative to the project); the diagnostics must be
//! exactly those, as many as there are `expect` lines.

#[path = "support/tree.rs"]
mod tree;

use std::path::{Path, PathBuf};
use std::process::Command;

use tree::copy_tree;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// One step of a case.
enum Step {
    Edit { file: String, hunk: Vec<String> },
    Crlf(String),
    Tabs(String),
    Move(String, String),
}

struct Case {
    name: String,
    title: String,
    steps: Vec<Step>,
    folder: Option<String>,
    expected: Vec<String>,
}

fn parse_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut case = Case { name, title: String::new(), steps: Vec::new(), folder: None, expected: Vec::new() };
    let mut nothing = false;
    for line in text.lines() {
        if let Some(Step::Edit { hunk, .. }) = case.steps.last_mut() {
            if line.starts_with([' ', '-', '+']) {
                hunk.push(line.to_string());
                continue;
            }
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "#" if case.title.is_empty() => case.title = rest.to_string(),
            "#" | "" => {}
            "edit" => case.steps.push(Step::Edit { file: rest.to_string(), hunk: Vec::new() }),
            "crlf" => case.steps.push(Step::Crlf(rest.to_string())),
            "tabs" => case.steps.push(Step::Tabs(rest.to_string())),
            "move" => {
                let (from, to) = rest.split_once(' ').expect("move FROM TO");
                case.steps.push(Step::Move(from.to_string(), to.to_string()));
            }
            "in" => case.folder = Some(rest.to_string()),
            "expect" if rest == "nothing" => nothing = true,
            "expect" => case.expected.push(rest.to_string()),
            _ => panic!("{}: cannot read the line `{line}`", path.display()),
        }
    }
    assert!(!case.title.is_empty(), "{}: the first line is a `# title`", path.display());
    assert!(nothing == case.expected.is_empty(), "{}: `expect nothing` or `expect` lines", path.display());
    case
}

/// Applies one hunk to `text`: its old lines must occur exactly once.
fn apply_hunk(text: &str, hunk: &[String], case: &str) -> String {
    let crlf = text.contains("\r\n");
    let lines: Vec<&str> = text.lines().collect();
    let old: Vec<&str> = hunk.iter().filter(|l| !l.starts_with('+')).map(|l| &l[1..]).collect();
    let new: Vec<&str> = hunk.iter().filter(|l| !l.starts_with('-')).map(|l| &l[1..]).collect();
    let at: Vec<usize> =
        (0..=lines.len().saturating_sub(old.len())).filter(|&i| lines[i..].starts_with(&old)).collect();
    assert_eq!(at.len(), 1, "{case}: the hunk's old lines occur {} times, not once:\n{}", at.len(), old.join("\n"));
    let mut out: Vec<&str> = lines[..at[0]].to_vec();
    out.extend(&new);
    out.extend(&lines[at[0] + old.len()..]);
    let end = if crlf { "\r\n" } else { "\n" };
    out.join(end) + end
}

fn prepare(case: &Case) -> Scratch {
    let dir = Scratch::new(&format!("mistake-{}", case.name));
    copy_tree(&root().join("kpis"), &dir);
    for step in &case.steps {
        match step {
            Step::Edit { file, hunk } => {
                let path = dir.join(file);
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {file}: {e}", case.name));
                std::fs::write(&path, apply_hunk(&text, hunk, &case.name)).unwrap();
            }
            Step::Crlf(file) => {
                let text = std::fs::read_to_string(dir.join(file)).unwrap();
                std::fs::write(dir.join(file), text.replace('\n', "\r\n")).unwrap();
            }
            Step::Tabs(file) => {
                let text = std::fs::read_to_string(dir.join(file)).unwrap();
                let tabbed: Vec<String> = text
                    .lines()
                    .map(|line| {
                        let indent = line.len() - line.trim_start_matches(' ').len();
                        format!("{}{}", "\t".repeat(indent / 2), &line[indent..])
                    })
                    .collect();
                std::fs::write(dir.join(file), tabbed.join("\n") + "\n").unwrap();
            }
            Step::Move(from, to) => std::fs::rename(dir.join(from), dir.join(to)).unwrap(),
        }
    }
    dir
}

/// Runs `kpic check` in the case's folder; returns the output of `--format concise` and of the human format.
fn check(case: &Case, dir: &Path) -> (String, String) {
    let folder = case.folder.as_ref().map_or(dir.to_path_buf(), |f| dir.join(f));
    let run = |format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
            .args(["check", "--format", format])
            .current_dir(&folder)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.is_empty(), "{}: kpic check wrote to stderr: {stderr}", case.name);
        String::from_utf8(output.stdout).unwrap()
    };
    (run("concise"), run("human"))
}

/// `file:line severity[code]` of each line of concise output.
fn found(concise: &str) -> Vec<String> {
    concise
        .lines()
        .map(|line| {
            let (location, rest) = line.split_once(": ").expect("file:line:col: severity[code] message");
            let (file_line, _column) = location.rsplit_once(':').unwrap();
            let kind = rest.split_once(' ').map_or(rest, |(kind, _)| kind);
            format!("{file_line} {kind}")
        })
        .collect()
}

#[test]
fn each_typical_mistake_gives_the_errors_it_states() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/mistakes"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "edit"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 45, "the corpus has {} cases", paths.len());
    let mut problems = Vec::new();
    for path in &paths {
        let case = parse_case(path);
        let dir = prepare(&case);
        let (concise, human) = check(&case, &dir);
        let mut found = found(&concise);
        let mut expected = case.expected.clone();
        found.sort();
        expected.sort();
        if found != expected {
            problems.push(format!(
                "{}: expected {} diagnostic(s) {expected:?}, kpic gave {}:\n{concise}",
                case.name,
                expected.len(),
                found.len()
            ));
        }
        insta::assert_snapshot!(case.name.as_str(), format!("{}\n\n{human}", case.title));
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(problems.is_empty(), "{} of {} cases:\n{}", problems.len(), paths.len(), problems.join("\n"));
}
