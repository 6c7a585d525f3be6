//! The routes in-process, as axum's own testing example does: the page's
//! `Router` called with `tower::ServiceExt::oneshot`, no socket. Every route
//! for the book's network and for a deep ReLU one, every refusal, teaching
//! while querying. (`tests/serve.rs` starts the real binary: flags, Ctrl-C,
//! and one learner's session end to end.)

use super::app;
use super::model::{About, Served};
use crate::{pictures, query};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use mnn_data::{DIGITS, GrayImage, IMAGE_COLS, IMAGE_ROWS};
use mnn_net::deep::{Activation, Architecture, Loss, Network};
use mnn_net::{Model, ModelInfo, NeuralNetwork};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// What a route answered.
struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    /// A refusal's one-line message, checking its form.
    fn error(&self) -> String {
        assert!(self.content_type.starts_with("application/json"));
        let text = String::from_utf8(self.body.clone()).unwrap();
        assert!(!text.contains('\n'), "one line: {text:?}");
        self.json()["error"].as_str().unwrap().to_string()
    }
}

async fn send(app: &Router, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

async fn get(app: &Router, path: &str) -> Reply {
    send(app, "GET", path, "", Vec::new()).await
}

async fn post_json(app: &Router, path: &str, value: &Value) -> Reply {
    send(
        app,
        "POST",
        path,
        "application/json",
        value.to_string().into_bytes(),
    )
    .await
}

/// A vertical stroke, a "1", on a 140×140 white sheet as the page sends it.
fn one() -> Value {
    let side = 140;
    let mut pixels = vec![255u8; side * side];
    for y in 20..120 {
        for x in 66..74 {
            pixels[y * side + x] = 0;
        }
    }
    json!({ "width": side, "height": side, "pixels": pixels })
}

fn with_label(drawing: &Value, label: i64) -> Value {
    let mut drawing = drawing.clone();
    drawing["label"] = json!(label);
    drawing
}

fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not an array"))
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

/// The book's 784-30-10 network with its seeded initial weights.
fn book() -> Model {
    Model::Book(NeuralNetwork::new(784, 30, 10, 0.3, 1).unwrap())
}

/// A 784-30-20-10 ReLU network with biases, softmax and cross-entropy.
fn deep_relu() -> Model {
    let architecture = Architecture {
        layer_sizes: vec![784, 30, 20, 10],
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        bias: true,
    };
    Model::Deep(Network::new(architecture, 0.05, 2).unwrap())
}

fn serve(network: Model, save: Option<PathBuf>, collect: Option<PathBuf>) -> Router {
    let about = About {
        source: "made by the test".into(),
        info: ModelInfo::default(),
    };
    app(Arc::new(Served::new(network, about, save, collect)))
}

/// The network's inputs for `drawing`, prepared as `mnn query` prepares a PNG.
fn prepared(drawing: &Value) -> [f32; mnn_data::IMAGE_PIXELS] {
    let image = GrayImage::new(
        drawing["width"].as_u64().unwrap() as usize,
        drawing["height"].as_u64().unwrap() as usize,
        drawing["pixels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect(),
    );
    query::prepare(&image, false)
        .unwrap()
        .map(mnn_data::scale_pixel)
}

/// What `network` answers for `drawing`, every layer.
fn answered_directly(network: &Model, drawing: &Value) -> Vec<Vec<f32>> {
    network.signals(&prepared(drawing))
}

/// A PNG route's picture as greys, checking it is 280×280.
fn picture(reply: &Reply) -> Vec<u8> {
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (StatusCode::OK, "image/png")
    );
    let image =
        mnn_data::image::decode_png_gray(std::io::Cursor::new(&reply.body), "reply".as_ref())
            .unwrap();
    assert_eq!((image.width, image.height), (280, 280));
    image.pixels
}

/// `greys` blown up as the routes blow them up.
fn as_served(greys: &[u8]) -> Vec<u8> {
    pictures::upscale(greys, IMAGE_COLS, IMAGE_ROWS, 10)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_network_is_served_with_its_own_layers_targets_and_training_step() {
    for network in [book(), deep_relu()] {
        let app = serve(network.clone(), None, None);
        let architecture = network.architecture();
        let hidden_sizes = &architecture.layer_sizes[1..architecture.layer_sizes.len() - 1];

        // What the page is told of the network.
        let info = get(&app, "/api/model").await.json();
        assert_eq!(info["layers"], json!(architecture.layer_sizes));
        assert_eq!(info["network"], json!(network.describe()));
        assert_eq!(info["activation"], json!(architecture.activation.name()));
        let (off, on) = architecture.loss.targets();
        assert_eq!(floats(&info["targets"]), vec![off, on]);
        assert_eq!(info["can_backquery"], json!(network.can_backquery()));

        // A query: every hidden layer's signals, and the network's own outputs.
        let reply = post_json(&app, "/api/query", &one()).await.json();
        let mut expected = answered_directly(&network, &one());
        let outputs = expected.pop().unwrap();
        assert_eq!(floats(&reply["outputs"]), outputs);
        assert_eq!(floats(&reply["hidden"]), expected[0]);
        let layers: Vec<Vec<f32>> = reply["hidden_layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(floats)
            .collect();
        assert_eq!(layers, expected);
        assert_eq!(
            layers.iter().map(Vec::len).collect::<Vec<_>>(),
            hidden_sizes
        );

        // Imagined digits: gradient ascent always, backquery where it can run.
        for digit in [0, 7] {
            let ascent = picture(&get(&app, &format!("/api/imagine/{digit}.png")).await);
            let greys = pictures::greys(&network.imagine(digit).image);
            assert_eq!(ascent, as_served(&greys), "imagine {digit}");
            let backwards = get(&app, &format!("/api/backquery/{digit}.png")).await;
            if network.can_backquery() {
                let greys = pictures::greys(&network.backquery(&backquery_targets(digit)).unwrap());
                assert_eq!(picture(&backwards), as_served(&greys), "backquery {digit}");
            } else {
                assert_eq!(backwards.status, StatusCode::CONFLICT);
                let error = backwards.error();
                assert!(error.contains("relu"), "{error}");
                assert!(error.contains("/api/imagine/"), "{error}");
            }
        }
        let imagined_before = get(&app, "/api/imagine/7.png").await.body;

        // Teach: the network's own train step, with its own targets.
        let taught = post_json(&app, "/api/teach", &with_label(&one(), 7))
            .await
            .json();
        let mut lesson = network.clone();
        let inputs = prepared(&one());
        lesson.train(&inputs, &network.targets(7));
        let after = lesson.signals(&inputs).pop().unwrap();
        assert_eq!(floats(&taught["outputs"]), after, "bit for bit its train");
        assert_eq!(floats(&taught["before"]["outputs"]), outputs);
        assert!(after[7] > outputs[7]);
        assert_eq!(taught["lessons"], 1);
        assert_ne!(
            get(&app, "/api/imagine/7.png").await.body,
            imagined_before,
            "the lesson changes what it imagines"
        );

        // Reset: the served weights again, bit for bit.
        assert_eq!(
            send(&app, "POST", "/api/reset", "application/json", Vec::new())
                .await
                .json()["lessons"],
            0
        );
        let again = post_json(&app, "/api/query", &one()).await.json();
        assert_eq!(floats(&again["outputs"]), outputs);
        assert_eq!(get(&app, "/api/imagine/7.png").await.body, imagined_before);
    }
}

/// The book's backquery targets for `digit`.
fn backquery_targets(digit: usize) -> Vec<f32> {
    let mut targets = vec![0.0; DIGITS];
    mnn_data::fill_targets(digit as u8, &mut targets);
    targets
}

#[tokio::test(flavor = "multi_thread")]
async fn save_and_collect_write_only_where_the_flags_allow() {
    let dir = tempfile::tempdir().unwrap();
    let (saved, collected) = (
        dir.path().join("taught.safetensors"),
        dir.path().join("mine"),
    );
    std::fs::create_dir(&collected).unwrap();
    let app = serve(deep_relu(), Some(saved.clone()), Some(collected.clone()));
    post_json(&app, "/api/teach", &with_label(&one(), 4)).await;
    assert!(!saved.exists(), "nothing is written before Save");
    let reply = send(&app, "POST", "/api/save", "application/json", Vec::new()).await;
    assert_eq!(reply.json()["lessons"], 1);
    // The saved network is the taught one, of the same kind.
    let (loaded, _) = Model::from_safetensors(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(loaded.describe(), deep_relu().describe());
    let served = post_json(&app, "/api/query", &one()).await.json();
    let mut direct = answered_directly(&loaded, &one());
    assert_eq!(floats(&served["outputs"]), direct.pop().unwrap());

    for n in 1..=2 {
        let reply = post_json(&app, "/api/collect", &with_label(&one(), 1))
            .await
            .json();
        assert_eq!(reply["saved"], json!(collected.join(format!("1_{n}.png"))));
    }
    let kept = mnn_data::load_png_gray(collected.join("1_1.png")).unwrap();
    assert_eq!((kept.width, kept.height), (140, 140));

    // Without the flags, both are refused and nothing is written.
    let app = serve(book(), None, None);
    let save = send(&app, "POST", "/api/save", "application/json", Vec::new()).await;
    assert_eq!(save.status, StatusCode::FORBIDDEN);
    assert!(save.error().contains("--save-taught"));
    let collect = post_json(&app, "/api/collect", &with_label(&one(), 1)).await;
    assert_eq!(collect.status, StatusCode::FORBIDDEN);
    assert!(collect.error().contains("--collect"));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_4xx_with_one_line_json_errors() {
    let app = serve(book(), None, None);
    let refused = |reply: Reply, status: u16, words: &[&str]| {
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        let error = reply.error();
        for word in words {
            assert!(error.contains(word), "{error:?} should say {word:?}");
        }
    };
    let query = "/api/query";
    let raw = |body: &[u8]| send(&app, "POST", query, "application/json", body.to_vec());
    refused(raw(b"{\"width\": 28,").await, 400, &["malformed JSON"]);
    refused(raw(b"").await, 400, &["malformed JSON"]);
    for (drawing, status, words) in [
        (
            json!({"width": 28, "height": 28, "pixels": vec![0; 783]}),
            400,
            vec!["783", "784"],
        ),
        (
            json!({"width": 28, "height": 28, "pixels": [300]}),
            400,
            vec!["malformed JSON", "300"],
        ),
        (
            json!({"width": 28, "height": 28, "pixel": []}),
            400,
            vec!["pixel"],
        ),
        (
            json!({"width": 0, "height": 28, "pixels": []}),
            400,
            vec!["no pixels"],
        ),
        (
            json!({"width": 100000, "height": 100000, "pixels": []}),
            400,
            vec!["too large"],
        ),
        (
            json!({"width": 28, "height": 28, "pixels": vec![255; 784]}),
            422,
            vec!["blank"],
        ),
        (with_label(&one(), 3), 400, vec!["label"]),
    ] {
        refused(post_json(&app, query, &drawing).await, status, &words);
    }
    let png = |body: &[u8]| send(&app, "POST", query, "image/png", body.to_vec());
    refused(
        png(b"not a png at all, though long enough for a header").await,
        400,
        &["request body: cannot read PNG image: not a PNG file"],
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    GrayImage::new(28, 28, vec![0; 784])
        .save_png(file.path())
        .unwrap();
    let mut broken = std::fs::read(file.path()).unwrap();
    broken.truncate(40);
    refused(png(&broken).await, 400, &["PNG"]);

    for (label, words) in [
        (json!(10), vec!["label 10", "0..9"]),
        (json!(-1), vec!["label -1"]),
        (json!(null), vec!["label", "missing"]),
        (json!("7"), vec!["malformed JSON"]),
    ] {
        let mut lesson = one();
        lesson["label"] = label;
        refused(post_json(&app, "/api/teach", &lesson).await, 400, &words);
    }
    refused(
        get(&app, "/api/backquery/10.png").await,
        404,
        &["0.png .. 9.png"],
    );
    refused(
        get(&app, "/api/imagine/07.png").await,
        404,
        &["0.png .. 9.png"],
    );
    refused(get(&app, "/api/nothing").await, 404, &["/api/nothing"]);
    refused(get(&app, query).await, 405, &["GET"]);
    let over = vec![b' '; 8 * 1024 * 1024 + 1];
    refused(raw(&over).await, 413, &["over the limit of 8388608 bytes"]);

    // None of it changed the network.
    assert_eq!(get(&app, "/api/model").await.json()["lessons"], 0);
    assert_eq!(post_json(&app, query, &one()).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn teaching_while_querying_keeps_the_weights_whole() {
    let app = serve(deep_relu(), None, None);
    let lesson = with_label(&one(), 4);
    let lessons = 24;

    // The same lesson in any order gives the same weights: first one by one...
    for _ in 0..lessons {
        let reply = post_json(&app, "/api/teach", &lesson).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let one_by_one = floats(&post_json(&app, "/api/query", &one()).await.json()["outputs"]);
    send(&app, "POST", "/api/reset", "application/json", Vec::new()).await;

    // ... then from four clients at once while four others query.
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (teacher, asker, lesson) = (app.clone(), app.clone(), lesson.clone());
        clients.push(tokio::spawn(async move {
            for _ in 0..lessons / 4 {
                let reply = post_json(&teacher, "/api/teach", &lesson).await;
                assert_eq!(reply.status, StatusCode::OK);
            }
        }));
        clients.push(tokio::spawn(async move {
            for _ in 0..20 {
                let reply = post_json(&asker, "/api/query", &one()).await;
                let outputs = floats(&reply.json()["outputs"]);
                assert!(
                    outputs
                        .iter()
                        .all(|v| v.is_finite() && (0.0..=1.0).contains(v))
                );
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let together = post_json(&app, "/api/query", &one()).await.json();
    assert_eq!(together["lessons"], lessons);
    assert_eq!(floats(&together["outputs"]), one_by_one);
}
