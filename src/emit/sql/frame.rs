//! What every KPI view shares: the dense grid of periods × dimension
//! values, and the output columns (value, ratio parts, target, status).
//!
//! Internal column names are fixed (`period_start`, `d0`, `d1`, …) so that
//! user-chosen dimension names are only ever used as quoted output aliases.

use chrono::{Datelike, NaiveDate};

use super::dialect::{grain_step, DateUnit, SqlDialect};
use super::query::{select, Query};
use crate::model::{Goal, Grain, Kpi, Model, Periods, Target, Threshold, Until, Weekday};

/// The calendar and dimensions of one view, for one dialect.
pub struct Frame<'a> {
    pub d: &'a dyn SqlDialect,
    pub grain: Grain,
    /// The internal names of the KPI's dimension columns: `d0`, `d1`, ….
    dimensions: Vec<String>,
    /// The project's time zone, in which a period ends.
    pub time_zone: &'a str,
    pub week_start: Weekday,
}

impl<'a> Frame<'a> {
    /// The frame of one KPI's view.
    pub fn new(model: &'a Model, kpi: &Kpi, d: &'a dyn SqlDialect) -> Frame<'a> {
        Frame {
            d,
            grain: kpi.grain,
            dimensions: (0..kpi.dimensions.len()).map(|k| format!("d{k}")).collect(),
            time_zone: &model.settings.time_zone,
            week_start: model.settings.week_start,
        }
    }

    /// The project's time zone, unless it is UTC (then no conversion is needed).
    pub fn zone(&self) -> Option<&str> {
        (self.time_zone != "UTC").then_some(self.time_zone)
    }

    /// A quoted identifier.
    pub fn q(&self, name: &str) -> String {
        self.d.quote_ident(name)
    }

    /// `alias.column`, both quoted.
    pub fn col(&self, alias: &str, column: &str) -> String {
        cat!(self.q(alias), ".", self.q(column))
    }

    /// The internal dimension column names.
    pub fn dimension_columns(&self) -> &[String] {
        &self.dimensions
    }

    /// `period_start, d0, …` of `alias`, quoted.
    pub fn keys(&self, alias: &str) -> Vec<String> {
        std::iter::once("period_start")
            .chain(self.dimension_columns().iter().map(String::as_str))
            .map(|c| self.col(alias, c))
            .collect()
    }

    /// Null-safe equality of every dimension of two aliases (`1 = 1` without dimensions).
    pub fn same_dimensions(&self, left: &str, right: &str) -> String {
        let conditions: Vec<String> = self
            .dimension_columns()
            .iter()
            .map(|c| self.d.null_safe_eq(&self.col(left, c), &self.col(right, c)))
            .collect();
        if conditions.is_empty() {
            "1 = 1".to_string()
        } else {
            conditions.join(" AND ")
        }
    }

    /// Same period and dimensions.
    pub fn same_keys(&self, left: &str, right: &str) -> String {
        cat!(
            self.col(left, "period_start"),
            " = ",
            self.col(right, "period_start"),
            " AND ",
            self.same_dimensions(left, right)
        )
    }

    /// Appends `LEFT JOIN table AS alias` on a new line, matched to the grid
    /// `g` on the same period and dimensions.
    pub fn left_join(&self, from: &mut String, table: &str, alias: &str) {
        let on = self.same_keys(alias, "g");
        crate::emit::push_all(from, &["\nLEFT JOIN ", &self.q(table), " AS ", &self.q(alias), " ON ", &on]);
    }

    /// `expression AS name`, the name quoted.
    pub fn named(&self, expression: &str, name: &str) -> String {
        cat!(expression, " AS ", self.q(name))
    }

    /// `date + one grain`.
    pub fn next_period(&self, date: &str) -> String {
        self.d.add_to_date(date, grain_step(self.grain))
    }

    /// `date - periods × one grain`.
    pub fn previous_period(&self, date: &str, periods: u32) -> String {
        let (n, unit) = grain_step(self.grain);
        self.d.add_to_date(date, (-n * i64::from(periods), unit))
    }

    /// The start (a DATE) of the period containing a timestamp (wall-clock
    /// time); weeks honour the project's week start.
    pub fn truncate(&self, timestamp: &str) -> String {
        truncate(self.d, self.grain, timestamp, self.week_start)
    }

    /// Each period `g` of the spine joined to the rows `r` of `rows` that
    /// `condition` admits, grouped by period and the rows' dimension values.
    /// A row's dimension values are in the grid, so this is each grid row's
    /// rows without comparing dimensions pair by pair; the grid's other rows
    /// are filled when [`Frame::output`]'s `measures` join it.
    pub fn per_period(&self, rows: &str, condition: Option<&str>, aggregates: Vec<String>) -> String {
        let mut keys = vec![self.col("g", "period_start")];
        keys.extend(self.dimension_columns().iter().map(|c| self.col("r", c)));
        let group = keys.join(", ");
        let mut columns = keys;
        columns.extend(aggregates);
        let join = match condition {
            Some(condition) => format!("JOIN {} AS {} ON {condition}", self.q(rows), self.q("r")),
            None => format!("CROSS JOIN {} AS {}", self.q(rows), self.q("r")),
        };
        select(&columns, &format!("FROM {} AS {}\n{join}\nGROUP BY {group}", self.q("spine"), self.q("g")))
    }

    /// Adds `bounds`, `spine`, one domain CTE per dimension and `grid`.
    /// The periods run from the first to the last of `ranges` (SELECTs of
    /// DATE columns `lo` and `hi`), `extend_days` past the last, unless
    /// `periods` fixes an end; `domains` lists the CTEs holding the
    /// dimension columns `d0`, `d1`, ….
    pub fn add_grid(
        &self,
        query: &mut Query,
        ranges: &[String],
        extend_days: i64,
        periods: &Periods,
        domains: &[String],
    ) {
        let (lo, hi) = (self.q("lo"), self.q("hi"));
        let first = match &periods.from {
            Some(date) => self.fixed_period(date),
            None => cat!("MIN(", lo, ")"),
        };
        let last = match &periods.until {
            Some(Until::Date(date)) => self.fixed_period(date),
            Some(Until::Current) => self.truncate(&self.d.date_to_timestamp(&self.d.current_date(self.time_zone))),
            None if extend_days > 0 => self.d.add_to_date(&cat!("MAX(", hi, ")"), (extend_days, DateUnit::Day)),
            None => cat!("MAX(", hi, ")"),
        };
        let from = if periods.from.is_some() && periods.until.is_some() {
            String::new()
        } else {
            cat!("\nFROM (", ranges.join("\nUNION ALL\n"), ") AS ", self.q("b"))
        };
        query.cte(self.q("bounds"), cat!("SELECT ", first, " AS ", lo, ", ", last, " AS ", hi, from));
        // A recursive CTE names its columns (Redshift requires it).
        let spine = if self.d.spine_is_recursive() {
            cat!(self.q("spine"), "(", self.q("period_start"), ")")
        } else {
            self.q("spine")
        };
        query.recursive |= self.d.spine_is_recursive();
        query.cte(spine, self.d.spine(self.grain));
        for column in self.dimension_columns() {
            let union: Vec<String> =
                domains.iter().map(|cte| cat!("SELECT DISTINCT ", self.q(column), " FROM ", self.q(cte))).collect();
            query.cte(self.q(&cat!("domain_", column)), union.join(&cat!("\n", self.d.union_distinct(), "\n")));
        }
        let mut columns = vec![
            self.col("spine", "period_start"),
            self.named(&self.next_period(&self.col("spine", "period_start")), "period_end"),
        ];
        let mut from = cat!("FROM ", self.q("spine"));
        for column in self.dimension_columns() {
            let domain = cat!("domain_", column);
            columns.push(self.col(&domain, column));
            from.push_str(" CROSS JOIN ");
            from.push_str(&self.q(&domain));
        }
        query.cte(self.q("grid"), select(&columns, &from));
    }

    /// The first day of the period containing a fixed date, as a DATE literal.
    fn fixed_period(&self, date: &str) -> String {
        let start = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_or_else(
            |_| date.to_string(),
            |date| period_start(date, self.grain, self.week_start).format("%Y-%m-%d").to_string(),
        );
        self.d.date_literal(&start)
    }

    /// The view's final SELECT over CTE `measures`, which has the grid's
    /// columns; `value` and the ratio parts are expressions over its columns.
    pub fn output(&self, kpi: &Kpi, measures: &str, value: &str, ratio: Option<(String, String)>) -> String {
        let double = self.d.double_type();
        let mut inner = vec![self.q("period_start"), self.q("period_end")];
        inner.extend(self.dimension_columns().iter().map(|c| self.q(c)));
        inner.push(cat!("CAST(", value, " AS ", double, ") AS ", self.q("value")));
        let mut outer = vec![self.q("period_start"), self.q("period_end")];
        for (column, name) in self.dimension_columns().iter().zip(&kpi.dimensions) {
            outer.push(self.named(&self.q(column), &name.text));
        }
        outer.push(self.q("value"));
        if let Some((numerator, denominator)) = ratio {
            inner.push(cat!("CAST(", numerator, " AS ", double, ") AS ", self.q("numerator")));
            inner.push(cat!("CAST(", denominator, " AS ", double, ") AS ", self.q("denominator")));
            outer.push(self.q("numerator"));
            outer.push(self.q("denominator"));
        }
        outer.push(self.named(&self.target(kpi.target.as_ref()), "target"));
        outer.push(self.named(&self.status(kpi.target.as_ref()), "status"));
        let today = self.d.current_date(self.time_zone);
        outer.push(cat!("(", self.q("period_end"), " <= ", today, ") AS ", self.q("period_complete")));
        let inner = select(&inner, &cat!("FROM ", self.q(measures)));
        select(&outer, &["FROM (\n", &inner, "\n) AS ", &self.q("r")].concat())
    }

    /// Whether the target applies to the period (its optional dates).
    fn applies(&self, target: &Target) -> Option<String> {
        let start = self.q("period_start");
        let mut conditions = Vec::new();
        if let Some(from) = &target.from {
            conditions.push(format!("{start} >= {}", self.d.date_literal(from)));
        }
        if let Some(until) = &target.until {
            conditions.push(format!("{start} <= {}", self.d.date_literal(until)));
        }
        (!conditions.is_empty()).then(|| conditions.join(" AND "))
    }

    /// The goal line: the target value; the centre of a range.
    fn target(&self, target: Option<&Target>) -> String {
        let double = self.d.double_type();
        let Some(target) = target else {
            return format!("CAST(NULL AS {double})");
        };
        let goal = match &target.goal {
            Goal::AtLeast(t) | Goal::AtMost(t) => t.number.text.clone(),
            Goal::Between(low, high) => {
                format!("({} + {}) / 2.0", low.number.text, high.number.text)
            }
        };
        match self.applies(target) {
            Some(applies) => format!("CASE WHEN {applies} THEN CAST({goal} AS {double}) END"),
            None => format!("CAST({goal} AS {double})"),
        }
    }

    /// `on_track` / `at_risk` / `off_track`, or NULL without a value or target.
    fn status(&self, target: Option<&Target>) -> String {
        let Some(target) = target else {
            return format!("CAST(NULL AS {})", self.d.string_type());
        };
        let value = self.q("value");
        let skip = match self.applies(target) {
            Some(applies) => format!("{value} IS NULL OR NOT ({applies})"),
            None => format!("{value} IS NULL"),
        };
        format!("CASE WHEN {skip} THEN NULL {} END", status_branches(target, &value))
    }
}

