//! Executes every KPI view of `tests/execution/project` (and the Sunday-week
//! project) on DuckDB and PostgreSQL over `tests/data/`, and compares each
//! row with numbers computed independently in `execution/reference.rs`; then
//! the numbers Looker computes from the LookML (`execution/looker.rs`).
//!
//! Needs `--features engine` (DuckDB) and `KPIC_POSTGRES` (see `.ci/run`);
//! with `KPIC_REQUIRE_ENGINES=1` (CI) a missing PostgreSQL fails the test.
#![cfg(feature = "engine")]

#[path = "execution/engines.rs"]
mod engines;
#[path = "execution/looker.rs"]
mod looker;
#[path = "support/lookml.rs"]
mod lookml;
#[path = "execution/reference.rs"]
mod reference;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, Weekday};
use engines::{read_view, DuckDb, Engine, Postgres, Served};
use kpic::emit::sql;
use kpic::model::Dialect;
use reference::*;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn data() -> BTreeMap<String, Vec<Row>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut tables = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let rows = lines
            .map(|line| {
                let fields = line.split(',').map(|f| (!f.is_empty()).then(|| f.to_string()));
                Row(header.iter().map(|h| h.to_string()).zip(fields).collect())
            })
            .collect();
        tables.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), rows);
    }
    tables
}

/// Events joined to their user and exchange rate, without test users (the source's filter).
fn events(data: &BTreeMap<String, Vec<Row>>) -> Vec<Row> {
    let find = |table: &str, column: &str, key: Option<&str>| {
        data[table].iter().find(|r| key.is_some() && r.text(column) == key).cloned()
    };
    data["app.events"]
        .iter()
        .map(|e| {
            let user = find("app.users", "id", e.text("user_id"));
            let rate = find("app.fx", "currency", e.text("currency"));
            e.joined("users", user.as_ref(), &["country", "is_test"]).joined("fx", rate.as_ref(), &["usd_rate"])
        })
        .filter(|e| !e.boolean("users.is_test").unwrap_or(false))
        .collect()
}

fn at(column: &'static str) -> Option<RowFn<Option<NaiveDateTime>>> {
    Some(Box::new(move |r: &Row| r.time(column)))
}

fn dims(columns: &'static [&'static str]) -> RowFn<Vec<Option<String>>> {
    Box::new(move |r: &Row| columns.iter().map(|c| r.text(c).map(str::to_string)).collect())
}

fn size(r: &Row) -> Vec<Option<String>> {
    vec![match r.num("amount") {
        Some(a) if a >= 100.0 => Some("large".into()),
        Some(_) => Some("small".into()),
        None => None,
    }]
}

fn source(rows: Vec<Row>, time: &'static str, dimensions: RowFn<Vec<Option<String>>>) -> Source {
    Source { rows, calendar: None, time: at(time), validity: None, dimensions }
}

fn kind(k: &'static str) -> RowFn<bool> {
    Box::new(move |r: &Row| r.text("kind") == Some(k))
}

fn all() -> RowFn<bool> {
    Box::new(|_: &Row| true)
}

fn row_counted() -> RowFn<Option<V>> {
    Box::new(|_: &Row| Some(V::N(1.0)))
}

fn number(column: &'static str) -> RowFn<Option<V>> {
    Box::new(move |r: &Row| r.num(column).map(V::N))
}

fn text(column: &'static str) -> RowFn<Option<V>> {
    Box::new(move |r: &Row| r.text(column).map(|t| V::S(t.to_string())))
}

fn events_agg(source: usize, func: Func, condition: RowFn<bool>, value: RowFn<Option<V>>) -> Aggregate {
    Aggregate { source, func, rows: Rows::Events, condition, value, at: None }
}

/// Numerator and denominator per period and dimension values.
type RatioParts = BTreeMap<(chrono::NaiveDate, Vec<Option<String>>), (Option<f64>, Option<f64>)>;

/// Expected rows of one view: value, optional ratio parts, and the target's goal.
struct Expected {
    values: Values,
    ratio: Option<RatioParts>,
    goal: Option<(Goal, Option<f64>)>,
}

fn plain(values: Values) -> Expected {
    Expected { values, ratio: None, goal: None }
}

/// A measure whose value is `formula(aggregates)`.
fn measure(m: Measure, formula: impl Fn(&[Option<f64>]) -> Option<f64>) -> Values {
    m.evaluate().into_iter().map(|(k, v)| (k, formula(&v))).collect()
}

/// A ratio of the first two aggregates.
fn ratio(m: Measure) -> Expected {
    let grid = m.evaluate();
    let values = grid.iter().map(|(k, v)| (k.clone(), divide(v[0], v[1]))).collect();
    let parts = grid.into_iter().map(|(k, v)| (k, (v[0], v[1]))).collect();
    Expected { values, ratio: Some(parts), goal: None }
}

fn first(v: &[Option<f64>]) -> Option<f64> {
    v[0]
}

const MONDAY: Grain = Grain::Week(Weekday::Mon);

