//! The catalog site in a real browser (headless Chromium, opened from disk):
//! search narrows as you type, filters, keyboard navigation, a KPI page's
//! lineage, SQL tabs and copy button; the axe-core audit; hostile content
//! that never runs; search at 10,000 KPIs. Screenshots at phone and desktop
//! widths go to target/catalog-screenshots/.

#[path = "support/browser.rs"]
mod browser;
#[path = "../benches/synth/mod.rs"]
mod synth;

use std::path::PathBuf;

use browser::Browser;
use fantoccini::key::Key;
use serde_json::Value;

#[path = "support/scratch.rs"]
mod scratch;
use scratch::Scratch;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const PHONE: (u32, u32) = (375, 812);
const DESKTOP: (u32, u32) = (1280, 900);

/// The catalog of `checked` written to a scratch folder (kept while it is held),
/// the folder of its site, and its catalog.json.
fn site(checked: &kpic::Checked, name: &str) -> (Scratch, PathBuf, Value) {
    let valid = checked.valid().expect("checks clean");
    let files = kpic::emit::catalog::files(&valid, &checked.model.settings.dialects);
    let dir = Scratch::new(&format!("site-{name}"));
    for file in &files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
    let catalog = serde_json::from_str(&std::fs::read_to_string(dir.join("catalog/catalog.json")).unwrap()).unwrap();
    let pages = dir.join("catalog/site");
    (dir, pages, catalog)
}

/// The bundled library's site, in a folder of its own for each test (`name`).
fn kpis_site(name: &str) -> (Scratch, PathBuf, Value) {
    site(&kpic::check_dir(&root().join("kpis")).unwrap(), &format!("kpis-{name}"))
}

async fn number(b: &Browser, script: &str) -> f64 {
    b.eval(script).await.as_f64().unwrap_or_else(|| panic!("{script} is a number"))
}

