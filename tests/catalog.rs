//! The catalog: `catalog.json` of every valid case, example and `kpis/` is
//! snapshotted and valid against docs/catalog.schema.json, shows the SQL that
//! deploys; the site's pages keep the CSP, hold no inline script, style or
//! event attribute, and every link between them resolves. The site in a real
//! browser is tested in tests/catalog_browser.rs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kpic::emit::OutputFile;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The valid cases, the examples, the hostile catalog project and `kpis/`.
fn projects() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for folder in ["tests/cases/valid", "examples"] {
        for entry in std::fs::read_dir(root().join(folder)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && kpic::check_dir(&entry.path()).is_ok_and(|c| !c.model.kpis.is_empty()) {
                out.push((name, entry.path()));
            }
        }
    }
    out.push(("hostile_catalog".into(), root().join("tests/catalog/hostile")));
    out.push(("kpis".into(), root().join("kpis")));
    out.sort();
    out
}

/// The SQL and catalog files of a project, for its own dialects.
fn emitted(dir: &Path) -> (Vec<OutputFile>, Vec<OutputFile>) {
    let checked = kpic::check_dir(dir).unwrap();
    let valid = checked.valid().unwrap_or_else(|| panic!("{} checks clean", dir.display()));
    let dialects = checked.model.settings.dialects.clone();
    (kpic::emit::sql::files(&valid, &dialects), kpic::emit::catalog::files(&valid, &dialects))
}

fn catalog_json(files: &[OutputFile]) -> Value {
    let file = files.iter().find(|f| f.path == Path::new("catalog/catalog.json")).expect("catalog.json");
    serde_json::from_str(&file.contents).expect("catalog.json is JSON")
}

/// catalog.json is written a batch of KPIs at a time: the whole file is still
/// one pretty-printed document, each line indented two spaces per level.
#[test]
fn catalog_json_is_indented_as_one_document() {
    for (name, dir) in projects() {
        let (_, files) = emitted(&dir);
        let file = files.iter().find(|f| f.path == Path::new("catalog/catalog.json")).unwrap();
        let mut depth = 0usize;
        for (number, line) in file.contents.lines().enumerate() {
            let code = line.trim_start();
            let closes = code.starts_with(['}', ']']);
            let expected = 2 * (depth - usize::from(closes));
            assert_eq!(line.len() - code.len(), expected, "{name}: catalog.json line {}: {line}", number + 1);
            // Outside strings, brackets nest; a string's brackets and escaped quotes do not count.
            let (mut in_string, mut escaped) = (false, false);
            for c in code.chars() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if in_string => escaped = true,
                    '"' => in_string = !in_string,
                    '{' | '[' if !in_string => depth += 1,
                    '}' | ']' if !in_string => depth -= 1,
                    _ => {}
                }
            }
        }
        assert_eq!(depth, 0, "{name}: catalog.json closes what it opens");
        assert!(file.contents.ends_with("}\n"), "{name}");
    }
}

#[test]
fn catalog_json_is_valid_against_its_schema_and_snapshotted() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/catalog.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the catalog schema compiles");
    let projects = projects();
    assert!(projects.len() >= 6, "{projects:?}");
    for (name, dir) in projects {
        let (_, files) = emitted(&dir);
        let catalog = catalog_json(&files);
        let errors: Vec<String> =
            validator.iter_errors(&catalog).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: catalog.json does not match its schema:\n{}", errors.join("\n"));
        // The statements are the SQL files' (checked below), snapshotted with the SQL.
        insta::assert_json_snapshot!(name, catalog, {
            ".kpis[].sql.dialects[].statement" => "[the versioned view's statement in sql/<dialect>/<kpi>.sql]"
        });
    }
}