/// `WHEN … THEN 'on_track' [WHEN … THEN 'at_risk'] ELSE 'off_track'`: the
/// status of `value` (SQL) against the target's goal and critical thresholds.
pub fn status_branches(target: &Target, value: &str) -> String {
    let number = |t: &Threshold| t.number.text.clone();
    let (met, within_critical) = match (&target.goal, target.critical.as_slice()) {
        (Goal::AtLeast(t), critical) => {
            (format!("{value} >= {}", number(t)), critical.first().map(|c| format!("{value} >= {}", number(c))))
        }
        (Goal::AtMost(t), critical) => {
            (format!("{value} <= {}", number(t)), critical.first().map(|c| format!("{value} <= {}", number(c))))
        }
        (Goal::Between(low, high), critical) => (
            format!("{value} >= {} AND {value} <= {}", number(low), number(high)),
            match critical {
                [c_low, c_high] => Some(format!("{value} >= {} AND {value} <= {}", number(c_low), number(c_high))),
                _ => None,
            },
        ),
    };
    let at_risk = within_critical.map(|c| format!(" WHEN {c} THEN 'at_risk'")).unwrap_or_default();
    format!("WHEN {met} THEN 'on_track'{at_risk} ELSE 'off_track'")
}

/// The start (a DATE) of the period containing a timestamp; weeks honour the project's week start.
pub fn truncate(d: &dyn SqlDialect, grain: Grain, timestamp: &str, week_start: Weekday) -> String {
    // Shifting by the days from the week start to the next Monday makes
    // Monday-based truncation start weeks on any day.
    let shift = (7 - week_start as i64) % 7;
    if grain != Grain::Week || shift == 0 {
        return d.date_trunc(grain, timestamp);
    }
    let shifted = d.add_duration(timestamp, shift, "day");
    d.add_to_date(&d.date_trunc(grain, &shifted), (-shift, DateUnit::Day))
}

/// The first day of the period containing `date`.
fn period_start(date: NaiveDate, grain: Grain, week_start: Weekday) -> NaiveDate {
    let first_of = |month: u32| NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date);
    match grain {
        Grain::Day => date,
        Grain::Week => {
            let back = (7 + date.weekday().num_days_from_monday() - week_start as u32) % 7;
            date - chrono::Days::new(u64::from(back))
        }
        Grain::Month => first_of(date.month()),
        Grain::Quarter => first_of((date.month() - 1) / 3 * 3 + 1),
        Grain::Year => first_of(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_dates_start_their_period() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(period_start(date("2026-01-04"), Grain::Week, Weekday::Monday), date("2025-12-29"));
        assert_eq!(period_start(date("2026-01-04"), Grain::Week, Weekday::Sunday), date("2026-01-04"));
        assert_eq!(period_start(date("2026-01-03"), Grain::Week, Weekday::Sunday), date("2025-12-28"));
        assert_eq!(period_start(date("2026-05-31"), Grain::Quarter, Weekday::Monday), date("2026-04-01"));
        assert_eq!(period_start(date("2026-05-31"), Grain::Year, Weekday::Monday), date("2026-01-01"));
    }
}
