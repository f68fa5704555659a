//! docs/diagnostics.md lists every diagnostic code from the code table;
//! regenerate it with `UPDATE_DOCS=1 cargo test --test diagnostics_doc`.

use kpic::diagnostics::{Code, Severity};

fn render() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery finding of `kpic check` has a stable code. Errors make `kpic check` exit 1;\nwarnings do not, unless `--deny-warnings`. Generated from `src/diagnostics/codes.rs`.\nEach row has an anchor named after its code, where SARIF's `helpUri` and the\nJSON output's `help_uri` point.\n\n| code | severity | what it means and how to fix it |\n|------|----------|---------------------------------|\n",
    );
    for code in Code::ALL {
        let severity = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "| <a id=\"{0}\"></a>`{0}` | {severity} | {1} |\n",
            code.name(),
            code.summary().replace('|', "\\|")
        ));
    }
    out
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
