//! Headless Chromium driven through chromedriver (WebDriver) by fantoccini,
//! for the page's browser tests (served by `mnn serve`, and as the static
//! site of `cargo xtask web`): starting them, running scripts, drawing with
//! pointer events, reading the page, screenshots and the console log.
#![allow(dead_code)]

use axum::http::Method;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `name` on the PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Chromium and chromedriver, from the PATH.
pub fn browser() -> (PathBuf, PathBuf) {
    let chromium = on_path("chromium").or_else(|| on_path("chromium-browser"));
    let driver = on_path("chromedriver");
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => (chromium, driver),
        _ => panic!(
            "the browser test needs chromium and chromedriver on the PATH \
             (apt-get install chromium chromium-driver)"
        ),
    }
}

/// A chromedriver process, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(path: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // In a process group of its own, with the browsers it starts, so that
        // dropping the driver ends them all (a browser left behind outlives
        // the test run otherwise).
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver does not listen"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGKILL to the whole group: chromedriver and every browser it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's log of the browser's console (`POST /session/{id}/se/log`).
#[derive(Debug)]
pub struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

pub async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect("script runs")
}

/// Waits until `script` returns true.
pub async fn until(client: &Client, what: &str, script: &str) {
    let started = Instant::now();
    while js(client, script).await != json!(true) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Draws strokes on the pad with the mouse; points are in CSS pixels from the pad's centre.
pub async fn draw(client: &Client, strokes: &[Vec<(f64, f64)>]) {
    let pad = client.find(Locator::Css("#pad")).await.unwrap();
    let answers = js(client, "return Number(document.body.dataset.answers)").await;
    for stroke in strokes {
        let to = |&(x, y): &(f64, f64)| PointerAction::MoveToElement {
            element: pad.clone(),
            duration: Some(Duration::from_millis(10)),
            x,
            y,
        };
        let mut mouse =
            MouseActions::new("mouse".into())
                .then(to(&stroke[0]))
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_LEFT,
                });
        for point in &stroke[1..] {
            mouse = mouse.then(to(point));
        }
        mouse = mouse.then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
        client
            .perform_actions(mouse)
            .await
            .expect("pointer actions");
    }
    // The answer for the finished drawing is in.
    until(
        client,
        "the answer",
        &format!("return document.body.dataset.busy === '0' && Number(document.body.dataset.answers) > {answers}"),
    )
    .await;
}

pub async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The ten outputs the bars show, in full.
pub async fn outputs(client: &Client) -> Vec<f64> {
    let values = js(
        client,
        "return [...document.querySelectorAll('#bars li')].map(e => Number(e.dataset.value))",
    )
    .await;
    serde_json::from_value(values).unwrap()
}

/// How many pixels of a preview canvas hold ink (are not white).
pub async fn inked(client: &Client, id: &str) -> u64 {
    js(
        client,
        &format!(
            // Copied onto a canvas of the test's own, read back there.
            "const copy = document.createElement('canvas'); copy.width = copy.height = 28;
             const context = copy.getContext('2d', {{ willReadFrequently: true }});
             context.drawImage(document.getElementById('{id}'), 0, 0);
             const d = context.getImageData(0, 0, 28, 28).data;
             let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 250) n++; return n;"
        ),
    )
    .await
    .as_u64()
    .unwrap()
}

pub fn ellipse(centre: (f64, f64), rx: f64, ry: f64) -> Vec<(f64, f64)> {
    // Round once and a little more, so the "0" is closed.
    (0..=28)
        .map(|i| {
            let a = i as f64 / 24.0 * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
            (centre.0 + rx * a.cos(), centre.1 + ry * a.sin())
        })
        .collect()
}

/// chromedriver, and a headless Chromium session through it (both end when
/// dropped or closed).
pub async fn open_browser(dir: &Path, chromium: &Path, chromedriver: &Path) -> (Driver, Client) {
    let driver = Driver::start(chromedriver);
    let profile = dir.join("chromium-profile");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1200", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a chromium session");
    (driver, client)
}

/// Saves what the browser shows to `target/tmp/<name>`.
pub async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, &png).unwrap();
    eprintln!("screenshot of the page: {}", path.display());
}

/// Checks that the browser's console logged no error or warning.
pub async fn assert_quiet_console(client: &Client) {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("the browser's console log");
    let errors: Vec<&Value> = log
        .as_array()
        .expect("log entries")
        .iter()
        .filter(|entry| entry["level"] == "SEVERE" || entry["level"] == "WARNING")
        .collect();
    assert!(errors.is_empty(), "the console logged: {errors:#?}");
}
