//! `kpic preview` on the quickstart example: values, targets and statuses
//! computed by the DuckDB views in the embedded engine.
#![cfg(feature = "engine")]

use std::process::Command;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn kpic(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kpic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("kpic runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn preview_shows_recent_values_with_targets_and_status() {
    let (code, stdout, stderr) = kpic(&[
        "preview",
        "orders",
        "conversion_rate",
        "--project",
        "examples/quickstart",
        "--data",
        "examples/quickstart/data",
        "--periods",
        "2",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("orders — Orders (v1, per week)\n"), "{stdout}");
    // Two weeks of orders, with the target of 20 and a status each.
    let order_rows: Vec<&str> = stdout.lines().skip(3).take_while(|l| !l.is_empty()).collect();
    assert_eq!(order_rows.len(), 2, "{stdout}");
    assert!(
        order_rows
            .iter()
            .all(|r| r.contains(" 20 ")
                && (r.ends_with("on_track") || r.ends_with("at_risk") || r.ends_with("off_track"))),
        "{stdout}"
    );
    // Conversion by country, as percents.
    assert!(stdout.contains("conversion_rate — Visitor conversion"), "{stdout}");
    assert!(stdout.lines().filter(|l| l.contains("DE ") && l.contains('%')).count() == 2, "{stdout}");
}

#[test]
fn preview_reports_unknown_kpis_and_missing_data() {
    let (code, _, stderr) =
        kpic(&["preview", "ordrs", "--project", "examples/quickstart", "--data", "examples/quickstart/data"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `orders`?"), "{stderr}");
    let (code, _, stderr) = kpic(&["preview", "--project", "examples/quickstart", "--data", "examples/quickstart"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("has no data for 2 table(s): add `web.visits.csv`, `shop.orders.csv`"), "{stderr}");
    let empty = Scratch::new("preview-empty");
    let (code, _, stderr) = kpic(&["preview", "--project", "examples/quickstart", "--data", empty.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("holds no .csv or .parquet files"), "{stderr}");
}