#[test]
fn the_catalog_shows_the_sql_that_deploys() {
    for (name, dir) in projects() {
        let (sql, files) = emitted(&dir);
        let catalog = catalog_json(&files);
        for kpi in catalog["kpis"].as_array().unwrap() {
            let view = kpi["sql"]["versioned_view"].as_str().unwrap();
            let alias = kpi["sql"]["alias_view"].as_str().unwrap();
            let dialects = kpi["sql"]["dialects"].as_array().unwrap();
            assert!(!dialects.is_empty(), "{name}: {view} has SQL");
            for entry in dialects {
                let dialect = entry["dialect"].as_str().unwrap();
                let path = PathBuf::from(format!("sql/{dialect}/{alias}.sql"));
                let file = sql.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{}", path.display()));
                let statement = entry["statement"].as_str().unwrap();
                assert!(file.contents.contains(&format!("\n{statement};\n")), "{name}: {} differs", path.display());
                assert!(statement.contains(entry["view"].as_str().unwrap()), "{name}: {view} names its view");
            }
        }
    }
}

#[test]
fn lineage_in_the_catalog_is_the_graphs() {
    let (_, files) = emitted(&root().join("kpis"));
    let catalog = catalog_json(&files);
    let kpis = catalog["kpis"].as_array().unwrap();
    let find = |id: &str| kpis.iter().find(|k| k["id"] == id).unwrap_or_else(|| panic!("{id}"));
    let ids = |v: &Value| -> Vec<String> { v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect() };
    // A derived KPI two levels down reads the KPIs and, through them, their source.
    let abandonment = find("checkout_abandonment");
    assert_eq!(ids(&abandonment["reads"]["kpis"]), ["checkout_completions", "checkout_starts"]);
    assert_eq!(ids(&abandonment["upstream"]["sources"]), ["checkout_steps"]);
    assert!(ids(&find("checkout_starts")["downstream"]).contains(&"checkout_abandonment".to_string()));
    // Every downstream edge has its upstream edge.
    for kpi in kpis {
        for down in ids(&kpi["downstream"]) {
            let id = kpi["id"].as_str().unwrap().to_string();
            assert!(ids(&find(&down)["upstream"]["kpis"]).contains(&id), "{down} reads {id}");
        }
    }
    // Sources list the KPIs that read them directly.
    for source in catalog["sources"].as_array().unwrap() {
        for reader in ids(&source["read_by"]) {
            assert!(ids(&find(&reader)["reads"]["sources"]).contains(&source["id"].as_str().unwrap().to_string()));
        }
    }
}

/// `path` relative to the folder of `page`, without `.` and `..`; `None` when it leaves the catalog.
fn resolve(page: &Path, path: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> =
        page.parent().unwrap().components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop()?;
            }
            "." | "" => {}
            part => parts.push(part.to_string()),
        }
    }
    Some(parts.iter().collect())
}

/// A start tag of an HTML page: its name and attributes.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every start tag of a page. Text never holds `<` (it is escaped), nor do
/// attribute values hold `"`, so scanning from `<` to `>` finds every tag.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        if rest.starts_with('/') || rest.starts_with('!') {
            continue;
        }
        let body = &rest[..rest.find('>').expect("a tag ends")];
        let name_end = body.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(body.len());
        let mut attributes = Vec::new();
        let mut attrs = body[name_end..].trim();
        while !attrs.is_empty() && attrs != "/" {
            let name_end = attrs.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(attrs.len());
            let name = attrs[..name_end].to_string();
            attrs = &attrs[name_end..];
            let value = match attrs.strip_prefix("=\"") {
                Some(quoted) => {
                    let end = quoted.find('"').expect("a value ends");
                    attrs = &quoted[end + 1..];
                    quoted[..end].to_string()
                }
                None => String::new(),
            };
            attributes.push((name, value));
            attrs = attrs.trim_start();
        }
        out.push(Tag { name: body[..name_end].to_string(), attributes });
    }
    out
}

/// The elements the site's templates, Markdown and SVG write.
const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "a",
    "header",
    "nav",
    "ul",
    "ol",
    "li",
    "main",
    "footer",
    "p",
    "code",
    "script",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "form",
    "label",
    "input",
    "div",
    "select",
    "option",
    "noscript",
    "section",
    "span",
    "article",
    "strong",
    "dl",
    "dt",
    "dd",
    "pre",
    "figure",
    "figcaption",
    "button",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "em",
    "del",
    "blockquote",
    "hr",
    "br",
    "svg",
    "defs",
    "marker",
    "path",
    "g",
    "rect",
    "text",
    "sup",
    "bdi",
];

