//! Times each view kpic emits for DuckDB against a hand-written query that
//! computes the same rows, on generated data with millions of rows, and
//! checks both return the same result; then the same on PostgreSQL when
//! `KPIC_POSTGRES` names a server (`.ci/postgres-env` starts one). Run:
//!
//! ```sh
//! source .ci/duckdb-env && source .ci/postgres-env
//! cargo bench --features engine --bench sql_vs_handwritten
//! ```

use std::time::{Duration, Instant};

use duckdb::Connection;
use kpic::emit::sql;
use kpic::model::Dialect;

const REQUESTS: u64 = 4_000_000;
const SUBSCRIPTIONS: u64 = 200_000;
/// PostgreSQL runs one core per query: a quarter of the rows.
const PG_REQUESTS: u64 = 1_000_000;
const PG_SUBSCRIPTIONS: u64 = 50_000;
const RUNS: usize = 5;

/// Hand-written queries, as an analyst would write them for the same output.
const HANDWRITTEN: &[(&str, &str)] = &[
    (
        "daily_requests",
        "WITH agg AS (SELECT CAST(\"at\" AS DATE) AS d, route, count(*) AS n FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              days AS (SELECT CAST(UNNEST(generate_series(CAST(min(d) AS TIMESTAMP), CAST(max(d) AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d FROM agg),
              routes AS (SELECT DISTINCT route FROM agg)
         SELECT days.d, routes.route, CAST(coalesce(agg.n, 0) AS DOUBLE) AS value
         FROM days CROSS JOIN routes LEFT JOIN agg ON agg.d = days.d AND agg.route IS NOT DISTINCT FROM routes.route",
    ),
    (
        "weekly_error_rate",
        "WITH agg AS (SELECT CAST(date_trunc('week', \"at\") AS DATE) AS w, route, count(*) FILTER (WHERE status >= 500) AS errors, count(*) AS total
                      FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              weeks AS (SELECT CAST(UNNEST(generate_series(CAST(min(w) AS TIMESTAMP), CAST(max(w) AS TIMESTAMP), INTERVAL 7 DAY)) AS DATE) AS w FROM agg),
              routes AS (SELECT DISTINCT route FROM agg)
         SELECT weeks.w, routes.route, CAST(coalesce(errors, 0) AS DOUBLE) / NULLIF(coalesce(total, 0), 0) AS value
         FROM weeks CROSS JOIN routes LEFT JOIN agg ON agg.w = weeks.w AND agg.route IS NOT DISTINCT FROM routes.route",
    ),
    (
        "daily_p95_latency",
        "WITH agg AS (SELECT CAST(\"at\" AS DATE) AS d, quantile_cont(latency_ms, 0.95) AS p FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1),
              days AS (SELECT CAST(UNNEST(generate_series(CAST(min(d) AS TIMESTAMP), CAST(max(d) AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d FROM agg)
         SELECT days.d, agg.p AS value FROM days LEFT JOIN agg ON agg.d = days.d",
    ),
    (
        "weekly_active_users",
        "WITH r AS (SELECT CAST(\"at\" AS DATE) AS d, user_id FROM bench.requests WHERE \"at\" IS NOT NULL),
              days AS (SELECT CAST(UNNEST(generate_series(CAST(min(d) AS TIMESTAMP), CAST(max(d) + 6 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d FROM r)
         SELECT days.d, CAST(count(DISTINCT r.user_id) AS DOUBLE) AS value
         FROM days LEFT JOIN r ON r.d > days.d - 7 AND r.d <= days.d GROUP BY days.d",
    ),
    (
        "mrr",
        "WITH months AS (SELECT CAST(UNNEST(generate_series(CAST(date_trunc('month', min(started_at)) AS TIMESTAMP),
                                     CAST(date_trunc('month', max(coalesce(cancelled_at, started_at))) AS TIMESTAMP), INTERVAL 1 MONTH)) AS DATE) AS m
                          FROM bench.subscriptions),
              plans AS (SELECT DISTINCT plan FROM bench.subscriptions)
         SELECT months.m, plans.plan,
                CAST(coalesce(sum(s.mrr) FILTER (WHERE s.started_at < months.m + INTERVAL 1 MONTH
                                                  AND (s.cancelled_at IS NULL OR s.cancelled_at >= months.m + INTERVAL 1 MONTH)), 0) AS DOUBLE) AS value
         FROM months CROSS JOIN plans LEFT JOIN bench.subscriptions AS s ON s.plan IS NOT DISTINCT FROM plans.plan
         GROUP BY months.m, plans.plan",
    ),
    (
        "daily_requests_change",
        "WITH agg AS (SELECT CAST(\"at\" AS DATE) AS d, route, count(*) AS n FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              days AS (SELECT CAST(UNNEST(generate_series(CAST(min(d) AS TIMESTAMP), CAST(max(d) AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d FROM agg),
              routes AS (SELECT DISTINCT route FROM agg),
              dense AS (SELECT days.d, routes.route, coalesce(agg.n, 0) AS n
                        FROM days CROSS JOIN routes LEFT JOIN agg ON agg.d = days.d AND agg.route IS NOT DISTINCT FROM routes.route)
         SELECT d, route, CAST(n - coalesce(lag(n) OVER (PARTITION BY route ORDER BY d), 0) AS DOUBLE) AS value FROM dense",
    ),
    (
        "mrr_year_over_year",
        "WITH months AS (SELECT CAST(UNNEST(generate_series(CAST(date_trunc('month', min(started_at)) AS TIMESTAMP),
                                     CAST(date_trunc('month', max(coalesce(cancelled_at, started_at))) AS TIMESTAMP), INTERVAL 1 MONTH)) AS DATE) AS m
                          FROM bench.subscriptions),
              plans AS (SELECT DISTINCT plan FROM bench.subscriptions),
              dense AS (SELECT months.m, plans.plan,
                               coalesce(sum(s.mrr) FILTER (WHERE s.started_at < months.m + INTERVAL 1 MONTH
                                                            AND (s.cancelled_at IS NULL OR s.cancelled_at >= months.m + INTERVAL 1 MONTH)), 0) AS v
                        FROM months CROSS JOIN plans LEFT JOIN bench.subscriptions AS s ON s.plan IS NOT DISTINCT FROM plans.plan
                        GROUP BY months.m, plans.plan),
              lagged AS (SELECT m, plan, v, coalesce(lag(v, 12) OVER (PARTITION BY plan ORDER BY m), 0) AS before FROM dense)
         SELECT m, plan, CAST((v - before) / nullif(before, 0) AS DOUBLE) AS value FROM lagged",
    ),
];

