//! The names of the fields every KPI's LookML view defines besides its
//! dimensions (docs/lookml.md). A KPI dimension may not take one of them.

/// The `dimension_group` over `period_start`: fields `period_date`, `period_week`, ….
pub const PERIOD: &str = "period";
pub const PERIOD_END: &str = "period_end";
pub const PERIOD_COMPLETE: &str = "period_complete";
pub const TARGET: &str = "target";
pub const STATUS: &str = "status";
pub const VALUE: &str = "value";
pub const NUMERATOR: &str = "numerator";
pub const DENOMINATOR: &str = "denominator";
pub const TARGET_VALUE: &str = "target_value";
pub const STATUS_VALUE: &str = "status_value";
pub const PERIODS_COMPLETE: &str = "periods_complete";

/// Every field name of a KPI view that is not a KPI dimension.
pub const RESERVED: [&str; 17] = [
    PERIOD,
    "period_raw",
    "period_date",
    "period_week",
    "period_month",
    "period_quarter",
    "period_year",
    PERIOD_END,
    PERIOD_COMPLETE,
    TARGET,
    STATUS,
    VALUE,
    NUMERATOR,
    DENOMINATOR,
    TARGET_VALUE,
    STATUS_VALUE,
    PERIODS_COMPLETE,
];

/// `view.period_<timeframe>`.
pub fn period(view: &str, timeframe: &str) -> String {
    format!("{view}.{PERIOD}_{timeframe}")
}
