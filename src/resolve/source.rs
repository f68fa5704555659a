//! `source` blocks: columns first (for every source), then joins, then
//! dimensions and filters, which may read joined columns.

use std::collections::HashMap;

use super::expr::{ExprResolver, Scope};
use super::names::Declarations;
use super::settings::invalid;
use super::sql::{self, SqlKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{
    Column, Dialect, Dimension, Join, Name, NameLevel, Relation, Source, SourceId, TimestampStorage, Type, Validity,
};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, Ident};

const COLUMN_TYPES: [&str; 7] = ["string", "number", "integer", "boolean", "timestamp", "datetime", "date"];

pub fn resolve_all(
    declarations: &Declarations,
    files: &SourceMap,
    dialects: &[Dialect],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Source> {
    let mut sources: Vec<Source> =
        declarations.sources.iter().map(|decl| shell(decl, files, dialects, diagnostics)).collect();
    for (index, decl) in declarations.sources.iter().enumerate() {
        let joins = joins(SourceId(index as u32), decl, &sources, declarations, files, dialects, diagnostics);
        sources[index].joins = joins;
    }
    let no_kpis = HashMap::new();
    for (index, decl) in declarations.sources.iter().enumerate() {
        let base = SourceId(index as u32);
        let scope = Scope::Row { base, period: false };
        for dimension in &decl.dimensions {
            let mut resolver = resolver(&sources, declarations, &no_kpis, files, dialects, diagnostics);
            let expr = match &dimension.expr {
                Some(expr) => resolver.resolve(expr, scope),
                None => resolver.resolve(&path_expr(&dimension.name), scope),
            };
            let name = Name { text: dimension.name.name.clone(), span: dimension.name.span };
            if let Some(first) = sources[index].dimension(&name.text) {
                diagnostics.push(duplicate("dimension", &dimension.name, first.name.span));
                continue;
            }
            sources[index].dimensions.push(Dimension { name, expr });
        }
        let filters = decl
            .filters
            .iter()
            .map(|f| {
                resolver(&sources, declarations, &no_kpis, files, dialects, diagnostics).expect(
                    f,
                    scope,
                    Type::Boolean,
                    "a `filter`",
                )
            })
            .collect();
        sources[index].filters = filters;
    }
    sources
}

fn resolver<'a>(
    sources: &'a [Source],
    declarations: &'a Declarations,
    kpi_ids: &'a HashMap<String, crate::model::KpiId>,
    files: &'a SourceMap,
    dialects: &'a [Dialect],
    diagnostics: &'a mut Vec<Diagnostic>,
) -> ExprResolver<'a> {
    ExprResolver {
        sources,
        source_ids: &declarations.source_ids,
        kpi_ids,
        files,
        dialects,
        kpi_filters: &[],
        diagnostics,
    }
}

fn path_expr(name: &Ident) -> ast::Expr {
    ast::Expr { kind: ast::ExprKind::Path(vec![name.clone()]), span: name.span }
}

fn duplicate(what: &str, name: &Ident, first: Span) -> Diagnostic {
    Diagnostic::new(Code::DuplicateName, name.span, format!("{what} `{}` is declared twice", name.name))
        .label("declared again here")
        .secondary(first, "first declared here")
        .help(format!("keep one `{}`", name.name))
}

/// A table name (`table`, `schema.table` or `catalog.schema.table`) that a
/// warehouse refuses: the table and schema parts are checked, a catalog or
/// project in front is not.
fn warehouse_name_refused(name: &str, span: Span, dialects: &[Dialect]) -> Option<Diagnostic> {
    let mut parts = name.rsplit('.');
    let table = parts.next()?;
    super::naming::refused(NameLevel::Table, table, span, dialects)
        .or_else(|| super::naming::refused(NameLevel::Schema, parts.next()?, span, dialects))
}

