//! What the `mnn serve` tests share: a server started as a person starts
//! it (`mnn serve --port 0 ...`), and a small HTTP client.

#![allow(dead_code)] // each test file uses its own share of these

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running `mnn serve`, stopped (killed) when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, without the final slash.
    pub url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    /// The threads reading stdout and stderr, which end when the server does.
    readers: Vec<JoinHandle<()>>,
}

/// Keeps reading `from` into `into`; sends each line down `lines`.
fn collect(
    from: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
    lines: mpsc::Sender<String>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            into.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = lines.send(line);
        }
    })
}

impl Server {
    /// Starts `mnn serve --port 0 <args>` in `cwd` and waits (up to 5
    /// minutes: it may train first) for the address it prints.
    pub fn start(args: &[&str], cwd: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mnn"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .current_dir(cwd)
            .env_remove("MNN_DATA")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mnn serve starts");
        let (stdout, stderr) = (Arc::default(), Arc::default());
        let (lines, printed) = mpsc::channel();
        let readers = vec![
            collect(
                child.stdout.take().unwrap(),
                Arc::clone(&stdout),
                lines.clone(),
            ),
            collect(child.stderr.take().unwrap(), Arc::clone(&stderr), lines),
        ];
        let mut server = Server {
            child,
            url: String::new(),
            stdout,
            stderr,
            readers,
        };
        loop {
            let Ok(line) = printed.recv_timeout(Duration::from_secs(300)) else {
                panic!("mnn serve printed no address; stderr:\n{}", server.stderr());
            };
            if let Some(at) = line.find("http://") {
                let address = line[at..].split_whitespace().next().unwrap();
                server.url = address.trim_end_matches('/').to_string();
                return server;
            }
        }
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// stderr once it holds `text` (it is read on its own thread, so a
    /// line printed before the address may arrive after it); panics after 10 s.
    pub fn stderr_with(&self, text: &str) -> String {
        for _ in 0..100 {
            let stderr = self.stderr();
            if stderr.contains(text) {
                return stderr;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("stderr never said {text:?}:\n{}", self.stderr());
    }

    /// Sends `signal` (`INT` is Ctrl-C) and waits for the server to end.
    pub fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The readers take the last lines, up to the end of the pipes.
                for reader in self.readers.drain(..) {
                    reader.join().unwrap();
                }
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("mnn serve did not stop within 30 s of SIG{signal}");
    }

    /// The server's process id (for reading its memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `mnn args` in `cwd`; panics unless it succeeds.
pub fn mnn_ok(args: &[&str], cwd: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MNN_DATA")
        .output()
        .expect("mnn runs");
    assert!(
        out.status.success(),
        "mnn {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small network trained on the built-in sample, saved in `dir`.
pub fn sample_model(dir: &Path) -> PathBuf {
    let path = dir.join("sample.safetensors");
    let path_text = path.to_str().unwrap();
    mnn_ok(
        &[
            "train", "--hidden", "40", "--epochs", "3", "--save", path_text,
        ],
        dir,
    );
    path
}

/// One HTTP reply: status, content type, body.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The one-line `{"error": ...}` of a refusal, checked to be one line.
    pub fn error(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        assert!(!text.trim_end().contains('\n'), "{text}");
        let error = self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error field in {text}"))
            .to_string();
        assert!(!error.contains('\n'));
        error
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.expect("the server answers");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    Reply {
        status: response.status().as_u16(),
        content_type,
        body,
    }
}

pub fn get(url: &str) -> Reply {
    reply(agent().get(url).call())
}

pub fn post(url: &str, content_type: &str, body: &[u8]) -> Reply {
    reply(
        agent()
            .post(url)
            .header("Content-Type", content_type)
            .send(body),
    )
}

pub fn post_json(url: &str, value: &serde_json::Value) -> Reply {
    post(url, "application/json", value.to_string().as_bytes())
}

/// A white `side`×`side` sheet with dark strokes through the given points
/// (each a disc of `radius` pixels), as a person sees it: 0 black, 255 white.
pub fn sheet(side: usize, radius: f64, points: &[(f64, f64)]) -> Vec<u8> {
    let mut pixels = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let near = points.iter().any(|&(px, py)| {
                let (dx, dy) = (x as f64 - px, y as f64 - py);
                dx * dx + dy * dy <= radius * radius
            });
            if near {
                pixels[y * side + x] = 20;
            }
        }
    }
    pixels
}

/// Points along a straight line from `a` to `b`.
pub fn line(a: (f64, f64), b: (f64, f64), steps: usize) -> Vec<(f64, f64)> {
    (0..=steps)
        .map(|i| {
            let t = i as f64 / steps as f64;
            (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
        })
        .collect()
}

/// Points around an ellipse centred at `c` with radii `rx`, `ry`.
pub fn ellipse(c: (f64, f64), rx: f64, ry: f64, steps: usize) -> Vec<(f64, f64)> {
    (0..=steps)
        .map(|i| {
            let a = i as f64 / steps as f64 * std::f64::consts::TAU;
            (c.0 + rx * a.cos(), c.1 + ry * a.sin())
        })
        .collect()
}

/// A drawing as the query API takes it.
pub fn drawing_json(side: usize, pixels: &[u8]) -> serde_json::Value {
    serde_json::json!({ "width": side, "height": side, "pixels": pixels })
}
