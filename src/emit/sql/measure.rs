//! The view of a KPI that aggregates sources.
//!
//! Per source, one scan (`s<i>_rows`) applies the source's filters and the
//! KPI's filters, and computes the period, the dimensions and one measured
//! column per aggregate (`CASE WHEN <where> THEN <arg> END`). Then:
//! - event aggregates without a window are grouped by period and dimensions;
//! - windowed event aggregates join each grid row to the rows of its window;
//! - snapshot aggregates join each grid row to every row and test validity
//!   at the period's bounds.
//!
//! Every aggregated CTE is left-joined to the dense grid; counts and sums of
//! periods without rows become 0.

use super::dialect::SqlDialect;
use super::expr::{columns_only, render, Names};
use super::frame::Frame;
use super::query::{select, Query};
use crate::model::{
    AggFunc, Aggregate, ColumnRef, Expr, Grain, Kpi, Model, Relation, Source, SourceId, Type, Weekday, Window,
};

/// The aggregates of one source, by their index in the KPI's formula.
struct Scan<'m> {
    source: &'m Source,
    aggregates: Vec<(usize, &'m Aggregate)>,
}

impl Scan<'_> {
    fn events(&self) -> impl Iterator<Item = &(usize, &Aggregate)> {
        self.aggregates.iter().filter(|(_, a)| !a.is_snapshot())
    }

    fn snapshots(&self) -> impl Iterator<Item = &(usize, &Aggregate)> {
        self.aggregates.iter().filter(|(_, a)| a.is_snapshot())
    }
}

pub fn query(model: &Model, kpi: &Kpi, d: &dyn SqlDialect) -> String {
    let frame = Frame { d, grain: kpi.grain, dimensions: kpi.dimensions.len(), time_zone: &model.settings.time_zone };
    let aggregates = kpi.aggregates();
    let scans = scans(model, &aggregates);
    let mut query = Query::new();
    let mut periods = Vec::new();
    let mut domains = Vec::new();
    let mut joins = Vec::new();
    for (i, scan) in scans.iter().enumerate() {
        let rows = format!("s{i}_rows");
        let has_snapshots = scan.snapshots().next().is_some();
        // Unwindowed events are grouped straight from the scan, and the small
        // grouped result gives the period range and dimension domains.
        let grouped_first = kpi.window == Window::Period && scan.events().next().is_some();
        let read_once = grouped_first && !has_snapshots;
        let materialized = if read_once { "" } else { d.materialized() };
        query.cte_with(frame.q(&rows), materialized, rows_cte(model, kpi, scan, &frame));
        if grouped_first {
            let name = format!("s{i}_events");
            query.cte(frame.q(&name), events_cte(kpi.window, scan, &rows, &frame, model.settings.week_start));
            periods.push((name.clone(), "period_start".to_string()));
            domains.push(name.clone());
            joins.push((name, scan.events().map(|(j, a)| (*j, a.func)).collect::<Vec<_>>()));
        } else if scan.events().next().is_some() {
            periods.push((rows.clone(), "period_start".to_string()));
        }
        if has_snapshots {
            periods.push((rows.clone(), "valid_from".to_string()));
            periods.push((rows.clone(), "valid_to".to_string()));
        }
        if !read_once {
            domains.push(rows);
        }
    }
    frame.add_grid(&mut query, &periods, &domains);
    for (i, scan) in scans.iter().enumerate() {
        let rows = format!("s{i}_rows");
        if kpi.window != Window::Period && scan.events().next().is_some() {
            let name = format!("s{i}_events");
            query.cte(frame.q(&name), events_cte(kpi.window, scan, &rows, &frame, model.settings.week_start));
            joins.push((name, scan.events().map(|(j, a)| (*j, a.func)).collect()));
        }
        if scan.snapshots().next().is_some() {
            let name = format!("s{i}_snapshots");
            query.cte(frame.q(&name), snapshots_cte(scan, &rows, &frame));
            joins.push((name, scan.snapshots().map(|(j, a)| (*j, a.func)).collect()));
        }
    }
    query.cte(frame.q("measures"), measures_cte(&joins, &frame));
    let column = |a: &Aggregate| {
        let index = aggregates.iter().position(|x| std::ptr::eq(*x, a)).unwrap_or(0);
        frame.q(&format!("a{index}"))
    };
    let names = Names { column: &|_| String::new(), period: None, aggregate: &column, kpi: &|_, _| String::new() };
    let value = render(&kpi.value, d, &names);
    let ratio = kpi.ratio().map(|(n, den)| (render(n, d, &names), render(den, d, &names)));
    query.finish(&frame.output(kpi, "measures", &value, ratio))
}

