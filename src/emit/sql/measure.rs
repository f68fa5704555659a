//! The view of a KPI that aggregates sources.
//!
//! Aggregates are read in scans: one per source and per timestamp that
//! places rows in periods (the source's `time`, or an aggregate's `at`), and
//! one per source for the snapshot aggregates. A scan (`s<i>_rows`) applies
//! the source's filters and the KPI's filters, and computes the period, the
//! dimensions and one measured column per aggregate (`CASE WHEN <where> THEN
//! <arg> END`). Then:
//! - event aggregates without a window are grouped by period and dimensions;
//! - windowed event aggregates join each period to the rows of its window;
//! - snapshot aggregates join each period to every row and test validity
//!   at the period's bounds;
//! - windowed and snapshot aggregates are grouped by period and the rows'
//!   dimension values.
//!
//! The periods are those of the sources' data — source filters applied, KPI
//! filters not (`s<i>_range` when the scan's own rows are KPI-filtered) — or
//! the KPI's fixed `periods`. Every aggregated CTE is left-joined to the dense
//! grid; counts and sums of periods without rows become 0.
//!
//! Timestamps are UTC instants: only placing a row in a period, and
//! comparing with a date, uses the project's time zone.

use super::dialect::{DateUnit, SqlDialect};
use super::expr::{columns_only, date_instant, render, Names};
use super::frame::Frame;
use super::query::{select, Query};
use crate::model::{AggFunc, Aggregate, ColumnRef, Expr, Grain, Kpi, Model, Relation, Source, SourceId, Type, Window};

/// How a scan places its rows in periods.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement<'m> {
    /// Events, by a timestamp or date column.
    Time(&'m str),
    /// Rows valid over an interval, tested at each period's bounds.
    Snapshot,
}

/// The aggregates of one source placed alike, by their index in the KPI's formula.
struct Scan<'m> {
    source_id: SourceId,
    source: &'m Source,
    placement: Placement<'m>,
    aggregates: Vec<(usize, &'m Aggregate)>,
}

impl Scan<'_> {
    /// The KPI filters applied to the scan's rows (those that do not read the period).
    fn kpi_filters(&self) -> impl Iterator<Item = &Expr> {
        self.aggregates[0].1.kpi_filters.iter().filter(|f| !f.refers_to_period())
    }
}

