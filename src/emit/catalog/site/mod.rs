//! The catalog website: plain HTML pages rendered from the catalog document
//! by compile-time askama templates (every value HTML-escaped), a stylesheet,
//! and two small scripts (search, SQL tabs). No server, no other origin: it
//! works from `file://` and any static host (docs/catalog.md).

mod highlight;
mod lineage;
mod markdown;

use std::collections::BTreeMap;

use askama::{DynTemplate, Template};

use super::document::{Catalog, KpiEntry, RelationEntry, SourceEntry, TeamEntry};
use crate::emit::OutputFile;
use crate::model::{Grain, Lifecycle, Periods, Unit, Until, Window};
use crate::Valid;

/// The folder of the site inside the catalog's folder.
pub const DIR: &str = "site";

/// Scripts and styles from the site's own files only; nothing inline, no other origin.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

const STYLESHEET: &str = include_str!("../assets/site.css");
const SEARCH_SCRIPT: &str = include_str!("../assets/search.js");
const PAGE_SCRIPT: &str = include_str!("../assets/page.js");

/// What every page's frame needs.
struct Layout<'a> {
    /// The way back to the site's root from the page: `""` or `"../"`.
    root: &'static str,
    project: &'a str,
}

impl Layout<'_> {
    fn csp(&self) -> &'static str {
        CSP
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    layout: Layout<'a>,
    /// `54 KPIs`.
    kpi_count: String,
    /// What the catalog holds, in a sentence.
    lede: String,
    teams: &'a [TeamEntry],
    team_options: Vec<FilterOption>,
    tag_options: Vec<FilterOption>,
    unit_options: Vec<FilterOption>,
    lifecycle_options: Vec<FilterOption>,
}

struct FilterOption {
    value: String,
    label: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "kpi.html")]
struct KpiPage<'a> {
    layout: Layout<'a>,
    kpi: &'a KpiEntry,
    schema: &'a str,
    team_name: &'a str,
    team_email: Option<&'a str>,
    /// The link to write to the team, when its email is a plain address.
    mailto: Option<String>,
    team_chat: Option<&'a str>,
    lifecycle: &'static str,
    replacement: Option<&'a str>,
    description_html: Option<String>,
    dsl_html: String,
    grain: &'static str,
    window: String,
    /// The fixed ends of the calendar, read aloud (empty: the data decides).
    periods: String,
    unit: String,
    /// The target's goal in words: `at least 60%`, `between 1 and 2`.
    goal: String,
    lineage_svg: String,
    lineage_omitted: usize,
    dashboards: Vec<String>,
    sql_tabs: Vec<SqlTab<'a>>,
    links: Vec<LinkView<'a>>,
}

impl KpiPage<'_> {
    /// About the length of the rendered page: the template's text and the longest values.
    fn size_hint(&self) -> usize {
        let tabs: usize = self.sql_tabs.iter().map(|tab| tab.statement_html.len() + 2 * tab.view.len()).sum();
        let description = self.description_html.as_ref().map_or(0, String::len);
        <Self as Template>::SIZE_HINT + tabs + self.lineage_svg.len() + self.dsl_html.len() + description
    }
}

struct SqlTab<'a> {
    name: &'static str,
    label: &'static str,
    view: &'a str,
    /// The statement as the text of an element: `&`, `<` and `>` escaped
    /// (quotes need no escaping there, and SQL is full of them).
    statement_html: String,
}

struct LinkView<'a> {
    label: &'a str,
    /// `None` when the URL is not one the site links to (`javascript:` and the like).
    url: Option<&'a str>,
}

/// A row of a table of KPIs.
struct KpiRow<'a> {
    id: &'a str,
    title: &'a str,
    grain: &'static str,
    target: &'a str,
    lifecycle: &'static str,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    layout: Layout<'a>,
    team: &'a TeamEntry,
    rows: Vec<KpiRow<'a>>,
    mailto: Option<String>,
}

#[derive(Template)]
#[template(path = "source.html")]
struct SourcePage<'a> {
    layout: Layout<'a>,
    source: &'a SourceEntry,
    columns: Vec<(&'a str, &'static str)>,
    rows: Vec<KpiRow<'a>>,
    dsl_html: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    layout: Layout<'a>,
    heading: &'static str,
    /// The folder of the entries' pages.
    dir: &'static str,
    noun: &'static str,
    detail_heading: &'static str,
    entries: Vec<ListEntry<'a>>,
}