async fn results(b: &Browser) -> Vec<String> {
    let value = b.eval("return [...document.querySelectorAll('#results li')].map(li => li.textContent)").await;
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// Types `text` into the search box, replacing what it held, and waits until it was searched.
async fn search(b: &Browser, text: &str) {
    b.eval(
        "const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input', { bubbles: true }))",
    )
    .await;
    b.css("#q").await.send_keys(text).await.unwrap();
    b.wait_for(&format!("return document.body.dataset.query === {text:?}")).await;
}

#[test]
fn search_filters_and_keyboard_lead_to_a_kpi_page() {
    if !browser::available() {
        return;
    }
    let (_folder, dir, catalog) = kpis_site("search");
    let kpis = catalog["kpis"].as_array().unwrap();
    browser::run(async {
        let b = Browser::start(DESKTOP.0, DESKTOP.1).await;
        b.open(&dir.join("index.html")).await;
        b.wait_for("return document.body.dataset.matches !== undefined").await;
        assert_eq!(number(&b, "return Number(document.body.dataset.matches)").await as usize, kpis.len());
        assert_eq!(results(&b).await.len(), kpis.len().min(100));
        b.screenshot("index-desktop").await;

        // Results narrow as you type: every KPI whose id, title, description, tags or team holds the words.
        search(&b, "signup").await;
        let expected: Vec<&Value> = kpis
            .iter()
            .filter(|k| {
                let text = format!("{} {} {} {:?} {}", k["id"], k["title"], k["description"], k["tags"], k["owner"]);
                text.to_lowercase().contains("signup")
            })
            .collect();
        b.wait_for(&format!("return document.body.dataset.matches === '{}'", expected.len())).await;
        assert!(!expected.is_empty() && expected.len() < kpis.len());
        let shown = results(&b).await;
        assert_eq!(shown.len(), expected.len());
        for kpi in &expected {
            let title = kpi["title"].as_str().unwrap();
            assert!(shown.iter().any(|r| r.contains(title)), "{title} is among {shown:?}");
        }
        let count = b.css("#result-count").await.text().await.unwrap();
        assert!(count.contains(&expected.len().to_string()), "{count}");

        // The team filter keeps that team's KPIs only.
        search(&b, "").await;
        b.css("#filter-team").await.select_by_value("sre").await.unwrap();
        let sre = kpis.iter().filter(|k| k["owner"] == "sre").count();
        b.wait_for(&format!("return document.body.dataset.matches === '{sre}'")).await;
        for result in results(&b).await {
            assert!(result.contains("Site Reliability"), "{result}");
        }
        b.css("#filter-team").await.select_by_value("").await.unwrap();

        // Keyboard: down from the search box to the results, Enter follows one.
        search(&b, "error budget").await;
        b.wait_for("return document.body.dataset.matches === '1'").await;
        b.css("#q").await.send_keys(&Key::Down).await.unwrap();
        let focused = b.eval("return document.activeElement.getAttribute('href')").await;
        assert_eq!(focused, "kpis/error_budget_burn.html");
        b.client.active_element().await.unwrap().send_keys(&Key::Enter).await.unwrap();
        b.wait_for("return location.pathname.endsWith('/kpis/error_budget_burn.html')").await;
        let kpi = kpis.iter().find(|k| k["id"] == "error_budget_burn").unwrap();
        assert_eq!(b.css("h1").await.text().await.unwrap(), kpi["title"].as_str().unwrap());

        // The lineage: this KPI, everything upstream, everything downstream and its dashboards.
        let nodes = number(&b, "return document.querySelectorAll('svg.lineage-graph g.node').length").await as usize;
        let len = |v: &Value| v.as_array().unwrap().len();
        let expected_nodes = 1
            + len(&kpi["upstream"]["sources"])
            + len(&kpi["upstream"]["kpis"])
            + len(&kpi["downstream"])
            + len(&kpi["lookml"]["dashboards"]);
        assert_eq!(nodes, expected_nodes);
        assert_eq!(b.css("svg.lineage-graph .node-current text").await.text().await.unwrap(), "error_budget_burn");
        let edges = number(&b, "return document.querySelectorAll('svg.lineage-graph path.edge').length").await;
        assert!(edges as usize >= expected_nodes - 1, "a connected drawing");

        // SQL tabs: one per dialect; a click or the arrow keys switch the visible panel.
        b.open(&dir.join("kpis/error_budget_burn.html")).await;
        let dialects: Vec<String> =
            kpi["sql"]["dialects"].as_array().unwrap().iter().map(|d| d["dialect"].as_str().unwrap().into()).collect();
        let visible = "return [...document.querySelectorAll('[role=tabpanel]')].filter(p => !p.hidden).map(p => p.id)";
        assert_eq!(b.eval(visible).await, serde_json::json!([format!("panel-{}", dialects[0])]));
        b.css("#tab-postgres").await.click().await.unwrap();
        assert_eq!(b.eval(visible).await, serde_json::json!(["panel-postgres"]));
        b.client.active_element().await.unwrap().send_keys(&Key::Right).await.unwrap();
        let next = format!("panel-{}", dialects[2]);
        assert_eq!(b.eval(visible).await, serde_json::json!([next]));
        assert_eq!(b.eval("return document.activeElement.id").await, format!("tab-{}", dialects[2]));

        // The copy button puts the visible dialect's statement on the clipboard.
        let button = b.css(&format!("#{next} button.copy")).await;
        button.click().await.unwrap();
        b.wait_for(&format!("return document.querySelector('#{next} button.copy').dataset.copied === 'true'")).await;
        b.grant("clipboard-read").await;
        let read = "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('failed: ' + e))";
        let pasted = b.client.execute_async(read, Vec::new()).await.unwrap();
        let statement = kpi["sql"]["dialects"][2]["statement"].as_str().unwrap();
        assert_eq!(pasted, statement, "the clipboard holds the statement");
        let copied = b.eval(&format!("return document.getElementById('sql-{}').textContent", dialects[2])).await;
        assert_eq!(copied, statement, "the copied element holds the statement");
        b.screenshot("kpi-desktop").await;
        b.stop().await;

        let phone = Browser::start(PHONE.0, PHONE.1).await;
        phone.open(&dir.join("index.html")).await;
        phone.wait_for("return document.body.dataset.matches !== undefined").await;
        let overflow = number(&phone, "return document.documentElement.scrollWidth - window.innerWidth").await;
        assert!(overflow <= 0.0, "the index fits a phone's width ({overflow} px too wide)");
        phone.screenshot("index-phone").await;
        phone.open(&dir.join("kpis/error_budget_burn.html")).await;
        let overflow = number(&phone, "return document.documentElement.scrollWidth - window.innerWidth").await;
        assert!(overflow <= 0.0, "a KPI page fits a phone's width ({overflow} px too wide)");
        phone.screenshot("kpi-phone").await;
        phone.stop().await;
    });
}

/// axe-core's script, from `KPIC_AXE_CORE` (.ci/run installs the npm package).
fn axe_source() -> Option<String> {
    match std::env::var_os("KPIC_AXE_CORE") {
        Some(path) => Some(std::fs::read_to_string(path).expect("KPIC_AXE_CORE names axe.min.js")),
        None => {
            assert!(
                std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(),
                "KPIC_AXE_CORE is not set (bash .ci/run sets it)"
            );
            eprintln!("skipped: KPIC_AXE_CORE is not set");
            None
        }
    }
}

#[test]
fn axe_finds_no_serious_or_critical_violation() {
    if !browser::available() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let (_folder, dir, _) = kpis_site("axe");
    let pages =
        ["index.html", "kpis/error_budget_burn.html", "kpis/arpu.html", "teams/sre.html", "sources/subscriptions.html"];
    browser::run(async {
        for (width, height) in [DESKTOP, PHONE] {
            let b = Browser::start(width, height).await;
            for page in pages {
                b.open(&dir.join(page)).await;
                let script = format!(
                    "{axe}\nconst done = arguments[arguments.length - 1];\
                     axe.run(document, {{ resultTypes: ['violations'] }})\
                       .then(r => done(r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) }}))))\
                       .catch(e => done([{{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }}]));"
                );
                let violations = b.client.execute_async(&script, Vec::new()).await.unwrap();
                let serious: Vec<&Value> = violations
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
                    .collect();
                assert!(serious.is_empty(), "{page} at {width}px: {serious:#?}");
            }
            b.stop().await;
        }
    });
}

#[test]
fn hostile_content_never_runs() {
    if !browser::available() {
        return;
    }
    let checked = kpic::check_dir(&root().join("tests/catalog/hostile")).unwrap();
    let (_folder, dir, catalog) = site(&checked, "hostile");
    let mut pages = vec!["index.html".to_string(), "teams.html".into(), "sources.html".into()];
    pages
        .extend(catalog["kpis"].as_array().unwrap().iter().map(|k| format!("kpis/{}.html", k["id"].as_str().unwrap())));
    pages.extend(
        catalog["teams"].as_array().unwrap().iter().map(|t| format!("teams/{}.html", t["id"].as_str().unwrap())),
    );
    pages.extend(
        catalog["sources"].as_array().unwrap().iter().map(|s| format!("sources/{}.html", s["id"].as_str().unwrap())),
    );
    browser::run(async {
        let b = Browser::start(DESKTOP.0, DESKTOP.1).await;
        for page in &pages {
            b.open(&dir.join(page)).await;
            // Hover and focus everything, so that any event attribute would fire.
            b.eval("document.querySelectorAll('*').forEach(e => { e.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); if (e.focus) e.focus(); })").await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            assert_eq!(b.eval("return typeof window.__kpicPwned").await, "undefined", "{page}: a payload ran");
            let scripts = b.eval("return [...document.scripts].map(s => s.getAttribute('src'))").await;
            for src in scripts.as_array().unwrap() {
                let src = src.as_str().unwrap_or_else(|| panic!("{page}: an inline script"));
                assert!(src.contains("assets/") && src.ends_with(".js"), "{page}: script {src}");
            }
            let handlers = b
                .eval("return [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))")
                .await;
            assert_eq!(handlers, serde_json::json!([]), "{page}: event handler attributes");
            let protocols = b
                .eval("return [...new Set([...document.querySelectorAll('a[href], iframe, img, object, embed')].map(e => e.getAttribute('href') !== null ? new URL(e.getAttribute('href'), location.href).protocol : e.tagName))]")
                .await;
            for protocol in protocols.as_array().unwrap() {
                assert!(["file:", "https:", "mailto:"].contains(&protocol.as_str().unwrap()), "{page}: {protocol}");
            }
        }
        // The payloads show as the text they are, and the site's own scripts did run.
        b.open(&dir.join("kpis/hostile_kpi.html")).await;
        let kpi = &catalog["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "hostile_kpi").unwrap().clone();
        assert_eq!(b.css("h1").await.text().await.unwrap(), kpi["title"].as_str().unwrap());
        assert_eq!(b.eval("return document.querySelectorAll('[role=tabpanel]:not([hidden])').length").await, 1);
        b.open(&dir.join("index.html")).await;
        search(&b, "script").await;
        b.wait_for("return document.body.dataset.matches === '2'").await;
        let first = results(&b).await;
        assert!(first.iter().any(|r| r.contains("<script>window.__kpicPwned = 'title'</script>")), "{first:?}");
        assert_eq!(b.eval("return typeof window.__kpicPwned").await, "undefined");
        b.screenshot("hostile-kpi-desktop").await;
        b.stop().await;
    });
}

#[test]
fn search_stays_instant_at_ten_thousand_kpis() {
    if !browser::available() {
        return;
    }
    let mut checked = kpic::check(synth::project(10_000));
    // One dialect is enough for the search index; the site's size is measured in the bench.
    checked.model.settings.dialects = vec![kpic::model::Dialect::DuckDb];
    let (_folder, dir, catalog) = site(&checked, "synthetic");
    assert_eq!(catalog["kpis"].as_array().unwrap().len(), 10_000);
    browser::run(async {
        let b = Browser::start(DESKTOP.0, DESKTOP.1).await;
        b.open(&dir.join("index.html")).await;
        b.wait_for("return document.body.dataset.matches === '10000'").await;
        let mut slowest: f64 = 0.0;
        for query in ["s", "si", "sig", "sign", "signu", "signup", "conversion", "team_3", "zzz"] {
            search(&b, query).await;
            slowest = slowest.max(number(&b, "return Number(document.body.dataset.searchMs)").await);
        }
        println!("search over 10,000 KPIs: slowest answer {slowest:.1} ms");
        assert!(slowest < 50.0, "search answers in {slowest:.1} ms");
        b.stop().await;
    });
}