/// The same queries for PostgreSQL, on the KPIs PostgreSQL answers in seconds
/// (the rolling distinct count and the percentile are left to DuckDB).
const HANDWRITTEN_POSTGRES: &[(&str, &str)] = &[
    (
        "daily_requests",
        "WITH agg AS (SELECT CAST(\"at\" AS DATE) AS d, route, count(*) AS n FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              days AS (SELECT CAST(gs AS DATE) AS d FROM (SELECT min(d) AS lo, max(d) AS hi FROM agg) AS b, generate_series(lo, hi, INTERVAL '1 day') AS gs),
              routes AS (SELECT DISTINCT route FROM agg)
         SELECT days.d, routes.route, CAST(coalesce(agg.n, 0) AS DOUBLE PRECISION) AS value
         FROM days CROSS JOIN routes LEFT JOIN agg ON agg.d = days.d AND agg.route IS NOT DISTINCT FROM routes.route",
    ),
    (
        "weekly_error_rate",
        "WITH agg AS (SELECT CAST(date_trunc('week', \"at\") AS DATE) AS w, route, count(*) FILTER (WHERE status >= 500) AS errors, count(*) AS total
                      FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              weeks AS (SELECT CAST(gs AS DATE) AS w FROM (SELECT min(w) AS lo, max(w) AS hi FROM agg) AS b, generate_series(lo, hi, INTERVAL '7 days') AS gs),
              routes AS (SELECT DISTINCT route FROM agg)
         SELECT weeks.w, routes.route, CAST(coalesce(errors, 0) AS DOUBLE PRECISION) / NULLIF(coalesce(total, 0), 0) AS value
         FROM weeks CROSS JOIN routes LEFT JOIN agg ON agg.w = weeks.w AND agg.route IS NOT DISTINCT FROM routes.route",
    ),
    (
        "mrr",
        "WITH months AS (SELECT CAST(gs AS DATE) AS m
                         FROM (SELECT date_trunc('month', min(started_at)) AS lo, date_trunc('month', max(coalesce(cancelled_at, started_at))) AS hi
                               FROM bench.subscriptions) AS b, generate_series(lo, hi, INTERVAL '1 month') AS gs),
              plans AS (SELECT DISTINCT plan FROM bench.subscriptions)
         SELECT months.m, plans.plan,
                CAST(coalesce(sum(s.mrr) FILTER (WHERE s.started_at < months.m + INTERVAL '1 month'
                                                  AND (s.cancelled_at IS NULL OR s.cancelled_at >= months.m + INTERVAL '1 month')), 0) AS DOUBLE PRECISION) AS value
         FROM months CROSS JOIN plans LEFT JOIN bench.subscriptions AS s ON s.plan IS NOT DISTINCT FROM plans.plan
         GROUP BY months.m, plans.plan",
    ),
    (
        "daily_requests_change",
        "WITH agg AS (SELECT CAST(\"at\" AS DATE) AS d, route, count(*) AS n FROM bench.requests WHERE \"at\" IS NOT NULL GROUP BY 1, 2),
              days AS (SELECT CAST(gs AS DATE) AS d FROM (SELECT min(d) AS lo, max(d) AS hi FROM agg) AS b, generate_series(lo, hi, INTERVAL '1 day') AS gs),
              routes AS (SELECT DISTINCT route FROM agg),
              dense AS (SELECT days.d, routes.route, coalesce(agg.n, 0) AS n
                        FROM days CROSS JOIN routes LEFT JOIN agg ON agg.d = days.d AND agg.route IS NOT DISTINCT FROM routes.route)
         SELECT d, route, CAST(n - coalesce(lag(n) OVER (PARTITION BY route ORDER BY d), 0) AS DOUBLE PRECISION) AS value FROM dense",
    ),
    (
        "mrr_year_over_year",
        "WITH months AS (SELECT CAST(gs AS DATE) AS m
                         FROM (SELECT date_trunc('month', min(started_at)) AS lo, date_trunc('month', max(coalesce(cancelled_at, started_at))) AS hi
                               FROM bench.subscriptions) AS b, generate_series(lo, hi, INTERVAL '1 month') AS gs),
              plans AS (SELECT DISTINCT plan FROM bench.subscriptions),
              dense AS (SELECT months.m, plans.plan,
                               coalesce(sum(s.mrr) FILTER (WHERE s.started_at < months.m + INTERVAL '1 month'
                                                            AND (s.cancelled_at IS NULL OR s.cancelled_at >= months.m + INTERVAL '1 month')), 0) AS v
                        FROM months CROSS JOIN plans LEFT JOIN bench.subscriptions AS s ON s.plan IS NOT DISTINCT FROM plans.plan
                        GROUP BY months.m, plans.plan),
              lagged AS (SELECT m, plan, v, coalesce(lag(v, 12) OVER (PARTITION BY plan ORDER BY m), 0) AS before FROM dense)
         SELECT m, plan, CAST((v - before) / nullif(before, 0) AS DOUBLE PRECISION) AS value FROM lagged",
    ),
];

