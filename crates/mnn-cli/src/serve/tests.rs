//! The routes in-process, as axum's own testing example does: the page's
//! `Router` called with `tower::ServiceExt::oneshot`, no socket. Every route
//! for the book's network and for a deep ReLU one, every refusal, teaching
//! while querying. (`tests/serve.rs` starts the real binary: flags, Ctrl-C,
//! and one learner's session end to end.)

use super::app;
use super::model::{About, Served};
use super::training::Trainer;
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
    /// The body as text, for a failed assertion's message.
    fn error_or_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

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
    serve_with_trainer(network, save, collect).0
}

/// What a test's server is made of: its router, its trainer, and the
/// server's stopping signal (true ends the event streams).
type TestServer = (Router, Arc<Trainer>, tokio::sync::watch::Sender<bool>);

/// The page's router and its trainer, which trains on the book's built-in
/// sample (100 training and 10 test records).
fn serve_with_trainer(
    network: Model,
    save: Option<PathBuf>,
    collect: Option<PathBuf>,
) -> TestServer {
    let about = About {
        source: "made by the test".into(),
        info: ModelInfo::default(),
    };
    let served = Arc::new(Served::new(network, about, save, collect));
    let sample = mnn_train::load(
        &mnn_train::DataSource::Sample,
        mnn_train::Need::TrainAndTest,
    )
    .expect("the built-in sample");
    let data_args = crate::DataArgs {
        data: None,
        train_csv: None,
        test_csv: None,
    };
    let trainer = Arc::new(Trainer::new(
        Arc::clone(&served),
        data_args,
        Some(Arc::new(sample)),
        mnn_train::Threads::given(2),
    ));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let guard = super::guard::Guard {
        host: "127.0.0.1".parse().unwrap(),
    };
    (
        app(served, Arc::clone(&trainer), stopping, guard),
        trainer,
        stop,
    )
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
    // Odd entries do not stop Collect: a dangling link, a folder and names
    // that are not numbers are passed over, and it counts on after them.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("gone"), collected.join("3_1.png")).unwrap();
    std::fs::create_dir(collected.join("3_5.png")).unwrap();
    for odd in ["3_x.png", "3_99999999999999999999999.png", "3_.png"] {
        std::fs::write(collected.join(odd), b"not a drawing").unwrap();
    }
    for n in [6, 7] {
        let reply = post_json(&app, "/api/collect", &with_label(&one(), 3))
            .await
            .json();
        assert_eq!(reply["saved"], json!(collected.join(format!("3_{n}.png"))));
    }

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

/// A valid PNG of `image`, as mnn writes one.
fn png_of(image: &GrayImage) -> Vec<u8> {
    let file = tempfile::NamedTempFile::new().unwrap();
    image.save_png(file.path()).unwrap();
    std::fs::read(file.path()).unwrap()
}

/// The chunks of a PNG after its signature, each whole (length, type,
/// data, CRC).
fn png_chunks(png: &[u8]) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut at = 8;
    while at < png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        chunks.push(&png[at..at + 12 + length]);
        at += 12 + length;
    }
    chunks
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_name_the_problem_and_echo_little_of_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let app = serve(book(), None, Some(dir.path().to_path_buf()));
    // Imagined digits: 0.png .. 9.png and nothing else, whatever the path.
    for path in [
        "%ff.png",
        "%FF%FE.png",
        "+1.png",
        "-1.png",
        "01.png",
        "1.0.png",
        "%201.png",
        "1.PNG",
        "1",
        "%D9%A1.png",
        "10.png",
    ] {
        for route in ["backquery", "imagine"] {
            let reply = get(&app, &format!("/api/{route}/{path}")).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{route}/{path}");
            assert!(reply.error().contains("0.png .. 9.png"), "{route}/{path}");
        }
    }
    assert_eq!(
        get(&app, "/api/backquery/1.png").await.status,
        StatusCode::OK
    );

    // A PNG whose first chunk is not IHDR: the decoder names the chunk, as
    // `mnn query` does, rather than the chunk's data read as a size.
    let png = png_of(&GrayImage::new(28, 28, vec![0; 784]));
    let chunks = png_chunks(&png);
    assert_eq!(&chunks[0][4..8], b"IHDR");
    let mut misplaced = png[..8].to_vec();
    for chunk in chunks[1..].iter().chain([&chunks[0]]) {
        misplaced.extend_from_slice(chunk);
    }
    let first = String::from_utf8_lossy(&chunks[1][4..8]).into_owned();
    let reply = send(&app, "POST", "/api/query", "image/png", misplaced.clone()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = reply.error();
    assert!(
        error.contains(&format!("{first} chunk appeared before IHDR")),
        "{error}"
    );
    assert!(!error.contains("too large"), "{error}");
    let cli = mnn_data::image::decode_png_gray(
        std::io::Cursor::new(&misplaced),
        std::path::Path::new("request body"),
    )
    .unwrap_err();
    assert!(error.ends_with(&cli.to_string()), "{error} / {cli}");

    // A field name of a megabyte is not sent back whole.
    let name = "x".repeat(1 << 20);
    let body = format!(r#"{{"{name}": 1, "width": 1, "height": 1, "pixels": [0]}}"#);
    for route in ["/api/query", "/api/teach", "/api/train/start"] {
        let reply = send(
            &app,
            "POST",
            route,
            "application/json",
            body.clone().into_bytes(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{route}");
        let error = reply.error();
        assert!(error.contains("unknown field"), "{route}: {error}");
        assert!(
            error.chars().count() < mnn_net::MESSAGE_CHARS + 60,
            "{route}: {} characters",
            error.chars().count()
        );
    }

    // Teach and Collect with a PNG body: the label goes in the drawing's
    // JSON, and the message says so (not that it is "missing").
    let drawn = png_of(&GrayImage::new(
        28,
        28,
        (0..784)
            .map(|i| if i % 28 == 14 { 0 } else { 255 })
            .collect(),
    ));
    for route in ["/api/teach", "/api/collect"] {
        let reply = send(&app, "POST", route, "image/png", drawn.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{route}");
        let error = reply.error();
        assert!(!error.contains("missing"), "{route}: {error}");
        assert!(error.contains("\"label\""), "{route}: {error}");
        assert!(error.contains("JSON"), "{route}: {error}");
    }
    assert_eq!(
        send(&app, "POST", "/api/query", "image/png", drawn)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
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

/// Subscribes to `/api/train/events` (from this moment on nothing is
/// missed), then reads it until `done` says so (or 60 s pass), returning
/// every message.
async fn watch_until(
    app: &Router,
    done: impl Fn(&Value) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<Vec<Value>> {
    let request = Request::builder()
        .uri("/api/train/events")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    tokio::spawn(read_events(response.into_body(), done))
}

async fn read_events(body: Body, done: impl Fn(&Value) -> bool) -> Vec<Value> {
    use futures_util::StreamExt;
    let mut body = body.into_data_stream();
    let (mut messages, mut text) = (Vec::new(), String::new());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    while let Ok(Some(chunk)) = tokio::time::timeout_at(deadline, body.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue; // a keep-alive comment
            };
            let message: Value = serde_json::from_str(data).unwrap();
            let finished = done(&message);
            messages.push(message);
            if finished {
                return messages;
            }
        }
    }
    panic!("the run did not end: {messages:?}");
}

fn ended(message: &Value) -> bool {
    message["kind"] == "run"
        && ["finished", "stopped", "failed"].contains(&message["status"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_from_the_page_trains_as_mnn_train_and_continues_exactly() {
    let (app, _trainer, _stop) = serve_with_trainer(book(), None, None);
    // Nothing to pause, stop, rewind or continue before a run.
    for path in ["/api/train/pause", "/api/train/stop", "/api/train/continue"] {
        assert_eq!(
            post_json(&app, path, &json!({})).await.status,
            StatusCode::CONFLICT,
            "{path}"
        );
    }
    let rewind = post_json(&app, "/api/train/rewind", &json!({"epoch": 0})).await;
    assert_eq!(rewind.status, StatusCode::CONFLICT);
    assert_eq!(get(&app, "/api/train").await.json()["status"], "idle");
    // The page offers mnn's named recipes, as start requests the limits allow.
    let recipes = get(&app, "/api/train/recipes").await.json();
    let names: Vec<&str> = recipes
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        mnn_train::recipes()
            .iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
    );
    assert_eq!(recipes[0]["settings"]["hidden"], json!([200]));
    let batches: Vec<_> = recipes
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["settings"]["batch"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(
        batches,
        mnn_train::recipes()
            .iter()
            .map(|r| r.settings.batch)
            .collect::<Vec<_>>()
    );
    for recipe in recipes.as_array().unwrap() {
        let settings: mnn_web::start::StartRequest =
            serde_json::from_value(recipe["settings"].clone()).unwrap();
        let (settings, _) = settings.settings().unwrap();
        assert!(
            super::training::Limits::SERVE.check(&settings).is_ok(),
            "{}",
            recipe["name"]
        );
    }

    let request = json!({"hidden": [20], "lr": 0.3, "epochs": 3, "seed": 4});
    let watching = watch_until(&app, ended).await;
    let started = post_json(&app, "/api/train/start", &request).await;
    assert_eq!(
        started.status,
        StatusCode::OK,
        "{}",
        started.error_or_text()
    );
    let messages = watching.await.unwrap();
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|&&k| k == "epoch").count(),
        3,
        "{kinds:?}"
    );
    assert!(
        kinds.iter().filter(|&&k| k == "progress").count() >= 3,
        "{kinds:?}"
    );
    let last = messages.last().unwrap();
    assert_eq!(last["status"], "finished");
    assert_eq!(last["epoch_ends"].as_array().unwrap().len(), 3);
    assert_eq!(last["served_epoch"], 3);

    // The same run as mnn-train trains it, on the same built-in sample.
    let sample = mnn_train::load(
        &mnn_train::DataSource::Sample,
        mnn_train::Need::TrainAndTest,
    )
    .unwrap();
    let settings = mnn_train::RunSettings {
        hidden: vec![20],
        learning_rate: 0.3,
        epochs: 3,
        seed: 4,
        ..mnn_train::RunSettings::default()
    };
    let mut direct =
        mnn_train::Training::new(&sample.mnist.train, &settings, mnn_train::Threads::given(1))
            .unwrap();
    let mut after = vec![direct.network().clone()];
    for _ in 0..3 {
        direct.epoch(|_| {}).unwrap();
        after.push(direct.network().clone());
    }
    let served_outputs = |app: Router| async move {
        floats(&post_json(&app, "/api/query", &one()).await.json()["outputs"])
    };
    let direct_outputs = |net: &Model| net.signals(&prepared(&one())).pop().unwrap();
    assert_eq!(served_outputs(app.clone()).await, direct_outputs(&after[3]));
    let info = get(&app, "/api/model").await.json();
    assert_eq!(info["layers"], json!([784, 20, 10]));
    let accuracy =
        mnn_train::evaluate(&after[3], &sample.mnist.test, mnn_train::Threads::given(1)).accuracy();
    assert_eq!(info["test_accuracy"].as_f64(), Some(accuracy));
    assert_eq!(last["epoch_ends"][2]["accuracy"].as_f64(), Some(accuracy));

    // A second start while one runs is refused; here the first has ended,
    // so rewinding is allowed: epoch 1 is served, then continued to 3.
    let rewound = post_json(&app, "/api/train/rewind", &json!({"epoch": 1})).await;
    assert_eq!(rewound.json()["served_epoch"], 1);
    assert_eq!(served_outputs(app.clone()).await, direct_outputs(&after[1]));
    let out_of_range = post_json(&app, "/api/train/rewind", &json!({"epoch": 9})).await;
    assert_eq!(out_of_range.status, StatusCode::BAD_REQUEST);
    assert!(out_of_range.error().contains("epochs 0 to 3"));
    let watching = watch_until(&app, |m| ended(m) && m["served_epoch"] == 3).await;
    let continued = post_json(&app, "/api/train/continue", &json!({})).await;
    assert_eq!(continued.status, StatusCode::OK);
    let last = watching.await.unwrap().pop().unwrap();
    assert_eq!(last["epoch_ends"].as_array().unwrap().len(), 3);
    assert_eq!(
        served_outputs(app.clone()).await,
        direct_outputs(&after[3]),
        "rewound and continued, bit for bit the run never stopped"
    );
    // At its last epoch there is nothing to continue.
    assert_eq!(
        post_json(&app, "/api/train/continue", &json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_beyond_the_limits_or_malformed_are_refused_and_one_runs_at_a_time() {
    let (app, trainer, _stop) = serve_with_trainer(book(), None, None);
    for (request, words) in [
        (json!({"hidden": [2000]}), "1 to 1024 nodes"),
        (
            json!({"hidden": [500, 500, 500, 500]}),
            "1 to 3 hidden layers",
        ),
        (json!({"hidden": []}), "1 to 3 hidden layers"),
        (json!({"hidden": [1024, 1024, 1024]}), "at most 1000000"),
        (json!({"epochs": 0}), "epochs: 1 to 60"),
        (json!({"epochs": 61}), "epochs: 1 to 60"),
        (json!({"lr": -1}), "lr: -1"),
        (json!({"lr_decay": 2}), "lr_decay: 2"),
        (
            json!({"batch": 0}),
            "batch: 0 is not a number of samples from 1 to 4096",
        ),
        (json!({"batch": 5000}), "batch: 5000"),
        (json!({"activation": "softplus"}), "activation"),
        (json!({"loss": "hinge"}), "loss"),
        (json!({"augment": "wobble"}), "augment"),
        (json!({"limit": 0}), "limit"),
        (json!({"hiden": [20]}), "hiden"),
    ] {
        let reply = post_json(&app, "/api/train/start", &request).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{request}");
        let error = reply.error();
        assert!(
            error.contains(words),
            "{request}: {error:?} should say {words:?}"
        );
    }
    assert_eq!(trainer.view().status, super::training::Status::Idle);

    // A run of 30 epochs (3,000 samples), paused at once: it holds within
    // its first epoch, under way, whatever the machine's speed.
    let long = json!({"hidden": [100], "epochs": 30});
    assert_eq!(
        post_json(&app, "/api/train/start", &long).await.status,
        StatusCode::OK
    );
    let paused = post_json(&app, "/api/train/pause", &json!({})).await;
    assert_eq!(paused.json()["status"], "paused");
    let again = post_json(&app, "/api/train/start", &long).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.error().contains("one training at a time"));
    for (path, body) in [
        ("/api/train/rewind", json!({"epoch": 0})),
        ("/api/train/continue", json!({})),
    ] {
        assert_eq!(
            post_json(&app, path, &body).await.status,
            StatusCode::CONFLICT,
            "{path}"
        );
    }
    let resumed = post_json(&app, "/api/train/resume", &json!({})).await;
    assert_eq!(resumed.json()["status"], "running");
    let stopping = post_json(&app, "/api/train/stop", &json!({})).await;
    assert!(
        stopping.status == StatusCode::OK || stopping.status == StatusCode::CONFLICT,
        "stopped, or already finished"
    );
    let last = watch_until(&app, ended).await.await.unwrap().pop().unwrap();
    let kept = last["epoch_ends"].as_array().unwrap().len();
    if stopping.status == StatusCode::OK {
        assert_eq!(last["status"], "stopped");
        assert!(kept < 30, "stopped after {kept} epochs");
    }
    // Stopped before its first epoch began, it served nothing new.
    let served = (kept > 0).then_some(kept);
    assert_eq!(trainer.view().served_epoch, served);
}
