//! Times each view kpic emits for DuckDB against a hand-written query that
//! computes the same rows, on generated data with millions of rows, and
//! checks both return the same result. Run:
//!
//! ```sh
//! source .ci/duckdb-env && cargo bench --features engine --bench sql_vs_handwritten
//! ```

use std::time::{Duration, Instant};

use duckdb::Connection;
use kpic::emit::sql;
use kpic::model::Dialect;

const REQUESTS: u64 = 4_000_000;
const SUBSCRIPTIONS: u64 = 200_000;
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
              days AS (SELECT CAST(UNNEST(generate_series(CAST(min(d) AS TIMESTAMP), CAST(max(d) AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS d FROM r)
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
];

fn main() {
    let project = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/warehouse");
    let checked = kpic::check_dir(&project).expect("bench project loads");
    let valid = checked.valid().expect("bench project checks clean");
    let connection = Connection::open_in_memory().expect("DuckDB opens");
    let started = Instant::now();
    connection.execute_batch(&generate_data()).expect("data generates");
    println!("generated {REQUESTS} requests and {SUBSCRIPTIONS} subscriptions in {:.1?}", started.elapsed());
    connection.execute_batch(&format!("{};", sql::create_schema(valid.model, Dialect::DuckDb))).unwrap();
    for view in sql::views(&valid, Dialect::DuckDb) {
        connection.execute_batch(&format!("{};", view.statement)).expect("view creates");
    }
    println!("\n| KPI | kpic view | hand-written | ratio |\n|-----|-----------|--------------|-------|");
    for (kpi, handwritten) in HANDWRITTEN {
        let emitted = format!("SELECT * FROM kpi.{kpi}");
        let (kpic_time, kpic_sum) = time(&connection, &emitted);
        let (hand_time, hand_sum) = time(&connection, handwritten);
        assert!(
            (kpic_sum - hand_sum).abs() <= 1e-6 * hand_sum.abs().max(1.0),
            "{kpi}: kpic {kpic_sum} vs hand-written {hand_sum}"
        );
        let ratio = kpic_time.as_secs_f64() / hand_time.as_secs_f64();
        println!("| {kpi} | {kpic_time:.1?} | {hand_time:.1?} | {ratio:.2}× |");
    }
}

/// Median time of running `query` (wrapped to a checksum of `value`), and the checksum.
fn time(connection: &Connection, query: &str) -> (Duration, f64) {
    let checksum = format!("SELECT coalesce(sum(value), 0) + count(*) FROM ({query}) AS q");
    let mut times = Vec::new();
    let mut sum = 0.0;
    for _ in 0..RUNS {
        let started = Instant::now();
        sum = connection.query_row(&checksum, [], |row| row.get::<_, f64>(0)).expect("query runs");
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], sum)
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