fn main() {
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/warehouse");
    let checked = kpic::check_dir(&project).expect("bench project loads");
    let valid = checked.valid().expect("bench project checks clean");
    let connection = Connection::open_in_memory().expect("DuckDB opens");
    let started = Instant::now();
    connection.execute_batch(&generate_data()).expect("data generates");
    println!("DuckDB: generated {REQUESTS} requests and {SUBSCRIPTIONS} subscriptions in {:.1?}", started.elapsed());
    connection.execute_batch(&deploy(&valid, Dialect::DuckDb)).expect("views create");
    compare(HANDWRITTEN, |sql| connection.query_row(sql, [], |row| row.get::<_, f64>(0)).expect("query runs"));
    let Ok(config) = std::env::var("KPIC_POSTGRES") else {
        println!("\nPostgreSQL: skipped (KPIC_POSTGRES is not set; source .ci/postgres-env)");
        return;
    };
    let mut server = postgres::Client::connect(&config, postgres::NoTls).expect("PostgreSQL accepts connections");
    server.batch_execute("DROP DATABASE IF EXISTS kpic_bench").unwrap();
    server.batch_execute("CREATE DATABASE kpic_bench").unwrap();
    let config = config.replace("dbname=postgres", "dbname=kpic_bench");
    let mut client = postgres::Client::connect(&config, postgres::NoTls).expect("bench database accepts connections");
    let started = Instant::now();
    client.batch_execute(&generate_postgres_data()).expect("data generates");
    println!(
        "\nPostgreSQL: generated {PG_REQUESTS} requests and {PG_SUBSCRIPTIONS} subscriptions in {:.1?}",
        started.elapsed()
    );
    client.batch_execute(&deploy(&valid, Dialect::Postgres)).expect("views create");
    compare(HANDWRITTEN_POSTGRES, |sql| client.query_one(sql, &[]).expect("query runs").get::<_, f64>(0));
}

/// The schema and every view of the bench project.
fn deploy(valid: &kpic::Valid, dialect: Dialect) -> String {
    let mut sql = format!("{};\n", sql::create_schema(valid.model, dialect));
    for view in sql::views(valid, dialect) {
        sql.push_str(&format!("{};\n", view.statement));
    }
    sql
}

