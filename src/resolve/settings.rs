//! The `project` block and `team` blocks.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::model::{Dialect, Looker, Name, NameLevel, Periods, Settings, Team, Until, Weekday};
use crate::syntax::ast::{self, Spanned};

pub fn resolve(projects: &[&ast::ProjectDecl], diagnostics: &mut Vec<Diagnostic>) -> Settings {
    let mut settings = Settings::default();
    let Some((project, others)) = projects.split_first() else {
        return settings;
    };
    for other in others {
        diagnostics.push(
            Diagnostic::new(Code::DuplicateProject, other.name.span, "a project has one `project` block")
                .label("second `project` block")
                .secondary(project.name.span, "first `project` block")
                .help("merge the settings into one block"),
        );
    }
    settings.name = project.name.name.clone();
    settings.declared_at = Some(project.name.span);
    if let Some(schema) = &project.schema {
        if schema.node.trim().is_empty() {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, schema.span, "the schema has no name")
                    .help("write e.g. `schema kpi`"),
            );
        } else {
            settings.schema = schema.node.clone();
        }
    }
    if let Some(dialects) = &project.dialects {
        settings.dialects = dialects.node.iter().filter_map(|d| dialect(d, diagnostics)).collect();
        settings.dialects.sort();
        settings.dialects.dedup();
        if dialects.node.is_empty() {
            diagnostics
                .push(Diagnostic::new(Code::InvalidValue, dialects.span, "a project emits at least one dialect").help(
                "list the warehouses you use, e.g. `dialects [postgres, snowflake]`, or remove the line for all seven",
            ));
        }
    }
    if let Some(day) = &project.week_start {
        match Weekday::ALL.into_iter().find(|w| w.name() == day.name) {
            Some(w) => settings.week_start = w,
            None => diagnostics.push(invalid(day, "week start", Weekday::ALL.map(Weekday::name).as_slice())),
        }
    }
    if let Some(schema) = &project.schema {
        let strictest = Dialect::strictest_identifier_limit(&settings.dialects);
        if let Some((limit, dialect)) = strictest.filter(|(limit, _)| schema.node.len() > *limit) {
            diagnostics.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    schema.span,
                    format!("the schema name is {} bytes long; {} keeps {limit}", schema.node.len(), dialect.name()),
                )
                .help(format!("name the schema in at most {limit} bytes")),
            );
        } else {
            diagnostics.extend(super::naming::refused(
                NameLevel::Schema,
                &schema.node,
                schema.span,
                &settings.dialects,
            ));
        }
    }
    if let Some(zone) = &project.time_zone {
        match zone.node.parse::<chrono_tz::Tz>() {
            Ok(_) => settings.time_zone = zone.node.clone(),
            Err(_) => diagnostics.push(unknown_time_zone(zone)),
        }
    }
    if let Some(keep) = &project.keep_versions {
        settings.keep_versions = keep.node;
    }
    if let Some(decl) = &project.periods {
        settings.periods = periods(decl, diagnostics);
    }
    if let Some(decl) = &project.looker {
        settings.looker = looker(decl, &settings, diagnostics);
        if let Some(schema) = project.schema.as_ref().filter(|s| breaks_lookml_sql(&s.node)) {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, schema.span, "Looker cannot read this schema name")
                    .label("holds `;;`, `${`, `{{` or `{%`")
                    .help("LookML ends SQL at `;;` and evaluates `${…}` and Liquid inside it: name the schema without them"),
            );
        }
    }
    settings
}

/// `periods from <date> until <date | current>`, its dates checked.
pub fn periods(decl: &ast::PeriodsDecl, diagnostics: &mut Vec<Diagnostic>) -> Periods {
    let date = |d: &Spanned<String>, diagnostics: &mut Vec<Diagnostic>| {
        let valid = super::kpi::valid_date(&d.node);
        if !valid {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, d.span, format!("`{}` is not a calendar date", d.node))
                    .help("write YYYY-MM-DD"),
            );
        }
        valid.then(|| d.node.clone())
    };
    let from = decl.from.as_ref().and_then(|d| date(d, diagnostics));
    let until = decl.until.as_ref().and_then(|u| match &u.node {
        ast::UntilDecl::Current => Some(Until::Current),
        ast::UntilDecl::Date(text) => date(&Spanned { node: text.clone(), span: u.span }, diagnostics).map(Until::Date),
    });
    if let (Some(start), Some(Until::Date(end)), Some(until)) = (&from, &until, &decl.until) {
        if start > end {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, until.span, "the periods end before they start")
                    .label("before the `from` date")
                    .help("write `periods from <first date> until <last date>`"),
            );
        }
    }
    Periods { from, until }
}

/// Whether text inside a LookML `sql:` would end it or be evaluated by Looker.
fn breaks_lookml_sql(text: &str) -> bool {
    [";;", "${", "{{", "{%"].iter().any(|marker| text.contains(marker))
}

