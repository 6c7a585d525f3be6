//! The web API's targets: one per route of `mnn serve`, each input sent in
//! process to the server's own router (`mnn_cli::serve::in_process`, no
//! socket) as a route's body, the end of its path or its query string, plus
//! one target for the headers (the origin rule) and one for whole paths and
//! methods. The answer must be 2xx or 4xx, never 5xx; every 4xx body one
//! line of JSON with an `"error"` string held to the message rules of
//! every other target.
//!
//! One server per process, kept between inputs as a running server is: its
//! lessons pile up, a run started from the Train panel is stopped again at
//! once. Nothing is written to disk: Save and Collect are off (403).

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, header};
use std::sync::OnceLock;
use tokio::runtime::Runtime;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::run::check_message;
use crate::seeds::png_seeds;

/// Where a target's input goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// The body (`application/json`, or `image/png` when it starts as a PNG).
    Body,
    /// After the route's path (an imagined digit's file name).
    PathEnd,
    /// The query string.
    Query,
    /// Header lines `Name: value` of a query with a valid drawing.
    Headers,
    /// The first byte picks the method, the rest is the path and query.
    Whole,
}

/// One route of the API, as a target sends to it.
pub(crate) struct Route {
    pub name: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub input: Input,
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Whether its seeds are answered 2xx: not for Save and Collect (off
    /// here), nor the Train panel's controls while no run is under way.
    pub accepts_seeds: bool,
}

/// A 28×28 drawing of a "1" as the page sends it, with `extra` fields.
fn drawing(extra: &str) -> Vec<u8> {
    let pixels: Vec<String> = (0..784)
        .map(|i| if i % 28 == 14 { "0" } else { "255" }.to_string())
        .collect();
    format!(
        r#"{{"width": 28, "height": 28, "pixels": [{}]{extra}}}"#,
        pixels.join(",")
    )
    .into_bytes()
}

fn query_seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![drawing("")];
    seeds.extend(png_seeds());
    seeds
}

