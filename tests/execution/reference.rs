//! The semantics of shared/design.md §4, computed directly in Rust over the
//! CSV rows — independently of the SQL kpic emits — to judge its numbers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use chrono_tz::Tz;

/// One CSV row: column name → text (None for an empty field, i.e. NULL).
#[derive(Debug, Clone)]
pub struct Row(pub BTreeMap<String, Option<String>>);

impl Row {
    pub fn text(&self, column: &str) -> Option<&str> {
        self.0.get(column).unwrap_or_else(|| panic!("no column {column}")).as_deref()
    }

    pub fn num(&self, column: &str) -> Option<f64> {
        self.text(column).map(|t| t.parse().expect("a number"))
    }

    /// A timestamp, to the microsecond.
    pub fn time(&self, column: &str) -> Option<NaiveDateTime> {
        self.text(column).map(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").expect("a timestamp"))
    }

    /// `true`/`false` as written in the CSV.
    pub fn boolean(&self, column: &str) -> Option<bool> {
        self.text(column).map(|t| t == "true")
    }

    /// Adds the columns of `other` (or NULLs when there is no match) as `prefix.column`.
    pub fn joined(&self, prefix: &str, other: Option<&Row>, columns: &[&str]) -> Row {
        let mut out = self.clone();
        for column in columns {
            let value = other.and_then(|o| o.text(column).map(str::to_string));
            out.0.insert(format!("{prefix}.{column}"), value);
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Grain {
    Day,
    Week(Weekday),
    Month,
    Quarter,
    Year,
}

/// The first day of the period containing `date`.
pub fn period_of(date: NaiveDate, grain: Grain) -> NaiveDate {
    match grain {
        Grain::Day => date,
        Grain::Week(start) => {
            let back = (7 + date.weekday().num_days_from_monday() - start.num_days_from_monday()) % 7;
            date - Duration::days(back as i64)
        }
        Grain::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap(),
        Grain::Quarter => NaiveDate::from_ymd_opt(date.year(), (date.month() - 1) / 3 * 3 + 1, 1).unwrap(),
        Grain::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap(),
    }
}

/// The first day of the next period.
pub fn next_period(start: NaiveDate, grain: Grain) -> NaiveDate {
    let months = |n: u32| start.checked_add_months(chrono::Months::new(n)).unwrap();
    match grain {
        Grain::Day => start + Duration::days(1),
        Grain::Week(_) => start + Duration::days(7),
        Grain::Month => months(1),
        Grain::Quarter => months(3),
        Grain::Year => months(12),
    }
}

pub fn previous_period(start: NaiveDate, grain: Grain) -> NaiveDate {
    let months = |n: u32| start.checked_sub_months(chrono::Months::new(n)).unwrap();
    match grain {
        Grain::Day => start - Duration::days(1),
        Grain::Week(_) => start - Duration::days(7),
        Grain::Month => months(1),
        Grain::Quarter => months(3),
        Grain::Year => months(12),
    }
}

pub fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).unwrap()
}

/// A UTC instant's wall-clock reading in `zone`.
pub fn local(zone: Tz, instant: NaiveDateTime) -> NaiveDateTime {
    zone.from_utc_datetime(&instant).naive_local()
}

/// The UTC instant at which `date` starts in `zone`.
pub fn start_instant(zone: Tz, date: NaiveDate) -> NaiveDateTime {
    zone.from_local_datetime(&midnight(date)).earliest().expect("midnight exists").naive_utc()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    Period,
    Rolling(i64),
    Cumulative,
    /// From the start of the enclosing month/quarter/year through the day.
    ToDate(Grain),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Func {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Percentile(f64),
}

/// A measured value: a number, or a text for `count_distinct`.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum V {
    N(f64),
    S(String),
}

/// Whether a row counts for the period `[start, end)`.
pub type SnapshotTest = Box<dyn Fn(&Row, NaiveDateTime, NaiveDateTime) -> bool>;

/// A function of a row, boxed.
pub type RowFn<T> = Box<dyn Fn(&Row) -> T>;

/// The rows one KPI reads from one source: already filtered by the source's
/// and the KPI's filters (the population).
pub struct Source {
    pub rows: Vec<Row>,
    /// The rows that set the calendar: the source's rows with its own filters
    /// only, when the KPI filters rows (`None`: `rows`).
    pub calendar: Option<Vec<Row>>,
    /// The time column (event aggregates).
    pub time: Option<RowFn<Option<NaiveDateTime>>>,
    /// `(start, end)` columns (snapshot aggregates).
    pub validity: Option<(&'static str, &'static str)>,
    pub dimensions: RowFn<Vec<Option<String>>>,
}

pub enum Rows {
    /// Rows by their time column, within the window of a period.
    Events,
    /// Rows tested against the period's `[start, end)` instants.
    Snapshot(SnapshotTest),
}

pub struct Aggregate {
    pub source: usize,
    pub func: Func,
    pub rows: Rows,
    /// The aggregate's own `where` (non-period part).
    pub condition: RowFn<bool>,
    /// The measured value; `Some(V::N(1.0))` for a counted row.
    pub value: RowFn<Option<V>>,
    /// `at <column>`: the timestamp that places the rows (`None`: the source's time).
    pub at: Option<&'static str>,
}

impl Aggregate {
    /// When an event row happened, by the aggregate's placing timestamp.
    fn time(&self, source: &Source, row: &Row) -> Option<NaiveDateTime> {
        match self.at {
            Some(column) => row.time(column),
            None => source.time.as_ref().and_then(|time| time(row)),
        }
    }
}

/// The last period a view reports when it is fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Until {
    Date(NaiveDate),
    Today,
}

pub struct Measure {
    pub grain: Grain,
    pub window: Window,
    pub sources: Vec<Source>,
    pub aggregates: Vec<Aggregate>,
    /// The project's time zone: it places rows in periods.
    pub zone: Tz,
    /// Fixed ends of the calendar (`periods from … until …`).
    pub from: Option<NaiveDate>,
    pub until: Option<Until>,
}

/// Per period and dimension values: every aggregate's result.
pub type Grid = BTreeMap<(NaiveDate, Vec<Option<String>>), Vec<Option<f64>>>;

impl Measure {
    /// The dense grid (periods from the first to the last the sources' data
    /// covers, a rolling window past the last, or the fixed ends × each
    /// dimension's domain) with every aggregate computed.
    pub fn evaluate(&self) -> Grid {
        let mut periods: Vec<NaiveDate> = Vec::new();
        let mut domains: Vec<BTreeSet<Option<String>>> = Vec::new();
        let period_of_instant = |t: NaiveDateTime| period_of(local(self.zone, t).date(), self.grain);
        for (index, source) in self.sources.iter().enumerate() {
            let events: Vec<&Aggregate> =
                self.aggregates.iter().filter(|a| a.source == index && matches!(a.rows, Rows::Events)).collect();
            let snapshots = self.aggregates.iter().any(|a| a.source == index && matches!(a.rows, Rows::Snapshot(_)));
            for row in source.calendar.as_ref().unwrap_or(&source.rows) {
                periods.extend(events.iter().filter_map(|a| a.time(source, row)).map(period_of_instant));
                if let Some((start, end)) = source.validity.filter(|_| snapshots) {
                    if let Some(s) = row.time(start) {
                        periods.push(period_of_instant(s));
                        periods.push(period_of_instant(row.time(end).unwrap_or(s)));
                    }
                }
            }
            for row in &source.rows {
                // A row without a time belongs to no period, unless it is a snapshot's.
                if !snapshots && events.iter().all(|a| a.time(source, row).is_none()) {
                    continue;
                }
                let dims = (source.dimensions)(row);
                if domains.is_empty() {
                    domains = vec![BTreeSet::new(); dims.len()];
                }
                for (k, value) in dims.into_iter().enumerate() {
                    domains[k].insert(value);
                }
            }
        }
        let mut grid = Grid::new();
        let first = self.from.map(|d| period_of(d, self.grain)).or_else(|| periods.iter().min().copied());
        let extension = match self.window {
            Window::Rolling(days) => days - if matches!(self.grain, Grain::Week(_)) { 7 } else { 1 },
            _ => 0,
        };
        let last = match self.until {
            Some(Until::Date(d)) => Some(period_of(d, self.grain)),
            Some(Until::Today) => {
                let now = chrono::Utc::now().naive_utc();
                Some(period_of(local(self.zone, now).date(), self.grain))
            }
            None => periods.iter().max().map(|last| *last + Duration::days(extension)),
        };
        let (Some(first), Some(last)) = (first, last) else {
            return grid;
        };
        let combos = cross(&domains);
        let mut period = first;
        while period <= last {
            for dims in &combos {
                let values = self.aggregates.iter().map(|a| self.aggregate(a, period, dims)).collect();
                grid.insert((period, dims.clone()), values);
            }
            period = next_period(period, self.grain);
        }
        grid
    }

