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
        timeframes
            .iter()
            .filter(|tf| self.fields.contains_key(&format!("period_{tf}")))
            .map(|s| s.to_string())
            .collect()
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
            ("measure", "count_distinct") => format!("COUNT(DISTINCT {sql})"),
            ("measure", ty) if ty != "number" && ty != "string" => panic!("{}.{name}: measure type {ty}", self.name),
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

/// A Looker query over one view: dimensions, measures and yesno filters.
struct Query<'a> {
    dimensions: Vec<&'a str>,
    measures: Vec<&'a str>,
    filters: Vec<(&'a str, &'a str)>,
}

/// One result row: dimension values (as text) → measure values.
type Result = BTreeMap<Vec<Option<String>>, Vec<Option<f64>>>;

fn run(engine: &mut dyn Engine, view: &View, query: &Query, week_start: u32) -> Result {
    let mut columns: Vec<String> =
        query.dimensions.iter().map(|d| format!("CAST({} AS VARCHAR)", view.expand(d, week_start))).collect();
    // The one string measure (status) is read as 1.0 on track, 0.5 at risk,
    // 0.0 off track; a yesno measure as 1.0 or 0.0.
    columns.extend(query.measures.iter().map(|m| {
        let sql = view.expand(m, week_start);
        match view.fields[*m].1.as_str() {
            "string" => format!("CAST(CASE {sql} WHEN 'on_track' THEN 1.0 WHEN 'at_risk' THEN 0.5 WHEN 'off_track' THEN 0.0 END AS DOUBLE PRECISION)"),
            "yesno" => format!("CAST(CASE {sql} WHEN 'Yes' THEN 1.0 WHEN 'No' THEN 0.0 END AS DOUBLE PRECISION)"),
            _ => format!("CAST({sql} AS DOUBLE PRECISION)"),
        }
    }));
    let mut text = format!("SELECT {} FROM {} AS \"{}\"", columns.join(", "), view.table, view.name);
    if !query.filters.is_empty() {
        let conditions: Vec<String> = query.filters.iter().map(|(f, v)| view.condition(f, v, week_start)).collect();
        text.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
    }
    if !query.dimensions.is_empty() {
        let positions: Vec<String> = (1..=query.dimensions.len()).map(|i| i.to_string()).collect();
        text.push_str(&format!(" GROUP BY {}", positions.join(", ")));
    }
    engine.rows(&text, query.dimensions.len(), query.measures.len()).into_iter().collect()
}

/// Siblings already computed: (KPI, grain, dimensions) → rows.
type Siblings = BTreeMap<(KpiId, Grain, Vec<String>), ViewRows>;

/// [`compile_sibling`], once per KPI, grain and dimensions.
fn sibling(
    engine: &mut dyn Engine,
    siblings: &mut Siblings,
    model: &Model,
    id: KpiId,
    grain: Grain,
    dimensions: &[String],
    d: Dialect,
) -> ViewRows {
    let key = (id, grain, dimensions.to_vec());
    siblings.entry(key).or_insert_with(|| compile_sibling(engine, model, id, grain, dimensions, d)).clone()
}

