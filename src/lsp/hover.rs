//! What hovering a name shows: a KPI's title, definition read aloud, grain,
//! window, target, owner and version; a source's rows and columns; a team's
//! contacts; a column's type.

use super::symbols::Symbol;
use crate::model::{Model, Relation};

pub fn describe(model: &Model, symbol: &Symbol) -> String {
    match symbol {
        Symbol::Kpi(name) => kpi(model, name),
        Symbol::Source(name) => source(model, name),
        Symbol::Team(name) => team(model, name),
        Symbol::Dimension(name) => {
            let on: Vec<String> =
                model.sources.iter().filter(|s| s.dimension(name).is_some()).map(|s| format!("`{}`", s.name)).collect();
            format!("dimension `{name}`, on {}", if on.is_empty() { "no source".to_string() } else { on.join(", ") })
        }
        Symbol::Column { source, column } => {
            let found = model.sources.iter().find(|s| s.name.text == *source).and_then(|s| s.column(column));
            match found {
                Some(c) => format!("column `{column}` of source `{source}`: {}", format!("{:?}", c.ty).to_lowercase()),
                None => format!("no column `{column}` in source `{source}`"),
            }
        }
    }
}

fn kpi(model: &Model, name: &str) -> String {
    let Some(kpi) = model.kpis.iter().find(|k| k.name.text == name) else { return format!("no KPI named `{name}`") };
    let mut out = format!("**{}** — KPI `{name}`, version {}\n\n", kpi.title, kpi.version);
    out.push_str(&crate::emit::catalog::reading::kpi(model, kpi));
    out.push_str("\n\n");
    let value = kpi.written.excerpt(kpi.value.span).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ");
    out.push_str(&format!("```kpi\nvalue {value}\n```\n\n"));
    out.push_str(&format!("- grain: {}\n", kpi.grain.name()));
    if let Some(target) = &kpi.target {
        let written = kpi.written.excerpt(target.span).unwrap_or("").trim();
        out.push_str(&format!("- target: `{written}`\n"));
    }
    if let Some(owner) = kpi.owner {
        out.push_str(&format!("- owner: {} (`{}`)\n", model.team(owner).display_name, model.team(owner).name));
    }
    out.push_str(&format!("- declared in {}:{}\n", kpi.written.file, kpi.written.line));
    out
}

fn source(model: &Model, name: &str) -> String {
    let Some(source) = model.sources.iter().find(|s| s.name.text == name) else {
        return format!("no source named `{name}`");
    };
    let rows = match &source.relation {
        Relation::Table(table) => format!("table `{table}`"),
        Relation::Query { .. } => "a SQL query".to_string(),
    };
    let mut out = format!("**source `{name}`** — rows of {rows}");
    if let Some(time) = &source.time {
        out.push_str(&format!(", placed in periods by `{time}`"));
    }
    out.push_str("\n\n| column | type |\n|---|---|\n");
    for column in &source.columns {
        out.push_str(&format!("| `{}` | {} |\n", column.name, format!("{:?}", column.ty).to_lowercase()));
    }
    if let Some(description) = &source.description {
        out.push_str(&format!("\n{description}\n"));
    }
    out
}

fn team(model: &Model, name: &str) -> String {
    let Some(team) = model.teams.iter().find(|t| t.name.text == name) else { return format!("no team named `{name}`") };
    let mut out = format!("**{}** — team `{name}`\n", team.display_name);
    for (what, value) in [("email", &team.email), ("chat", &team.chat)] {
        if let Some(value) = value {
            out.push_str(&format!("\n- {what}: {value}"));
        }
    }
    let owned = model.kpis.iter().filter(|k| k.owner.is_some_and(|o| model.team(o).name.text == name)).count();
    out.push_str(&format!("\n- owns {owned} KPI(s)\n"));
    out
}