fn expectations(data: &BTreeMap<String, Vec<Row>>) -> BTreeMap<&'static str, Expected> {
    let ev = || events(data);
    let ev_by = |d: &'static [&'static str]| source(ev(), "at", dims(d));
    let mut out = BTreeMap::new();
    let m = |grain, window, sources, aggregates| Measure {
        grain,
        window,
        sources,
        aggregates,
        zone: chrono_tz::UTC,
        from: None,
        until: None,
    };

    out.insert(
        "events_daily",
        plain(measure(
            m(
                Grain::Day,
                Window::Period,
                vec![ev_by(&["kind"])],
                vec![events_agg(0, Func::Count, all(), row_counted())],
            ),
            first,
        )),
    );
    out.insert(
        "signups_weekly",
        plain(measure(
            m(
                MONDAY,
                Window::Period,
                vec![ev_by(&["users.country"])],
                vec![events_agg(0, Func::Count, kind("signup"), row_counted())],
            ),
            first,
        )),
    );
    let signups_total = measure(
        m(MONDAY, Window::Period, vec![ev_by(&[])], vec![events_agg(0, Func::Count, kind("signup"), row_counted())]),
        first,
    );
    out.insert("signups_total", plain(signups_total.clone()));
    out.insert(
        "purchase_amount_monthly",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![ev_by(&[])],
                vec![events_agg(0, Func::Sum, kind("purchase"), number("amount"))],
            ),
            first,
        )),
    );
    out.insert(
        "avg_amount_quarterly",
        plain(measure(
            m(
                Grain::Quarter,
                Window::Period,
                vec![source(ev(), "at", Box::new(size))],
                vec![events_agg(0, Func::Avg, all(), number("amount"))],
            ),
            first,
        )),
    );
    out.insert(
        "min_latency_yearly",
        plain(measure(
            m(
                Grain::Year,
                Window::Period,
                vec![ev_by(&[])],
                vec![events_agg(0, Func::Min, all(), number("latency_ms"))],
            ),
            first,
        )),
    );
    out.insert(
        "max_latency_monthly",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![ev_by(&["kind"])],
                vec![events_agg(0, Func::Max, all(), number("latency_ms"))],
            ),
            first,
        )),
    );
    let p95 = measure(
        m(
            MONDAY,
            Window::Period,
            vec![ev_by(&[])],
            vec![events_agg(0, Func::Percentile(0.95), all(), number("latency_ms"))],
        ),
        first,
    );
    out.insert(
        "p95_latency_weekly",
        Expected { values: p95, ratio: None, goal: Some((Goal::AtMost(850.0, Some(900.0)), Some(850.0))) },
    );
    out.insert(
        "distinct_users_monthly",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![ev_by(&["users.country"])],
                vec![events_agg(0, Func::CountDistinct, all(), text("user_id"))],
            ),
            first,
        )),
    );
    let mut error_rate = ratio(m(
        MONDAY,
        Window::Period,
        vec![ev_by(&["users.country"])],
        vec![
            events_agg(0, Func::Count, kind("error"), row_counted()),
            events_agg(0, Func::Count, all(), row_counted()),
        ],
    ));
    error_rate.goal = Some((Goal::AtMost(0.3, Some(0.4)), Some(0.3)));
    out.insert("error_rate_weekly", error_rate);
    // `filter users.is_test = false` also drops events whose user is unknown (NULL is not false).
    let known: Vec<Row> = ev().into_iter().filter(|r| r.boolean("users.is_test") == Some(false)).collect();
    out.insert(
        "known_user_events",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![Source { calendar: Some(ev()), ..source(known, "at", dims(&[])) }],
                vec![events_agg(0, Func::Count, all(), row_counted())],
            ),
            first,
        )),
    );
    let usd = Box::new(|r: &Row| Some(V::N(r.num("amount")? * r.num("fx.usd_rate")?)));
    out.insert(
        "revenue_usd_monthly",
        plain(measure(
            m(Grain::Month, Window::Period, vec![ev_by(&[])], vec![events_agg(0, Func::Sum, kind("purchase"), usd)]),
            first,
        )),
    );
    let views: Vec<Row> = events_with_all_users(data).into_iter().filter(|r| r.text("kind") == Some("view")).collect();
    out.insert(
        "purchases_per_view",
        ratio(m(
            Grain::Month,
            Window::Period,
            vec![ev_by(&["users.country"]), source(views, "at", dims(&["users.country"]))],
            vec![
                events_agg(0, Func::Count, kind("purchase"), row_counted()),
                events_agg(1, Func::Count, all(), row_counted()),
            ],
        )),
    );
    out.insert(
        "rolling_active_users",
        plain(measure(
            m(
                Grain::Day,
                Window::Rolling(7),
                vec![ev_by(&[])],
                vec![events_agg(0, Func::CountDistinct, all(), text("user_id"))],
            ),
            first,
        )),
    );
    out.insert(
        "rolling_error_ratio",
        ratio(m(
            Grain::Day,
            Window::Rolling(28),
            vec![ev_by(&[])],
            vec![
                events_agg(0, Func::Count, kind("error"), row_counted()),
                events_agg(0, Func::Count, all(), row_counted()),
            ],
        )),
    );
    out.insert(
        "cumulative_purchases",
        plain(measure(
            m(
                Grain::Month,
                Window::Cumulative,
                vec![ev_by(&[])],
                vec![events_agg(0, Func::Count, kind("purchase"), row_counted())],
            ),
            first,
        )),
    );
    out.insert(
        "revenue_month_to_date",
        plain(measure(
            m(
                Grain::Day,
                Window::ToDate(Grain::Month),
                vec![ev_by(&[])],
                vec![events_agg(0, Func::Sum, kind("purchase"), number("amount"))],
            ),
            first,
        )),
    );

    let subs = |d: &'static [&'static str]| Source {
        rows: data["billing.subscriptions"].clone(),
        calendar: None,
        time: None,
        validity: Some(("started_at", "cancelled_at")),
        dimensions: dims(d),
    };
    let active = |r: &Row, t: NaiveDateTime| {
        r.time("started_at").is_some_and(|s| s < t) && r.time("cancelled_at").is_none_or(|e| e >= t)
    };
    let snapshot = |func, test: SnapshotTest, value| Aggregate {
        source: 0,
        func,
        rows: Rows::Snapshot(test),
        condition: all(),
        value,
        at: None,
    };
    out.insert(
        "active_subscriptions",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![subs(&["plan"])],
                vec![snapshot(Func::Count, Box::new(move |r, _, end| active(r, end)), row_counted())],
            ),
            first,
        )),
    );
    out.insert(
        "mrr",
        plain(measure(
            m(
                Grain::Month,
                Window::Period,
                vec![subs(&[])],
                vec![snapshot(Func::Sum, Box::new(move |r, _, end| active(r, end)), number("mrr"))],
            ),
            first,
        )),
    );
    let churned = move |r: &Row, start: NaiveDateTime, end: NaiveDateTime| {
        active(r, start) && r.time("cancelled_at").is_some_and(|c| c >= start && c < end)
    };
    let mut churn = ratio(m(
        Grain::Month,
        Window::Period,
        vec![subs(&[])],
        vec![
            snapshot(Func::Count, Box::new(churned), row_counted()),
            snapshot(Func::Count, Box::new(move |r, start, _| active(r, start)), row_counted()),
        ],
    ));
    churn.goal = Some((Goal::AtMost(0.1, Some(0.25)), Some(0.1)));
    out.insert("churn_rate", churn);

    let incidents = |d: &'static [&'static str]| source(data["ops.incidents"].clone(), "opened_at", dims(d));
    let mttr = measure(
        m(
            Grain::Month,
            Window::Period,
            vec![incidents(&["severity"])],
            vec![events_agg(0, Func::Avg, all(), between("opened_at", "resolved_at", 3600.0))],
        ),
        first,
    );
    out.insert(
        "mttr_hours",
        Expected { values: mttr, ratio: None, goal: Some((Goal::AtMost(10.0, Some(20.0)), Some(10.0))) },
    );
    out.insert(
        "median_detection_minutes",
        plain(measure(
            m(
                Grain::Quarter,
                Window::Period,
                vec![incidents(&[])],
                vec![events_agg(0, Func::Percentile(0.5), all(), between("opened_at", "detected_at", 60.0))],
            ),
            first,
        )),
    );
    let error_free = measure(
        m(
            Grain::Month,
            Window::Period,
            vec![ev_by(&[])],
            vec![
                events_agg(0, Func::Count, kind("error"), row_counted()),
                events_agg(0, Func::Count, all(), row_counted()),
            ],
        ),
        |v| divide(v[0], v[1]).map(|r| 1.0 - r),
    );
    out.insert(
        "error_free_share",
        Expected {
            values: error_free,
            ratio: None,
            goal: Some((Goal::Between((0.6, 0.9), Some((0.5, 0.95))), Some(0.75))),
        },
    );

    // KPIs over KPIs: an empty count is 0.
    let change = derived(&[&signups_total], &[Some(0.0)], MONDAY, |now, before| Some(now(0)? - before(0, 1)?));
    out.insert("signups_change", plain(change));
    let growth = derived(&[&signups_total], &[Some(0.0)], MONDAY, |now, before| {
        divide(Some(now(0)? - before(0, 1)?), before(0, 1))
    });
    let growth_parts = derived(&[&signups_total], &[Some(0.0)], MONDAY, |now, before| Some(now(0)? - before(0, 1)?));
    let growth_den = derived(&[&signups_total], &[Some(0.0)], MONDAY, |_, before| before(0, 1));
    let parts = growth_parts.iter().map(|(k, n)| (k.clone(), (*n, growth_den[k]))).collect();
    out.insert("signups_growth", Expected { values: growth, ratio: Some(parts), goal: None });
    let purchases = measure(
        m(
            Grain::Month,
            Window::Period,
            vec![ev_by(&[])],
            vec![events_agg(0, Func::Count, kind("purchase"), row_counted())],
        ),
        first,
    );
    let users = measure(
        m(
            Grain::Month,
            Window::Period,
            vec![ev_by(&[])],
            vec![events_agg(0, Func::CountDistinct, all(), text("user_id"))],
        ),
        first,
    );
    out.insert("purchases_monthly", plain(purchases.clone()));
    out.insert("users_monthly", plain(users.clone()));
    let per_user =
        derived(&[&purchases, &users], &[Some(0.0), Some(0.0)], Grain::Month, |now, _| divide(now(0), now(1)));
    let per_user_parts = derived(&[&purchases, &users], &[Some(0.0), Some(0.0)], Grain::Month, |now, _| now(0))
        .into_iter()
        .map(|(k, n)| {
            let d = users.get(&k).copied().unwrap_or(Some(0.0));
            (k, (n, d))
        });
    out.insert(
        "purchases_per_user",
        Expected {
            values: per_user,
            ratio: Some(per_user_parts.collect()),
            goal: Some((Goal::AtLeast(0.3, None), Some(0.3))),
        },
    );
    out
}