/// The KPI `id` with `grain` and `dimensions`, and the KPIs it reads likewise,
/// deployed as views into schema `kpic_sibling`; its rows.
fn compile_sibling(
    engine: &mut dyn Engine,
    model: &Model,
    id: KpiId,
    grain: Grain,
    dimensions: &[String],
    d: Dialect,
) -> ViewRows {
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

/// The project at `dir`, with Looker reading `dialect`, and its LookML parsed by lkml.
fn parsed_lookml(engine: &dyn Engine, dir: &Path, dialect: Dialect) -> Option<(kpic::Checked, Value)> {
    let mut checked = kpic::check_dir(dir).unwrap();
    checked.model.settings.looker.as_mut().expect("the project has a looker block").dialect = dialect;
    let out = crate::Scratch::new(&format!("looker-{}", engine.name()));
    lookml::write_tree(&out, &kpic::emit::lookml::files(&checked.valid().expect("checks clean")));
    let parsed = lookml::parse_lkml(&out)?;
    Some((checked, parsed))
}

/// The model's `week_start_day` as an ISO weekday (Monday 1).
fn week_start(model: &Model, parsed: &Value) -> u32 {
    let looker = model.settings.looker.as_ref().unwrap();
    let day = parsed[format!("lookml/{}.model.lkml", looker.model)]["week_start_day"].as_str().unwrap().to_string();
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    days.iter().position(|d| *d == day).expect("a weekday") as u32 + 1
}

/// Every field of every view of the project at `dir`, queried at every
/// timeframe: the engine binds every name and type of the LookML's SQL.
pub fn binds(engine: &mut dyn Engine, dir: &Path, dialect: Dialect) {
    let Some((checked, parsed)) = parsed_lookml(engine, dir, dialect) else { return };
    let week_start = week_start(&checked.model, &parsed);
    for (_, file) in parsed.as_object().unwrap().iter().filter(|(p, _)| p.ends_with(".view.lkml")) {
        let view = View::parse(file);
        let of_kind = |measure: bool| -> Vec<&str> {
            let fields = view.fields.iter().filter(|(_, (kind, ..))| (kind == "measure") == measure);
            fields
                .filter(|(name, _)| {
                    !name.starts_with("period_") || name.as_str() == "period_end" || name.as_str() == "period_complete"
                })
                .map(|(n, _)| n.as_str())
                .collect()
        };
        let (dimensions, measures) = (of_kind(false), of_kind(true));
        let periods: Vec<String> = view.timeframes().iter().map(|tf| format!("period_{tf}")).collect();
        let mut all: Vec<&str> = periods.iter().map(String::as_str).collect();
        all.extend(&dimensions);
        let filters =
            if view.fields.contains_key("period_complete") { vec![("period_complete", "Yes")] } else { vec![] };
        let query = Query { dimensions: all, measures: measures.clone(), filters };
        run(engine, &view, &query, week_start);
    }
}

/// Every mismatch between Looker's numbers and kpic's for the project at
/// `dir`, whose views are deployed in `engine`, with Looker reading `dialect`.
pub fn problems(engine: &mut dyn Engine, dir: &Path, dialect: Dialect) -> Option<Vec<String>> {
    let (checked, parsed) = parsed_lookml(engine, dir, dialect)?;
    let model = &checked.model;
    let week_start = week_start(model, &parsed);
    let mut problems = Vec::new();
    let mut offered = 0;
    let mut siblings = Siblings::new();
    engine.execute("DROP SCHEMA IF EXISTS kpic_looker CASCADE; CREATE SCHEMA kpic_looker;");
    for id in model.kpi_ids() {
        let kpi = model.kpi(id);
        let mut view = View::parse(&parsed[format!("lookml/views/{}.view.lkml", kpi.name)]);
        // Looker's queries read the view's rows, kept in a table so that the view is computed once.
        let table = format!("kpic_looker.\"{}\"", view.name);
        engine.execute(&format!("CREATE TABLE {table} AS SELECT * FROM {};", view.table));
        view.table = table;
        let rollup = Rollup::of(model, kpi);
        let dimensions: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        let ratio =
            view.fields.contains_key("numerator") && rollup.combine == kpic::emit::lookml::rollup::Combine::Ratio;
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
                let query = Query { dimensions: query_dimensions, measures: measures.clone(), filters: vec![] };
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
                let expected = sibling(engine, &mut siblings, model, id, grain_of(&tf), &subset, dialect);
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
        let all_time = Query { dimensions: vec![], measures: vec!["value"], filters: vec![] };
        let rows = run(engine, &view, &all_time, week_start);
        let periods = engine.rows(
            &format!("SELECT CAST(COUNT(DISTINCT period_start) AS DOUBLE PRECISION) FROM {}", view.table),
            0,
            1,
        );
        let several = periods[0].1[0].unwrap_or(0.0) > 1.0;
        if several && !rollup.over_time && rows.values().any(|v| v[0].is_some()) {
            problems.push(format!(
                "{} {}: all periods of {} add up to a number",
                engine.name(),
                dialect.name(),
                kpi.name
            ));
        }
    }
    problems.extend(tiles(engine, &mut siblings, model, &parsed, week_start, dialect));
    assert!(offered >= model.kpis.len(), "{}: every KPI is compared at least at its grain", engine.name());
    eprintln!("{} {}: {offered} groupings of {} KPIs compared", engine.name(), dialect.name(), model.kpis.len());
    Some(problems)
}

/// Every tile of every dashboard, run as Looker runs it, against kpic's own
/// views: a KPI tile against the sibling at the KPI's grain with the tile's
/// dimensions (its latest complete periods), a scoreboard tile against the
/// scoreboard's rows that its filters name.
fn tiles(
    engine: &mut dyn Engine,
    siblings: &mut Siblings,
    model: &Model,
    parsed: &Value,
    week_start: u32,
    dialect: Dialect,
) -> Vec<String> {
    let mut problems = Vec::new();
    let scoreboard = scoreboard_rows(engine, model);
    let dashboards = parsed.as_object().unwrap().iter().filter(|(path, _)| path.ends_with(".dashboard.lookml"));
    let (mut count, mut shown) = (0, 0);
    for (path, file) in dashboards {
        for element in file[0]["elements"].as_array().unwrap() {
            count += 1;
            let at = format!("{} {}: {path} {}", engine.name(), dialect.name(), element["name"]);
            let names = |key: &str| -> Vec<String> {
                element[key].as_array().into_iter().flatten().map(|v| v.as_str().unwrap().to_string()).collect()
            };
            let explore = element["explore"].as_str().unwrap();
            let filters: Vec<(String, String)> = element["filters"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.split_once('.').unwrap().1.to_string(), v.as_str().unwrap().to_string()))
                .collect();
            let fields: Vec<String> =
                names("fields").iter().map(|f| f.split_once('.').unwrap().1.to_string()).collect();
            if explore == kpic::model::SCOREBOARD_VIEW {
                problems.extend(scoreboard_tile(engine, model, &scoreboard, &fields, &filters, &at));
                continue;
            }
            let id = model.kpi_ids().find(|&k| model.kpi(k).name.text == explore).expect("a KPI explore");
            let kpi = model.kpi(id);
            let mut view = View::parse(&parsed[format!("lookml/views/{explore}.view.lkml")]);
            view.table = format!("kpic_looker.\"{explore}\"");
            let is_dimension = |f: &String| view.fields[f].0 != "measure";
            let dimensions: Vec<&str> = fields.iter().filter(|f| is_dimension(f)).map(String::as_str).collect();
            let measures: Vec<&str> = fields.iter().filter(|f| !is_dimension(f)).map(String::as_str).collect();
            let limit = element["limit"].as_u64().unwrap() as usize;
            let query = Query {
                dimensions: dimensions.clone(),
                measures: measures.clone(),
                filters: filters.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect(),
            };
            // The latest `limit` periods (with pivots, Looker's limit counts periods, not cells).
            let mut actual: Vec<_> = run(engine, &view, &query, week_start).into_iter().collect();
            actual.sort_by(|a, b| b.0.cmp(&a.0));
            let periods: Vec<Option<String>> = dedup(actual.iter().map(|(k, _)| k[0].clone()).collect());
            let kept: Vec<Option<String>> = periods.into_iter().take(limit).collect();
            actual.retain(|(k, _)| kept.contains(&k[0]));
            let tile_dimensions: Vec<String> = dimensions[1..].iter().map(|d| d.to_string()).collect();
            let today = super::today_utc();
            assert_eq!(model.settings.time_zone, "UTC", "{at}: periods end in UTC here");
            let mut expected: Vec<_> = sibling(engine, siblings, model, id, kpi.grain, &tile_dimensions, dialect)
                .into_iter()
                .filter(|((start, _), _)| super::period_end(*start, kpi.grain) <= today)
                .map(|((start, dims), row)| {
                    let mut key = vec![Some(start.to_string())];
                    key.extend(dims);
                    let values: Vec<Option<f64>> = measures
                        .iter()
                        .map(|m| match *m {
                            "value" => row.value,
                            "target_value" => row.target,
                            "status_value" => status_number(row.status.as_deref()),
                            other => panic!("{at}: measure {other}"),
                        })
                        .collect();
                    (key, values)
                })
                .collect();
            expected.sort_by(|a, b| b.0.cmp(&a.0));
            let periods = dedup(expected.iter().map(|(k, _)| k[0].clone()).collect());
            let kept: Vec<Option<String>> = periods.into_iter().take(limit).collect();
            expected.retain(|(k, _)| kept.contains(&k[0]));
            let same = actual.len() == expected.len()
                && actual
                    .iter()
                    .zip(&expected)
                    .all(|(a, e)| a.0 == e.0 && a.1.iter().zip(&e.1).all(|(x, y)| close(*x, *y)));
            // A yearly KPI has no complete period yet: both empty.
            shown += usize::from(!actual.is_empty());
            if !same {
                problems.push(format!("{at}: Looker {actual:?}\n  kpic {expected:?}"));
            }
        }
    }
    assert!(count > 0 && shown > 0, "the dashboards have tiles, and tiles show numbers");
    problems
}

