//! The JSON API the drawing page uses (documented in docs/serve.md).
//!
//! Every answer is JSON; every refusal is a 4xx status with one line,
//! `{"error": "..."}`, saying what was wrong. The work of each request runs
//! on tokio's blocking pool, so a slow request never holds up the others.

use super::guard::shortened;
use super::model::{Imagining, Served};
use crate::pictures;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use mnn_data::{DIGITS, DataError, GrayImage, IMAGE_COLS, IMAGE_ROWS};
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::Cursor;
use std::sync::Arc;

/// The largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
pub use mnn_web::drawing::{MAX_PIXELS, MAX_SIDE};
/// The first bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Backquery pictures are 28×28 blown up this many times.
const BACKQUERY_SCALE: usize = 10;

type Shared = Arc<Served>;

/// The API's routes, to be merged with the page's.
pub fn routes(served: Shared) -> Router {
    Router::new()
        .route("/api/model", get(model))
        .route("/api/query", drawing_route(query))
        .route("/api/teach", drawing_route(teach))
        .route("/api/reset", post(reset))
        .route("/api/save", post(save))
        .route("/api/collect", drawing_route(collect))
        .route("/api/backquery/{file}", get(backquery))
        .route("/api/imagine/{file}", get(imagine))
        .route("/api/weights.png", get(weights))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(served)
}

/// A refusal: a status and one line of explanation.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// A 500 for work that failed on the server's side (a file not written).
    fn failed(err: &anyhow::Error) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, crate::one_line(err))
    }

    /// A 400 for a JSON body serde cannot read: serde's message quotes an
    /// unknown field or a wrong value whole, so it is cut as mnn cuts every
    /// such message ([`mnn_net::shortened`]).
    pub(super) fn malformed_json(err: &serde_json::Error) -> ApiError {
        ApiError::bad_request(mnn_web::drawing::malformed_json(err))
    }

    /// The body of the refusal: `{"error":"..."}`, one line, its message
    /// at most [`MAX_MESSAGE`] characters.
    pub(super) fn body(&self) -> Vec<u8> {
        // One line, whatever the cause said, and not too long.
        let mut message = self.message.replace('\n', " ");
        if let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE - 1)
            && message.chars().count() > MAX_MESSAGE
        {
            message.truncate(cut);
            message.push('…');
        }
        serde_json::to_vec(&json!({ "error": message })).expect("a string makes JSON")
    }
}

/// The longest message a refusal carries, in characters (mnn's one limit
/// for its messages): what a client sent is not echoed whole.
const MAX_MESSAGE: usize = crate::MAX_MESSAGE_CHARS;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response()
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> ApiError {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the request body is over the limit of {MAX_BODY_BYTES} bytes")
        } else {
            format!("cannot read the request body: {}", rejection.body_text())
        };
        ApiError::new(status, message)
    }
}

impl From<DataError> for ApiError {
    fn from(err: DataError) -> ApiError {
        let (status, message) = mnn_web::drawing::unreadable(&err);
        ApiError::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            message,
        )
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

/// Runs `work` on the blocking pool; a panic in it becomes a 500, and the
/// server goes on answering.
async fn off_the_runtime<F>(work: F) -> ApiResult
where
    F: FnOnce() -> ApiResult + Send + 'static,
{
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server failed on this request",
        ))
    })
}

/// What a route whose request body is a drawing does with it: the served
/// network, the drawing, and its label.
type DrawingWork = fn(&Served, GrayImage, Label) -> ApiResult;

/// The label sent with a drawing, as far as its body could carry one.
#[derive(Debug, Clone, Copy)]
enum Label {
    /// The drawing's JSON, with its `label` if it had one.
    Json(Option<i64>),
    /// A PNG body, which has no place for a label.
    Png,
}

/// A POST route whose body is a drawing (query, teach, collect): the body is
/// read and decoded, and `work` runs, on the blocking pool.
fn drawing_route(work: DrawingWork) -> MethodRouter<Shared> {
    post(
        move |State(served): State<Shared>,
              headers: HeaderMap,
              body: Result<Bytes, BytesRejection>| async move {
            let body = body?;
            off_the_runtime(move || {
                let (image, label) = drawing(&headers, &body)?;
                work(&served, image, label)
            })
            .await
        },
    )
}

/// Answers for 404 and 405, in the API's JSON.
pub async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such page: {method} {}", shortened(uri.path())),
    )
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not take {method}", shortened(uri.path())),
    )
}

