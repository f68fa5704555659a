//! `kpic fmt`: formatting keeps the meaning (the same AST, spans aside; the
//! same lock fingerprints), is idempotent, gives one layout however a file
//! was spaced, and the bundled library and examples are formatted.

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every `.kpi` file of the repository's corpora that parses.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> =
        ["kpis", "examples", "tests/cases", "tests/execution", "tests/hostile", "tests/catalog", "benches"]
            .iter()
            .map(|d| root().join(d))
            .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "kpi") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    if kpic::syntax::format(&text).is_some() {
                        files.push((path, text));
                    }
                }
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "the corpus has {} files", files.len());
    files
}

/// The AST of a text, printed without spans (they move when text does).
fn ast(text: &str) -> String {
    let mut diagnostics = Vec::new();
    let file = kpic::syntax::parse_file(kpic::source::FileId(0), text, &mut diagnostics);
    let printed = format!("{file:?} {diagnostics:?}");
    without_spans(&printed)
}

fn without_spans(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("Span { file: FileId(") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(" }").map_or(rest.len(), |e| at + e + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn formatting_keeps_the_meaning_and_is_idempotent() {
    for (path, text) in corpus() {
        let formatted = kpic::syntax::format(&text).unwrap();
        let again = kpic::syntax::format(&formatted)
            .unwrap_or_else(|| panic!("{}: formatted text does not parse", path.display()));
        assert_eq!(ast(&formatted), ast(&text), "{}: formatting changed the meaning", path.display());
        assert_eq!(again, formatted, "{}: formatting is not idempotent", path.display());
    }
}

#[test]
fn formatting_keeps_every_fingerprint_of_the_library() {
    let prints = |dir: &Path| {
        let checked = kpic::check(kpic::project::load(dir).unwrap());
        assert!(!checked.has_errors());
        let order = checked.graph.kpis_in_dependency_order().unwrap();
        let prints = kpic::lock::fingerprints(&checked.model, &order);
        let mut named: Vec<(String, kpic::lock::Digest)> =
            prints.into_iter().map(|(id, p)| (checked.model.kpi(id).name.text.clone(), p.fingerprint)).collect();
        named.sort();
        named
    };
    let copy = Scratch::new("fmt-library");
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        std::fs::create_dir_all(copy.join(&relative)).unwrap();
        for entry in std::fs::read_dir(root().join("kpis").join(&relative)).unwrap().flatten() {
            let name = relative.join(entry.file_name());
            if entry.path().is_dir() {
                stack.push(name);
            } else if entry.path().extension().is_some_and(|e| e == "kpi") {
                // Spaced oddly first, so that formatting has work to do.
                let odd = entry.path();
                let text = std::fs::read_to_string(&odd).unwrap().replace("\n  ", "\n\t ");
                std::fs::write(copy.join(&name), kpic::syntax::format(&text).unwrap()).unwrap();
            }
        }
    }
    assert_eq!(prints(&copy), prints(&root().join("kpis")));
}

#[test]
fn the_library_and_examples_are_formatted() {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(["fmt", "--check", "kpis", "examples"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "run `kpic fmt kpis examples`:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn fmt_writes_checks_and_diffs() {
    let dir = Scratch::new("fmt-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let messy = "team t {\r\n name   \"T\"   # the team\r\n}\r\nkpi k {\r\n owner t\r\n  value count( s where a=1 )\r\n version 1\r\n}\r\n";
    std::fs::write(dir.join("a.kpi"), messy).unwrap();
    std::fs::write(dir.join("broken.kpi"), "kpi {").unwrap();
    let kpic = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_kpic")).args(args).current_dir(&dir).output().unwrap();
        (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let (code, listed) = kpic(&["fmt", "--check", "a.kpi"]);
    assert_eq!((code, listed.as_str()), (Some(1), "a.kpi\n"));
    let (code, diff) = kpic(&["fmt", "--diff", "a.kpi"]);
    assert_eq!(code, Some(1));
    assert!(diff.starts_with("--- a.kpi\n+++ a.kpi\n") && diff.contains("+  value   count(s where a = 1)"), "{diff}");
    assert_eq!(std::fs::read_to_string(dir.join("a.kpi")).unwrap(), messy, "--check and --diff write nothing");
    // A file that does not parse is reported and left alone; the others are written.
    let (code, _) = kpic(&["fmt"]);
    assert_eq!(code, Some(1));
    assert_eq!(std::fs::read_to_string(dir.join("broken.kpi")).unwrap(), "kpi {");
    let formatted = std::fs::read_to_string(dir.join("a.kpi")).unwrap();
    assert_eq!(
        formatted,
        "team t {\r\n  name \"T\"  # the team\r\n}\r\n\r\nkpi k {\r\n  owner   t\r\n  value   count(s where a = 1)\r\n  version 1\r\n}\r\n"
    );
    assert_eq!(kpic(&["fmt", "--check", "a.kpi"]).0, Some(0));
}

/// Re-spaces a file's layout: indentation and the gap after a line's first word,
/// outside text blocks and comments.
fn respace(text: &str, spaces: &[usize]) -> String {
    let mut out = String::new();
    let mut in_text_block = false;
    for (index, line) in text.lines().enumerate() {
        let n = spaces[index % spaces.len()];
        // Comments are the user's words: their spacing is kept.
        if in_text_block || line.trim().is_empty() || line.trim_start_matches('\u{feff}').trim_start().starts_with('#')
        {
            out.push_str(line);
        } else {
            let body = line.trim_start();
            let (first, rest) = body.split_once(' ').unwrap_or((body, ""));
            let gap = if rest.is_empty() { String::new() } else { " ".repeat(1 + n % 4) };
            out.push_str(&format!("{}{first}{gap}{}", "\t".repeat(n % 3), rest.trim_start()));
        }
        out.push('\n');
        if line.matches("\"\"\"").count() % 2 == 1 {
            in_text_block = !in_text_block;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However a file is indented and aligned, it formats to one text.
    #[test]
    fn one_layout_however_a_file_is_spaced(index in 0usize..1000, spaces in prop::collection::vec(0usize..12, 1..8)) {
        let files = corpus();
        let (path, text) = &files[index % files.len()];
        let respaced = respace(text, &spaces);
        // Only respaced texts that keep the meaning count (a `"` may open a line of a string).
        prop_assume!(ast(&respaced) == ast(text));
        prop_assert_eq!(kpic::syntax::format(&respaced), kpic::syntax::format(text), "{}", path.display());
    }
}

/// Comments in every place a line can hold one, and blank lines around them.
const COMMENTED: &str = r#"team growth { name "G" }
source s {
  table "a.s"
  time at
  columns {
    at timestamp # the time
    amt number
  }
  filter amt > 0 # filt
  # between properties

  dimension big = amt > 10 # dim
}
kpi m1 # after name
{
  title "K1"
  owner growth
  value count(s) # c
  # mid

  grain week
  target at_least 5 # a
    critical 3
  version 1
  # before close
}
"#;

#[test]
fn comments_and_blank_lines_are_kept() {
    let formatted = kpic::syntax::format(COMMENTED).unwrap();
    let comments = |text: &str| -> Vec<String> {
        text.lines().filter_map(|l| l.find('#').map(|at| l[at..].trim().to_string())).collect()
    };
    assert_eq!(comments(&formatted), comments(COMMENTED), "{formatted}");
    assert!(formatted.contains("kpi m1 {  # after name\n"), "{formatted}");
    assert!(formatted.contains("  # between properties\n\n  dimension"), "{formatted}");
    assert!(formatted.contains("  # mid\n\n  grain"), "{formatted}");
    assert_eq!(kpic::syntax::format(&formatted).unwrap(), formatted, "idempotent");
    assert_eq!(ast(&formatted), ast(COMMENTED));
    // A byte-order mark stays.
    let bom = format!("\u{feff}{COMMENTED}");
    assert!(kpic::syntax::format(&bom).unwrap().starts_with('\u{feff}'));
}

#[test]
fn text_nested_too_deeply_is_left_alone() {
    // Deeper than kpic reads (`kpic check` says so, with a span): not parsed, so nothing overflows.
    let depth = 1_000_000;
    let text = format!("kpi a {{ value sum({}x{}) }}\n", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(kpic::syntax::format(&text), None);
}