fn dedup(mut items: Vec<Option<String>>) -> Vec<Option<String>> {
    items.dedup();
    items
}

/// The scoreboard: one map per row, column → text.
type Scoreboard = Vec<BTreeMap<String, Option<String>>>;

fn scoreboard_rows(engine: &mut dyn Engine, model: &Model) -> Scoreboard {
    let columns = sql::SCOREBOARD_COLUMNS;
    let casts: Vec<String> = columns.iter().map(|c| format!("CAST(\"{c}\" AS VARCHAR)")).collect();
    let text = format!("SELECT {} FROM \"{}\".kpi_scoreboard", casts.join(", "), model.settings.schema);
    engine
        .rows(&text, columns.len(), 0)
        .into_iter()
        .map(|(values, _)| columns.iter().map(|c| c.to_string()).zip(values).collect())
        .collect()
}

/// A Looker string filter: alternatives split at unescaped commas, `^x` read as `x`.
fn alternatives(filter: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = filter.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => out.last_mut().unwrap().push(chars.next().expect("an escaped character")),
            ',' => out.push(String::new()),
            '%' | '_' => panic!("a wildcard in filter {filter}"),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// A scoreboard tile: the rows its filters name, its fields, against the view's rows picked in Rust.
fn scoreboard_tile(
    engine: &mut dyn Engine,
    model: &Model,
    scoreboard: &Scoreboard,
    fields: &[String],
    filters: &[(String, String)],
    at: &str,
) -> Vec<String> {
    let column = |field: &str| if field == "period_date" { "period_start".to_string() } else { field.to_string() };
    let picked: Vec<&BTreeMap<String, Option<String>>> = scoreboard
        .iter()
        .filter(|row| {
            filters.iter().all(|(f, v)| alternatives(v).iter().any(|a| row[&column(f)].as_deref() == Some(a)))
        })
        .collect();
    let conditions: Vec<String> = filters
        .iter()
        .map(|(f, v)| {
            let quoted: Vec<String> = alternatives(v).iter().map(|a| format!("'{}'", a.replace('\'', "''"))).collect();
            format!("\"{}\" IN ({})", column(f), quoted.join(", "))
        })
        .collect();
    let table = format!("\"{}\".kpi_scoreboard", model.settings.schema);
    if fields == ["kpis"] {
        let text = format!(
            "SELECT CAST(COUNT(DISTINCT kpi) AS DOUBLE PRECISION) FROM {table} WHERE {}",
            conditions.join(" AND ")
        );
        let looker = engine.rows(&text, 0, 1)[0].1[0];
        let mut kpis: Vec<&Option<String>> = picked.iter().map(|r| &r["kpi"]).collect();
        kpis.sort();
        kpis.dedup();
        return if looker == Some(kpis.len() as f64) {
            vec![]
        } else {
            vec![format!("{at}: {looker:?} KPIs, kpic {}", kpis.len())]
        };
    }
    let casts: Vec<String> = fields.iter().map(|f| format!("CAST(\"{}\" AS VARCHAR)", column(f))).collect();
    let text = format!("SELECT {} FROM {table} WHERE {}", casts.join(", "), conditions.join(" AND "));
    let mut looker: Vec<Vec<Option<String>>> =
        engine.rows(&text, fields.len(), 0).into_iter().map(|(t, _)| t).collect();
    let mut expected: Vec<Vec<Option<String>>> =
        picked.iter().map(|row| fields.iter().map(|f| row[&column(f)].clone()).collect()).collect();
    looker.sort();
    expected.sort();
    if looker != expected || (looker.is_empty() && filters.iter().any(|(f, _)| f == "kpi")) {
        return vec![format!("{at}: Looker {looker:?}\n  kpic {expected:?}")];
    }
    vec![]
}