/// The drawing in a request body: a PNG (by its content type or its
/// signature) or the JSON of [`Drawing`]; and its label.
fn drawing(headers: &HeaderMap, body: &[u8]) -> Result<(GrayImage, Label), ApiError> {
    let png_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("image/png"));
    if png_type || body.starts_with(PNG_SIGNATURE) {
        return Ok((png_drawing(body)?, Label::Png));
    }
    let (image, label) = mnn_web::drawing::from_json(body).map_err(ApiError::bad_request)?;
    Ok((image, Label::Json(label)))
}

/// A drawing's size must be within [`MAX_SIDE`] and [`MAX_PIXELS`].
fn check_size(width: usize, height: usize) -> Result<(), ApiError> {
    mnn_web::drawing::check_size(width, height).map_err(ApiError::bad_request)
}

/// A PNG body, its size checked from its header before it is decoded (a
/// small file can unpack into a huge image).
fn png_drawing(body: &[u8]) -> Result<GrayImage, ApiError> {
    // After the signature the IHDR chunk comes first: width and height at
    // bytes 16..24. A file whose first chunk is another is left to the
    // decoder, which says so.
    if let (true, Some(b"IHDR"), Some(w), Some(h)) = (
        body.starts_with(PNG_SIGNATURE),
        body.get(12..16),
        body.get(16..20),
        body.get(20..24),
    ) {
        let side = |b: &[u8]| u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize;
        check_size(side(w), side(h))?;
    }
    let image =
        mnn_data::image::decode_png_gray(Cursor::new(body), std::path::Path::new("request body"))?;
    check_size(image.width, image.height)?;
    Ok(image)
}

/// A label sent with a drawing: one digit.
fn digit(label: Label) -> Result<u8, ApiError> {
    let label = match label {
        Label::Json(Some(label)) => label,
        Label::Json(None) => {
            return Err(ApiError::bad_request(
                "label: missing (a digit 0..9 beside width, height and pixels)",
            ));
        }
        Label::Png => {
            return Err(ApiError::bad_request(
                "a PNG body has no place for the label: send the drawing as JSON, \
                 {\"width\", \"height\", \"pixels\", \"label\": a digit 0..9}",
            ));
        }
    };
    u8::try_from(label)
        .ok()
        .filter(|&l| usize::from(l) < DIGITS)
        .ok_or_else(|| ApiError::bad_request(format!("label {label} is not a digit 0..9")))
}

use mnn_web::json::{reading_json, signals, teach_json};

pub(super) fn ok(value: Value) -> ApiResult {
    Ok(axum::Json(value).into_response())
}

async fn model(State(served): State<Shared>) -> ApiResult {
    let summary = served.summary();
    let architecture = &summary.architecture;
    let (off, on) = architecture.loss.targets();
    let info = &summary.about.info;
    ok(json!({
        "layers": architecture.layer_sizes,
        "network": summary.description,
        "activation": architecture.activation.name(),
        "output": architecture.loss.output_activation(),
        "loss": architecture.loss.name(),
        "bias": architecture.bias,
        "targets": signals(&[off, on]),
        "can_backquery": summary.can_backquery,
        "learning_rate": signals(&[summary.learning_rate])[0],
        "test_accuracy": info.test_accuracy,
        "epochs": info.epochs,
        "source": summary.about.source,
        "lessons": summary.lessons,
        "can_save": served.save_taught.is_some(),
        "can_collect": served.collect.is_some(),
        "max_body_bytes": MAX_BODY_BYTES,
        "max_pixels": MAX_PIXELS,
        "max_side": MAX_SIDE,
    }))
}

fn query(served: &Served, image: GrayImage, label: Label) -> ApiResult {
    if let Label::Json(Some(_)) = label {
        return Err(ApiError::bad_request(
            "label: a query takes no label (teach and collect do)",
        ));
    }
    let (reading, lessons) = served.read_drawing(&image)?;
    ok(reading_json(&reading, lessons))
}

fn teach(served: &Served, image: GrayImage, label: Label) -> ApiResult {
    let label = digit(label)?;
    let (before, after, lessons) = served.teach(&image, label)?;
    ok(teach_json(&before, &after, lessons, label))
}

async fn reset(State(served): State<Shared>) -> ApiResult {
    served.reset();
    ok(json!({ "lessons": 0 }))
}

