//! docs/diagnostics.md lists every diagnostic code from the code table, and
//! explains each (its examples are checked by tests/docs.rs);
//! regenerate it with `UPDATE_DOCS=1 cargo test --test diagnostics_doc`.

use kpic::diagnostics::{explanation, Code, Severity};

fn render() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery finding of `kpic check` has a stable code. Errors make `kpic check` exit 1;\nwarnings do not, unless `--deny-warnings`. `kpic explain CODE` prints a code's\nexplanation below. Generated from `src/diagnostics/codes.rs` and\n`src/diagnostics/explanations.rs`. Each code's section is where SARIF's\n`helpUri` and the JSON output's `help_uri` point.\n\n| code | severity | what it means and how to fix it |\n|------|----------|---------------------------------|\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            code.name(),
            severity(*code),
            code.summary().replace('|', "\\|")
        ));
    }
    out.push_str("\n## Explanations\n");
    for code in Code::ALL {
        let explained = explanation(*code);
        out.push_str(&format!("\n### {}\n\n*{}.* {}\n", code.name(), severity(*code), explained.why));
        if let Some(example) = explained.example {
            let example = format!("# expect: {}\n{example}", code.name());
            let example = kpic::syntax::format(&example).unwrap_or(example);
            out.push_str(&format!("\nFor example:\n\n```kpi\n{example}```\n"));
        }
        out.push_str(&format!("\n**Fix:** {}\n", explained.fix));
    }
    out
}

fn severity(code: Code) -> &'static str {
    match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[test]
fn diagnostics_doc_lists_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let expected = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(actual == expected, "docs/diagnostics.md is stale: run `UPDATE_DOCS=1 cargo test --test diagnostics_doc`");
}
