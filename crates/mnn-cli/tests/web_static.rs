//! The drawing page as a static site (`cargo xtask web`, docs/web.md) in a
//! real browser: headless Chromium opens it from a plain static file server,
//! the network answering from mnn's WebAssembly build in a Web Worker. It
//! draws digits and checks that every output is the one `mnn query` gives
//! for the same drawing's PNG, to the last bit; trains one epoch in the tab
//! and checks the accuracy against `mnn train` with the same settings and
//! records; and checks the browser's console stayed quiet.
//!
//! Needs chromium and chromedriver, a WebAssembly toolchain (rustup's
//! target, or Debian's rustc-web with rust-web-src) and full MNIST, so it is
//! ignored by default; CI runs it (`cargo test -- --include-ignored`).

mod browser_common;
mod common;
mod serve_common;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;
use browser_common::*;
use serde_json::Value;
use serve_common::mnn_ok;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Strokes as `draw` takes them.
type Strokes = Vec<Vec<(f64, f64)>>;

/// The site's files over HTTP, as any static file server would serve them.
async fn static_file(State(root): State<PathBuf>, uri: Uri) -> impl IntoResponse {
    let relative = uri.path().trim_start_matches('/');
    let relative = if relative.is_empty() {
        "index.html"
    } else {
        relative
    };
    if relative
        .split('/')
        .any(|part| part == ".." || part.is_empty())
    {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain")],
            Vec::new(),
        );
    }
    let kind = match relative.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    match std::fs::read(root.join(relative)) {
        Ok(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, kind)], bytes),
        Err(_) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain")],
            Vec::new(),
        ),
    }
}

/// Serves `root` on a free port of 127.0.0.1; its address.
async fn serve_static(root: &Path) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new()
        .fallback(static_file)
        .with_state(root.to_path_buf());
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/")
}

/// `cargo xtask web --out <out> --model <model> --records <records>`.
fn build_site(out: &Path, model: &Path, records: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["xtask", "web", "--out"])
        .arg(out)
        .arg("--model")
        .arg(model)
        .args(["--records", &records.to_string()])
        .status()
        .expect("cargo xtask web runs");
    assert!(status.success(), "cargo xtask web failed ({status})");
}