async fn save(State(served): State<Shared>) -> ApiResult {
    off_the_runtime(move || match served.save() {
        None => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "saving is off: start the server with `mnn serve --save-taught FILE` to allow it",
        )),
        Some(Err(err)) => Err(ApiError::failed(&err)),
        Some(Ok((path, lessons))) => ok(json!({ "saved": path, "lessons": lessons })),
    })
    .await
}

fn collect(served: &Served, image: GrayImage, label: Label) -> ApiResult {
    if served.collect.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "collecting is off: start the server with `mnn serve --collect DIR` to allow it",
        ));
    }
    let label = digit(label)?;
    // Only drawings the network can read are worth keeping.
    served.read_drawing(&image)?;
    match served.collect(&image, label) {
        Some(Ok(path)) => ok(json!({ "saved": path, "label": label })),
        Some(Err(err)) => Err(ApiError::failed(&err)),
        None => unreachable!("checked above"),
    }
}

/// `GET /api/backquery/<digit>.png`: what the network imagines for a digit
/// by the book's backquery, dark ink on white, 280×280 (409 for a network
/// that cannot be run backwards).
async fn backquery(
    State(served): State<Shared>,
    file: Result<Path<String>, PathRejection>,
) -> ApiResult {
    imagined(served, &picture_name(file)?, Imagining::Backquery).await
}

/// `GET /api/imagine/<digit>.png`: the image that most excites the digit's
/// output, found by gradient ascent, dark ink on white, 280×280.
async fn imagine(
    State(served): State<Shared>,
    file: Result<Path<String>, PathRejection>,
) -> ApiResult {
    imagined(served, &picture_name(file)?, Imagining::Ascent).await
}

/// The file name in an imagined digit's path; a 404 in the API's JSON when
/// it is not even text (`%ff.png`).
fn picture_name(file: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    file.map(|Path(file)| file).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no such image: there are 0.png .. 9.png",
        )
    })
}

/// How many hidden nodes `/api/weights.png` may draw.
const MAX_WEIGHT_PICTURES: usize = 64;

/// `?top=N` of `/api/weights.png`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsQuery {
    top: Option<usize>,
    /// Any value: lets the page ask again for a changed network.
    #[serde(rename = "t")]
    _t: Option<String>,
}

/// `GET /api/weights.png?top=N`: what the N most used hidden nodes of the
/// served network look for (as `mnn weights` draws them; 12 unless told,
/// at most [`MAX_WEIGHT_PICTURES`]).
async fn weights(
    State(served): State<Shared>,
    query: Result<Query<WeightsQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) =
        query.map_err(|e| ApiError::bad_request(mnn_net::shortened(&e.body_text())))?;
    let top = query.top.unwrap_or(12).clamp(1, MAX_WEIGHT_PICTURES);
    off_the_runtime(move || {
        let picture = served.weights_picture(top).ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "the served network has no hidden layer",
            )
        })?;
        let png = mnn_data::PngPixels::rgb(picture.width, picture.height, &picture.rgb)
            .to_bytes()
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        Ok(png_response(png))
    })
    .await
}

/// A PNG that is made afresh every time.
fn png_response(png: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    )
        .into_response()
}

/// `<digit>.png` imagined `how`, as a PNG.
async fn imagined(served: Shared, file: &str, how: Imagining) -> ApiResult {
    let digit = file
        .strip_suffix(".png")
        .filter(|d| d.len() == 1)
        .and_then(|d| d.parse::<u8>().ok())
        .filter(|&d| usize::from(d) < DIGITS)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no image {:?}: there are 0.png .. 9.png", shortened(file)),
            )
        })?;
    off_the_runtime(move || {
        let greys = served.imagine(digit, how).ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                format!(
                    "the served {} network cannot be run backwards (ReLU has no inverse); \
                     /api/imagine/{digit}.png shows what it imagines by gradient ascent",
                    served.summary().description
                ),
            )
        })?;
        let (width, height) = (IMAGE_COLS * BACKQUERY_SCALE, IMAGE_ROWS * BACKQUERY_SCALE);
        let big = pictures::upscale(&greys, IMAGE_COLS, IMAGE_ROWS, BACKQUERY_SCALE);
        let png = mnn_data::PngPixels::gray(width, height, &big)
            .to_bytes()
            .map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot make PNG: {e}"),
                )
            })?;
        Ok((
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            png,
        )
            .into_response())
    })
    .await
}