/// Aggregates grouped by source, sources in order of first use.
fn scans<'m>(model: &'m Model, aggregates: &[&'m Aggregate]) -> Vec<Scan<'m>> {
    let mut scans: Vec<(SourceId, Scan)> = Vec::new();
    for (index, aggregate) in aggregates.iter().enumerate() {
        match scans.iter_mut().find(|(id, _)| *id == aggregate.source) {
            Some((_, scan)) => scan.aggregates.push((index, aggregate)),
            None => scans.push((
                aggregate.source,
                Scan { source: model.source(aggregate.source), aggregates: vec![(index, aggregate)] },
            )),
        }
    }
    scans.into_iter().map(|(_, scan)| scan).collect()
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
    time_zone: Option<&'m str>,
}

impl RowReader<'_> {
    fn column(&self, column: &ColumnRef, d: &dyn SqlDialect) -> String {
        let (alias, source) = match column.join {
            None => ("t".to_string(), self.source),
            Some(j) => (format!("j{j}"), self.model.source(self.source.joins[j].target)),
        };
        let text = format!("{}.{}", d.quote_ident(&alias), d.quote_ident(&column.column));
        let is_timestamp = source.column(&column.column).is_some_and(|c| c.ty == Type::Timestamp);
        match self.time_zone {
            Some(zone) if is_timestamp => d.to_time_zone(&text, zone),
            _ => text,
        }
    }

    fn expr(&self, e: &Expr, d: &dyn SqlDialect) -> String {
        render(e, d, &columns_only(&|c| self.column(c, d)))
    }

    fn named_column(&self, name: &str, d: &dyn SqlDialect) -> String {
        self.column(&ColumnRef { join: None, column: name.to_string() }, d)
    }
}

/// The scan of one source: filtered rows with period, dimensions and measured columns.
fn rows_cte(model: &Model, kpi: &Kpi, scan: &Scan, frame: &Frame) -> String {
    let d = frame.d;
    let source = scan.source;
    let time_zone = (model.settings.time_zone != "UTC").then_some(model.settings.time_zone.as_str());
    let reader = RowReader { model, source, time_zone };
    let week_start = model.settings.week_start;
    let mut columns = Vec::new();
    let mut conditions: Vec<String> = source.filters.iter().map(|f| reader.expr(f, d)).collect();
    // The KPI's filters are the same for every aggregate of a source; those that
    // read the period are tested per period, with the snapshot aggregates.
    let kpi_filters = &scan.aggregates[0].1.kpi_filters;
    conditions.extend(kpi_filters.iter().filter(|f| !f.refers_to_period()).map(|f| reader.expr(f, d)));
    if scan.events().next().is_some() {
        let time = reader.named_column(source.time.as_deref().unwrap_or_default(), d);
        columns.push(format!("{} AS {}", truncate(d, kpi.grain, &time, week_start), frame.q("period_start")));
        if kpi.window != Window::Period {
            columns.push(format!("{} AS {}", d.to_date(&time), frame.q("row_day")));
        }
        if scan.snapshots().next().is_none() {
            conditions.push(format!("{time} IS NOT NULL"));
        }
    }
    for (k, name) in kpi.dimensions.iter().enumerate() {
        let dimension =
            source.dimension(&name.text).map_or_else(|| "NULL".to_string(), |dim| reader.expr(&dim.expr, d));
        columns.push(format!("{dimension} AS {}", frame.q(&format!("d{k}"))));
    }
    for (j, aggregate) in scan.events().filter(|(_, a)| !counts_rows(a)) {
        columns.push(format!("{} AS {}", measured(aggregate, &reader, d), frame.q(&format!("m{j}"))));
    }
    if let Some(validity) = snapshot_validity(scan) {
        let start = reader.named_column(&validity.start, d);
        let end = reader.named_column(&validity.end, d);
        columns.push(format!("{} AS {}", truncate(d, kpi.grain, &start, week_start), frame.q("valid_from")));
        let end = format!("COALESCE({end}, {start})");
        columns.push(format!("{} AS {}", truncate(d, kpi.grain, &end, week_start), frame.q("valid_to")));
        for (n, column) in snapshot_columns(scan).iter().enumerate() {
            columns.push(format!("{} AS {}", reader.column(column, d), frame.q(&format!("c{n}"))));
        }
    }
    let mut from = format!("FROM {} AS {}", relation(source, d), frame.q("t"));
    for (j, join) in source.joins.iter().enumerate() {
        let target = model.source(join.target);
        let on = render(
            &join.on,
            d,
            &columns_only(&|c: &ColumnRef| {
                let alias = if c.join.is_some() { format!("j{j}") } else { "t".to_string() };
                format!("{}.{}", d.quote_ident(&alias), d.quote_ident(&c.column))
            }),
        );
        from.push_str(&format!("\nLEFT JOIN {} AS {} ON {on}", relation(target, d), frame.q(&format!("j{j}"))));
    }
    if !conditions.is_empty() {
        from.push_str(&format!("\nWHERE {}", conditions.join("\n  AND ")));
    }
    select(&columns, &from)
}

/// The start of the period containing a timestamp; weeks honour the project's week start.
pub fn truncate(d: &dyn SqlDialect, grain: Grain, timestamp: &str, week_start: Weekday) -> String {
    // Shifting by the days from the week start to the next Monday makes
    // Monday-based truncation start weeks on any day.
    let shift = (7 - week_start as i64) % 7;
    if grain != Grain::Week || shift == 0 {
        return d.date_trunc(grain, timestamp);
    }
    let shifted = d.add_duration(timestamp, shift, "day");
    d.add_to_date(&d.date_trunc(grain, &shifted), (-shift, super::dialect::DateUnit::Day))
}