pub fn query(model: &Model, kpi: &Kpi, d: &dyn SqlDialect) -> String {
    let frame = Frame::new(model, kpi, d);
    let aggregates = kpi.aggregates();
    let scans = scans(model, &aggregates);
    let mut query = Query::new();
    let mut ranges = Vec::new();
    let mut domains = Vec::new();
    let mut joins = Vec::new();
    for (i, scan) in scans.iter().enumerate() {
        let rows = format!("s{i}_rows");
        // Unwindowed events are grouped straight from the scan, and the small
        // grouped result gives the period range and dimension domains.
        let grouped_first = kpi.window == Window::Period && scan.placement != Placement::Snapshot;
        let materialized = match scan.placement {
            _ if grouped_first => "",
            Placement::Snapshot => d.inlined(),
            Placement::Time(_) => d.materialized(),
        };
        query.cte_with(frame.q(&rows), materialized, rows_cte(model, kpi, scan, &frame));
        let own = if grouped_first {
            let name = format!("s{i}_events");
            query.cte(frame.q(&name), events_cte(kpi.window, scan, &rows, &frame));
            joins.push((name.clone(), funcs(scan)));
            name
        } else {
            rows.clone()
        };
        domains.push(own.clone());
        if scan.kpi_filters().next().is_some() {
            let name = format!("s{i}_range");
            query.cte(frame.q(&name), range_cte(model, scan, &frame));
            ranges.push(select(&[frame.q("lo"), frame.q("hi")], &format!("FROM {}", frame.q(&name))));
        } else {
            let (lo, hi) = match scan.placement {
                Placement::Time(_) => ("period_start", "period_start"),
                Placement::Snapshot => ("valid_from", "valid_to"),
            };
            ranges.push(format!(
                "SELECT MIN({}) AS {}, MAX({}) AS {} FROM {}",
                frame.q(lo),
                frame.q("lo"),
                frame.q(hi),
                frame.q("hi"),
                frame.q(&own)
            ));
        }
    }
    frame.add_grid(&mut query, &ranges, extension_days(kpi), &kpi.periods, &domains);
    for (i, scan) in scans.iter().enumerate() {
        let rows = format!("s{i}_rows");
        match scan.placement {
            Placement::Time(_) if kpi.window != Window::Period => {
                let name = format!("s{i}_events");
                query.cte(frame.q(&name), events_cte(kpi.window, scan, &rows, &frame));
                joins.push((name, funcs(scan)));
            }
            Placement::Time(_) => {}
            Placement::Snapshot => {
                let name = format!("s{i}_snapshots");
                query.cte(frame.q(&name), snapshots_cte(scan, &rows, &frame));
                joins.push((name, funcs(scan)));
            }
        }
    }
    query.cte(frame.q("measures"), measures_cte(&joins, &frame));
    let column = |a: &Aggregate| {
        let index = aggregates.iter().position(|x| std::ptr::eq(*x, a)).unwrap_or(0);
        frame.q(&format!("a{index}"))
    };
    let names = Names {
        column: &|_| String::new(),
        period: None,
        aggregate: &column,
        kpi: &|_, _| String::new(),
        time_zone: frame.zone(),
    };
    let value = render(&kpi.value, d, &names);
    let ratio = kpi.ratio().map(|(n, den)| (render(n, d, &names), render(den, d, &names)));
    query.finish(&frame.output(kpi, "measures", &value, ratio))
}

/// Each aggregate's index and function.
fn funcs(scan: &Scan) -> Vec<(usize, AggFunc)> {
    scan.aggregates.iter().map(|(j, a)| (*j, a.func)).collect()
}

/// How many days past the data's last period a rolling window is reported:
/// through the last day (or week) its window still holds rows.
fn extension_days(kpi: &Kpi) -> i64 {
    let Window::Rolling { days } = kpi.window else { return 0 };
    let period = if kpi.grain == Grain::Week { 7 } else { 1 };
    (i64::from(days) - period).max(0)
}

/// Aggregates grouped by source and placement, in order of first use.
fn scans<'m>(model: &'m Model, aggregates: &[&'m Aggregate]) -> Vec<Scan<'m>> {
    let mut scans: Vec<Scan> = Vec::new();
    for (index, aggregate) in aggregates.iter().enumerate() {
        let source = model.source(aggregate.source);
        let placement = if aggregate.is_snapshot() {
            Placement::Snapshot
        } else {
            Placement::Time(aggregate.at.as_deref().or(source.time.as_deref()).unwrap_or_default())
        };
        match scans.iter_mut().find(|s| s.source_id == aggregate.source && s.placement == placement) {
            Some(scan) => scan.aggregates.push((index, aggregate)),
            None => scans.push(Scan {
                source_id: aggregate.source,
                source,
                placement,
                aggregates: vec![(index, aggregate)],
            }),
        }
    }
    scans
}

/// A source's relation as a FROM item.
fn relation(source: &Source, d: &dyn SqlDialect) -> String {
    match &source.relation {
        Relation::Table(name) => name.split('.').map(|part| d.quote_ident(part)).collect::<Vec<_>>().join("."),
        Relation::Query { sql, .. } => format!("(\n{}\n)", super::expr::raw(sql, d)),
    }
}

/// How rows of `source` (alias `t`) and its joins (`j0`, `j1`, …) are read.
struct RowReader<'m> {
    model: &'m Model,
    source: &'m Source,
    d: &'m dyn SqlDialect,
    time_zone: Option<&'m str>,
}

