//! `mnn serve` started as a person starts it (`mnn serve --port 0`): one
//! session through every route end to end, compared with what `mnn query`
//! and `mnn backquery` print for the same network; Ctrl-C; the sample when
//! there is no data; wrong flags. The routes themselves, every refusal and
//! teaching while querying are tested in-process (`src/serve/tests.rs`).

mod serve_common;

use serde_json::{Value, json};
use serve_common::*;
use std::path::Path;

/// A vertical stroke, a "1", on a 140×140 sheet as the page sends it.
fn one() -> Value {
    let side = 140;
    drawing_json(
        side,
        &sheet(side, 6.0, &line((72.0, 20.0), (68.0, 120.0), 60)),
    )
}

fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not an array"))
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

fn handwriting(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/handwriting")
        .join(name)
}

/// What `mnn query --json` answers for `png`, in `cwd`.
fn mnn_query(model: &Path, png: &Path, cwd: &Path) -> Value {
    let out = mnn_ok(
        &[
            "query",
            "--json",
            "--model",
            model.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
        cwd,
    );
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

#[test]
fn every_route_answers_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    let (saved, collected) = (
        dir.path().join("taught.safetensors"),
        dir.path().join("mine"),
    );
    let server = Server::start(
        &[
            "--model",
            model.to_str().unwrap(),
            "--save-taught",
            saved.to_str().unwrap(),
            "--collect",
            collected.to_str().unwrap(),
        ],
        dir.path(),
    );
    let url = &server.url;

    // The page, its script and its style, all compiled in.
    let page = get(&format!("{url}/"));
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let html = String::from_utf8(page.body).unwrap();
    for needle in [
        r#"<canvas id="pad""#,
        r#"src="app.js""#,
        r#"href="style.css""#,
        "What the network sees",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let script = get(&format!("{url}/app.js"));
    assert!(script.content_type.starts_with("text/javascript"));
    assert!(
        String::from_utf8(script.body)
            .unwrap()
            .contains("/api/query")
    );
    assert!(
        get(&format!("{url}/style.css"))
            .content_type
            .starts_with("text/css")
    );

    // Model info.
    let info = get(&format!("{url}/api/model")).json();
    assert_eq!(info["layers"], json!([784, 40, 10]));
    assert_eq!(info["lessons"], 0);
    assert_eq!(
        (info["can_save"].clone(), info["can_collect"].clone()),
        (json!(true), json!(true))
    );
    assert!(info["test_accuracy"].as_f64().is_some());

    // A query with pixels: ten outputs, the hidden layer, the image seen both ways.
    let reply = post_json(&format!("{url}/api/query"), &one());
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let first = reply.json();
    let outputs = floats(&first["outputs"]);
    assert_eq!(outputs.len(), 10);
    assert!(outputs.iter().all(|v| (0.0..1.0).contains(v)));
    let best = (0..10)
        .max_by(|&a, &b| outputs[a].total_cmp(&outputs[b]))
        .unwrap();
    assert_eq!(first["label"], best);
    assert_eq!(floats(&first["hidden"]).len(), 40);
    let seen: Vec<u64> = first["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(seen.len(), 784);
    // Prepared as MNIST: the stroke fitted 20 pixels tall, centred.
    let rows: Vec<usize> = (0..28)
        .filter(|y| (0..28).any(|x| seen[y * 28 + x] > 0))
        .collect();
    assert_eq!(rows, (4..24).collect::<Vec<_>>());
    assert!(seen[14 * 28 + 14] > 200);
    assert_eq!(first["raw"]["input"].as_array().unwrap().len(), 784);
    assert_eq!(first["lessons"], 0);

    // A query with a PNG body is answered as `mnn query` answers the file.
    for name in ["0_grey8.png", "3_rgba.png", "4_palette.png"] {
        let png = std::fs::read(handwriting(name)).unwrap();
        let served = post(&format!("{url}/api/query"), "image/png", &png).json();
        let cli = mnn_query(&model, &handwriting(name), dir.path());
        assert_eq!(served["label"], cli["label"], "{name}");
        assert_eq!(
            floats(&served["outputs"]),
            floats(&cli["outputs"]),
            "{name}"
        );
    }

    // Backquery pictures are `mnn backquery --scale 10`'s.
    let pictures = dir.path().join("brain");
    mnn_ok(
        &[
            "backquery",
            "--model",
            model.to_str().unwrap(),
            "--out",
            pictures.to_str().unwrap(),
        ],
        dir.path(),
    );
    for digit in 0..10 {
        let reply = get(&format!("{url}/api/backquery/{digit}.png"));
        assert_eq!(
            (reply.status, reply.content_type.as_str()),
            (200, "image/png")
        );
        let served =
            mnn_data::image::decode_png_gray(std::io::Cursor::new(&reply.body), Path::new("reply"))
                .unwrap();
        let cli = mnn_data::load_png_gray(pictures.join(format!("{digit}.png"))).unwrap();
        assert_eq!((served.width, served.height), (280, 280));
        assert_eq!(served.pixels, cli.pixels, "backquery of {digit}");
    }

    // Teach: the book's train once moves the output towards the label.
    let mut lesson = one();
    lesson["label"] = json!(7);
    let taught = post_json(&format!("{url}/api/teach"), &lesson).json();
    assert_eq!(
        (taught["lessons"].clone(), taught["taught"].clone()),
        (json!(1), json!(7))
    );
    assert_eq!(floats(&taught["before"]["outputs"]), outputs);
    assert!(floats(&taught["outputs"])[7] > outputs[7]);
    let again = post_json(&format!("{url}/api/query"), &one()).json();
    assert_eq!(floats(&again["outputs"]), floats(&taught["outputs"]));
    assert_ne!(
        get(&format!("{url}/api/backquery/7.png")).body,
        std::fs::read(pictures.join("7.png")).unwrap(),
        "the lesson changes what the network imagines"
    );

    // Save writes the taught weights, which `mnn query` reads.
    assert!(!saved.exists(), "nothing is written before Save");
    let reply = post(&format!("{url}/api/save"), "application/json", b"");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["lessons"], 1);
    let png = handwriting("0_grey8.png");
    let by_saved = mnn_query(&saved, &png, dir.path());
    let served = post(
        &format!("{url}/api/query"),
        "image/png",
        &std::fs::read(&png).unwrap(),
    )
    .json();
    assert_eq!(floats(&by_saved["outputs"]), floats(&served["outputs"]));

    // Reset: back to the served weights, bit for bit.
    let reset = post(&format!("{url}/api/reset"), "application/json", b"").json();
    assert_eq!(reset["lessons"], 0);
    let after = post_json(&format!("{url}/api/query"), &one()).json();
    assert_eq!(floats(&after["outputs"]), outputs);
    assert_eq!(get(&format!("{url}/api/model")).json()["lessons"], 0);

    // Collect keeps the drawing as DIR/<label>_<n>.png, which `mnn query` answers alike.
    let mut keep = one();
    keep["label"] = json!(1);
    let first_saved = post_json(&format!("{url}/api/collect"), &keep).json();
    assert_eq!(first_saved["saved"], json!(collected.join("1_1.png")));
    let second = post_json(&format!("{url}/api/collect"), &keep).json();
    assert_eq!(second["saved"], json!(collected.join("1_2.png")));
    let cli = mnn_query(&model, &collected.join("1_1.png"), dir.path());
    assert_eq!(floats(&cli["outputs"]), outputs);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    let mut server = Server::start(&["--model", model.to_str().unwrap()], dir.path());
    assert!(server.stdout().contains("Ctrl-C stops"));
    assert_eq!(get(&format!("{}/api/model", server.url)).status, 200);
    let status = server.signal_and_wait("INT");
    assert!(status.success(), "{status}: {}", server.stderr());
    assert!(
        server.stdout().ends_with("stopped\n"),
        "{}",
        server.stdout()
    );
}

#[test]
fn without_model_or_data_it_serves_the_sample_and_says_it_will_guess_poorly() {
    // No data/mnist here: the built-in sample. And a host others can reach.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["--host", "0.0.0.0"], dir.path());
    assert!(server.stdout().contains("accuracy"), "{}", server.stdout());
    let stderr = server.stderr_with("reached from other machines");
    assert!(stderr.contains("sample of only 100 digits"), "{stderr}");
    assert!(stderr.contains("answers will be poor"), "{stderr}");
    let info = get(&format!("{}/api/model", server.url)).json();
    assert_eq!(info["layers"], json!([784, 200, 10]));
    assert!(info["source"].as_str().unwrap().contains("sample"));
    assert_eq!(
        post_json(&format!("{}/api/query", server.url), &one()).status,
        200
    );
}

#[test]
fn wrong_flags_are_refused_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mnn"))
            .arg("serve")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["--port", "70000"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--model", "missing.safetensors", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.safetensors: cannot read"));
    let out = run(&["--save-taught", "no/such/dir/m.safetensors", "--port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}