/// `CASE WHEN <where> THEN <arg> END`; `1` stands for a counted row.
fn measured(aggregate: &Aggregate, reader: &RowReader, d: &dyn SqlDialect) -> String {
    let arg = aggregate.arg.as_ref().map_or_else(|| "1".to_string(), |a| reader.expr(a, d));
    match &aggregate.condition {
        Some(condition) => format!("CASE WHEN {} THEN {arg} END", reader.expr(condition, d)),
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

/// Event aggregates: grouped by period, or over each grid row's window.
fn events_cte(window: Window, scan: &Scan, rows: &str, frame: &Frame, week_start: Weekday) -> String {
    let d = frame.d;
    let aggregates = |alias: Option<&str>| -> Vec<String> {
        scan.events()
            .map(|(j, a)| {
                let column = format!("m{j}");
                let value = if counts_rows(a) {
                    "*".to_string()
                } else {
                    alias.map_or_else(|| frame.q(&column), |alias| frame.col(alias, &column))
                };
                format!("{} AS {}", aggregate_sql(a.func, &value, d), frame.q(&format!("a{j}")))
            })
            .collect()
    };
    if window == Window::Period {
        let mut keys: Vec<String> =
            std::iter::once("period_start".to_string()).chain(frame.dimension_columns()).map(|c| frame.q(&c)).collect();
        let group = keys.join(", ");
        keys.extend(aggregates(None));
        return select(&keys, &format!("FROM {}\nGROUP BY {group}", frame.q(rows)));
    }
    let day = frame.col("r", "row_day");
    let start = frame.col("g", "period_start");
    let end = frame.col("g", "period_end");
    let window_condition = match window {
        Window::Rolling { days } => {
            format!(
                "{day} >= {} AND {day} < {end}",
                d.add_to_date(&start, (1 - i64::from(days), super::dialect::DateUnit::Day))
            )
        }
        Window::Cumulative => format!("{day} < {end}"),
        Window::ToDate { grain } => format!("{day} >= {} AND {day} < {end}", truncate(d, grain, &start, week_start)),
        Window::Period => unreachable!("handled above"),
    };
    frame.per_grid_row(rows, Some(&window_condition), aggregates(Some("r")))
}

/// The validity of a scan's source, when it has snapshot aggregates.
fn snapshot_validity<'s>(scan: &Scan<'s>) -> Option<&'s crate::model::Validity> {
    scan.snapshots().next()?;
    scan.source.validity.as_ref()
}

/// Columns the snapshot aggregates read, carried by the scan as `c0`, `c1`, ….
fn snapshot_columns(scan: &Scan) -> Vec<ColumnRef> {
    let mut columns: Vec<ColumnRef> = Vec::new();
    for (_, aggregate) in scan.snapshots() {
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

/// Snapshot aggregates: every grid row against every row, tested at the period's bounds.
fn snapshots_cte(scan: &Scan, rows: &str, frame: &Frame) -> String {
    let d = frame.d;
    let columns = snapshot_columns(scan);
    let column = |c: &ColumnRef| {
        let n = columns.iter().position(|x| x == c).unwrap_or(0);
        frame.col("r", &format!("c{n}"))
    };
    let period =
        (d.date_to_timestamp(&frame.col("g", "period_start")), d.date_to_timestamp(&frame.col("g", "period_end")));
    let names =
        Names { column: &column, period: Some(period), aggregate: &|_| String::new(), kpi: &|_, _| String::new() };
    let mut out = Vec::new();
    for (j, aggregate) in scan.snapshots() {
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
        out.push(format!("{} AS {}", aggregate_sql(aggregate.func, &value, d), frame.q(&format!("a{j}"))));
    }
    frame.per_grid_row(rows, None, out)
}

/// The grid with every aggregate's column; empty counts and sums are 0.
fn measures_cte(joins: &[(String, Vec<(usize, AggFunc)>)], frame: &Frame) -> String {
    let mut columns = frame.keys("g");
    columns.insert(1, frame.col("g", "period_end"));
    let mut from = format!("FROM {} AS {}", frame.q("grid"), frame.q("g"));
    let mut aggregates: Vec<(usize, String)> = Vec::new();
    for (k, (cte, funcs)) in joins.iter().enumerate() {
        let alias = format!("x{k}");
        from.push_str(&format!(
            "\nLEFT JOIN {} AS {} ON {}",
            frame.q(cte),
            frame.q(&alias),
            frame.same_keys(&alias, "g")
        ));
        for (j, func) in funcs {
            let value = frame.col(&alias, &format!("a{j}"));
            let value = if func.is_zero_when_empty() { format!("COALESCE({value}, 0)") } else { value };
            aggregates.push((*j, format!("{value} AS {}", frame.q(&format!("a{j}")))));
        }
    }
    aggregates.sort_by_key(|(j, _)| *j);
    columns.extend(aggregates.into_iter().map(|(_, c)| c));
    select(&columns, &from)
}