impl RowReader<'_> {
    /// A column, timestamps as their UTC readings.
    fn column(&self, column: &ColumnRef) -> String {
        let (alias, source) = match column.join {
            None => ("t".to_string(), self.source),
            Some(j) => (format!("j{j}"), self.model.source(self.source.joins[j].target)),
        };
        read_column(self.d, source, &alias, &column.column)
    }

    fn expr(&self, e: &Expr) -> String {
        render(e, self.d, &columns_only(&|c| self.column(c), self.time_zone))
    }

    fn named_column(&self, name: &str) -> String {
        self.column(&ColumnRef { join: None, column: name.to_string() })
    }

    /// A column of the source in wall-clock time, for placing rows in periods.
    fn local(&self, name: &str) -> String {
        let column = self.named_column(name);
        let is_timestamp = self.source.column(name).is_some_and(|c| c.ty == Type::Timestamp);
        match self.time_zone {
            Some(zone) if is_timestamp => self.d.to_time_zone(&column, zone),
            _ => column,
        }
    }

    /// `FROM <source> AS t LEFT JOIN … WHERE <source filters and conditions>`.
    fn from(&self, conditions: Vec<String>) -> String {
        let d = self.d;
        let mut from = format!("FROM {} AS {}", relation(self.source, d), d.quote_ident("t"));
        for (j, join) in self.source.joins.iter().enumerate() {
            let target = self.model.source(join.target);
            let column = |c: &ColumnRef| match c.join {
                Some(_) => read_column(d, target, &format!("j{j}"), &c.column),
                None => read_column(d, self.source, "t", &c.column),
            };
            let on = render(&join.on, d, &columns_only(&column, self.time_zone));
            from.push_str(&format!(
                "\nLEFT JOIN {} AS {} ON {on}",
                relation(target, d),
                d.quote_ident(&format!("j{j}"))
            ));
        }
        let mut all: Vec<String> = self.source.filters.iter().map(|f| self.expr(f)).collect();
        all.extend(conditions);
        if !all.is_empty() {
            from.push_str(&format!("\nWHERE {}", all.join("\n  AND ")));
        }
        from
    }
}

/// `alias.column` of `source`; a timestamp as its UTC reading.
fn read_column(d: &dyn SqlDialect, source: &Source, alias: &str, name: &str) -> String {
    let column = cat!(d.quote_ident(alias), ".", d.quote_ident(name));
    match source.column(name).and_then(|c| c.storage) {
        Some(storage) => d.read_timestamp(&column, storage),
        None => column,
    }
}

fn reader<'m>(model: &'m Model, source: &'m Source, frame: &'m Frame) -> RowReader<'m> {
    RowReader { model, source, d: frame.d, time_zone: frame.zone() }
}

/// The scan of one source: filtered rows with period, dimensions and measured columns.
fn rows_cte(model: &Model, kpi: &Kpi, scan: &Scan, frame: &Frame) -> String {
    let d = frame.d;
    let reader = reader(model, scan.source, frame);
    let mut columns = Vec::new();
    // The KPI's filters are the same for every aggregate of a source; those that
    // read the period are tested per period, with the snapshot aggregates.
    let mut conditions: Vec<String> = scan.kpi_filters().map(|f| reader.expr(f)).collect();
    match scan.placement {
        Placement::Time(time) => {
            let local = reader.local(time);
            columns.push(frame.named(&frame.truncate(&local), "period_start"));
            if kpi.window != Window::Period {
                columns.push(frame.named(&d.to_date(&local), "row_day"));
            }
            conditions.push(cat!(reader.named_column(time), " IS NOT NULL"));
        }
        Placement::Snapshot => {
            let (start, end) = validity_periods(&reader, frame);
            columns.push(format!("{start} AS {}", frame.q("valid_from")));
            columns.push(format!("{end} AS {}", frame.q("valid_to")));
        }
    }
    for (k, name) in kpi.dimensions.iter().enumerate() {
        let dimension =
            scan.source.dimension(&name.text).map_or_else(|| "NULL".to_string(), |dim| reader.expr(&dim.expr));
        columns.push(frame.named(&dimension, &format!("d{k}")));
    }
    match scan.placement {
        Placement::Time(_) => {
            for (j, aggregate) in scan.aggregates.iter().filter(|(_, a)| !counts_rows(a)) {
                columns.push(frame.named(&measured(aggregate, &reader), &format!("m{j}")));
            }
        }
        Placement::Snapshot => {
            for (n, column) in snapshot_columns(scan).iter().enumerate() {
                columns.push(frame.named(&reader.column(column), &format!("c{n}")));
            }
        }
    }
    select(&columns, &reader.from(conditions))
}

