//! A real browser for the page tests: Debian's headless Chromium, driven
//! over WebDriver by `chromedriver`, one of each per test.
//!
//! Screenshots go to `JUDGEBOX_SCREENSHOTS` (set by `make test`, which
//! prints it), or to `target/screenshots` beside the build.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long to wait for something to show on a page.
const SHOWS_WITHIN: Duration = Duration::from_secs(60);

pub struct Browser {
    pub client: Client,
    base: String,
    driver: Child,
}

impl Browser {
    /// A headless browser for the server at `base` (`http://127.0.0.1:PORT`).
    pub async fn open(base: &str) -> Self {
        // The tests' build has rustls with both ring (judgebox's, for
        // callbacks) and aws-lc-rs (fantoccini's): WebDriver's client needs
        // to be told which; ring, as the server uses. A second call finds
        // it set, which is fine.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver (make test installs chromium-driver)");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1400"]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connected = ClientBuilder::rustls()
                .expect("a WebDriver client")
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => break client,
                Err(error) if started.elapsed() > Duration::from_secs(30) => {
                    panic!("chromedriver did not start: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self {
            client,
            base: base.to_string(),
            driver,
        }
    }

    pub async fn visit(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.expect("opening a page");
    }

    /// Signs in on the sign-in page (open) with `token`, and waits for
    /// the teacher's dashboard.
    pub async fn sign_in(&self, token: &str) {
        self.find("#token").await.send_keys(token).await.unwrap();
        self.click("form[action='/ui/signin'] button[type='submit']")
            .await;
        self.wait_for_text("New question").await;
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(SHOWS_WITHIN)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css} never showed: {error}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("clicking");
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.text_of("body").await
    }

    /// The visible text of the first element matching `css` ("" if none),
    /// read in one step; a page caught between two documents (a click just
    /// navigated) is asked again.
    pub async fn text_of(&self, css: &str) -> String {
        let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';";
        let mut tries = 0;
        loop {
            match self.client.execute(script, vec![css.into()]).await {
                Ok(text) => return text.as_str().unwrap_or_default().to_string(),
                Err(error) if tries == 20 => panic!("reading the page: {error}"),
                Err(_) => tries += 1,
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's text contains `expected`.
    pub async fn wait_for_text(&self, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text().await;
            if text.contains(expected) {
                return text;
            }
            if started.elapsed() > SHOWS_WITHIN {
                panic!("{expected:?} never showed; the page says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The page's HTML source.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("reading the page source")
    }

    /// Types into the code editor as a user would: click, select all, type.
    pub async fn type_code(&self, code: &str) {
        let editor = self.find(".cm-content").await;
        editor.click().await.expect("focusing the editor");
        // Ctrl+A, then the new text replaces the selection.
        editor
            .send_keys("\u{E009}a\u{E009}")
            .await
            .expect("selecting all");
        editor.send_keys("\u{E003}").await.expect("deleting");
        editor.send_keys(code).await.expect("typing");
    }

    /// Picks `language` in the question page's language picker.
    pub async fn select_language(&self, language: &str) {
        let picker = self.find("#language").await;
        picker
            .select_by_value(language)
            .await
            .expect("picking a language");
    }

    /// The editor's text, as its lines show it.
    pub async fn code(&self) -> String {
        let script = "return [...document.querySelectorAll('.cm-content .cm-line')]\
                      .map((line) => line.textContent).join('\\n');";
        let text = self
            .client
            .execute(script, vec![])
            .await
            .expect("reading the editor");
        text.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the editor shows `expected`.
    pub async fn wait_for_code(&self, expected: &str) {
        let started = Instant::now();
        loop {
            let code = self.code().await;
            if code == expected {
                return;
            }
            if started.elapsed() > SHOWS_WITHIN {
                panic!("the editor never showed {expected:?}; it shows {code:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the page as `name.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("taking a screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("creating the screenshots folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("saving a screenshot");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

pub fn screenshots_dir() -> PathBuf {
    match std::env::var_os("JUDGEBOX_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