struct ListEntry<'a> {
    id: &'a str,
    label: &'a str,
    detail: String,
    count: usize,
}

/// One entry of the search index (`assets/search-index.js`).
#[derive(serde::Serialize)]
struct SearchEntry<'a> {
    id: &'a str,
    title: &'a str,
    description: String,
    tags: &'a [String],
    team: &'a str,
    team_name: &'a str,
    unit: &'static str,
    lifecycle: &'static str,
    status_note: String,
    url: String,
}

/// The site's stylesheet and scripts, paths relative to the catalog folder.
pub fn assets() -> Vec<OutputFile> {
    vec![
        OutputFile::new(format!("{DIR}/assets/site.css"), STYLESHEET),
        OutputFile::new(format!("{DIR}/assets/search.js"), SEARCH_SCRIPT),
        OutputFile::new(format!("{DIR}/assets/page.js"), PAGE_SCRIPT),
    ]
}

/// The page of a file of the site, its path relative to the catalog folder.
fn page_file(path: String, page: &dyn DynTemplate) -> OutputFile {
    // Rendering fails only when a value's `Display` does; every value here is text or a number.
    OutputFile::new(format!("{DIR}/{path}"), page.dyn_render().expect("a page renders into a String"))
}

/// The pages of `kpis` (with their SQL), rendered on every core.
pub fn kpi_pages(valid: &Valid, catalog: &Catalog, kpis: &[(crate::model::KpiId, &KpiEntry)]) -> Vec<OutputFile> {
    let project = catalog.project.name.as_str();
    let teams: BTreeMap<&str, &TeamEntry> = catalog.teams.iter().map(|t| (t.id.as_str(), t)).collect();
    crate::parallel::map_in_parallel(kpis, |&(id, kpi)| {
        let page = kpi_page(valid, catalog, id, kpi, &teams, Layout { root: "../", project });
        // Sized once: most of a page is its SQL and lineage picture, which the template's own hint leaves out.
        let mut html = String::with_capacity(page.size_hint());
        page.render_into(&mut html).expect("a page renders into a String");
        OutputFile::new(format!("{DIR}/kpis/{}.html", kpi.id), html)
    })
}

/// The pages over every KPI: the index and its search index, the team and
/// source pages and their lists.
pub fn overview_pages(catalog: &Catalog) -> Vec<OutputFile> {
    let project = catalog.project.name.as_str();
    let teams: BTreeMap<&str, &TeamEntry> = catalog.teams.iter().map(|t| (t.id.as_str(), t)).collect();
    let by_id: BTreeMap<&str, &KpiEntry> = catalog.kpis.iter().map(|k| (k.id.as_str(), k)).collect();
    let top = || Layout { root: "", project };
    let nested = || Layout { root: "../", project };
    let mut files = vec![
        OutputFile::new(format!("{DIR}/assets/search-index.js"), search_index(catalog, &teams)),
        page_file("index.html".into(), &index_page(catalog, top())),
    ];
    for team in &catalog.teams {
        let rows = rows(&by_id, &team.kpis);
        let mailto = team.email.as_deref().and_then(mailto);
        files.push(page_file(format!("teams/{}.html", team.id), &TeamPage { layout: nested(), team, rows, mailto }));
    }
    for source in &catalog.sources {
        let columns = source.columns.iter().map(|c| (c.name.as_str(), c.ty.name())).collect();
        let rows = rows(&by_id, &source.used_by);
        let dsl_html = highlight::kpi_text(&source.definition.text);
        let page = SourcePage { layout: nested(), source, columns, rows, dsl_html };
        files.push(page_file(format!("sources/{}.html", source.id), &page));
    }
    let team_entries = catalog
        .teams
        .iter()
        .map(|t| ListEntry {
            id: &t.id,
            label: &t.name,
            detail: [t.email.as_deref(), t.chat.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · "),
            count: t.kpis.len(),
        })
        .collect();
    let teams_page = ListPage {
        layout: top(),
        heading: "Teams",
        dir: "teams",
        noun: "Team",
        detail_heading: "Contacts",
        entries: team_entries,
    };
    files.push(page_file("teams.html".into(), &teams_page));
    let source_entries = catalog
        .sources
        .iter()
        .map(|s| ListEntry {
            id: &s.id,
            label: &s.id,
            detail: match &s.relation {
                RelationEntry::Table { table } => format!("table {table}"),
                RelationEntry::Sql { tables, .. } => format!("SQL over {}", tables.join(", ")),
            },
            count: s.used_by.len(),
        })
        .collect();
    let sources_page = ListPage {
        layout: top(),
        heading: "Sources",
        dir: "sources",
        noun: "Source",
        detail_heading: "Reads",
        entries: source_entries,
    };
    files.push(page_file("sources.html".into(), &sources_page));
    files
}

fn index_page<'a>(catalog: &'a Catalog, layout: Layout<'a>) -> IndexPage<'a> {
    let mut teams: BTreeMap<&str, (String, usize)> = BTreeMap::new();
    for team in &catalog.teams {
        teams.insert(&team.id, (team.name.clone(), team.kpis.len()));
    }
    let count = |values: Vec<&str>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for v in values {
            *counts.entry(v.to_string()).or_default() += 1;
        }
        counts.into_iter().map(|(value, count)| FilterOption { label: value.clone(), value, count }).collect::<Vec<_>>()
    };
    IndexPage {
        layout,
        kpi_count: counted(catalog.kpis.len(), "KPI"),
        lede: format!(
            "{} owned by {}, computed from {}.",
            counted(catalog.kpis.len(), "KPI"),
            counted(catalog.teams.iter().filter(|t| !t.kpis.is_empty()).count(), "team"),
            counted(catalog.sources.len(), "source")
        ),
        teams: &catalog.teams,
        team_options: teams
            .into_iter()
            .filter(|(_, (_, count))| *count > 0)
            .map(|(id, (name, count))| FilterOption { value: id.to_string(), label: name, count })
            .collect(),
        tag_options: count(catalog.kpis.iter().flat_map(|k| k.tags.iter().map(String::as_str)).collect()),
        unit_options: count(catalog.kpis.iter().map(|k| unit_kind(&k.unit)).collect()),
        lifecycle_options: count(catalog.kpis.iter().map(|k| lifecycle_name(&k.lifecycle)).collect()),
    }
}