/// The periods in which a snapshot source's rows start and end (a row
/// without an end, where it starts): they bound the periods it can count in.
fn validity_periods(reader: &RowReader, frame: &Frame) -> (String, String) {
    let Some(validity) = &reader.source.validity else {
        return ("NULL".into(), "NULL".into());
    };
    let start = reader.local(&validity.start);
    let end = format!("COALESCE({}, {start})", reader.local(&validity.end));
    (frame.truncate(&start), frame.truncate(&end))
}

/// The periods of a source's data, with only the source's own filters:
/// the KPI's filters choose rows, not the calendar.
fn range_cte(model: &Model, scan: &Scan, frame: &Frame) -> String {
    let reader = reader(model, scan.source, frame);
    let (lo, hi) = match scan.placement {
        Placement::Time(time) => {
            let period = frame.truncate(&reader.local(time));
            (period.clone(), period)
        }
        Placement::Snapshot => validity_periods(&reader, frame),
    };
    let columns = [format!("MIN({lo}) AS {}", frame.q("lo")), format!("MAX({hi}) AS {}", frame.q("hi"))];
    select(&columns, &reader.from(Vec::new()))
}

/// `CASE WHEN <where> THEN <arg> END`; `1` stands for a counted row.
fn measured(aggregate: &Aggregate, reader: &RowReader) -> String {
    let arg = aggregate.arg.as_ref().map_or_else(|| "1".to_string(), |a| reader.expr(a));
    match &aggregate.condition {
        Some(condition) => cat!("CASE WHEN ", reader.expr(condition), " THEN ", arg, " END"),
        None => arg,
    }
}

/// `count(source)` without a `where`: every row counts, no measured column needed.
fn counts_rows(aggregate: &Aggregate) -> bool {
    aggregate.func == AggFunc::Count && aggregate.arg.is_none() && aggregate.condition.is_none()
}

/// `COUNT(x)`, `SUM(x)`, … over a measured column.
fn aggregate_sql(func: AggFunc, value: &str, d: &dyn SqlDialect) -> String {
    match func {
        AggFunc::Count => format!("COUNT({value})"),
        AggFunc::CountDistinct => format!("COUNT(DISTINCT {value})"),
        AggFunc::Sum => format!("SUM({value})"),
        AggFunc::Avg => format!("AVG({value})"),
        AggFunc::Min => format!("MIN({value})"),
        AggFunc::Max => format!("MAX({value})"),
        AggFunc::Percentile(p) => d.percentile(value, p),
    }
}

/// Event aggregates: grouped by period, or over each period's window.
fn events_cte(window: Window, scan: &Scan, rows: &str, frame: &Frame) -> String {
    let d = frame.d;
    let aggregates = |alias: Option<&str>| -> Vec<String> {
        scan.aggregates
            .iter()
            .map(|(j, a)| {
                let column = format!("m{j}");
                let value = if counts_rows(a) {
                    "*".to_string()
                } else {
                    alias.map_or_else(|| frame.q(&column), |alias| frame.col(alias, &column))
                };
                frame.named(&aggregate_sql(a.func, &value, d), &format!("a{j}"))
            })
            .collect()
    };
    if window == Window::Period {
        let mut keys: Vec<String> = std::iter::once("period_start")
            .chain(frame.dimension_columns().iter().map(String::as_str))
            .map(|c| frame.q(c))
            .collect();
        let group = keys.join(", ");
        keys.extend(aggregates(None));
        return select(&keys, &format!("FROM {}\nGROUP BY {group}", frame.q(rows)));
    }
    let day = frame.col("r", "row_day");
    let start = frame.col("g", "period_start");
    let end = frame.next_period(&start);
    let window_condition = match window {
        // The `days` that end with the period (a day, or a week).
        Window::Rolling { days } => {
            format!("{day} >= {} AND {day} < {end}", d.add_to_date(&end, (-i64::from(days), DateUnit::Day)))
        }
        Window::Cumulative => format!("{day} < {end}"),
        Window::ToDate { grain } => {
            let first = super::frame::truncate(d, grain, &start, frame.week_start);
            format!("{day} >= {first} AND {day} < {end}")
        }
        Window::Period => unreachable!("handled above"),
    };
    frame.per_period(rows, Some(&window_condition), aggregates(Some("r")))
}

