//! Versioned definitions: fingerprints ignore cosmetics and catch every
//! semantic change; `kpic check` guards versions against kpic.lock; `kpic
//! lock` records them. Each scenario edits a copy of a small project.

use std::path::Path;
use std::process::Command;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

const BASE: &str = r#"
team growth {
  name "Growth"
}

source users {
  table "app.users"
  columns {
    id      string
    country string
  }
}

source signups {
  table "app.signups"
  time  created_at
  columns {
    user_id    string
    created_at timestamp
    method     string
  }
  join users on user_id = users.id
  dimension country = users.country
}

kpi signups {
  title   "Sign-ups"
  owner   growth
  value   count(signups)
  grain   week
  version 1
}

kpi google_signups {
  owner   growth
  value   count(signups where method = "google")
  grain   week
  version 1
}

kpi google_share {
  owner   growth
  value   google_signups / signups
  version 1
}
"#;

/// A change to a project's text.
type Edit = Box<dyn Fn(&str) -> String>;

fn kpic(dir: &Path, args: &[&str]) -> (i32, String) {
    let output =
        Command::new(env!("CARGO_BIN_EXE_kpic")).args(args).arg(dir).env("NO_COLOR", "1").output().expect("kpic runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text.replace(&dir.display().to_string(), "<project>"))
}

/// A locked copy of BASE, with `edit` then applied to its text.
fn scenario(name: &str, edit: impl Fn(&str) -> String) -> Scratch {
    let dir = Scratch::new(&format!("drift-{name}"));
    std::fs::write(dir.join("kpis.kpi"), BASE).unwrap();
    assert_eq!(kpic(&dir, &["lock"]).0, 0);
    std::fs::write(dir.join("kpis.kpi"), edit(BASE)).unwrap();
    dir
}

fn fingerprints(text: &str) -> Vec<(String, kpic::lock::Digest)> {
    let mut sources = kpic::source::SourceMap::default();
    sources.add(kpic::source::SourceFile::new("a.kpi", text));
    let checked = kpic::check(sources);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let order = checked.graph.kpis_in_dependency_order().unwrap();
    let prints = kpic::lock::fingerprints(&checked.model, &order);
    prints
        .into_iter()
        .map(|(id, f)| (checked.model.kpi(id).name.text.clone(), f.fingerprint))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect()
}

#[test]
fn cosmetic_edits_keep_every_fingerprint() {
    let base = fingerprints(BASE);
    let cosmetic = [
        BASE.replace(
            "title   \"Sign-ups\"",
            "title \"New sign-ups\"\n  description \"\"\"\n    Accounts created.\n  \"\"\"\n  tags [growth]",
        ),
        BASE.replace("  value   count(signups)\n", "  # a comment\n  value count( signups )   # trailing\n"),
        BASE.replace(
            "team growth {\n  name \"Growth\"\n}",
            "team growth {\n  name \"Growth team\"\n  chat \"#growth\"\n}",
        ),
        // Declarations in another order.
        BASE.split("\nkpi ").enumerate().fold(String::new(), |acc, (i, part)| {
            if i == 0 {
                format!("{part}{acc}")
            } else {
                format!("{acc}\nkpi {part}")
            }
        }),
        BASE.replace(
            "  version 1\n}\n\nkpi google_signups",
            "  target at_least 10 critical 5\n  unit count\n  version 1\n}\n\nkpi google_signups",
        ),
    ];
    for text in cosmetic {
        assert_eq!(fingerprints(&text), base, "{text}");
    }
}

#[test]
fn every_semantic_edit_changes_the_fingerprint() {
    let base = fingerprints(BASE);
    let semantic = [
        ("signups", BASE.replace("  value   count(signups)\n", "  value   count_distinct(signups.user_id)\n")),
        // KPIs combined by google_share change together, so that it stays valid.
        ("signups", BASE.replace("  grain   week\n", "  grain   month\n")),
        ("signups", BASE.replace("  grain   week\n", "  grain   day\n  window  rolling 7 days\n")),
        ("signups", BASE.replace("  grain   week\n", "  grain   week\n  dimensions [country]\n")),
        ("google_signups", BASE.replace("method = \"google\"", "method = \"github\"")),
        ("signups", BASE.replace("table \"app.signups\"", "table \"app.signups_v2\"")),
        (
            "signups",
            BASE.replace(
                "  join users on user_id = users.id\n",
                "  join users on user_id = users.id\n  filter method != \"test\"\n",
            ),
        ),
        ("signups", BASE.replace("join users on user_id = users.id", "join users on method = users.id")),
        ("signups", BASE.replace("team growth {", "project p {\n  week_start sunday\n}\n\nteam growth {")),
    ];
    for (kpi, text) in semantic {
        let after = fingerprints(&text);
        let changed = |name: &str| base.iter().find(|(n, _)| n == name) != after.iter().find(|(n, _)| n == name);
        assert!(changed(kpi), "{kpi} kept its fingerprint after:\n{text}");
        // Upstream changes reach the KPIs built on them.
        assert!(changed("google_share"), "google_share kept its fingerprint after:\n{text}");
    }
}

#[test]
fn drift_scenarios() {
    let formula = |t: &str| t.replace("method = \"google\"", "method = \"github\"");
    let cases: Vec<(&str, Edit)> = vec![
        ("cosmetic", Box::new(|t: &str| t.replace("title   \"Sign-ups\"", "title   \"All sign-ups\""))),
        ("formula_without_bump", Box::new(formula)),
        (
            "formula_with_bump",
            Box::new(move |t: &str| {
                formula(t).replace(
                    "value   count(signups where method = \"github\")\n  grain   week\n  version 1",
                    "value   count(signups where method = \"github\")\n  grain   week\n  version 2",
                )
            }),
        ),
        (
            "bump_without_change",
            Box::new(|t: &str| {
                t.replacen("  version 1\n}\n\nkpi google_signups", "  version 2\n}\n\nkpi google_signups", 1)
            }),
        ),
        (
            "version_skipped",
            Box::new(|t: &str| {
                t.replacen("  version 1\n}\n\nkpi google_signups", "  version 3\n}\n\nkpi google_signups", 1)
            }),
        ),
        (
            "removed_dependency",
            Box::new(|t: &str| {
                t.replace("kpi google_share {\n  owner   growth\n  value   google_signups / signups", "kpi google_share {\n  owner   growth\n  value   signups / signups").replace("kpi google_signups {\n  owner   growth\n  value   count(signups where method = \"google\")\n  grain   week\n  version 1\n}\n", "")
            }),
        ),
        ("renamed", Box::new(|t: &str| t.replace("kpi google_share {", "kpi share_of_google {"))),
        // One mistake, one error: no drift reports for the KPI in error, the
        // KPIs that read it, or a declaration that does not parse.
        (
            "typo_in_a_locked_kpi",
            Box::new(|t: &str| {
                t.replace("count(signups where method = \"google\")", "count(signup where method = \"google\")")
            }),
        ),
        (
            "declaration_that_does_not_parse",
            Box::new(|t: &str| {
                t.replace("kpi google_signups {\n  owner   growth", "kpi google_signups {\n  owner:  growth")
            }),
        ),
        (
            "duplicate",
            Box::new(|t: &str| {
                format!("{t}\nkpi signups_again {{\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}}\n")
            }),
        ),
    ];
    for (name, edit) in cases {
        let dir = scenario(name, edit);
        let (code, output) = kpic(&dir, &["check"]);
        insta::assert_snapshot!(format!("check_{name}"), format!("exit: {code}\n{output}"));
    }
}

#[test]
fn lock_records_a_bump_and_keeps_history() {
    // google_share reads google_signups, so its computation changes too.
    let dir = scenario("history", |t| {
        t.replace("method = \"google\"", "method = \"github\"")
            .replace(
                "method = \"github\")\n  grain   week\n  version 1",
                "method = \"github\")\n  grain   week\n  version 2",
            )
            .replace("google_signups / signups\n  version 1", "google_signups / signups\n  version 2")
    });
    assert_eq!(kpic(&dir, &["check"]).0, 0);
    let (code, output) = kpic(&dir, &["lock"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("locked 3 KPIs"), "{output}");
    assert!(output.contains("(2 new or changed)"), "{output}");
    let lock = kpic::lock::Lock::parse(&std::fs::read_to_string(dir.join("kpic.lock")).unwrap()).unwrap();
    let entry = &lock.kpis["google_signups"];
    assert_eq!(entry.version, 2);
    assert_eq!(entry.history.len(), 1);
    assert_eq!(entry.history[0].version, 1);
    assert_ne!(entry.history[0].fingerprint, entry.fingerprint);
    let (code, output) = kpic(&dir, &["check"]);
    assert_eq!(code, 0);
    assert!(output.contains("0 errors, 0 warnings"), "{output}");
}

#[test]
fn deploy_keeps_recent_versions_and_retires_older_ones() {
    let dir = Scratch::new("drift-retire");
    let mut text = BASE.replace("team growth {", "project p {\n  keep_versions 1\n}\n\nteam growth {");
    std::fs::write(dir.join("kpis.kpi"), &text).unwrap();
    assert_eq!(kpic(&dir, &["lock"]).0, 0);
    // Two changes, each bumped and locked: signups goes 1 → 2 → 3.
    for (filter, version) in [("filter method != \"test\"", 2), ("filter method != \"bot\"", 3)] {
        text = text.replace(
            "  join users on user_id = users.id\n",
            &format!("  join users on user_id = users.id\n  {filter}\n"),
        );
        for kpi in ["signups", "google_signups", "google_share"] {
            let start = text.find(&format!("kpi {kpi} {{")).unwrap();
            let at = start + text[start..].find("  version ").unwrap();
            let end = at + text[at..].find('\n').unwrap();
            text.replace_range(at..end, &format!("  version {version}"));
        }
        std::fs::write(dir.join("kpis.kpi"), &text).unwrap();
        let (code, output) = kpic(&dir, &["lock"]);
        assert_eq!(code, 0, "{output}");
    }
    let out = dir.join("build");
    let (code, output) = kpic(&dir, &["emit", "--dialect", "postgres", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{output}");
    let deploy = std::fs::read_to_string(out.join("sql/postgres/deploy.sql")).unwrap();
    // Version 2 is kept (keep_versions 1); version 1 is dropped.
    assert!(deploy.contains("DROP VIEW IF EXISTS \"kpi\".\"signups_v1\";"), "{deploy}");
    assert!(!deploy.contains("\"signups_v2\""), "{deploy}");
    assert!(deploy.contains("CREATE OR REPLACE VIEW \"kpi\".\"signups_v3\""), "{deploy}");
}

#[test]
fn lock_bump_bumps_changed_kpis_and_their_readers_in_place() {
    // google_share reads google_signups: both need a new version; comments stay.
    let dir = scenario("bump", |t| {
        t.replace("method = \"google\")", "method = \"github\")  # was google")
            .replace("kpi signups {", "# Sign-ups.\nkpi signups {")
    });
    let before = std::fs::read_to_string(dir.join("kpis.kpi")).unwrap();
    let (code, output) = kpic(&dir, &["check"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("1 error"), "one error for the change, naming its reader: {output}");
    let (code, output) = kpic(&dir, &["lock", "--bump"]);
    assert_eq!(code, 0, "{output}");
    insta::assert_snapshot!("lock_bump", output);
    let after = std::fs::read_to_string(dir.join("kpis.kpi")).unwrap();
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed, [("  version 1", "  version 2"), ("  version 1", "  version 2")], "only versions change");
    assert_eq!(before.lines().count(), after.lines().count());
    let lock = kpic::lock::Lock::parse(&std::fs::read_to_string(dir.join("kpic.lock")).unwrap()).unwrap();
    let versions: Vec<(&str, u32)> = lock.kpis.iter().map(|(name, entry)| (name.as_str(), entry.version)).collect();
    assert_eq!(versions, [("google_share", 2), ("google_signups", 2), ("signups", 1)]);
    let (code, output) = kpic(&dir, &["check"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("0 errors, 0 warnings"), "{output}");
}

#[test]
fn lock_bump_refuses_while_other_errors_remain() {
    let dir = scenario("bump-refused", |t| {
        t.replace("method = \"google\")", "method = \"github\")")
            .replace("owner   growth\n  value   google", "owner   grwth\n  value   google")
    });
    let before = std::fs::read_to_string(dir.join("kpis.kpi")).unwrap();
    let (code, output) = kpic(&dir, &["lock", "--bump"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("no version was bumped"), "{output}");
    assert_eq!(std::fs::read_to_string(dir.join("kpis.kpi")).unwrap(), before);
}

#[test]
fn an_unreadable_lock_is_reported_where_it_breaks() {
    let dir = scenario("bad-lock", str::to_string);
    let lock = std::fs::read_to_string(dir.join("kpic.lock")).unwrap();
    // A hand edit that drops a comma on line 5.
    let mut lines: Vec<String> = lock.lines().map(str::to_string).collect();
    let line = lines[4].trim_end_matches(',').to_string();
    lines[4] = line;
    std::fs::write(dir.join("kpic.lock"), lines.join("\n") + "\n").unwrap();
    let (code, output) = kpic(&dir, &["check", "--format", "concise"]);
    assert_eq!(code, 1, "{output}");
    let first = output.lines().next().unwrap();
    assert!(first.starts_with("<project>/kpic.lock:6:"), "the error is where the comma is missing: {output}");
    assert!(first.contains("error[invalid-lock]"), "{output}");
}
