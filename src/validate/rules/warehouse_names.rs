//! `name-collision` and `name-too-long`: every view kpic creates needs a
//! name of its own in the warehouse. Names are compared case-insensitively,
//! since DuckDB, Redshift, Databricks and Trino fold case (and so do the
//! file names of case-insensitive file systems), and must fit the dialects'
//! identifier limits, since PostgreSQL and Redshift silently truncate.

use std::collections::HashMap;

use crate::diagnostics::{Code, Diagnostic};

use crate::graph::Graph;
use crate::model::{Dialect, Kpi, Model, Relation, DEPLOY_SCRIPT, SCOREBOARD_VIEW};
use crate::source::Span;

/// Reports colliding and overlong view names, and views named like the tables sources read.
pub fn check(model: &Model, _graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    let mut taken: HashMap<String, (String, Span)> = HashMap::with_capacity(2 * model.kpis.len());
    // A KPI's views are also its file, `sql/<dialect>/<kpi>.sql`.
    let kpics_own = [
        (SCOREBOARD_VIEW, "the name of kpic's scoreboard view", "taken by the scoreboard"),
        (
            DEPLOY_SCRIPT,
            "the name of the file that creates every view, `sql/<dialect>/deploy.sql`",
            "taken by deploy.sql",
        ),
    ];
    for kpi in &model.kpis {
        let Some((name, what, label)) = kpics_own.iter().find(|(name, ..)| kpi.name.text.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        diagnostics.push(
            Diagnostic::new(Code::NameCollision, kpi.name.span, format!("`{name}` is {what}"))
                .label(*label)
                .help("rename the KPI"),
        );
    }
    let strictest = Dialect::strictest_identifier_limit(&model.settings.dialects);
    for kpi in &model.kpis {
        let views = [kpi.name.text.clone(), versioned(kpi)];
        let keys = views.each_ref().map(|view| view.to_lowercase());
        // One report per KPI: `Revenue` clashes with `revenue` twice, alias and versioned view.
        match views.iter().zip(&keys).find_map(|(view, key)| Some((view, taken.get(key)?))) {
            Some((view, (other, first))) => diagnostics.push(collision(kpi, view, other, *first)),
            None => taken.extend(keys.into_iter().zip(views).map(|(key, view)| (key, (view, kpi.name.span)))),
        }
        if let Some(limit) = strictest {
            too_long(kpi, limit, diagnostics);
        }
    }
    tables_named_like_views(model, &taken, diagnostics);
}

fn versioned(kpi: &Kpi) -> String {
    format!("{}_v{}", kpi.name.text, kpi.version)
}

fn collision(kpi: &Kpi, view: &str, other: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NameCollision,
        kpi.name.span,
        format!("KPI `{}` needs the view `{view}`, which is taken", kpi.name),
    )
    .label(format!("its view `{view}`"))
    .secondary(first, format!("has the view `{other}`"))
    .help("view names are compared ignoring case; rename one of the KPIs")
}

fn too_long(kpi: &Kpi, (limit, dialect): (usize, Dialect), diagnostics: &mut Vec<Diagnostic>) {
    // Dimensions are columns of the view, under the same limit.
    for dimension in kpi.dimensions.iter().filter(|d| d.text.len() > limit) {
        diagnostics.push(
            Diagnostic::new(
                Code::NameTooLong,
                dimension.span,
                format!(
                    "the column `{}` is {} bytes long; {} keeps {limit}",
                    dimension.text,
                    dimension.text.len(),
                    dialect.name()
                ),
            )
            .label("too long for the warehouse")
            .help(format!("name the dimension in at most {limit} bytes")),
        );
    }
    let view = versioned(kpi);
    if view.len() <= limit {
        return;
    }
    let keep = limit.saturating_sub(view.len() - kpi.name.text.len());
    diagnostics.push(
        Diagnostic::new(
            Code::NameTooLong,
            kpi.name.span,
            format!("the view `{view}` is {} bytes long; {} keeps {limit}", view.len(), dialect.name()),
        )
        .label("too long for the warehouse")
        .help(format!("shorten the KPI id to at most {keep} bytes")),
    );
}

/// A KPI view in the project's schema named like a table a source reads
/// would replace it; a SQL source that reads a KPI view reads kpic's own
/// output, which a deploy creates after the source's KPIs (or never).
fn tables_named_like_views(model: &Model, views: &HashMap<String, (String, Span)>, diagnostics: &mut Vec<Diagnostic>) {
    let schema = model.settings.schema.to_lowercase();
    for source in &model.sources {
        let (tables, reads_query) = match &source.relation {
            Relation::Table(table) => (std::slice::from_ref(table), false),
            Relation::Query { tables, .. } => (tables.as_slice(), true),
        };
        for table in tables {
            let parts: Vec<String> = table.split('.').map(str::to_lowercase).collect();
            let [.., table_schema, name] = parts.as_slice() else { continue };
            if *table_schema != schema {
                continue;
            }
            if name == SCOREBOARD_VIEW {
                diagnostics.push(
                    Diagnostic::new(
                        Code::NameCollision,
                        source.name.span,
                        format!("source `{}` reads `{table}`, kpic's scoreboard view", source.name),
                    )
                    .label("reads the scoreboard")
                    .help("read the tables the KPIs read, or give the project another `schema` for its views"),
                );
                continue;
            }
            let Some((view, span)) = views.get(name) else { continue };
            let qualified = format!("{}.{view}", model.settings.schema);
            let diagnostic = if reads_query {
                Diagnostic::new(
                    Code::NameCollision,
                    source.name.span,
                    format!("source `{}` reads `{qualified}`, a view kpic creates", source.name),
                )
                .label(format!("its query reads `{table}`"))
                .secondary(*span, format!("creates the view `{view}`"))
                .help("read the tables the KPI reads, or write a KPI over that KPI")
            } else {
                Diagnostic::new(
                    Code::NameCollision,
                    *span,
                    format!("the view `{qualified}` would replace the table `{table}`"),
                )
                .label(format!("its view `{view}`"))
                .secondary(source.name.span, format!("source `{}` reads `{table}`", source.name))
                .help("rename the KPI, or give the project another `schema` for its views")
            };
            diagnostics.push(diagnostic);
        }
    }
}