/// `end - start` in units of `seconds`, to the microsecond.
fn between(from: &'static str, to: &'static str, seconds: f64) -> RowFn<Option<V>> {
    Box::new(move |r: &Row| {
        let micros = (r.time(to)? - r.time(from)?).num_microseconds()?;
        Some(V::N(micros as f64 / 1e6 / seconds))
    })
}

/// The KPIs of `tests/execution/semantics`, a New York project.
fn semantics_expectations(data: &BTreeMap<String, Vec<Row>>) -> BTreeMap<&'static str, Expected> {
    use chrono::NaiveDate;
    let zone = chrono_tz::America::New_York;
    let m = |grain, window, sources, aggregates| Measure {
        grain,
        window,
        sources,
        aggregates,
        zone,
        from: None,
        until: None,
    };
    let jobs = || data["ops.jobs"].clone();
    let builds = || jobs().into_iter().filter(|r| r.text("kind") == Some("build")).collect::<Vec<_>>();
    let all_jobs = || source(jobs(), "started_at", dims(&[]));
    let only_builds = || Source { calendar: Some(jobs()), ..source(builds(), "started_at", dims(&[])) };
    let incidents = |d: &'static [&'static str]| Source {
        validity: Some(("opened_at", "resolved_at")),
        ..source(data["ops.incidents"].clone(), "opened_at", dims(d))
    };
    let resolved = || Aggregate { at: Some("resolved_at"), ..events_agg(0, Func::Count, all(), row_counted()) };
    let count = || events_agg(0, Func::Count, all(), row_counted());
    let mut out = BTreeMap::new();
    let job_hours = m(
        Grain::Day,
        Window::Period,
        vec![all_jobs()],
        vec![events_agg(0, Func::Avg, all(), between("started_at", "finished_at", 3600.0))],
    );
    out.insert("job_hours", plain(measure(job_hours, first)));
    let slow = Box::new(|r: &Row| match (r.time("started_at"), r.time("finished_at")) {
        (Some(s), Some(f)) => f > s + chrono::Duration::minutes(90),
        _ => false,
    });
    out.insert(
        "slow_jobs",
        plain(measure(
            m(Grain::Day, Window::Period, vec![all_jobs()], vec![events_agg(0, Func::Count, slow, row_counted())]),
            first,
        )),
    );
    let p75 = events_agg(0, Func::Percentile(0.75), kind("build"), between("started_at", "finished_at", 60.0));
    out.insert("build_minutes_p75", plain(measure(m(MONDAY, Window::Period, vec![all_jobs()], vec![p75]), first)));
    let dst_day = reference::start_instant(zone, NaiveDate::from_ymd_opt(2024, 3, 10).unwrap());
    let since = Box::new(move |r: &Row| r.time("started_at").is_some_and(|s| s >= dst_day));
    out.insert(
        "jobs_since_dst",
        plain(measure(
            m(Grain::Month, Window::Period, vec![all_jobs()], vec![events_agg(0, Func::Count, since, row_counted())]),
            first,
        )),
    );
    out.insert("builds_filtered", plain(measure(m(MONDAY, Window::Period, vec![only_builds()], vec![count()]), first)));
    out.insert(
        "builds_where",
        plain(measure(
            m(MONDAY, Window::Period, vec![all_jobs()], vec![events_agg(0, Func::Count, kind("build"), row_counted())]),
            first,
        )),
    );
    out.insert(
        "builds_rolling",
        plain(measure(m(Grain::Day, Window::Rolling(3), vec![only_builds()], vec![count()]), first)),
    );
    out.insert(
        "kinds_4_weeks",
        plain(measure(
            m(
                MONDAY,
                Window::Rolling(28),
                vec![all_jobs()],
                vec![events_agg(0, Func::CountDistinct, all(), text("kind"))],
            ),
            first,
        )),
    );
    out.insert(
        "resolved_incidents",
        plain(measure(m(Grain::Month, Window::Period, vec![incidents(&["severity"])], vec![resolved()]), first)),
    );
    out.insert(
        "resolved_per_opened",
        ratio(m(Grain::Month, Window::Period, vec![incidents(&[])], vec![resolved(), count()])),
    );
    let open_at_end = Aggregate {
        source: 0,
        func: Func::Count,
        rows: Rows::Snapshot(Box::new(|r: &Row, _, end: NaiveDateTime| {
            r.time("opened_at").is_some_and(|s| s < end) && r.time("resolved_at").is_none_or(|e| e >= end)
        })),
        condition: all(),
        value: row_counted(),
        at: None,
    };
    out.insert(
        "open_incidents",
        plain(measure(m(Grain::Day, Window::Period, vec![incidents(&[])], vec![open_at_end]), first)),
    );
    let monthly = measure(m(Grain::Month, Window::Period, vec![all_jobs()], vec![count()]), first);
    out.insert("jobs_monthly", plain(monthly.clone()));
    let fixed = Measure {
        from: NaiveDate::from_ymd_opt(2024, 2, 15),
        until: NaiveDate::from_ymd_opt(2024, 12, 31).map(reference::Until::Date),
        ..m(Grain::Month, Window::Period, vec![all_jobs()], vec![count()])
    };
    out.insert("jobs_in_2024", plain(measure(fixed, first)));
    let until_now = Measure {
        from: NaiveDate::from_ymd_opt(2025, 1, 1),
        until: Some(reference::Until::Today),
        ..m(Grain::Month, Window::Period, vec![all_jobs()], vec![count()])
    };
    out.insert("jobs_until_now", plain(measure(until_now, first)));
    let yoy = derived(&[&monthly], &[Some(0.0)], Grain::Month, |now, before| Some(now(0)? - before(0, 12)?));
    out.insert("jobs_year_over_year", plain(yoy));
    let weekly = measure(m(MONDAY, Window::Period, vec![all_jobs()], vec![count()]), first);
    out.insert("jobs_weekly", plain(weekly.clone()));
    let vs = derived(&[&weekly], &[Some(0.0)], MONDAY, |now, before| divide(now(0), before(0, 4)));
    let vs_parts = derived(&[&weekly], &[Some(0.0)], MONDAY, |now, _| now(0))
        .into_iter()
        .map(|(k, n)| {
            let back = derived(&[&weekly], &[Some(0.0)], MONDAY, |_, before| before(0, 4));
            let d = back[&k];
            (k, (n, d))
        })
        .collect();
    out.insert("jobs_vs_4_weeks_ago", Expected { values: vs, ratio: Some(vs_parts), goal: None });
    out
}