fn labelled_seeds() -> Vec<Vec<u8>> {
    vec![drawing(r#", "label": 1"#), drawing(r#", "label": 7"#)]
}

fn no_body() -> Vec<Vec<u8>> {
    vec![Vec::new(), b"{}".to_vec()]
}

fn digits() -> Vec<Vec<u8>> {
    vec![b"0.png".to_vec(), b"7.png".to_vec()]
}

fn queries() -> Vec<Vec<u8>> {
    vec![Vec::new(), b"top=3".to_vec(), b"top=12&t=17".to_vec()]
}

fn start_seeds() -> Vec<Vec<u8>> {
    [
        r#"{"hidden": [8], "epochs": 1, "limit": 20}"#,
        r#"{"hidden": [6, 4], "activation": "relu", "loss": "cross-entropy", "bias": true, "lr": 0.05, "epochs": 1, "limit": 10, "seed": 3}"#,
        r#"{"hidden": [5], "epochs": 1, "limit": 10, "augment": "rotate:10", "lr_decay": 0.9}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn rewind_seeds() -> Vec<Vec<u8>> {
    vec![br#"{"epoch": 0}"#.to_vec(), br#"{"epoch": 1}"#.to_vec()]
}

fn header_seeds() -> Vec<Vec<u8>> {
    [
        "Content-Type: application/json\nHost: 127.0.0.1:8784\nOrigin: http://127.0.0.1:8784",
        "Content-Type: application/json; charset=utf-8\nHost: localhost",
        "content-type: application/json",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn whole_seeds() -> Vec<Vec<u8>> {
    ROUTES
        .iter()
        .filter(|r| r.input != Input::Whole)
        .map(|r| {
            let mut seed = vec![if r.method == Method::GET { 0 } else { 1 }];
            seed.extend_from_slice(r.path.as_bytes());
            if r.input == Input::PathEnd {
                seed.extend_from_slice(b"3.png");
            }
            seed
        })
        .collect()
}

/// Every route of docs/serve.md, and the headers and whole paths.
pub(crate) static ROUTES: [Route; 20] = [
    Route {
        name: "api-model",
        method: Method::GET,
        path: "/api/model",
        input: Input::Query,
        seeds: queries,
        accepts_seeds: true,
    },
    Route {
        name: "api-query",
        method: Method::POST,
        path: "/api/query",
        input: Input::Body,
        seeds: query_seeds,
        accepts_seeds: true,
    },
    Route {
        name: "api-teach",
        method: Method::POST,
        path: "/api/teach",
        input: Input::Body,
        seeds: labelled_seeds,
        accepts_seeds: true,
    },
    Route {
        name: "api-reset",
        method: Method::POST,
        path: "/api/reset",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: true,
    },
    Route {
        name: "api-save",
        method: Method::POST,
        path: "/api/save",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: false,
    },
    Route {
        name: "api-collect",
        method: Method::POST,
        path: "/api/collect",
        input: Input::Body,
        seeds: labelled_seeds,
        accepts_seeds: false,
    },
    Route {
        name: "api-backquery",
        method: Method::GET,
        path: "/api/backquery/",
        input: Input::PathEnd,
        seeds: digits,
        accepts_seeds: true,
    },
    Route {
        name: "api-imagine",
        method: Method::GET,
        path: "/api/imagine/",
        input: Input::PathEnd,
        seeds: digits,
        accepts_seeds: true,
    },
    Route {
        name: "api-weights",
        method: Method::GET,
        path: "/api/weights.png",
        input: Input::Query,
        seeds: queries,
        accepts_seeds: true,
    },
    Route {
        name: "api-train",
        method: Method::GET,
        path: "/api/train",
        input: Input::Query,
        seeds: queries,
        accepts_seeds: true,
    },
    Route {
        name: "api-train-events",
        method: Method::GET,
        path: "/api/train/events",
        input: Input::Query,
        seeds: queries,
        accepts_seeds: true,
    },
    Route {
        name: "api-train-recipes",
        method: Method::GET,
        path: "/api/train/recipes",
        input: Input::Query,
        seeds: queries,
        accepts_seeds: true,
    },
    Route {
        name: "api-train-start",
        method: Method::POST,
        path: "/api/train/start",
        input: Input::Body,
        seeds: start_seeds,
        accepts_seeds: false,
    },
    Route {
        name: "api-train-pause",
        method: Method::POST,
        path: "/api/train/pause",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: false,
    },
    Route {
        name: "api-train-resume",
        method: Method::POST,
        path: "/api/train/resume",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: false,
    },
    Route {
        name: "api-train-stop",
        method: Method::POST,
        path: "/api/train/stop",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: false,
    },
    Route {
        name: "api-train-rewind",
        method: Method::POST,
        path: "/api/train/rewind",
        input: Input::Body,
        seeds: rewind_seeds,
        accepts_seeds: false,
    },
    Route {
        name: "api-train-continue",
        method: Method::POST,
        path: "/api/train/continue",
        input: Input::Body,
        seeds: no_body,
        accepts_seeds: false,
    },
    Route {
        name: "api-headers",
        method: Method::POST,
        path: "/api/query",
        input: Input::Headers,
        seeds: header_seeds,
        accepts_seeds: true,
    },
    Route {
        name: "api-paths",
        method: Method::GET,
        path: "/",
        input: Input::Whole,
        seeds: whole_seeds,
        // POSTs without the body their route needs.
        accepts_seeds: false,
    },
];

/// The server the route targets share, and the runtime it runs on.
struct Server {
    runtime: Runtime,
    router: Router,
    /// Kept: dropping it would end the event streams.
    _stop: watch::Sender<bool>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        // The book's network (784-30-10), and the book's sample for the
        // Train panel's runs.
        let network = mnn_net::NeuralNetwork::new(784, 30, 10, 0.3, 1).expect("valid sizes");
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let data = mnn_cli::DataArgs {
            data: None,
            train_csv: Some(data.join("mnist_train_100.csv")),
            test_csv: Some(data.join("mnist_test_10.csv")),
        };
        // One thread for the Train panel's runs: the fuzz is not about speed.
        let threads = mnn_train::Threads::given(1);
        let (router, stop) =
            mnn_cli::serve::in_process(mnn_net::Model::Book(network), data, threads);
        Server {
            runtime,
            router,
            _stop: stop,
        }
    })
}

/// `bytes` as URI text: unreserved characters and `/?=&%+` as they are,
/// any other byte percent-encoded (a client cannot send it raw either).
fn uri_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/?=&%+".contains(&b) {
            text.push(b as char);
        } else {
            text.push_str(&format!("%{b:02X}"));
        }
    }
    text
}

/// A header's name and value as a client sent them.
type Header = (Vec<u8>, Vec<u8>);

/// The request `input` makes for `route`, or `None` when no client could
/// send it (a URI `http` will not build).
fn request(route: &Route, input: &[u8]) -> Option<Request<Body>> {
    let (method, uri, body, headers): (Method, String, Vec<u8>, Vec<Header>) = match route.input {
        Input::Body => {
            let kind: &[u8] = if input.starts_with(b"\x89PNG") {
                b"image/png"
            } else {
                b"application/json"
            };
            let headers = vec![(b"content-type".to_vec(), kind.to_vec())];
            (
                route.method.clone(),
                route.path.into(),
                input.to_vec(),
                headers,
            )
        }
        Input::PathEnd | Input::Query => {
            let joint = if route.input == Input::Query { "?" } else { "" };
            let uri = format!("{}{joint}{}", route.path, uri_text(input));
            (route.method.clone(), uri, Vec::new(), Vec::new())
        }
        Input::Headers => {
            let headers = input
                .split(|&b| b == b'\n')
                .filter_map(|line| {
                    let colon = line.iter().position(|&b| b == b':')?;
                    let value = line[colon + 1..].trim_ascii();
                    Some((line[..colon].to_vec(), value.to_vec()))
                })
                .collect();
            (
                route.method.clone(),
                route.path.into(),
                drawing(""),
                headers,
            )
        }
        Input::Whole => {
            let (&pick, path) = input.split_first()?;
            let methods = [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::PATCH,
                Method::OPTIONS,
            ];
            let method = methods[usize::from(pick) % methods.len()].clone();
            let path = if path.starts_with(b"/") {
                uri_text(path)
            } else {
                format!("/{}", uri_text(path))
            };
            let headers = vec![(b"content-type".to_vec(), b"application/json".to_vec())];
            (method, path, Vec::new(), headers)
        }
    };
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        // A header no client could send is left out.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&name),
            HeaderValue::from_bytes(&value),
        ) {
            request = request.header(name, value);
        }
    }
    request.body(Body::from(body)).ok()
}

