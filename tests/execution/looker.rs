//! The numbers Looker shows, on real engines. The LookML kpic emits is
//! parsed back (lkml), and each query a dashboard tile or an explore user can
//! build is turned into the SQL Looker runs — `${TABLE}` is the view's alias,
//! `${field}` the field's SQL, a yesno dimension `CASE WHEN … THEN 'Yes'`, a
//! timeframe the period truncated with the model's `week_start_day` — then
//! compared with kpic's own view at that grain and dimension set: a sibling
//! of the KPI compiled with that grain and those dimensions.
//!
//! For every KPI, every offered timeframe and every subset of its dimensions:
//! a grouping the re-aggregation rules offer gives exactly kpic's numbers; a
//! grouping they do not offer gives blanks, never a number.

use std::collections::BTreeMap;
use std::path::Path;

use kpic::emit::lookml::rollup::{timeframe, Rollup};
use kpic::emit::sql;
use kpic::model::{Dialect, Grain, KpiId, Model};
use serde_json::Value;

use super::engines::{read_view, Engine, ViewRows};
use super::lookml;

/// One parsed LookML view: its table and fields.
struct View {
    name: String,
    table: String,
    /// field → (kind, type, SQL); kind is `dimension`, `measure` or a timeframe.
    fields: BTreeMap<String, (String, String, String)>,
}

impl View {
    fn parse(file: &Value) -> View {
        let view = &file["views"][0];
        let text = |v: &Value| v.as_str().unwrap_or("").to_string();
        let mut fields = BTreeMap::new();
        for group in view["dimension_groups"].as_array().into_iter().flatten() {
            for tf in group["timeframes"].as_array().into_iter().flatten() {
                let name = format!("{}_{}", text(&group["name"]), text(tf));
                fields.insert(name, (text(tf), "time".into(), text(&group["sql"])));
            }
        }
        for (kind, key) in [("dimension", "dimensions"), ("measure", "measures")] {
            for field in view[key].as_array().into_iter().flatten() {
                fields.insert(text(&field["name"]), (kind.to_string(), text(&field["type"]), text(&field["sql"])));
            }
        }
        View { name: text(&view["name"]), table: text(&view["sql_table_name"]), fields }
    }

    fn timeframes(&self) -> Vec<String> {
        let timeframes = ["date", "week", "month", "quarter", "year"];
        timeframes.iter().filter(|tf| self.fields.contains_key(&format!("period_{tf}"))).map(|s| s.to_string()).collect()
    }

