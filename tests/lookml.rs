//! LookML output: snapshots of every test case and of `kpis/`; both parsers
//! accept every file; every reference resolves (columns of the SQL views,
//! fields, explores, models, dashboard filters); teams' own refinements and
//! dashboards assemble with kpic's files. The numbers Looker computes are
//! checked on real engines in tests/execution.rs.

#[path = "support/lookml.rs"]
mod lookml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kpic::emit::OutputFile;
use serde_json::Value;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Projects with a `looker` block: the valid cases that have one, and `kpis/`.
fn projects() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("tests/cases/valid"))
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.push(("kpis".into(), root().join("kpis")));
    out.sort();
    out.retain(|(_, dir)| kpic::check_dir(dir).unwrap().model.settings.looker.is_some());
    out
}

fn lookml_files(dir: &Path) -> (kpic::Checked, Vec<OutputFile>) {
    let checked = kpic::check_dir(dir).unwrap();
    let files = kpic::emit::lookml::files(&checked.valid().expect("checks clean"));
    (checked, files)
}

#[test]
fn lookml_is_snapshotted() {
    let projects = projects();
    assert!(projects.len() >= 4, "the cases and kpis/ emit LookML: {projects:?}");
    for (name, dir) in projects {
        let (_, files) = lookml_files(&dir);
        let text: Vec<String> = files.iter().map(|f| format!("==> {} <==\n{}", f.path.display(), f.contents)).collect();
        insta::assert_snapshot!(name, text.join("\n"));
    }
}

#[test]
fn both_parsers_accept_every_file_and_every_reference_resolves() {
    for (name, dir) in projects() {
        let (checked, files) = lookml_files(&dir);
        let repo = Scratch::new(&format!("lookml-{name}"));
        // The Looker project: kpic's output in one folder, the team's own files in /kpic_custom.
        let files: Vec<OutputFile> = files
            .into_iter()
            .map(|f| OutputFile::new(Path::new("kpic").join(f.path.strip_prefix("lookml").unwrap()), f.contents))
            .collect();
        lookml::write_tree(&repo, &files);
        let custom = name == "kpis";
        if custom {
            let examples = root().join("examples/looker/kpic_custom");
            std::fs::create_dir_all(repo.join("kpic_custom")).unwrap();
            for entry in std::fs::read_dir(examples).unwrap().flatten() {
                std::fs::copy(entry.path(), repo.join("kpic_custom").join(entry.file_name())).unwrap();
            }
        }
        let Some(parsed) = lookml::parse_lkml(&repo) else { return };
        let problems = cross_references(&checked.model, &parsed);
        assert!(problems.is_empty(), "{name}: {} problems:\n{}", problems.len(), problems.join("\n"));
        let Some(assembled) = lookml::assemble(&repo) else { return };
        assert_eq!(assembled["errors"], Value::Array(vec![]), "{name}: lookml-parser errors");
        let looker = checked.model.settings.looker.as_ref().unwrap();
        let model = &assembled["model"][&looker.model];
        let names = |kind: &str| -> BTreeSet<String> {
            // Refinements (`+view`) stay listed beside the views they refined.
            let keys = model[kind].as_object().map(|o| o.keys().filter(|k| !k.starts_with('+')).cloned().collect());
            keys.unwrap_or_default()
        };
        let mut expected: BTreeSet<String> = checked.model.kpis.iter().map(|k| k.name.text.clone()).collect();
        expected.insert("kpi_scoreboard".into());
        assert_eq!(names("view"), expected, "{name}: the assembled model has every view");
        assert_eq!(names("explore"), expected, "{name}: the assembled model has every explore");
        let mut dashboards: BTreeSet<String> = checked
            .model
            .teams
            .iter()
            .filter(|t| {
                checked.model.kpis.iter().any(|k| {
                    k.owner.is_some_and(|o| checked.model.team(o).name == t.name)
                        && k.lifecycle == kpic::model::Lifecycle::Active
                })
            })
            .map(|t| kpic::emit::lookml::team_dashboard(&t.name.text))
            .collect();
        dashboards.insert(kpic::emit::lookml::COMPANY_DASHBOARD.into());
        if custom {
            dashboards.insert("growth_review".into());
        }
        assert_eq!(names("dashboard"), dashboards, "{name}: the assembled model has every dashboard");
        if custom {
            // The team's refinement, applied over kpic's view.
            let country = &model["view"]["signups"]["dimension"]["country"];
            assert_eq!(country["label"], "Sign-up country", "{name}: refinement applied: {country}");
            assert_eq!(
                country["sql"].as_str().map(str::trim),
                Some("${TABLE}.country"),
                "kpic's SQL kept (Snowflake reads the name unquoted)"
            );
        }
        let _ = std::fs::remove_dir_all(&repo);
    }
}