/// What `mnn query --json` gives for `png`: its label and outputs.
fn query(dir: &Path, model: &Path, png: &Path) -> (u64, Vec<f32>) {
    let out = mnn_ok(
        &[
            "query",
            "--model",
            model.to_str().unwrap(),
            "--json",
            png.to_str().unwrap(),
        ],
        dir,
    );
    let answer: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let outputs = answer["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    (answer["label"].as_u64().unwrap(), outputs)
}

/// The drawing as the page sends it, saved as a PNG.
async fn drawing_png(client: &fantoccini::Client, path: &Path) {
    let drawing = js(client, "return drawing()").await;
    let pixels: Vec<u8> = drawing["pixels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u8)
        .collect();
    let (width, height) = (
        drawing["width"].as_u64().unwrap() as usize,
        drawing["height"].as_u64().unwrap() as usize,
    );
    mnn_data::GrayImage::new(width, height, pixels)
        .save_png(path)
        .unwrap();
}

/// Draws `strokes`, and checks every output against `mnn query` on the drawing's PNG, to the last bit, and the
/// answer shown against its label.
async fn answered_as_mnn_query(
    client: &fantoccini::Client,
    dir: &Path,
    model: &Path,
    name: &str,
    strokes: &Strokes,
) {
    js(
        client,
        "document.getElementById('clear').click(); return true",
    )
    .await;
    let answers = js(client, "return Number(document.body.dataset.answers)")
        .await
        .as_u64()
        .unwrap();
    draw(client, strokes).await;
    until(
        client,
        "the answer",
        &format!("return Number(document.body.dataset.answers) > {answers} && document.body.dataset.busy === '0'"),
    )
    .await;
    let page = outputs(client).await;
    let png = dir.join(format!("{name}.png"));
    drawing_png(client, &png).await;
    let (label, native) = query(dir, model, &png);
    let page_bits: Vec<u32> = page.iter().map(|&v| (v as f32).to_bits()).collect();
    let native_bits: Vec<u32> = native.iter().map(|v| v.to_bits()).collect();
    assert_eq!(
        page_bits, native_bits,
        "{name}: the tab's outputs {page:?}, mnn query's {native:?}"
    );
    assert_eq!(
        text(client, "[data-testid=answer]").await,
        label.to_string(),
        "{name}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver, a wasm32 toolchain and full MNIST"]
async fn the_static_page_answers_and_trains_as_mnn_does() {
    let (chromium, chromedriver) = browser();
    let mnist = common::full_mnist();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.safetensors");
    let mnist_arg = mnist.to_str().unwrap();
    mnn_ok(
        &[
            "train",
            "--data",
            mnist_arg,
            "--hidden",
            "100",
            "--epochs",
            "1",
            "--limit",
            "10000",
            "--save",
            model.to_str().unwrap(),
        ],
        dir.path(),
    );
    // MNN_WEB_RECORDS=10000 measures the tab's epoch on the bundle `cargo xtask web` makes by default.
    let records: usize = std::env::var("MNN_WEB_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let site = dir.path().join("web");
    build_site(&site, &model, records);
    for file in [
        "index.html",
        "app.js",
        "worker.js",
        "style.css",
        "mnn.wasm",
        "model.safetensors",
        "web.json",
    ] {
        assert!(site.join(file).exists(), "the site has no {file}");
    }
    let address = serve_static(&site).await;
    let (_driver, client) = open_browser(dir.path(), &chromium, &chromedriver).await;
    client.goto(&address).await.unwrap();
    until(&client, "the network and the records to load", "return document.body.dataset.records === 'loaded' && document.body.dataset.simd.startsWith('simd128')").await;
    assert!(text(&client, "#model-info").await.contains("784-100-10"));
    assert!(js(&client, "return document.getElementById('save').hidden && document.getElementById('collect').hidden").await.as_bool().unwrap());

    // Draw: every output is mnn query's for the drawing's PNG, bit for bit.
    // Offsets from the pad's centre (WebDriver's pointer moves are relative to it).
    let shapes: [(&str, Strokes); 3] = [
        (
            "one",
            vec![vec![(-15.0, -80.0), (10.0, -100.0), (0.0, 100.0)]],
        ),
        ("zero", vec![ellipse((0.0, 0.0), 55.0, 85.0)]),
        (
            "seven",
            vec![vec![
                (-60.0, -80.0),
                (60.0, -80.0),
                (15.0, 10.0),
                (-15.0, 95.0),
            ]],
        ),
    ];
    for (name, strokes) in &shapes {
        answered_as_mnn_query(&client, dir.path(), &model, name, strokes).await;
    }
    let simd = js(&client, "return document.body.dataset.simd").await;
    println!("the tab's kernels: {simd}");

    screenshot(&client, "web-static.png").await;

    // Train one epoch in the tab: the accuracy of mnn train on the same records.
    // MNN_WEB_RECIPE=book times the book's final network instead (docs/benchmarks.md).
    let recipe = std::env::var("MNN_WEB_RECIPE").unwrap_or_else(|_| "book-first".into());
    js(&client, &format!("document.getElementById('t-preset').value = '{recipe}'; document.getElementById('t-preset').dispatchEvent(new Event('change')); document.getElementById('t-epochs').value = '1'; return true")).await;
    js(
        &client,
        "document.getElementById('t-start').click(); return true",
    )
    .await;
    until(
        &client,
        "the epoch to end",
        "return typeof run !== 'undefined' && run && run.status === 'finished'",
    )
    .await;
    let end = js(&client, "return run.epoch_ends[0]").await;
    let tab_accuracy = end["accuracy"].as_f64().unwrap();
    let trained = dir.path().join("trained.safetensors");
    let native = mnn_ok(
        &[
            "train",
            "--data",
            mnist_arg,
            "--recipe",
            &recipe,
            "--epochs",
            "1",
            "--threads",
            "1",
            "--limit",
            &records.to_string(),
            "--json",
            "--save",
            trained.to_str().unwrap(),
        ],
        dir.path(),
    );
    let native: Value = serde_json::from_str(native.lines().last().unwrap()).unwrap();
    assert_eq!(
        tab_accuracy,
        native["accuracy"].as_f64().unwrap(),
        "the tab's epoch against mnn train's"
    );
    let (tab_train, native_train) = (
        end["train_seconds"].as_f64().unwrap(),
        native["train_seconds"].as_f64().unwrap(),
    );
    println!(
        "one epoch of --recipe {recipe} on {records} records: in the tab {tab_train:.3} s training ({:.1} µs a sample) \
         + {:.3} s scoring 10,000 test records; mnn train --threads 1: {native_train:.3} s ({:.1} µs a sample) + {:.3} s",
        1e6 * tab_train / records as f64,
        end["score_seconds"].as_f64().unwrap(),
        1e6 * native_train / records as f64,
        native["test_seconds"].as_f64().unwrap(),
    );
    // The network the tab trained answers the last drawing as mnn train's network does, to the last bit:
    // the same weights (every kernel of the training engine ran in the tab as it does natively).
    until(
        &client,
        "the page to settle",
        "return document.body.dataset.busy === '0'",
    )
    .await;
    let answers = js(&client, "return Number(document.body.dataset.answers)")
        .await
        .as_u64()
        .unwrap();
    js(&client, "drawingChanged(); return true").await;
    until(
        &client,
        "the trained network's answer",
        &format!("return Number(document.body.dataset.answers) > {answers} && document.body.dataset.busy === '0'"),
    )
    .await;
    let page: Vec<u32> = outputs(&client)
        .await
        .iter()
        .map(|&v| (v as f32).to_bits())
        .collect();
    let (_, after) = query(dir.path(), &trained, &dir.path().join("seven.png"));
    let native_bits: Vec<u32> = after.iter().map(|v| v.to_bits()).collect();
    assert_eq!(
        page, native_bits,
        "the tab's trained network and mnn train's answer differently"
    );
    // The page now answers with the network it trained.
    assert!(
        text(&client, "#model-info")
            .await
            .contains("trained in this tab")
    );
    js(
        &client,
        "document.getElementById('h-train').scrollIntoView(); return true",
    )
    .await;
    screenshot(&client, "web-static-train.png").await;
    assert_quiet_console(&client).await;
}