    fn aggregate(&self, aggregate: &Aggregate, period: NaiveDate, dims: &[Option<String>]) -> Option<f64> {
        let source = &self.sources[aggregate.source];
        let end = next_period(period, self.grain);
        let values: Vec<V> = source
            .rows
            .iter()
            .filter(|row| (source.dimensions)(row) == dims)
            .filter(|row| match &aggregate.rows {
                Rows::Snapshot(test) => test(row, start_instant(self.zone, period), start_instant(self.zone, end)),
                Rows::Events => {
                    let Some(t) = aggregate.time(source, row) else {
                        return false;
                    };
                    let day = local(self.zone, t).date();
                    match self.window {
                        Window::Period => period_of(day, self.grain) == period,
                        Window::Rolling(n) => day >= end - Duration::days(n) && day < end,
                        Window::Cumulative => day < end,
                        Window::ToDate(g) => day >= period_of(period, g) && day < end,
                    }
                }
            })
            .filter(|row| (aggregate.condition)(row))
            .filter_map(|row| (aggregate.value)(row))
            .collect();
        apply(aggregate.func, values)
    }
}

fn cross(domains: &[BTreeSet<Option<String>>]) -> Vec<Vec<Option<String>>> {
    let mut out = vec![Vec::new()];
    for domain in domains {
        out = out
            .into_iter()
            .flat_map(|prefix| domain.iter().map(move |v| [prefix.clone(), vec![v.clone()]].concat()))
            .collect();
    }
    out
}

fn number(v: &V) -> f64 {
    match v {
        V::N(n) => *n,
        V::S(_) => panic!("a number was expected"),
    }
}

/// An aggregate over the non-NULL values of a period.
pub fn apply(func: Func, values: Vec<V>) -> Option<f64> {
    let numbers = || values.iter().map(number).collect::<Vec<f64>>();
    match func {
        Func::Count => Some(values.len() as f64),
        Func::CountDistinct => {
            let mut seen: Vec<&V> = Vec::new();
            for v in &values {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            Some(seen.len() as f64)
        }
        Func::Sum => Some(numbers().iter().sum()),
        Func::Avg => {
            let n = numbers();
            (!n.is_empty()).then(|| n.iter().sum::<f64>() / n.len() as f64)
        }
        Func::Min => numbers().into_iter().reduce(f64::min),
        Func::Max => numbers().into_iter().reduce(f64::max),
        Func::Percentile(p) => percentile_cont(numbers(), p),
    }
}

/// Linear interpolation between the two nearest ranks.
pub fn percentile_cont(mut values: Vec<f64>, p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = p * (values.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    Some(values[low] + (values[high] - values[low]) * (rank - low as f64))
}

/// `a / b` with a zero (or NULL) denominator giving NULL.
pub fn divide(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    }
}

/// KPI values per period and dimensions.
pub type Values = BTreeMap<(NaiveDate, Vec<Option<String>>), Option<f64>>;

/// A KPI over KPIs: upstream values aligned over the dense union of their
/// periods and dimension values; a missing upstream value is `empty[i]`;
/// `before(i, n)` reads `n` periods earlier by the same rule.
pub fn derived(
    upstream: &[&Values],
    empty: &[Option<f64>],
    grain: Grain,
    formula: impl Fn(&dyn Fn(usize) -> Option<f64>, &dyn Fn(usize, u32) -> Option<f64>) -> Option<f64>,
) -> Values {
    let periods: BTreeSet<NaiveDate> = upstream.iter().flat_map(|u| u.keys().map(|k| k.0)).collect();
    let dims: BTreeSet<Vec<Option<String>>> = upstream.iter().flat_map(|u| u.keys().map(|k| k.1.clone())).collect();
    let mut out = Values::new();
    let (Some(&first), Some(&last)) = (periods.first(), periods.last()) else {
        return out;
    };
    let mut period = first;
    while period <= last {
        for d in &dims {
            let at = |p: NaiveDate, i: usize| upstream[i].get(&(p, d.clone())).copied().unwrap_or(empty[i]);
            let now = |i: usize| at(period, i);
            let before = |i: usize, n: u32| at((0..n).fold(period, |p, _| previous_period(p, grain)), i);
            out.insert((period, d.clone()), formula(&now, &before));
        }
        period = next_period(period, grain);
    }
    out
}

/// `on_track` / `at_risk` / `off_track` for a goal and an optional critical bound.
pub enum Goal {
    AtLeast(f64, Option<f64>),
    AtMost(f64, Option<f64>),
    Between((f64, f64), Option<(f64, f64)>),
}

pub fn status(value: Option<f64>, goal: &Goal) -> Option<&'static str> {
    let v = value?;
    let (met, within) = match goal {
        Goal::AtLeast(t, c) => (v >= *t, c.map(|c| v >= c)),
        Goal::AtMost(t, c) => (v <= *t, c.map(|c| v <= c)),
        Goal::Between((lo, hi), c) => (v >= *lo && v <= *hi, c.map(|(clo, chi)| v >= clo && v <= chi)),
    };
    Some(match (met, within) {
        (true, _) => "on_track",
        (false, Some(true)) => "at_risk",
        _ => "off_track",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_half_open_and_weeks_start_where_asked() {
        assert_eq!(period_of(date("2026-01-04"), Grain::Week(Weekday::Mon)), date("2025-12-29"));
        assert_eq!(period_of(date("2026-01-05"), Grain::Week(Weekday::Mon)), date("2026-01-05"));
        assert_eq!(period_of(date("2026-01-03"), Grain::Week(Weekday::Sun)), date("2025-12-28"));
        assert_eq!(period_of(date("2026-01-04"), Grain::Week(Weekday::Sun)), date("2026-01-04"));
        assert_eq!(period_of(date("2026-05-31"), Grain::Quarter), date("2026-04-01"));
        assert_eq!(next_period(date("2026-01-31"), Grain::Day), date("2026-02-01"));
        assert_eq!(previous_period(date("2026-03-01"), Grain::Quarter), date("2025-12-01"));
    }

    #[test]
    fn percentiles_interpolate_and_empty_aggregates_follow_the_contract() {
        assert_eq!(percentile_cont(vec![100.0, 300.0], 0.95), Some(290.0));
        assert_eq!(percentile_cont(vec![1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(apply(Func::Sum, vec![]), Some(0.0));
        assert_eq!(apply(Func::Avg, vec![]), None);
        assert_eq!(apply(Func::CountDistinct, vec![V::S("a".into()), V::S("a".into()), V::S("b".into())]), Some(2.0));
        assert_eq!(divide(Some(1.0), Some(0.0)), None);
    }

    #[test]
    fn status_follows_target_and_critical() {
        assert_eq!(status(Some(0.3), &Goal::AtLeast(0.25, Some(0.2))), Some("on_track"));
        assert_eq!(status(Some(0.22), &Goal::AtLeast(0.25, Some(0.2))), Some("at_risk"));
        assert_eq!(status(Some(0.1), &Goal::AtLeast(0.25, Some(0.2))), Some("off_track"));
        assert_eq!(status(Some(0.1), &Goal::AtLeast(0.25, None)), Some("off_track"));
        assert_eq!(status(Some(12.0), &Goal::AtMost(10.0, Some(20.0))), Some("at_risk"));
        assert_eq!(status(Some(0.97), &Goal::Between((0.6, 0.9), Some((0.5, 0.95)))), Some("off_track"));
        assert_eq!(status(None, &Goal::AtMost(1.0, None)), None);
    }
}
