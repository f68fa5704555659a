//! Local preview: loads sample data into embedded DuckDB, creates the
//! project's DuckDB views, and reads recent KPI values.

mod data;
mod format;

pub use format::render;

use std::path::Path;

use crate::emit::sql;
use crate::model::{Dialect, KpiId};
use crate::Valid;

/// Why a preview failed (exit code 2): the data or the engine.
#[derive(Debug)]
pub struct PreviewError(pub String);

impl std::fmt::Display for PreviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<duckdb::Error> for PreviewError {
    fn from(error: duckdb::Error) -> Self {
        PreviewError(format!("DuckDB: {error}"))
    }
}

/// One row of a KPI view, as text and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub period_start: String,
    pub dimensions: Vec<Option<String>>,
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub status: Option<String>,
}

/// The most recent periods of one KPI.
#[derive(Debug, Clone)]
pub struct Preview {
    pub kpi: KpiId,
    pub rows: Vec<Row>,
}

/// Loads `data` (a folder of CSV/Parquet files or a DuckDB file), creates every
/// view, and reads the last `periods` periods of each KPI of `kpis`.
pub fn run(valid: &Valid, data: &Path, kpis: &[KpiId], periods: usize) -> Result<Vec<Preview>, PreviewError> {
    let connection = duckdb::Connection::open_in_memory()?;
    data::load(&connection, valid.model, data)?;
    connection.execute_batch(&format!("{};", sql::create_schema(valid.model, Dialect::DuckDb)))?;
    for view in sql::views(valid, Dialect::DuckDb) {
        connection.execute_batch(&format!("{};", view.statement))?;
    }
    kpis.iter().map(|&kpi| read(&connection, valid, kpi, periods)).collect()
}

fn read(connection: &duckdb::Connection, valid: &Valid, id: KpiId, periods: usize) -> Result<Preview, PreviewError> {
    let model = valid.model;
    let kpi = model.kpi(id);
    let d = sql::for_dialect(Dialect::DuckDb);
    let view = format!("{}.{}", d.quote_ident(&model.settings.schema), d.quote_ident(&kpi.name.text));
    let dimensions: Vec<String> =
        kpi.dimensions.iter().map(|n| format!("CAST({} AS VARCHAR)", d.quote_ident(&n.text))).collect();
    let mut columns = vec!["CAST(\"period_start\" AS VARCHAR)".to_string()];
    columns.extend(dimensions.iter().cloned());
    columns.extend(["\"value\"".to_string(), "\"target\"".to_string(), "\"status\"".to_string()]);
    let order: Vec<String> = std::iter::once("\"period_start\"".to_string())
        .chain(dimensions.iter().map(|c| format!("{c} NULLS LAST")))
        .collect();
    let query = format!(
        "SELECT {} FROM {view} WHERE \"period_start\" IN (SELECT DISTINCT \"period_start\" FROM {view} ORDER BY 1 DESC LIMIT {periods}) ORDER BY {}",
        columns.join(", "),
        order.join(", ")
    );
    let mut statement = connection.prepare(&query)?;
    let n = kpi.dimensions.len();
    let rows = statement.query_map([], |row| {
        Ok(Row {
            period_start: row.get(0)?,
            dimensions: (0..n).map(|k| row.get(1 + k)).collect::<Result<_, _>>()?,
            value: row.get(1 + n)?,
            target: row.get(2 + n)?,
            status: row.get(3 + n)?,
        })
    })?;
    Ok(Preview { kpi: id, rows: rows.collect::<Result<_, _>>()? })
}