/// Field types and timeframes Looker accepts (docs: dimension, measure and timeframe types).
const DIMENSION_TYPES: &[&str] = &["string", "number", "yesno", "date", "tier", "zipcode", "location"];
const MEASURE_TYPES: &[&str] = &[
    "average",
    "count",
    "count_distinct",
    "date",
    "list",
    "max",
    "median",
    "min",
    "number",
    "percentile",
    "string",
    "sum",
    "sum_distinct",
    "yesno",
];
const TIMEFRAMES: &[&str] = &["raw", "time", "date", "week", "month", "quarter", "year"];
const ELEMENT_TYPES: &[&str] = &["looker_grid", "single_value", "looker_line", "looker_column"];

/// The fields of one parsed view: name → SQL.
#[derive(Default)]
struct ViewFields {
    fields: BTreeMap<String, String>,
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

fn list(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

/// Every reference of the parsed project that does not resolve.
fn cross_references(model: &kpic::model::Model, parsed: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let looker = model.settings.looker.as_ref().unwrap();
    let files = parsed.as_object().unwrap();
    // Views, refinements merged in.
    let mut views: BTreeMap<String, ViewFields> = BTreeMap::new();
    for (path, file) in files.iter().filter(|(p, _)| p.ends_with(".view.lkml")) {
        for view in list(&file["views"]) {
            let name = text(&view["name"]).trim_start_matches('+').to_string();
            let fields = views.entry(name.clone()).or_default();
            for group in list(&view["dimension_groups"]) {
                let timeframes = list(&group["timeframes"]);
                for timeframe in &timeframes {
                    if !TIMEFRAMES.contains(&text(timeframe)) {
                        problems.push(format!("{path}: {name}: timeframe {timeframe}"));
                    }
                    let field = format!("{}_{}", text(&group["name"]), text(timeframe));
                    fields.fields.insert(field, text(&group["sql"]).to_string());
                }
                if text(&group["datatype"]) != "date" || text(&group["convert_tz"]) != "no" {
                    problems.push(format!("{path}: {name}: a period is a date, never shifted by time zone"));
                }
            }
            for (kind, types) in [("dimensions", DIMENSION_TYPES), ("measures", MEASURE_TYPES)] {
                for field in list(&view[kind]) {
                    let ty = text(&field["type"]);
                    if !ty.is_empty() && !types.contains(&ty) {
                        problems.push(format!("{path}: {name}.{}: type {ty}", text(&field["name"])));
                    }
                    let sql = text(&field["sql"]).to_string();
                    let entry = fields.fields.entry(text(&field["name"]).to_string()).or_default();
                    if !sql.is_empty() {
                        *entry = sql;
                    }
                }
            }
        }
    }
    // Every `${TABLE}.column` is a column of the SQL view; every `${field}` a field of the view.
    for (name, view) in &views {
        let columns: Vec<String> = match model.kpis.iter().find(|k| k.name.text == *name) {
            Some(kpi) => kpi.view_columns(),
            None if name == "kpi_scoreboard" => kpic::emit::sql::SCOREBOARD_COLUMNS.map(String::from).to_vec(),
            None => {
                problems.push(format!("view {name} is over no KPI"));
                continue;
            }
        };
        for (field, sql) in &view.fields {
            for reference in substitutions(sql) {
                match reference.strip_prefix("TABLE.") {
                    Some(column) if !columns.iter().any(|c| c == column) => {
                        problems.push(format!("{name}.{field}: no column {column} in the SQL view"))
                    }
                    Some(_) => {}
                    None if reference == "TABLE" => {
                        problems.push(format!("{name}.{field}: ${{TABLE}} without a column"))
                    }
                    None if !view.fields.contains_key(&reference) => {
                        problems.push(format!("{name}.{field}: no field {reference}"))
                    }
                    None => {}
                }
            }
        }
    }
    // The model: connection, includes, explores over views.
    let model_path = format!("kpic/{}.model.lkml", looker.model);
    let Some(model_file) = files.get(&model_path) else {
        problems.push(format!("no {model_path}"));
        return problems;
    };
    if text(&model_file["connection"]) != looker.connection.replace(['{', '$'], "").as_str()
        && !looker.connection.contains(['{', '$'])
    {
        problems.push(format!("connection {}", model_file["connection"]));
    }
    for include in list(&model_file["includes"]) {
        let pattern = text(&include);
        let generated = !pattern.starts_with('/');
        let matches = files.keys().any(|path| glob_match(&resolve_include(pattern), path));
        if generated && !matches {
            problems.push(format!("include {pattern} matches no file"));
        }
    }
    let explores: BTreeSet<String> =
        list(&model_file["explores"]).iter().map(|e| text(&e["name"]).to_string()).collect();
    for explore in &explores {
        if !views.contains_key(explore) {
            problems.push(format!("explore {explore} has no view"));
        }
    }
    // Dashboards: models, explores and fields exist; filters are listened to by existing fields.
    for (path, file) in files.iter().filter(|(p, _)| p.ends_with(".dashboard.lookml")) {
        for dashboard in list(file) {
            if text(&dashboard["layout"]) != "newspaper" {
                problems.push(format!("{path}: layout"));
            }
            let filters: BTreeSet<String> =
                list(&dashboard["filters"]).iter().map(|f| text(&f["name"]).to_string()).collect();
            for filter in list(&dashboard["filters"]) {
                if let Some(field) = filter["field"].as_str() {
                    if !field_exists(&views, text(&filter["explore"]), field) {
                        problems.push(format!("{path}: filter {}: field {field}", filter["name"]));
                    }
                }
            }
            let mut cells = BTreeSet::new();
            for element in list(&dashboard["elements"]) {
                let element_name = text(&element["name"]).to_string();
                let at = format!("{path}: {element_name}");
                if text(&element["model"]) != looker.model {
                    problems.push(format!("{at}: model {}", element["model"]));
                }
                let explore = text(&element["explore"]);
                if !explores.contains(explore) {
                    problems.push(format!("{at}: explore {explore}"));
                }
                if !ELEMENT_TYPES.contains(&text(&element["type"])) {
                    problems.push(format!("{at}: type {}", element["type"]));
                }
                let fields: Vec<String> = list(&element["fields"]).iter().map(|f| text(f).to_string()).collect();
                let mut referenced = fields.clone();
                referenced
                    .extend(list(&element["sorts"]).iter().map(|s| text(s).split(' ').next().unwrap().to_string()));
                referenced.extend(element["filters"].as_object().into_iter().flat_map(|o| o.keys().cloned()));
                for (filter, field) in element["listen"].as_object().into_iter().flatten() {
                    if !filters.contains(filter) {
                        problems.push(format!("{at}: listens to no filter {filter}"));
                    }
                    referenced.push(text(field).to_string());
                }
                for field in &referenced {
                    if !field_exists(&views, explore, field) {
                        problems.push(format!("{at}: no field {field} in explore {explore}"));
                    }
                }
                for shown in list(&element["pivots"]).iter().chain(&list(&element["hidden_fields"])) {
                    if !fields.iter().any(|f| f == text(shown)) {
                        problems.push(format!("{at}: {shown} is not among its fields"));
                    }
                }
                let cell = |key: &str| element[key].as_u64().unwrap_or(0);
                let (row, col, width, height) = (cell("row"), cell("col"), cell("width"), cell("height"));
                if width == 0 || height == 0 || col + width > 24 {
                    problems.push(format!("{at}: position"));
                }
                for r in row..row + height {
                    for c in col..col + width {
                        if !cells.insert((r, c)) {
                            problems.push(format!("{at}: overlaps another element at row {r}, column {c}"));
                        }
                    }
                }
            }
        }
    }
    problems.dedup();
    problems
}

/// `view.field` of an explore over the view of the same name.
fn field_exists(views: &BTreeMap<String, ViewFields>, explore: &str, field: &str) -> bool {
    let Some((view, name)) = field.split_once('.') else { return false };
    view == explore && views.get(view).is_some_and(|v| v.fields.contains_key(name))
}

/// The `${…}` substitutions of a SQL parameter, `${TABLE}."col"` as `TABLE.col`.
fn substitutions(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}').map(|e| start + e) else { break };
        let name = &rest[start + 2..end];
        rest = &rest[end + 1..];
        if let Some(after) = name.eq("TABLE").then(|| rest.strip_prefix('.')).flatten() {
            // `${TABLE}."column"`, or unquoted where the dialect reads it so (Snowflake).
            let quote = after.chars().next().unwrap_or(' ');
            let (column, next) = if quote == '"' || quote == '`' {
                match after[1..].find(quote) {
                    Some(close) => (&after[1..1 + close], &after[close + 2..]),
                    None => ("", after),
                }
            } else {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            if !column.is_empty() {
                out.push(format!("TABLE.{column}"));
                rest = next;
                continue;
            }
        }
        out.push(name.to_string());
    }
    out
}

/// An include of `kpic/<model>.model.lkml`, as a path from the project root.
fn resolve_include(pattern: &str) -> String {
    match pattern.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("kpic/{pattern}"),
    }
}

/// `*` matches within one path segment.
fn glob_match(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((prefix, suffix)) => {
            path.starts_with(prefix)
                && path.ends_with(suffix)
                && path.len() >= prefix.len() + suffix.len()
                && !path[prefix.len()..path.len() - suffix.len()].contains('/')
        }
    }
}
