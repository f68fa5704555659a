//! Sample data for a preview: every `.csv` and `.parquet` file of a folder
//! becomes a table (`analytics.signups.csv` or `analytics/signups.csv` →
//! `analytics.signups`, typed as the source that reads it declares), or a
//! DuckDB database file is attached read-only.

use std::path::{Path, PathBuf};

use super::PreviewError;
use crate::model::{Model, Relation, Type};

pub fn load(connection: &duckdb::Connection, model: &Model, data: &Path) -> Result<(), PreviewError> {
    if data.is_file() {
        return attach(connection, data);
    }
    let files = data_files(data)?;
    if files.is_empty() {
        return Err(PreviewError(format!("`{}` holds no .csv or .parquet files", data.display())));
    }
    let missing: Vec<String> = model
        .sources
        .iter()
        .filter_map(|s| match &s.relation {
            Relation::Table(table) if !files.iter().any(|(name, _)| name == table) => Some(format!("`{table}.csv`")),
            _ => None,
        })
        .collect();
    if !missing.is_empty() {
        let count = missing.len();
        return Err(PreviewError(format!(
            "`{}` has no data for {count} table(s): add {}",
            data.display(),
            missing.join(", ")
        )));
    }
    for (table, path) in files {
        let (schema, name) = table.split_once('.').unwrap_or(("main", table.as_str()));
        let quoted = format!("{}.{}", quote(schema), quote(name));
        let path_literal = literal(&path.to_string_lossy());
        let reader = if path.extension().is_some_and(|e| e == "parquet") {
            format!("read_parquet({path_literal})")
        } else {
            format!("read_csv({path_literal}, header = true{})", column_types(model, &table))
        };
        connection
            .execute_batch(&format!(
                "CREATE SCHEMA IF NOT EXISTS {}; CREATE TABLE {quoted} AS SELECT * FROM {reader};",
                quote(schema)
            ))
            .map_err(|e| PreviewError(format!("cannot load `{}`: {e}", path.display())))?;
    }
    Ok(())
}

/// `table name → file`, sorted, from `schema.table.ext` or `schema/table.ext`.
fn data_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, PreviewError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| PreviewError(format!("cannot read `{}`: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let schema = entry.file_name().to_string_lossy().into_owned();
            for (table, file) in data_files(&path)? {
                out.push((format!("{schema}.{table}"), file));
            }
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("csv" | "parquet")) {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            out.push((stem, path));
        }
    }
    out.sort();
    Ok(out)
}

/// `, types = {'col': 'TIMESTAMP', …}` from the source reading `table`, if any.
fn column_types(model: &Model, table: &str) -> String {
    let Some(source) = model.sources.iter().find(|s| s.relation == Relation::Table(table.to_string())) else {
        return String::new();
    };
    let types: Vec<String> =
        source.columns.iter().map(|c| format!("{}: {}", literal(&c.name.text), literal(duckdb_type(c.ty)))).collect();
    format!(", types = {{{}}}", types.join(", "))
}

fn duckdb_type(ty: Type) -> &'static str {
    match ty {
        Type::String => "VARCHAR",
        Type::Number => "DOUBLE",
        Type::Boolean => "BOOLEAN",
        Type::Timestamp => "TIMESTAMP",
        Type::Date => "DATE",
        Type::Duration | Type::Null | Type::Any => "VARCHAR",
    }
}

/// Attaches a DuckDB file read-only and exposes each of its tables under its own schema and name.
fn attach(connection: &duckdb::Connection, file: &Path) -> Result<(), PreviewError> {
    connection.execute_batch(&format!("ATTACH {} AS \"sample\" (READ_ONLY);", literal(&file.to_string_lossy())))?;
    let mut statement = connection
        .prepare("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'sample' ORDER BY 1, 2")?;
    let tables: Vec<(String, String)> =
        statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    for (schema, table) in tables {
        connection.execute_batch(&format!(
            "CREATE SCHEMA IF NOT EXISTS {s}; CREATE VIEW {s}.{t} AS SELECT * FROM \"sample\".{s}.{t};",
            s = quote(&schema),
            t = quote(&table)
        ))?;
    }
    Ok(())
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