fn kpi_page<'a>(
    valid: &Valid,
    catalog: &'a Catalog,
    id: crate::model::KpiId,
    kpi: &'a KpiEntry,
    teams: &BTreeMap<&str, &'a TeamEntry>,
    layout: Layout<'a>,
) -> KpiPage<'a> {
    let team = teams.get(kpi.owner.as_str());
    let dashboards = kpi.lookml.as_ref().map(|l| l.dashboards.clone()).unwrap_or_default();
    let drawing = lineage::draw(valid.model, valid.graph, id, &dashboards);
    KpiPage {
        layout,
        kpi,
        schema: &catalog.project.schema,
        team_name: team.map_or(kpi.owner.as_str(), |t| t.name.as_str()),
        team_email: team.and_then(|t| t.email.as_deref()),
        mailto: team.and_then(|t| t.email.as_deref()).and_then(mailto),
        team_chat: team.and_then(|t| t.chat.as_deref()),
        lifecycle: lifecycle_name(&kpi.lifecycle),
        replacement: match &kpi.lifecycle {
            Lifecycle::Deprecated { replaced_by } => replaced_by.as_deref(),
            _ => None,
        },
        description_html: kpi.description.as_deref().map(markdown::render),
        dsl_html: highlight::kpi_text(&kpi.definition.written.text),
        grain: kpi.grain.name(),
        window: window_text(kpi.window, kpi.grain),
        periods: periods_text(&kpi.periods),
        unit: unit_text(&kpi.unit),
        goal: kpi.target.as_ref().map_or_else(String::new, |t| super::reading::goal(t.direction, &t.goal)),
        lineage_svg: drawing.svg,
        lineage_omitted: drawing.omitted,
        dashboards,
        sql_tabs: kpi
            .sql
            .dialects
            .iter()
            .map(|d| SqlTab {
                name: d.dialect.name(),
                label: d.dialect.product_name(),
                view: &d.view,
                statement_html: element_text(&d.statement),
            })
            .collect(),
        links: kpi
            .links
            .iter()
            .map(|l| LinkView {
                label: &l.label,
                url: markdown::is_safe_url(&l.url.as_str().into()).then_some(l.url.as_str()),
            })
            .collect(),
    }
}

/// `text` escaped for the content of an element (never an attribute).
fn element_text(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + text.len() / 8);
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut html, text);
    html
}

