//! A headless Chromium (Debian's `chromium`) driven through its WebDriver
//! (`chromedriver`) with fantoccini, for the catalog site's tests. Without
//! the two the tests skip, unless `KPIC_REQUIRE_ENGINES` is set (as in CI).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A browser session; the driver and the browser's profile go away with it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

/// Whether the browser is installed; `false` skips (and fails under `KPIC_REQUIRE_ENGINES`).
pub fn available() -> bool {
    let found = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !found {
        assert!(
            std::env::var_os("KPIC_REQUIRE_ENGINES").is_none(),
            "chromium and chromedriver are missing (bash .ci/run installs them)"
        );
        eprintln!("skipped: chromium and chromedriver are not installed");
    }
    found
}

impl Browser {
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = std::env::temp_dir().join(format!("kpic-chromium-{}-{port}", std::process::id()));
        // The flags keep Chromium off the network this machine does not have.
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), json!({ "binary": CHROMIUM, "args": args }));
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                // The driver is still starting.
                Err(_) if started.elapsed() < Duration::from_secs(30) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("no browser session: {error}"),
            }
        };
        client.set_window_size(width, height).await.unwrap();
        Browser { client, driver, profile }
    }

    /// Grants the page a permission (W3C Permissions, as chromedriver implements it), e.g. `clipboard-read`.
    pub async fn grant(&self, permission: &'static str) {
        self.client.issue_cmd(Grant(permission)).await.unwrap_or_else(|e| panic!("{permission}: {e}"));
    }

    /// Opens `file` and waits until its document has finished loading (the page's own scripts ran), so
    /// that nothing runs against the page before or a half-parsed one.
    pub async fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.client.goto(&url).await.unwrap();
        self.wait_for(&format!("return location.href === {url:?} && document.readyState === 'complete'")).await;
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Waits until `script` returns `true`.
    pub async fn wait_for(&self, script: &str) {
        let started = Instant::now();
        while self.eval(script).await != Value::Bool(true) {
            assert!(started.elapsed() < Duration::from_secs(10), "timed out waiting for `{script}`");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn css(&self, selector: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("{selector}: {e}"))
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/catalog-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), self.client.screenshot().await.unwrap()).unwrap();
    }

    /// Ends the session, which quits the browser; the driver goes on drop.
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    /// Also when a test fails half-way: the driver does not outlive it.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// `POST /session/{id}/permissions`: grants one permission.
#[derive(Debug)]
struct Grant(&'static str);

impl fantoccini::wd::WebDriverCompatibleCommand for Grant {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/permissions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "descriptor": { "name": self.0 }, "state": "granted" });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs an async test body on a runtime of its own.
pub fn run(body: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(body);
}