#[test]
fn pages_keep_the_csp_and_link_only_to_each_other() {
    for (name, dir) in projects() {
        let (_, files) = emitted(&dir);
        let paths: BTreeSet<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        for page in files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "html")) {
            let at = format!("{name}: {}", page.path.display());
            let html = &page.contents;
            assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{at}");
            let csp = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">", csp_in_html());
            assert!(html.contains(&csp), "{at}: the CSP meta tag");
            for tag in tags(html) {
                assert!(ELEMENTS.contains(&tag.name.as_str()), "{at}: <{}>", tag.name);
                for (attribute, value) in &tag.attributes {
                    assert!(!attribute.starts_with("on") && attribute != "style", "{at}: <{} {attribute}>", tag.name);
                    if tag.name == "script" {
                        assert_eq!(attribute, "src", "{at}: scripts are files of the site");
                    }
                    if attribute != "href" && attribute != "src" {
                        continue;
                    }
                    if value.starts_with("https://") || value.starts_with("mailto:") || value.starts_with('#') {
                        continue;
                    }
                    let target = value.split(['?', '#']).next().unwrap();
                    let resolved =
                        resolve(&page.path, target).unwrap_or_else(|| panic!("{at}: {value} leaves the catalog"));
                    assert!(paths.contains(resolved.as_path()), "{at}: {value} resolves to nothing");
                }
            }
            let scripts = tags(html).into_iter().filter(|t| t.name == "script").count();
            assert_eq!(html.matches("<script").count(), scripts, "{at}: every script is a tag");
            assert!(scripts > 0 && tags(html).iter().all(|t| t.name != "script" || !t.attributes.is_empty()), "{at}");
        }
    }
}

/// The policy as it reads in HTML: quotes escaped.
fn csp_in_html() -> String {
    kpic::emit::catalog::site::CSP.replace('\'', "&#39;")
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let (_, files) = emitted(&root().join("tests/catalog/hostile"));
    let page = files.iter().find(|f| f.path == Path::new("catalog/site/kpis/hostile_kpi.html")).unwrap();
    assert!(page.contents.contains("<h1>&#60;script&#62;window.__kpicPwned = &#39;title&#39;&#60;/script&#62;"));
    // Unsafe links lose their target; the safe one keeps it, escaped.
    assert!(page.contents.contains("<a href=\"https://example.com/runbook?a=&#60;b&#62;&#38;c=&#34;d&#34;\">safe</a>"));
    assert!(!page.contents.contains("href=\" JaVa"));
}

#[test]
fn emitting_twice_gives_the_same_catalog() {
    let dir = root().join("kpis");
    let (_, first) = emitted(&dir);
    let (_, second) = emitted(&dir);
    assert_eq!(first, second);
}

/// Whether every field of `part` is in `whole` with the same value.
fn is_excerpt(part: &Value, whole: &Value) -> bool {
    match (part, whole) {
        (Value::Object(p), Value::Object(w)) => p.iter().all(|(k, v)| w.get(k).is_some_and(|wv| is_excerpt(v, wv))),
        _ => part == whole,
    }
}

#[test]
fn the_excerpt_in_the_docs_is_kpis_catalog() {
    let doc = std::fs::read_to_string(root().join("docs/catalog.md")).unwrap();
    let start = doc.find("```json\n").expect("docs/catalog.md has a JSON excerpt") + "```json\n".len();
    let excerpt: Value = serde_json::from_str(&doc[start..start + doc[start..].find("```").unwrap()]).unwrap();
    let (_, files) = emitted(&root().join("kpis"));
    let catalog = catalog_json(&files);
    let kpi = catalog["kpis"].as_array().unwrap().iter().find(|k| k["id"] == excerpt["id"]).unwrap();
    assert!(is_excerpt(&excerpt, kpi), "the excerpt differs from {kpi:#}");
}
