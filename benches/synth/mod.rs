//! A deterministic generator of synthetic projects with N KPIs across many
//! files and teams: filtered counts, ratios with per-aggregate filters,
//! joins, sums by dimension, and KPIs over KPIs two levels deep.

use kpic::source::{SourceFile, SourceMap};

/// KPIs per file.
const PER_FILE: usize = 25;

/// A project with `kpis` KPIs (a multiple of 5 is exact), in memory.
pub fn project(kpis: usize) -> SourceMap {
    let mut sources = SourceMap::default();
    let teams = (kpis / 200).clamp(1, 50);
    let mut header = String::from("project synthetic {\n  schema \"kpi\"\n  looker {\n    connection \"warehouse\"\n    dialect postgres\n  }\n}\n\n");
    for t in 0..teams {
        header.push_str(&format!("team team_{t} {{\n  name \"Team {t}\"\n  chat \"#team-{t}\"\n}}\n\n"));
    }
    header.push_str("source customers {\n  table \"crm.customers\"\n  key id\n  columns {\n    id string\n    segment string\n  }\n}\n");
    sources.add(SourceFile::new("project.kpi", header));
    for file in 0..kpis.div_ceil(PER_FILE) {
        let mut text = format!(
            "source events_{file} {{\n  table \"raw.events_{file}\"\n  time at\n  columns {{\n    at timestamp\n    customer_id string\n    status string\n    country string\n    plan string\n    amount number\n  }}\n  join customers on customer_id = customers.id\n  filter status != \"test\"\n  dimension country\n  dimension plan\n  dimension segment = customers.segment\n}}\n\n"
        );
        for i in file * PER_FILE..((file + 1) * PER_FILE).min(kpis) {
            text.push_str(&kpi(i, file, i % teams));
        }
        sources.add(SourceFile::new(format!("team_{}/kpis_{file:05}.kpi", file % teams), text));
    }
    sources
}

fn kpi(i: usize, file: usize, team: usize) -> String {
    let source = format!("events_{file}");
    let body = match i % 5 {
        // Each KPI has its own threshold, so that no two compute the same thing.
        0 => format!("value count({source} where status = \"ok\" and amount >= {i})\n  grain week\n  dimensions [country]\n  target at_least 100 critical 80"),
        1 => format!("value count({source} where status = \"error\" and amount >= {i}) / count({source})\n  grain week\n  dimensions [segment]\n  target at_most 2% critical 5%\n  unit percent"),
        2 => format!("value sum({source}.amount where customers.segment in (\"smb\", \"enterprise\") and amount >= {i})\n  grain month\n  dimensions [plan]"),
        3 => format!("value k{} * 2 + k{}", i - 3, i - 3),
        _ => format!("value k{} / k{}\n  unit percent", i - 1, i - 4),
    };
    format!("kpi k{i} {{\n  title \"KPI {i}\"\n  owner team_{team}\n  {body}\n  version 1\n}}\n\n")
}