/// Times each KPI's view against its hand-written query (`checksum` runs a
/// query and returns one number) and prints a Markdown table.
fn compare(handwritten: &[(&str, &str)], mut checksum: impl FnMut(&str) -> f64) {
    println!("\n| KPI | kpic view | hand-written | ratio |\n|-----|-----------|--------------|-------|");
    for (kpi, handwritten) in handwritten {
        let emitted = format!("SELECT * FROM kpi.{kpi}");
        let (kpic_time, kpic_sum) = time(&mut checksum, &emitted);
        let (hand_time, hand_sum) = time(&mut checksum, handwritten);
        assert!(
            (kpic_sum - hand_sum).abs() <= 1e-6 * hand_sum.abs().max(1.0),
            "{kpi}: kpic {kpic_sum} vs hand-written {hand_sum}"
        );
        let ratio = kpic_time.as_secs_f64() / hand_time.as_secs_f64();
        println!("| {kpi} | {kpic_time:.1?} | {hand_time:.1?} | {ratio:.2}× |");
    }
}

/// Median time of running `query` (wrapped to a checksum of `value`), and the checksum.
fn time(checksum: &mut impl FnMut(&str) -> f64, query: &str) -> (Duration, f64) {
    let sql = format!("SELECT CAST(coalesce(sum(value), 0) + count(*) AS DOUBLE PRECISION) FROM ({query}) AS q");
    let mut times = Vec::new();
    let mut sum = 0.0;
    for _ in 0..RUNS {
        let started = Instant::now();
        sum = checksum(&sql);
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], sum)
}

/// The data of [`generate_data`] for PostgreSQL, analyzed as a warehouse's would be.
fn generate_postgres_data() -> String {
    format!(
        "CREATE SCHEMA bench;
         CREATE TABLE bench.requests AS
         SELECT CASE WHEN i % 997 = 0 THEN NULL ELSE TIMESTAMP '2025-01-01' + ((i * 7919) % 31536000) * INTERVAL '1 second' END AS \"at\",
                '/route/' || (i % 40) AS route,
                CASE WHEN i % 50 = 0 THEN 503 WHEN i % 17 = 0 THEN 404 ELSE 200 END AS status,
                CAST(CASE WHEN i % 101 = 0 THEN NULL ELSE (i * 31) % 2000 END AS DOUBLE PRECISION) AS latency_ms,
                (i * 13) % 50000 AS user_id
         FROM generate_series(CAST(0 AS BIGINT), {requests}) AS i;
         CREATE TABLE bench.subscriptions AS
         SELECT TIMESTAMP '2023-01-01' + ((i * 104729) % 94608000) * INTERVAL '1 second' AS started_at,
                CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMP '2023-01-01' + ((i * 104729) % 94608000 + (i % 700) * 86400) * INTERVAL '1 second' END AS cancelled_at,
                CAST(10 + i % 90 AS DOUBLE PRECISION) AS mrr,
                CASE i % 4 WHEN 0 THEN 'free' WHEN 1 THEN 'basic' WHEN 2 THEN 'pro' ELSE NULL END AS plan
         FROM generate_series(CAST(0 AS BIGINT), {subscriptions}) AS i;
         ANALYZE;",
        requests = PG_REQUESTS - 1,
        subscriptions = PG_SUBSCRIPTIONS - 1,
    )
}

/// Deterministic data: requests over a year with NULL latencies and times,
/// subscriptions with open and closed validity intervals.
fn generate_data() -> String {
    format!(
        "CREATE SCHEMA bench;
         CREATE TABLE bench.requests AS
         SELECT CASE WHEN i % 997 = 0 THEN NULL ELSE TIMESTAMP '2025-01-01' + to_seconds((i * 7919) % 31536000) END AS at,
                '/route/' || (i % 40) AS route,
                CASE WHEN i % 50 = 0 THEN 503 WHEN i % 17 = 0 THEN 404 ELSE 200 END AS status,
                CASE WHEN i % 101 = 0 THEN NULL ELSE (i * 31) % 2000 END AS latency_ms,
                (i * 13) % 50000 AS user_id
         FROM range({REQUESTS}) AS t(i);
         CREATE TABLE bench.subscriptions AS
         SELECT TIMESTAMP '2023-01-01' + to_seconds((i * 104729) % 94608000) AS started_at,
                CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMP '2023-01-01' + to_seconds((i * 104729) % 94608000 + (i % 700) * 86400) END AS cancelled_at,
                CAST(10 + i % 90 AS DOUBLE) AS mrr,
                CASE i % 4 WHEN 0 THEN 'free' WHEN 1 THEN 'basic' WHEN 2 THEN 'pro' ELSE NULL END AS plan
         FROM range({SUBSCRIPTIONS}) AS t(i);"
    )
}