/// Events joined to users without the test-user filter (the `views` SQL source reads the raw table).
fn events_with_all_users(data: &BTreeMap<String, Vec<Row>>) -> Vec<Row> {
    data["app.events"]
        .iter()
        .map(|e| {
            let user =
                data["app.users"].iter().find(|u| e.text("user_id").is_some() && u.text("id") == e.text("user_id"));
            e.joined("users", user, &["country", "is_test"])
        })
        .collect()
}

fn project(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/execution").join(name)
}

/// Creates the schema, every view of a valid project (upstream first) and the scoreboard.
fn deploy_views(engine: &mut dyn Engine, valid: &kpic::Valid, dialect: Dialect) {
    engine.execute(&format!("{};", sql::create_schema(valid.model, dialect)));
    for view in sql::views(valid, dialect) {
        engine.execute(&format!("{};", view.statement));
    }
    engine.execute(&format!("{};", sql::scoreboard_statement(valid, dialect)));
}

/// The scoreboard holds, for every KPI, the rows of its latest complete
/// period as its own view has them (the views are checked against the
/// reference): picked here in Rust from the view's rows.
fn scoreboard_problems(engine: &mut dyn Engine, checked: &kpic::Checked) -> Vec<String> {
    let model = &checked.model;
    let schema = &model.settings.schema;
    let q = |name: &str| engine.quote(name);
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM {}.{}",
        q("kpi"),
        q("dimensions"),
        engine.text(&q("period_start")),
        q("status"),
        q("team"),
        engine.double(&q("version")),
        q("value"),
        q("target"),
        q(schema),
        q("kpi_scoreboard")
    );
    // (kpi, dimensions) → (period_start, status, team), (version, value, target)
    type Row = (Vec<Option<String>>, Vec<Option<f64>>);
    let mut found: BTreeMap<(String, Option<String>), Row> = BTreeMap::new();
    for (text, numbers) in engine.rows(&sql, 5, 3) {
        let key = (text[0].clone().unwrap(), text[1].clone());
        assert!(found.insert(key.clone(), (text[2..].to_vec(), numbers)).is_none(), "{}: {key:?} twice", engine.name());
    }
    let mut problems = Vec::new();
    for kpi in &model.kpis {
        let dimensions: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        let rows = read_view(engine, schema, &kpi.name.text, &dimensions, kpi.ratio().is_some());
        let today = today_utc();
        let complete = rows.keys().map(|(period, _)| *period).filter(|p| period_end(*p, kpi.grain) <= today);
        let Some(latest) = complete.max() else { continue };
        for ((period, values), row) in rows.iter().filter(|((p, _), _)| *p == latest) {
            let label = (!dimensions.is_empty()).then(|| {
                let parts: Vec<String> = dimensions
                    .iter()
                    .zip(values)
                    .map(|(d, v)| format!("{d}={}", v.clone().unwrap_or_else(|| "(null)".into())))
                    .collect();
                parts.join(", ")
            });
            let team = kpi.owner.map(|t| model.team(t).name.text.clone());
            let expected = (
                vec![Some(period.to_string()), row.status.clone(), team],
                vec![Some(f64::from(kpi.version)), row.value, row.target],
            );
            match found.remove(&(kpi.name.text.clone(), label.clone())) {
                Some(actual) if actual.0 == expected.0 && close_all(&actual.1, &expected.1) => {}
                actual => problems.push(format!(
                    "{} scoreboard {} {label:?}: {actual:?}, expected {expected:?}",
                    engine.name(),
                    kpi.name
                )),
            }
        }
    }
    problems.extend(found.keys().map(|key| format!("{} scoreboard: unexpected row {key:?}", engine.name())));
    problems
}

fn today_utc() -> chrono::NaiveDate {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    chrono::DateTime::from_timestamp(seconds, 0).unwrap().date_naive()
}

/// The first day after the period that starts on `start`.
fn period_end(start: chrono::NaiveDate, grain: kpic::model::Grain) -> chrono::NaiveDate {
    use kpic::model::Grain;
    let months = |n| start.checked_add_months(chrono::Months::new(n)).unwrap();
    match grain {
        Grain::Day => start.succ_opt().unwrap(),
        Grain::Week => start + chrono::Days::new(7),
        Grain::Month => months(1),
        Grain::Quarter => months(3),
        Grain::Year => months(12),
    }
}

