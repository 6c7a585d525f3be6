//! The Train panel's API (docs/serve.md): start, pause, resume, stop,
//! rewind and continue a run, and its events pushed to the page as
//! Server-Sent Events. The training itself is in `training.rs`.

use super::api::{ApiError, ApiResult, ok};
use super::training::{Refusal, RunView, Trainer, Watch};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use futures_util::stream;
use mnn_web::start::StartRequest;
use serde::Deserialize;
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// What the routes share: the trainer, and the server's stopping signal
/// (which ends the event streams, so that Ctrl-C is not kept waiting by an
/// open page).
#[derive(Clone)]
struct Shared {
    trainer: Arc<Trainer>,
    stopping: watch::Receiver<bool>,
}

/// The Train panel's routes; `stopping` turns true when the server stops.
pub fn routes(trainer: Arc<Trainer>, stopping: watch::Receiver<bool>) -> Router {
    Router::new()
        .route("/api/train", get(status))
        .route("/api/train/events", get(events))
        .route("/api/train/recipes", get(recipes))
        .route("/api/train/start", post(start))
        .route("/api/train/pause", post(pause))
        .route("/api/train/resume", post(resume))
        .route("/api/train/stop", post(stop))
        .route("/api/train/rewind", post(rewind))
        .route("/api/train/continue", post(continue_run))
        .with_state(Shared { trainer, stopping })
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Bad(message) => ApiError::new(StatusCode::BAD_REQUEST, message),
            Refusal::Conflict(message) => ApiError::new(StatusCode::CONFLICT, message),
            Refusal::Failed(message) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message),
        }
    }
}

fn view_json(view: &RunView) -> ApiResult {
    ok(json!(view))
}

/// `GET /api/train`: the run as it is (status, curve, epoch ends).
async fn status(State(shared): State<Shared>) -> ApiResult {
    view_json(&shared.trainer.view())
}

/// `GET /api/train/recipes`: the named recipes (`mnn train --recipe list`),
/// as the start request's fields, for the page's list of networks.
async fn recipes() -> ApiResult {
    ok(mnn_web::json::recipes_json())
}

/// `POST /api/train/start`: a new run (409 while one is under way).
async fn start(State(shared): State<Shared>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let body = body?;
    let request: StartRequest = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_str("{}").expect("an empty request")
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed_json(&e))?
    };
    let (settings, limit) = request.settings().map_err(ApiError::bad_request)?;
    let trainer = Arc::clone(&shared.trainer);
    let view = tokio::task::spawn_blocking(move || trainer.start(settings, limit))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the start failed"))??;
    view_json(&view)
}

async fn pause(State(shared): State<Shared>) -> ApiResult {
    view_json(&shared.trainer.pause(true)?)
}

async fn resume(State(shared): State<Shared>) -> ApiResult {
    view_json(&shared.trainer.pause(false)?)
}

async fn stop(State(shared): State<Shared>) -> ApiResult {
    view_json(&shared.trainer.stop()?)
}

/// Which epoch to rewind to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RewindRequest {
    epoch: usize,
}

/// `POST /api/train/rewind {"epoch": N}`: serve the network of epoch N.
async fn rewind(State(shared): State<Shared>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let body = body?;
    let request: RewindRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed_json(&e))?;
    view_json(&shared.trainer.rewind(request.epoch)?)
}

/// `POST /api/train/continue`: train on from the served epoch.
async fn continue_run(State(shared): State<Shared>) -> ApiResult {
    let trainer = Arc::clone(&shared.trainer);
    let view = tokio::task::spawn_blocking(move || trainer.continue_run())
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "the continue failed"))??;
    view_json(&view)
}

/// `GET /api/train/events`: Server-Sent Events, one JSON message each
/// (`kind`: `run`, `progress` or `epoch`), starting with the whole run;
/// they end when the server stops.
async fn events(State(shared): State<Shared>) -> impl IntoResponse {
    let (view, receiver) = shared.trainer.watch();
    let first = Some(Watch::Run(view));
    let state = (first, receiver, shared);
    let stream = stream::unfold(state, |(first, mut receiver, shared)| async move {
        if let Some(watch) = first {
            return Some((message(&watch), (None, receiver, shared)));
        }
        let mut stopping = shared.stopping.clone();
        let watch = tokio::select! {
            received = receiver.recv() => match received {
                Ok(watch) => watch,
                // Fallen behind: the whole run again.
                Err(broadcast::error::RecvError::Lagged(_)) => Watch::Run(shared.trainer.view()),
                Err(broadcast::error::RecvError::Closed) => return None,
            },
            _ = stopping.wait_for(|stopping| *stopping) => return None,
        };
        Some((message(&watch), (None, receiver, shared)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn message(watch: &Watch) -> Result<Event, Infallible> {
    Ok(Event::default().data(serde_json::to_string(watch).expect("serialisable")))
}