/// The `looker` block; `None` (with a diagnostic) when it is incomplete.
fn looker(decl: &ast::LookerDecl, settings: &Settings, diagnostics: &mut Vec<Diagnostic>) -> Option<Looker> {
    let connection = match &decl.connection {
        Some(c) if !c.node.trim().is_empty() => Some(c.node.clone()),
        Some(c) => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidValue, c.span, "the Looker connection has no name")
                    .help("write the name of the connection as Looker's Admin > Connections lists it"),
            );
            None
        }
        None => {
            diagnostics.push(
                Diagnostic::new(Code::MissingProperty, decl.span, "the `looker` block names no connection")
                    .label("LookML needs a connection")
                    .help("add `connection \"…\"`, the name of the Looker connection to your warehouse"),
            );
            None
        }
    };
    let (model, model_span) = match &decl.model {
        Some(m) => (m.node.clone(), m.span),
        None => (settings.name.clone(), decl.span),
    };
    let model_ok =
        !model.is_empty() && model.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !model_ok {
        let what = if decl.model.is_some() { "the Looker model" } else { "the Looker model (the project's name)" };
        diagnostics.push(
            Diagnostic::new(Code::InvalidValue, model_span, format!("{what} `{model}` is not a LookML name"))
                .label("not lower-case letters, digits and `_`")
                .help("Looker model names are lower-case letters, digits and `_`: write e.g. `model \"kpis\"`"),
        );
    }
    let dialect = match &decl.dialect {
        Some(name) => dialect(name, diagnostics).and_then(|found| {
            if settings.dialects.contains(&found) {
                return Some(found);
            }
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    name.span,
                    format!("Looker reads the {} views, which the project does not emit", found.name()),
                )
                .label("not among the project's `dialects`")
                .help(format!("add {} to `dialects`, or name one of the project's dialects", found.name())),
            );
            None
        }),
        None => {
            match settings.dialects.as_slice() {
                [only] => Some(*only),
                _ => {
                    diagnostics.push(
                    Diagnostic::new(Code::MissingProperty, decl.span, "the `looker` block names no dialect")
                        .label("which views does Looker read?")
                        .help("add `dialect …`, the warehouse of the Looker connection (one of the project's `dialects`)"),
                );
                    None
                }
            }
        }
    };
    Some(Looker { connection: connection?, model: model_ok.then_some(model)?, dialect: dialect? })
}

/// Time zones are IANA names: an offset such as `+05:30` means opposite
/// things in PostgreSQL (POSIX) and DuckDB (ISO 8601), and has no DST.
fn unknown_time_zone(zone: &ast::Spanned<String>) -> Diagnostic {
    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    let same_but_case = names.clone().find(|name| name.eq_ignore_ascii_case(&zone.node));
    let help = match same_but_case.map(|n| format!("did you mean `{n}`?")).or_else(|| did_you_mean(&zone.node, names)) {
        Some(suggestion) => format!("{suggestion} (time zones are IANA names such as `Europe/Berlin`)"),
        None => "write an IANA time zone name such as `Europe/Berlin` or `America/New_York`".to_string(),
    };
    Diagnostic::new(Code::InvalidValue, zone.span, format!("unknown time zone `{}`", zone.node))
        .label("not an IANA time zone")
        .help(help)
}

fn dialect(name: &ast::Ident, diagnostics: &mut Vec<Diagnostic>) -> Option<Dialect> {
    let found = Dialect::from_name(&name.name);
    if found.is_none() {
        diagnostics.push(invalid(name, "dialect", Dialect::ALL.map(Dialect::name).as_slice()));
    }
    found
}

/// "unknown grain `wek`" with the allowed values and a suggestion.
pub fn invalid(value: &ast::Ident, what: &str, allowed: &[&str]) -> Diagnostic {
    let diagnostic = Diagnostic::new(Code::InvalidValue, value.span, format!("unknown {what} `{}`", value.name))
        .label(format!("not a {what}"));
    let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
    match did_you_mean(&value.name, allowed.iter().copied()) {
        Some(suggestion) => diagnostic.help(format!("{suggestion} ({what} is one of {list})")),
        None => diagnostic.help(format!("{what} is one of {list}")),
    }
}

pub fn team(decl: &ast::TeamDecl) -> Team {
    Team {
        name: Name { text: decl.id.name.clone(), span: decl.id.span },
        display_name: decl.name.as_ref().map_or_else(|| decl.id.name.clone(), |n| n.node.clone()),
        email: decl.email.as_ref().map(|e| e.node.clone()),
        chat: decl.chat.as_ref().map(|c| c.node.clone()),
        description: decl.description.as_ref().map(|d| d.node.clone()),
    }
}