fn close_all(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

/// Loads the data and every view of `projects` into an engine.
fn deploy(engine: &mut dyn Engine, dialect: Dialect, projects: &[kpic::Checked]) {
    engines::load_sample_data(engine);
    for checked in projects {
        deploy_views(engine, &checked.valid().expect("execution projects check clean"), dialect);
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

/// Compares every view with its expectation; returns the mismatches.
fn compare(
    engine: &mut dyn Engine,
    checked: &kpic::Checked,
    expected: &BTreeMap<&'static str, Expected>,
) -> Vec<String> {
    let model = &checked.model;
    let mut problems = Vec::new();
    for kpi in &model.kpis {
        let Some(expected) = expected.get(kpi.name.text.as_str()) else {
            problems.push(format!("{}: no expectation for KPI {}", engine.name(), kpi.name));
            continue;
        };
        let dims: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        let rows = read_view(engine, &model.settings.schema, &kpi.name.text, &dims, kpi.ratio().is_some());
        let actual_keys: Vec<_> = rows.keys().collect();
        let expected_keys: Vec<_> = expected.values.keys().collect();
        if actual_keys != expected_keys {
            problems.push(format!(
                "{} {}: rows {:?}\n  expected {:?}",
                engine.name(),
                kpi.name,
                actual_keys,
                expected_keys
            ));
            continue;
        }
        for (key, row) in &rows {
            let value = expected.values[key];
            if !close(row.value, value) {
                problems.push(format!(
                    "{} {} {key:?}: value {:?}, expected {value:?}",
                    engine.name(),
                    kpi.name,
                    row.value
                ));
            }
            if let Some(parts) = &expected.ratio {
                let (n, d) = parts[key];
                if !close(row.numerator, n) || !close(row.denominator, d) {
                    problems.push(format!(
                        "{} {} {key:?}: ratio {:?}/{:?}, expected {n:?}/{d:?}",
                        engine.name(),
                        kpi.name,
                        row.numerator,
                        row.denominator
                    ));
                }
            }
            let (status, target) = match &expected.goal {
                Some((goal, target)) => (status(value, goal), *target),
                None => (None, None),
            };
            if row.status.as_deref() != status || !close(row.target, target) {
                problems.push(format!(
                    "{} {} {key:?}: target {:?} status {:?}, expected {target:?} {status:?}",
                    engine.name(),
                    kpi.name,
                    row.target,
                    row.status
                ));
            }
        }
    }
    problems
}

fn run(engine: &mut dyn Engine, dialect: Dialect) {
    let data = data();
    let main = kpic::check_dir(&project("project")).expect("project loads");
    let sunday = kpic::check_dir(&project("sunday")).expect("project loads");
    let semantics = kpic::check_dir(&project("semantics")).expect("project loads");
    deploy(engine, dialect, &[main, sunday, semantics]);
    let main = kpic::check_dir(&project("project")).unwrap();
    let sunday = kpic::check_dir(&project("sunday")).unwrap();
    let semantics = kpic::check_dir(&project("semantics")).unwrap();
    let mut problems = compare(engine, &main, &expectations(&data));
    problems.extend(compare(engine, &semantics, &semantics_expectations(&data)));
    problems.extend(scoreboard_problems(engine, &main));
    let sunday_weeks = Measure {
        grain: Grain::Week(Weekday::Sun),
        window: Window::Period,
        sources: vec![source(data["app.events"].clone(), "at", dims(&[]))],
        aggregates: vec![events_agg(0, Func::Count, all(), row_counted())],
        zone: chrono_tz::UTC,
        from: None,
        until: None,
    };
    let expected = BTreeMap::from([("events_weekly", plain(measure(sunday_weeks, first)))]);
    problems.extend(compare(engine, &sunday, &expected));
    // The queries Looker would run are built here in DuckDB's and PostgreSQL's SQL.
    if matches!(dialect, Dialect::DuckDb | Dialect::Postgres) {
        for dir in [project("project"), project("sunday")] {
            problems.extend(looker::problems(engine, &dir, dialect).unwrap_or_default());
        }
    }
    assert!(problems.is_empty(), "{} mismatches:\n{}", problems.len(), problems.join("\n"));
}

/// `tests/cases/valid/hostile_names` on its own table: names and strings with
/// quotes, semicolons, comment markers and Unicode stay in their place. Its
/// names are refused by Databricks and BigQuery and break fakesnow's own SQL:
/// there the same strings run under plain names (`tests/execution/strings`).
fn hostile(engine: &mut dyn Engine, dialect: Dialect) {
    let (dir, table) = match dialect {
        Dialect::Databricks | Dialect::BigQuery | Dialect::Snowflake => (project("strings"), "labelled_events"),
        _ => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/valid/hostile_names"),
            "ev\"ents; drop table users; --",
        ),
    };
    let checked = kpic::check_dir(&dir).unwrap();
    let labels = [
        "a'b",
        "'; DROP TABLE events; --",
        "c\"d",
        "plain",
        "üñíçødé ✓ \n newline",
        "/* not a comment */ \\ back\\slash",
    ];
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| vec![Some(format!("2026-01-0{} 12:00:00", 1 + i % 2)), Some(label.to_string())])
        .collect();
    engine.load(&engines::Table {
        schema: "raw".into(),
        name: table.into(),
        columns: vec![("at".into(), "timestamp"), ("label".into(), "string")],
        rows,
    });
    let valid = checked.valid().unwrap();
    deploy_views(engine, &valid, dialect);
    let rows = read_view(engine, &valid.model.settings.schema, "hostile_count", &["label".to_string()], false);
    // Rows alternate between two days. The three filtered labels are gone from
    // the domain; the other three count on their own day only.
    let kept: BTreeMap<_, _> =
        rows.iter().map(|((day, dims), row)| ((day.to_string(), dims[0].clone().unwrap()), row.value)).collect();
    let expected = BTreeMap::from([
        (("2026-01-01".to_string(), "a'b".to_string()), Some(1.0)),
        (("2026-01-01".to_string(), "c\"d".to_string()), Some(1.0)),
        (("2026-01-01".to_string(), "plain".to_string()), Some(0.0)),
        (("2026-01-02".to_string(), "a'b".to_string()), Some(0.0)),
        (("2026-01-02".to_string(), "c\"d".to_string()), Some(0.0)),
        (("2026-01-02".to_string(), "plain".to_string()), Some(1.0)),
    ]);
    assert_eq!(kept, expected, "{}", engine.name());
}

/// A project whose days are cut in New York: UTC timestamps on either side
/// of local midnight, in winter (UTC-5) and after the switch to summer time
/// (UTC-4 from 2026-03-08); and durations across that night's switches.
fn new_york(engine: &mut dyn Engine, dialect: Dialect) {
    let checked = kpic::check_dir(&project("new_york")).unwrap();
    let valid = checked.valid().unwrap();
    let pings = [
        "2026-03-02 04:59:59",
        "2026-03-02 05:00:00",
        "2026-03-03 04:00:00",
        "2026-03-09 03:59:59",
        "2026-03-09 04:00:00",
    ];
    let mut table = engines::Table {
        schema: "tz".into(),
        name: "pings".into(),
        columns: vec![("at".into(), "timestamp")],
        rows: pings.iter().map(|t| vec![Some(t.to_string())]).collect(),
    };
    // 01:30Z–02:30Z on March 8 is 20:30–21:30 on March 7 in New York, and its
    // UTC readings fall in Los Angeles's spring-forward gap (02:00–03:00 local
    // that night); 06:30Z–07:45Z crosses New York's switch at 07:00Z.
    let runs = engines::Table {
        schema: "tz".into(),
        name: "runs".into(),
        columns: vec![("started_at".into(), "timestamp"), ("finished_at".into(), "timestamp")],
        rows: [("2026-03-08 01:30:00", "2026-03-08 02:30:00"), ("2026-03-08 06:30:00", "2026-03-08 07:45:00")]
            .iter()
            .map(|(start, end)| vec![Some(start.to_string()), Some(end.to_string())])
            .collect(),
    };
    engine.load(&table);
    engine.load(&runs);
    deploy_views(engine, &valid, dialect);
    let rows = read_view(engine, "kpi_new_york", "pings_daily", &[], false);
    let counts: BTreeMap<String, Option<f64>> =
        rows.into_iter().map(|((day, _), row)| (day.to_string(), row.value)).collect();
    // 04:59:59Z is 23:59:59 on March 1 in New York (UTC-5); 05:00Z is midnight
    // of March 2; 2026-03-03 04:00Z is 23:00 on March 2. On March 9 (UTC-4),
    // 03:59:59Z is still March 8 and 04:00Z is midnight of March 9.
    let mut expected: BTreeMap<String, Option<f64>> = BTreeMap::from([
        ("2026-03-01".to_string(), Some(1.0)),
        ("2026-03-02".to_string(), Some(2.0)),
        ("2026-03-08".to_string(), Some(1.0)),
        ("2026-03-09".to_string(), Some(1.0)),
    ]);
    for empty in ["2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07"] {
        expected.insert(empty.to_string(), Some(0.0));
    }
    assert_eq!(counts, expected, "{}", engine.name());
    let rows = read_view(engine, "kpi_new_york", "run_minutes", &[], false);
    let minutes: BTreeMap<String, Option<f64>> =
        rows.into_iter().map(|((day, _), row)| (day.to_string(), row.value)).collect();
    let expected = BTreeMap::from([("2026-03-07".to_string(), Some(60.0)), ("2026-03-08".to_string(), Some(75.0))]);
    assert_eq!(minutes, expected, "{}", engine.name());
    period_complete(engine, &valid, dialect, &mut table);
}

/// `period_complete`: a ping now makes today (in New York) the last period,
/// still open; every period that ended by today is complete.
/// (The views are created again: ZetaSQL's stand in for views are tables.)
fn period_complete(engine: &mut dyn Engine, valid: &kpic::Valid, dialect: Dialect, pings: &mut engines::Table) {
    use chrono::TimeZone;
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let now = chrono::DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
    pings.rows.push(vec![Some(now.format("%Y-%m-%d %H:%M:%S").to_string())]);
    engine.load(pings);
    deploy_views(engine, valid, dialect);
    let today = chrono_tz::America::New_York.from_utc_datetime(&now).date_naive();
    let sql = format!(
        "SELECT {}, {} FROM {}.{}",
        engine.text(&engine.quote("period_end")),
        engine.text(&engine.quote("period_complete")),
        engine.quote("kpi_new_york"),
        engine.quote("pings_daily")
    );
    let rows = engine.rows(&sql, 2, 0);
    let mut open = 0;
    for (text, _) in &rows {
        let end = chrono::NaiveDate::parse_from_str(text[0].as_deref().unwrap(), "%Y-%m-%d").unwrap();
        let complete = text[1].as_deref() == Some("true");
        assert_eq!(complete, end <= today, "{}: period ending {end} on {today}", engine.name());
        open += usize::from(!complete);
    }
    assert_eq!(open, 1, "{}: only today's period is open", engine.name());
}

/// Columns the library's SQL sources filter on without returning them.
const QUERY_ONLY_COLUMNS: &[(&str, &str)] = &[("data.freshness_checks", "environment")];

/// How much data [`library_tables`] generates.
#[derive(Clone, Copy)]
struct LibraryData {
    /// Rows per table.
    rows: usize,
    /// Days the timestamps and dates span.
    days: u64,
}

/// What every engine runs the library on.
const LIBRARY_DATA: LibraryData = LibraryData { rows: 300, days: 120 };

/// Less, for ZetaSQL's reference evaluator, which joins by nested loops: a
/// KPI's periods × its dimensions' values over four months made grids of a
/// million rows there.
const SMALL_LIBRARY_DATA: LibraryData = LibraryData { rows: 80, days: 21 };

/// The rows of every view of the bundled library over generated tables
/// (see [`library_tables`]), keyed by KPI: the engine binds every name and
/// type, and the rows are compared between engines.
fn library(engine: &mut dyn Engine, dialect: Dialect, data: LibraryData) -> BTreeMap<String, engines::ViewRows> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis");
    let checked = kpic::check_dir(&dir).unwrap();
    let valid = checked.valid().expect("kpis/ checks clean");
    let model = valid.model;
    for table in library_tables(model, &checked.sources, data) {
        engine.load(&table);
    }
    deploy_views(engine, &valid, dialect);
    let mut views = BTreeMap::new();
    for kpi in &model.kpis {
        let dims: Vec<String> = kpi.dimensions.iter().map(|d| d.text.clone()).collect();
        let rows = read_view(engine, &model.settings.schema, &kpi.name.text, &dims, kpi.ratio().is_some());
        views.insert(kpi.name.text.clone(), rows);
    }
    views
}