/// The rows of the KPIs `ids` names, by title.
fn rows<'a>(by_id: &BTreeMap<&str, &'a KpiEntry>, ids: &[String]) -> Vec<KpiRow<'a>> {
    let mut rows: Vec<KpiRow> = ids
        .iter()
        .filter_map(|id| by_id.get(id.as_str()))
        .map(|k| KpiRow {
            id: &k.id,
            title: &k.title,
            grain: k.grain.name(),
            target: k.target.as_ref().map_or("none", |t| t.reading.as_str()),
            lifecycle: lifecycle_name(&k.lifecycle),
        })
        .collect();
    rows.sort_by(|a, b| (a.title, a.id).cmp(&(b.title, b.id)));
    rows
}

fn search_index(catalog: &Catalog, teams: &BTreeMap<&str, &TeamEntry>) -> String {
    let entries: Vec<SearchEntry> = catalog
        .kpis
        .iter()
        .map(|k| SearchEntry {
            id: &k.id,
            title: &k.title,
            description: k.description.as_deref().map_or_else(String::new, markdown::plain_text),
            tags: &k.tags,
            team: &k.owner,
            team_name: teams.get(k.owner.as_str()).map_or(k.owner.as_str(), |t| t.name.as_str()),
            unit: unit_kind(&k.unit),
            lifecycle: lifecycle_name(&k.lifecycle),
            status_note: match &k.lifecycle {
                Lifecycle::Deprecated { replaced_by: Some(r) } => format!("deprecated → {r}"),
                Lifecycle::Deprecated { replaced_by: None } => "deprecated".into(),
                _ => String::new(),
            },
            url: format!("kpis/{}.html", k.id),
        })
        .collect();
    let json = serde_json::json!({ "kpis": entries });
    format!("window.KPIC_INDEX = {json};\n")
}

/// `1 KPI`, `54 KPIs`.
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `mailto:` and the address, for a plain address only: one `@`, nothing a
/// mail client would read as more recipients, a subject or a body.
fn mailto(email: &str) -> Option<String> {
    let plain = email.matches('@').count() == 1
        && !email.starts_with('@')
        && !email.ends_with('@')
        && email.chars().all(|c| c.is_alphanumeric() || "@.-_+".contains(c));
    plain.then(|| format!("mailto:{email}"))
}

fn lifecycle_name(lifecycle: &Lifecycle) -> &'static str {
    match lifecycle {
        Lifecycle::Draft => "draft",
        Lifecycle::Active => "active",
        Lifecycle::Deprecated { .. } => "deprecated",
    }
}

fn unit_kind(unit: &Unit) -> &'static str {
    match unit {
        Unit::Count => "count",
        Unit::Number => "number",
        Unit::Percent => "percent",
        Unit::Ratio => "ratio",
        Unit::Currency { .. } => "currency",
        Unit::Duration { .. } => "duration",
    }
}

fn unit_text(unit: &Unit) -> String {
    match unit {
        Unit::Currency { code } => format!("currency ({code})"),
        Unit::Duration { unit } => format!("duration ({})", duration_unit(*unit)),
        other => unit_kind(other).to_string(),
    }
}

fn duration_unit(unit: crate::model::DurationUnit) -> &'static str {
    use crate::model::DurationUnit;
    match unit {
        DurationUnit::Millisecond => "milliseconds",
        DurationUnit::Second => "seconds",
        DurationUnit::Minute => "minutes",
        DurationUnit::Hour => "hours",
        DurationUnit::Day => "days",
        DurationUnit::Week => "weeks",
    }
}

fn periods_text(periods: &Periods) -> String {
    let from = periods.from.as_ref().map(|d| format!("from the period of {d}"));
    let until = periods.until.as_ref().map(|u| match u {
        Until::Date(d) => format!("until the period of {d}"),
        Until::Current => "until the current period".to_string(),
    });
    from.into_iter().chain(until).collect::<Vec<_>>().join(" ")
}

fn window_text(window: Window, grain: Grain) -> String {
    match window {
        Window::Period => format!("each {} on its own", grain.name()),
        Window::Rolling { days } if grain == Grain::Week => format!("rolling {} weeks, reported weekly", days / 7),
        Window::Rolling { days } => format!("rolling {days} days, reported daily"),
        Window::Cumulative => "cumulative: everything up to the end of each period".into(),
        Window::ToDate { grain } => format!("{}-to-date, reported daily", grain.name()),
    }
}