/// Sends `input` to `route` and checks the answer: 2xx is `Ok`, 4xx the
/// refusal's message (checked), anything else a failure (a panic).
pub(crate) fn send(route: &Route, input: &[u8]) -> Result<(), String> {
    let Some(request) = request(route, input) else {
        return Err(format!("no such request: {}", route.name));
    };
    let server = server();
    let answer = server.runtime.block_on(async {
        let response = server
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        // An event stream flows for as long as it is open: its start is enough.
        let body = if kind.starts_with("text/event-stream") {
            Vec::new()
        } else {
            axum::body::to_bytes(response.into_body(), 64 << 20)
                .await
                .expect("the whole answer")
                .to_vec()
        };
        (status, kind, body)
    });
    let (status, kind, body) = answer;
    let shown = || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    assert!(
        status.is_success() || status.is_client_error(),
        "{}: {status} for {:?}: {}",
        route.name,
        String::from_utf8_lossy(&input[..input.len().min(300)]),
        shown()
    );
    if status.is_success() {
        // A run started from the page is stopped again at once.
        if route.path.starts_with("/api/train/")
            && (route.path.ends_with("start") || route.path.ends_with("continue"))
        {
            let stop = Request::post("/api/train/stop")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::empty())
                .expect("a request");
            let _ = server.runtime.block_on(server.router.clone().oneshot(stop));
        }
        return Ok(());
    }
    assert!(
        kind.starts_with("application/json"),
        "{}: {status} as {kind:?}: {}",
        route.name,
        shown()
    );
    let text = std::str::from_utf8(&body).expect("JSON is UTF-8");
    assert!(
        !text.contains('\n'),
        "{}: more than one line: {text}",
        route.name
    );
    let json: serde_json::Value = serde_json::from_str(text).expect("a refusal is JSON");
    let message = json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no \"error\" string: {text}", route.name));
    check_message(message);
    Err(message.to_string())
}