/// Columns the snapshot aggregates read, carried by the scan as `c0`, `c1`, ….
fn snapshot_columns(scan: &Scan) -> Vec<ColumnRef> {
    let mut columns: Vec<ColumnRef> = Vec::new();
    for (_, aggregate) in &scan.aggregates {
        for e in aggregate.exprs() {
            e.walk(&mut |e| {
                if let crate::model::ExprKind::Column(c) = &e.kind {
                    if !columns.contains(c) {
                        columns.push(c.clone());
                    }
                }
            });
        }
    }
    columns
}

/// Snapshot aggregates: every period against every row, tested at the period's bounds.
fn snapshots_cte(scan: &Scan, rows: &str, frame: &Frame) -> String {
    let d = frame.d;
    let columns = snapshot_columns(scan);
    let column = |c: &ColumnRef| {
        let n = columns.iter().position(|x| x == c).unwrap_or(0);
        frame.col("r", &format!("c{n}"))
    };
    // The instants at which the period starts and ends in the project's time zone.
    let start = frame.col("g", "period_start");
    let instant = |date: &str| date_instant(date, d, frame.zone());
    let names = Names {
        column: &column,
        period: Some((instant(&start), instant(&frame.next_period(&start)))),
        aggregate: &|_| String::new(),
        kpi: &|_, _| String::new(),
        time_zone: frame.zone(),
    };
    let mut out = Vec::new();
    for (j, aggregate) in &scan.aggregates {
        let arg = aggregate.arg.as_ref().map_or_else(|| "1".to_string(), |a| render(a, d, &names));
        let conditions: Vec<String> = aggregate
            .kpi_filters
            .iter()
            .filter(|f| f.refers_to_period())
            .chain(&aggregate.condition)
            .map(|c| render(c, d, &names))
            .collect();
        let value =
            if conditions.is_empty() { arg } else { format!("CASE WHEN {} THEN {arg} END", conditions.join(" AND ")) };
        out.push(frame.named(&aggregate_sql(aggregate.func, &value, d), &format!("a{j}")));
    }
    frame.per_period(rows, None, out)
}

/// The grid with every aggregate's column; empty counts and sums are 0.
fn measures_cte(joins: &[(String, Vec<(usize, AggFunc)>)], frame: &Frame) -> String {
    let mut columns = frame.keys("g");
    columns.insert(1, frame.col("g", "period_end"));
    let mut from = format!("FROM {} AS {}", frame.q("grid"), frame.q("g"));
    let mut aggregates: Vec<(usize, String)> = Vec::new();
    for (k, (cte, funcs)) in joins.iter().enumerate() {
        let alias = format!("x{k}");
        frame.left_join(&mut from, cte, &alias);
        for (j, func) in funcs {
            let value = frame.col(&alias, &format!("a{j}"));
            let value = if func.is_zero_when_empty() { cat!("COALESCE(", value, ", 0)") } else { value };
            aggregates.push((*j, frame.named(&value, &format!("a{j}"))));
        }
    }
    aggregates.sort_by_key(|(j, _)| *j);
    columns.extend(aggregates.into_iter().map(|(_, c)| c));
    select(&columns, &from)
}