    /// A field's SQL with every `${…}` expanded, as Looker writes it in a SELECT.
    fn expand(&self, name: &str, week_start: u32) -> String {
        let (kind, ty, sql) = self.fields.get(name).unwrap_or_else(|| panic!("{}: no field {name}", self.name));
        let mut out = String::new();
        let mut rest = sql.as_str();
        while let Some(start) = rest.find("${") {
            let end = start + rest[start..].find('}').expect("closed ${");
            out.push_str(&rest[..start]);
            let reference = &rest[start + 2..end];
            if reference == "TABLE" {
                out.push_str(&format!("\"{}\"", self.name));
            } else {
                out.push_str(&format!("({})", self.expand(reference, week_start)));
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        let sql = out;
        match (kind.as_str(), ty.as_str()) {
            (_, "yesno") => format!("CASE WHEN {sql} THEN 'Yes' ELSE 'No' END"),
            ("date", _) => format!("CAST({sql} AS DATE)"),
            ("week", _) => format!(
                "CAST(CAST({sql} AS DATE) - CAST((CAST(EXTRACT(ISODOW FROM {sql}) AS INTEGER) - {week_start} + 7) % 7 AS INTEGER) AS DATE)"
            ),
            (tf @ ("month" | "quarter" | "year"), _) => format!("CAST(DATE_TRUNC('{tf}', {sql}) AS DATE)"),
            _ => sql,
        }
    }

    /// The raw condition of a yesno field, for a filter.
    fn condition(&self, name: &str, value: &str, week_start: u32) -> String {
        let expanded = self.expand(name, week_start);
        let is_yes = format!("({expanded}) = 'Yes'");
        match value {
            "Yes" => is_yes,
            "No" => format!("NOT {is_yes}"),
            other => panic!("filter value {other} on {name}"),
        }
    }
}

/// A Looker query over one view: dimensions and measures, yesno filters, sorts and a limit.
struct Query<'a> {
    dimensions: Vec<&'a str>,
    measures: Vec<&'a str>,
    filters: Vec<(&'a str, &'a str)>,
    /// Sort by the first dimension, descending, and keep this many rows.
    latest: Option<u32>,
}

/// One result row: dimension values (as text) → measure values.
type Result = BTreeMap<Vec<Option<String>>, Vec<Option<f64>>>;

fn run(engine: &mut dyn Engine, view: &View, query: &Query, week_start: u32) -> Result {
    let mut columns: Vec<String> =
        query.dimensions.iter().map(|d| format!("CAST({} AS VARCHAR)", view.expand(d, week_start))).collect();
    // The one string measure (status) is read as 1.0 on track, 0.5 at risk, 0.0 off track.
    columns.extend(query.measures.iter().map(|m| {
        let sql = view.expand(m, week_start);
        if view.fields[*m].1 == "string" {
            format!("CAST(CASE {sql} WHEN 'on_track' THEN 1.0 WHEN 'at_risk' THEN 0.5 WHEN 'off_track' THEN 0.0 END AS DOUBLE PRECISION)")
        } else {
            format!("CAST({sql} AS DOUBLE PRECISION)")
        }
    }));
    let mut text = format!("SELECT {} FROM {} AS \"{}\"", columns.join(", "), view.table, view.name);
    if !query.filters.is_empty() {
        let conditions: Vec<String> =
            query.filters.iter().map(|(f, v)| view.condition(f, v, week_start)).collect();
        text.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    if !query.dimensions.is_empty() {
        let positions: Vec<String> = (1..=query.dimensions.len()).map(|i| i.to_string()).collect();
        text.push_str(&format!(" GROUP BY {}", positions.join(", ")));
    }
    if let Some(limit) = query.latest {
        text.push_str(&format!(" ORDER BY 1 DESC LIMIT {limit}"));
    }
    engine.rows(&text, query.dimensions.len(), query.measures.len()).into_iter().collect()
}

/// The KPI `id` with `grain` and `dimensions`, and the KPIs it reads likewise,
/// deployed as views into schema `kpic_sibling`; its rows.
fn sibling(engine: &mut dyn Engine, model: &Model, id: KpiId, grain: Grain, dimensions: &[String], d: Dialect) -> ViewRows {
    let mut sibling = model.clone();
    sibling.settings.schema = "kpic_sibling".into();
    // The KPI and what it reads, upstream first.
    fn visit(model: &Model, id: KpiId, order: &mut Vec<KpiId>) {
        if !order.contains(&id) {
            model.kpi(id).upstream_kpis().into_iter().for_each(|u| visit(model, u, order));
            order.push(id);
        }
    }
    let mut order = Vec::new();
    visit(model, id, &mut order);
    for &k in &order {
        let kpi = &mut sibling.kpis[k.index()];
        kpi.grain = grain;
        kpi.dimensions.retain(|n| dimensions.contains(&n.text));
    }
    let dialect = sql::for_dialect(d);
    engine.execute(&format!("DROP SCHEMA IF EXISTS kpic_sibling CASCADE; {};", sql::create_schema(&sibling, d)));
    for &k in &order {
        engine.execute(&format!("{};", sql::versioned_view(&sibling, k, dialect).statement));
    }
    let kpi = sibling.kpi(id);
    read_view(engine, "kpic_sibling", &sql::versioned_name(&sibling, id), dimensions, kpi.ratio().is_some())
}

fn grain_of(timeframe_name: &str) -> Grain {
    Grain::ALL.into_iter().find(|g| timeframe(*g) == timeframe_name).unwrap()
}

fn subsets(items: &[String]) -> Vec<Vec<String>> {
    (0..1u32 << items.len())
        .map(|mask| items.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| s.clone()).collect())
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

fn status_number(status: Option<&str>) -> Option<f64> {
    match status? {
        "on_track" => Some(1.0),
        "at_risk" => Some(0.5),
        _ => Some(0.0),
    }
}

/// Every mismatch between Looker's numbers and kpic's for the project at
/// `dir`, whose views are deployed in `engine`, with Looker reading `dialect`.
pub fn problems(engine: &mut dyn Engine, dir: &Path, dialect: Dialect) -> Option<Vec<String>> {
    let mut checked = kpic::check_dir(dir).unwrap();
    checked.model.settings.looker.as_mut().expect("the project has a looker block").dialect = dialect;
    let valid = checked.valid().expect("checks clean");
    let out = std::env::temp_dir().join(format!("kpic-looker-{}-{}", engine.name(), std::process::id()));
    lookml::write_tree(&out, &kpic::emit::lookml::files(&valid));
    let parsed = lookml::parse_lkml(&out)?;
    let _ = std::fs::remove_dir_all(&out);
    let model = &checked.model;
    let looker = model.settings.looker.as_ref().unwrap();
    let model_file = &parsed[format!("lookml/{}.model.lkml", looker.model)];
    let week_start = match model_file["week_start_day"].as_str().unwrap() {
        "monday" => 1,
        "tuesday" => 2,
        "wednesday" => 3,
        "thursday" => 4,
        "friday" => 5,
        "saturday" => 6,
        _ => 7,
    };
    let mut problems = Vec::new();
    let mut offered = 0;
    for id in model.kpi_ids() {
        let kpi = model.kpi(id);
        let view = View::parse(&parsed[format!("lookml/views/{}.view.lkml", kpi.name)]);
        let rollup = Rollup::of(model, kpi);
        let dimensions: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        let ratio = view.fields.contains_key("numerator") && rollup.combine == kpic::emit::lookml::rollup::Combine::Ratio;
        let mut measures = vec!["value"];
        if ratio {
            measures.extend(["numerator", "denominator"]);
        }
        if kpi.target.is_some() {
            measures.extend(["target_value", "status_value"]);
        }
        for tf in view.timeframes() {
            let period = format!("period_{tf}");
            for subset in subsets(&dimensions) {
                let mut query_dimensions = vec![period.as_str()];
                query_dimensions.extend(subset.iter().map(String::as_str));
                let query = Query { dimensions: query_dimensions, measures: measures.clone(), filters: vec![], latest: None };
                let looker_rows = run(engine, &view, &query, week_start);
                let at = format!("{} {}: {} by {tf} and {subset:?}", engine.name(), dialect.name(), kpi.name);
                let is_offered = (tf == timeframe(kpi.grain) || rollup.over_time)
                    && (subset.len() == dimensions.len() || rollup.over_dimensions);
                if !is_offered {
                    if let Some((key, _)) = looker_rows.iter().find(|(_, values)| values[0].is_some()) {
                        problems.push(format!("{at}: not offered, yet shows a number at {key:?}"));
                    }
                    continue;
                }
                offered += 1;
                let expected = sibling(engine, model, id, grain_of(&tf), &subset, dialect);
                let expected: Result = expected
                    .into_iter()
                    .map(|((period, dims), row)| {
                        let mut key = vec![Some(period.to_string())];
                        key.extend(dims);
                        let mut values = vec![row.value];
                        if ratio {
                            values.extend([row.numerator, row.denominator]);
                        }
                        if kpi.target.is_some() {
                            values.extend([row.target, status_number(row.status.as_deref())]);
                        }
                        (key, values)
                    })
                    .collect();
                if looker_rows.keys().ne(expected.keys()) {
                    problems.push(format!("{at}: rows {:?}\n  kpic {:?}", looker_rows.keys(), expected.keys()));
                    continue;
                }
                for (key, values) in &looker_rows {
                    let want = &expected[key];
                    if !values.iter().zip(want).all(|(a, b)| close(*a, *b)) {
                        problems.push(format!("{at} {key:?}: Looker {values:?}, kpic {want:?} ({measures:?})"));
                    }
                }
            }
        }
        // All periods together: a number only where periods add up.
        let all_time = Query { dimensions: vec![], measures: vec!["value"], filters: vec![], latest: None };
        let rows = run(engine, &view, &all_time, week_start);
        let periods = engine.rows(&format!("SELECT CAST(COUNT(DISTINCT period_start) AS DOUBLE PRECISION) FROM {}", view.table), 0, 1);
        let several = periods[0].1[0].unwrap_or(0.0) > 1.0;
        if several && !rollup.over_time && rows.values().any(|v| v[0].is_some()) {
            problems.push(format!("{} {}: all periods of {} add up to a number", engine.name(), dialect.name(), kpi.name));
        }
    }
    assert!(offered >= model.kpis.len(), "{}: every KPI is compared at least at its grain", engine.name());
    eprintln!("{} {}: {offered} groupings of {} KPIs compared", engine.name(), dialect.name(), model.kpis.len());
    Some(problems)
}