/// The tables the library's sources read, each with the columns of every
/// source over it, filled with deterministic pseudo-random values (300 rows
/// over four months for most engines): strings from the words the `.kpi`
/// files quote (so that filters and joins match some rows), numbers with
/// fractions, timestamps with microseconds, and about one NULL in twelve.
fn library_tables(
    model: &kpic::model::Model,
    sources: &kpic::source::SourceMap,
    data: LibraryData,
) -> Vec<engines::Table> {
    use kpic::model::{Relation, TimestampStorage, Type};
    let mut words = std::collections::BTreeSet::new();
    for (_, file) in sources.files() {
        for quoted in file.text.split(['"', '\'']).skip(1).step_by(2) {
            let word = |c: char| c.is_ascii_alphanumeric() || "_/-".contains(c);
            if !quoted.is_empty() && quoted.len() <= 30 && quoted.chars().all(word) {
                words.insert(quoted.to_string());
            }
        }
    }
    let words: Vec<String> = words.into_iter().collect();
    let mut tables: BTreeMap<String, Vec<(String, &'static str)>> = BTreeMap::new();
    for source in &model.sources {
        let mut columns: Vec<(String, &'static str)> = source
            .columns
            .iter()
            .map(|c| {
                let ty = match (c.ty, c.storage) {
                    (Type::Number, _) => "number",
                    (Type::Boolean, _) => "boolean",
                    (Type::Timestamp, Some(TimestampStorage::UtcReading)) => "datetime",
                    (Type::Timestamp, _) => "timestamp",
                    (Type::Date, _) => "date",
                    _ => "string",
                };
                (c.name.text.clone(), ty)
            })
            .collect();
        let read = match &source.relation {
            Relation::Table(table) => vec![table.clone()],
            Relation::Query { tables, .. } => {
                let extra = QUERY_ONLY_COLUMNS.iter().filter(|(table, _)| tables.iter().any(|t| t == table));
                columns.extend(extra.map(|(_, column)| (column.to_string(), "string")));
                tables.clone()
            }
        };
        for table in read {
            let all = tables.entry(table).or_default();
            for column in &columns {
                if !all.iter().any(|(name, _)| *name == column.0) {
                    all.push(column.clone());
                }
            }
        }
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    tables
        .into_iter()
        .map(|(qualified, columns)| {
            let rows = (0..data.rows)
                .map(|_| {
                    columns
                        .iter()
                        .map(|(_, ty)| {
                            let n = next();
                            (n % 12 != 0).then(|| match *ty {
                                "number" => format!("{}.{}", (n >> 8) % 1000, (n >> 20) % 4 * 25),
                                "boolean" => ((n >> 8) % 2 == 0).to_string(),
                                "timestamp" | "datetime" => {
                                    let micros = (n >> 8) % (data.days * 86_400_000_000);
                                    let at = start + chrono::Duration::microseconds(micros as i64);
                                    at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
                                }
                                "date" => (start.date() + chrono::Days::new((n >> 8) % data.days)).to_string(),
                                _ => words[((n >> 8) % words.len() as u64) as usize].clone(),
                            })
                        })
                        .collect()
                })
                .collect();
            let (schema, name) = qualified.split_once('.').expect("schema.table");
            engines::Table { schema: schema.into(), name: name.into(), columns, rows }
        })
        .collect()
}

/// Differences between two engines' rows of the library's views.
fn library_differences(
    engine: &str,
    actual: &BTreeMap<String, engines::ViewRows>,
    expected: &BTreeMap<String, engines::ViewRows>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (kpi, rows) in expected {
        let found = &actual[kpi];
        if found.keys().ne(rows.keys()) {
            problems.push(format!("{engine} {kpi}: {} rows, duckdb has {}", found.len(), rows.len()));
            continue;
        }
        for (key, row) in rows {
            let other = &found[key];
            let same = close(other.value, row.value)
                && close(other.numerator, row.numerator)
                && close(other.denominator, row.denominator)
                && close(other.target, row.target)
                && other.status == row.status;
            if !same {
                problems.push(format!("{engine} {kpi} {key:?}: {other:?}, duckdb {row:?}"));
            }
        }
    }
    problems
}

/// Writes one version of a small project over `app.events` into `dir`:
/// KPIs `a_events` and `b_events`, both with `dimensions`; then locks it, as
/// `kpic lock` does after a bump, and returns its `deploy.sql`.
fn locked_deploy(dir: &Path, version: u32, dimensions: &str, dialect: Dialect) -> String {
    let kpi = |name: &str| {
        format!(
            "kpi {name} {{\n  owner t\n  value count(events)\n  grain month\n  dimensions [{dimensions}]\n  version {version}\n}}\n"
        )
    };
    let text = format!(
        "project redeploy {{\n  schema \"redeploy\"\n  dialects [duckdb, postgres]\n}}\nteam t {{\n}}\n\
         source events {{\n  table \"app.events\"\n  time at\n  columns {{\n    at timestamp\n    kind string\n  }}\n  dimension kind\n}}\n{}{}",
        kpi("a_events"),
        kpi("b_events")
    );
    std::fs::write(dir.join("redeploy.kpi"), text).unwrap();
    let checked = kpic::check_dir(dir).unwrap();
    let lock = kpic::lock::update(&checked.valid_except(|_| true).unwrap(), checked.lock.as_deref());
    std::fs::write(dir.join(kpic::lock::FILE_NAME), lock.to_text()).unwrap();
    let checked = kpic::check_dir(dir).unwrap();
    let valid = checked.valid().expect("redeploy projects check clean");
    let files = sql::files(&valid, &[dialect]);
    files.into_iter().find(|f| f.path.ends_with("deploy.sql")).expect("deploy.sql").contents
}

/// Runs a script statement by statement, as psql does; the first error, if any.
fn run_script(engine: &mut dyn Engine, script: &str) -> Result<(), String> {
    script.split_inclusive(";\n").try_for_each(|statement| engine.try_execute(statement))
}

/// `deploy.sql` over an earlier deploy: version 1, then version 2 with a new
/// dimension (the alias views change columns, which PostgreSQL's `CREATE OR
/// REPLACE VIEW` refuses), then a version 3 whose deploy fails after it
/// replaced one alias view — and leaves both KPIs at version 2.
fn redeploy(engine: &mut dyn Engine, dialect: Dialect) {
    let dir = Scratch::new(&format!("redeploy-{}", engine.name()));
    engines::load_sample_data(engine);
    let name = engine.name();
    run_script(engine, &locked_deploy(&dir, 1, "", dialect)).unwrap();
    let v1 = engine.rows("SELECT CAST(period_start AS VARCHAR), value FROM redeploy.a_events", 1, 1);
    // A view of the team's own over the alias, unchanged by a deploy that keeps the columns.
    engine.execute("CREATE VIEW public_report AS SELECT * FROM redeploy.a_events;");
    run_script(engine, &locked_deploy(&dir, 1, "", dialect)).unwrap();
    engine.execute("DROP VIEW public_report;");
    run_script(engine, &locked_deploy(&dir, 2, "kind", dialect)).unwrap();
    let by_kind = "SELECT CAST(kind AS VARCHAR), value FROM redeploy.a_events ORDER BY period_start, kind";
    let v2 = engine.rows(by_kind, 1, 1);
    let total = |rows: &engines::Rows| rows.iter().filter_map(|(_, v)| v[0]).sum::<f64>();
    assert!(!v1.is_empty() && total(&v1) == total(&v2), "{name}: v1 {v1:?} and v2 {v2:?} count alike");
    assert!(v1.len() < v2.len(), "{name}: v2 has a row per period and kind");
    // Something in the warehouse that makes replacing `b_events` fail, after `a_events` was replaced.
    engine.execute("DROP VIEW redeploy.b_events; CREATE TABLE redeploy.b_events (x INTEGER);");
    let failed = run_script(engine, &locked_deploy(&dir, 3, "", dialect));
    assert!(failed.is_err(), "{name}: the deploy cannot replace the table b_events");
    let _ = engine.try_execute("ROLLBACK");
    assert_eq!(engine.rows(by_kind, 1, 1), v2, "{name}: a failed deploy leaves a_events at version 2");
}

fn kpis_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kpis")
}

/// The library's views on DuckDB, which the other engines are compared
/// with: computed once for all the tests of this binary.
fn duckdb_library() -> &'static BTreeMap<String, engines::ViewRows> {
    static VIEWS: std::sync::OnceLock<BTreeMap<String, engines::ViewRows>> = std::sync::OnceLock::new();
    VIEWS.get_or_init(|| library(&mut DuckDb::new(), Dialect::DuckDb, LIBRARY_DATA))
}

#[test]
fn duckdb_views_match_the_reference() {
    let mut engine = DuckDb::new();
    run(&mut engine, Dialect::DuckDb);
    hostile(&mut engine, Dialect::DuckDb);
    new_york(&mut engine, Dialect::DuckDb);
    let mut library_engine = DuckDb::new();
    let views = library(&mut library_engine, Dialect::DuckDb, LIBRARY_DATA);
    assert!(views.values().any(|rows| rows.values().any(|r| r.value.is_some_and(|v| v != 0.0))), "some numbers");
    looker::binds(&mut library_engine, &kpis_dir(), Dialect::DuckDb);
    redeploy(&mut DuckDb::new(), Dialect::DuckDb);
}

#[test]
fn postgres_views_match_the_reference() {
    let Some(server) = Postgres::connect() else {
        assert!(
            std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(),
            "KPIC_POSTGRES is not set: source .ci/postgres-env"
        );
        eprintln!("skipped: KPIC_POSTGRES is not set (source .ci/postgres-env to run this test)");
        return;
    };
    let mut engine = server.isolated(&format!("kpic_execution_{}", std::process::id()));
    run(&mut engine, Dialect::Postgres);
    hostile(&mut engine, Dialect::Postgres);
    new_york(&mut engine, Dialect::Postgres);
    let mut library_engine = Postgres::connect().unwrap().isolated(&format!("kpic_library_{}", std::process::id()));
    let problems = library_differences(
        "postgres",
        &library(&mut library_engine, Dialect::Postgres, LIBRARY_DATA),
        duckdb_library(),
    );
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
    looker::binds(&mut library_engine, &kpis_dir(), Dialect::Postgres);
    let mut redeploy_engine = Postgres::connect().unwrap().isolated(&format!("kpic_redeploy_{}", std::process::id()));
    redeploy(&mut redeploy_engine, Dialect::Postgres);
}

/// Starts an engine server of `tests/engines/`, or says why not: skipped
/// without `KPIC_ENGINES`, a failure when CI requires every engine.
fn served(dialect: Dialect, venv: &str) -> Option<Served> {
    let served = Served::start(dialect, venv);
    if served.is_none() {
        assert!(std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(), "KPIC_ENGINES is not set: see .ci/run");
        eprintln!("skipped: KPIC_ENGINES is not set (.ci/run installs the engines)");
    }
    served
}

/// Every view of the execution projects, the hostile strings (see
/// [`hostile`]), New York's days and the library over `data`, on one served
/// engine, the library compared with `library_reference`.
fn run_served(
    engine: &mut Served,
    dialect: Dialect,
    data: LibraryData,
    library_reference: &BTreeMap<String, engines::ViewRows>,
) {
    run(engine, dialect);
    hostile(engine, dialect);
    new_york(engine, dialect);
    let problems = library_differences(engine.name(), &library(engine, dialect, data), library_reference);
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}

/// Databricks SQL on Apache Spark, in two sessions that differ in every
/// setting a result could depend on: UTC with ANSI mode, then Los Angeles
/// without it.
#[test]
fn databricks_views_match_the_reference_on_spark() {
    let Some(mut engine) = served(Dialect::Databricks, "spark") else { return };
    let reference = duckdb_library();
    engine.set(serde_json::json!({"time_zone": "UTC", "ansi": true}));
    run_served(&mut engine, Dialect::Databricks, LIBRARY_DATA, reference);
    engine.set(serde_json::json!({"time_zone": "America/Los_Angeles", "ansi": false}));
    run_served(&mut engine, Dialect::Databricks, LIBRARY_DATA, reference);
}

/// BigQuery SQL on ZetaSQL, GoogleSQL's reference implementation: the
/// execution projects, New York, and the library over less data
/// ([`SMALL_LIBRARY_DATA`]), compared with DuckDB over the same rows.
#[test]
fn bigquery_views_match_the_reference_on_zetasql() {
    let Some(mut engine) = served(Dialect::BigQuery, "zetasql") else { return };
    let reference = library(&mut DuckDb::new(), Dialect::DuckDb, SMALL_LIBRARY_DATA);
    let with_values = reference.values().filter(|rows| rows.values().any(|row| row.value.is_some())).count();
    assert!(with_values * 4 >= reference.len() * 3, "only {with_values} of {} KPIs have values", reference.len());
    run_served(&mut engine, Dialect::BigQuery, SMALL_LIBRARY_DATA, &reference);
}

/// Snowflake SQL on fakesnow, an emulator (Snowflake's functions on DuckDB):
/// it checks values (backslash escapes, `DATEDIFF`, `CONVERT_TIMEZONE`), not
/// the case of names, which DuckDB ignores.
#[test]
fn snowflake_views_match_the_reference_on_fakesnow() {
    let Some(mut engine) = served(Dialect::Snowflake, "snowflake") else { return };
    run_served(&mut engine, Dialect::Snowflake, LIBRARY_DATA, duckdb_library());
}