/// Everything but joins, dimensions and filters.
fn shell(decl: &ast::SourceDecl, files: &SourceMap, dialects: &[Dialect], diagnostics: &mut Vec<Diagnostic>) -> Source {
    let relation = match &decl.relation {
        Some(ast::Relation::Table(table)) => {
            if table.node.contains("${") && dialects.contains(&Dialect::Databricks) {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, table.span, "Databricks would substitute `${…}` in this name")
                        .label("`${` in a table name")
                        .help("name the table as the warehouse knows it"),
                );
            }
            if table.node.split('.').any(|part| part.trim().is_empty()) {
                diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, table.span, format!("`{}` is not a table name", table.node))
                        .label("a part of the name is empty")
                        .help("write `table \"schema.table\"` or `table \"table\"`"),
                );
            } else if let Some(refused) = warehouse_name_refused(&table.node, table.span, dialects) {
                diagnostics.push(refused);
            }
            Relation::Table(table.node.clone())
        }
        Some(ast::Relation::Query(query)) => {
            let file = files.get(query.span.file);
            let (sql, tables) = sql::check(&query.node, SqlKind::Query, query.span, file, dialects, diagnostics);
            Relation::Query { sql, tables }
        }
        None => {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingProperty,
                    decl.id.span,
                    format!("source `{}` says neither `table` nor `sql`", decl.id.name),
                )
                .label("where are its rows?")
                .help("add `table \"schema.table\"` or `sql \"\"\"select …\"\"\"`"),
            );
            Relation::Table(decl.id.name.clone())
        }
    };
    let mut columns: Vec<Column> = Vec::new();
    for column in &decl.columns {
        if let Some(first) = columns.iter().find(|c| c.name.text == column.name.name) {
            diagnostics.push(duplicate("column", &column.name, first.name.span));
            continue;
        }
        let ty = Type::from_column_type(&column.ty.name).unwrap_or_else(|| {
            diagnostics.push(invalid(&column.ty, "column type", &COLUMN_TYPES));
            Type::Any
        });
        let storage = match column.ty.name.as_str() {
            "datetime" => Some(TimestampStorage::UtcReading),
            "timestamp" => Some(TimestampStorage::Instant),
            _ => None,
        };
        columns.push(Column { name: Name { text: column.name.name.clone(), span: column.name.span }, ty, storage });
    }
    let mut source = Source {
        name: Name { text: decl.id.name.clone(), span: decl.id.span },
        relation,
        time: None,
        key: None,
        columns,
        dimensions: Vec::new(),
        filters: Vec::new(),
        joins: Vec::new(),
        validity: None,
        description: decl.description.as_ref().map(|d| d.node.clone()),
        written: files.written(decl.span),
    };
    source.time = decl.time.as_ref().and_then(|t| temporal_column(&source, t, "time", diagnostics));
    source.key = decl.key.as_ref().and_then(|k| known_column(&source, k, diagnostics).map(|_| k.name.clone()));
    source.validity = decl.validity.as_ref().and_then(|v| {
        let start = temporal_column(&source, &v.start, "validity start", diagnostics);
        let end = temporal_column(&source, &v.end, "validity end", diagnostics);
        Some(Validity { start: start?, end: end? })
    });
    source
}

fn known_column<'s>(source: &'s Source, name: &Ident, diagnostics: &mut Vec<Diagnostic>) -> Option<&'s Column> {
    let found = source.column(&name.name);
    if found.is_none() {
        let candidates = source.columns.iter().map(|c| c.name.text.as_str());
        let mut diagnostic = Diagnostic::new(
            Code::UnknownColumn,
            name.span,
            format!("source `{}` has no column `{}`", source.name, name.name),
        )
        .label("unknown column")
        .help("declare it in `columns`, with its type");
        if let Some(help) = crate::diagnostics::did_you_mean(&name.name, candidates) {
            diagnostic = diagnostic.help(help);
        }
        diagnostics.push(diagnostic);
    }
    found
}

fn temporal_column(source: &Source, name: &Ident, what: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    let column = known_column(source, name, diagnostics)?;
    if !column.ty.is_temporal() {
        diagnostics.push(
            Diagnostic::new(
                Code::TypeMismatch,
                name.span,
                format!("the {what} column must be a timestamp or date, `{}` is a {}", name.name, column.ty.name()),
            )
            .label(format!("a {}", column.ty.name()))
            .secondary(column.name.span, "declared here"),
        );
        return None;
    }
    Some(column.name.text.clone())
}

fn joins(
    base: SourceId,
    decl: &ast::SourceDecl,
    sources: &[Source],
    declarations: &Declarations,
    files: &SourceMap,
    dialects: &[Dialect],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Join> {
    let mut joins: Vec<Join> = Vec::new();
    for join in &decl.joins {
        let Some(&target) = declarations.source_ids.get(&join.target.name) else {
            let mut diagnostic = Diagnostic::new(
                Code::UnknownSource,
                join.target.span,
                format!("no source named `{}`", join.target.name),
            )
            .label("unknown source");
            if let Some(help) =
                crate::diagnostics::did_you_mean(&join.target.name, declarations.source_ids.keys().map(String::as_str))
            {
                diagnostic = diagnostic.help(help);
            }
            diagnostics.push(diagnostic);
            continue;
        };
        if target == base {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, join.target.span, "a source cannot join itself")
                    .help("declare a second source over the same table"),
            );
            continue;
        }
        if let Some(first) = joins.iter().find(|j| j.target == target) {
            diagnostics.push(duplicate("join", &join.target, first.span));
            continue;
        }
        let no_kpis = HashMap::new();
        let scope = Scope::JoinOn { base, join: joins.len(), target };
        let on = resolver(sources, declarations, &no_kpis, files, dialects, diagnostics).expect(
            &join.on,
            scope,
            Type::Boolean,
            "a join condition",
        );
        joins.push(Join { target, on, span: join.target.span });
    }
    joins
}
