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
use mnn_net::deep::{Activation, Loss};
use mnn_train::RunSettings;
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
    let list: Vec<_> = mnn_train::recipes()
        .into_iter()
        .map(|recipe| {
            let s = &recipe.settings;
            json!({
                "name": recipe.name,
                "summary": recipe.summary,
                "figures": recipe.figures,
                "settings": {
                    "hidden": s.hidden,
                    "activation": s.activation.name(),
                    "loss": s.loss.name(),
                    "bias": s.bias,
                    "lr": s.learning_rate,
                    "lr_decay": s.lr_decay,
                    "epochs": s.epochs,
                    "augment": if s.augmentation.is_none() { String::new() } else { s.augmentation.to_string() },
                    "seed": s.seed,
                },
            })
        })
        .collect();
    ok(json!(list))
}

/// What a run started from the page asks for; every field may be left out
/// (the book's final experiment).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StartRequest {
    hidden: Option<Vec<u32>>,
    activation: Option<String>,
    loss: Option<String>,
    bias: Option<bool>,
    lr: Option<f64>,
    lr_decay: Option<f64>,
    epochs: Option<u32>,
    augment: Option<String>,
    rotate: Option<f32>,
    seed: Option<u64>,
    /// Train on the first this many training records only.
    limit: Option<usize>,
}

impl StartRequest {
    /// The run's settings, each field checked and named when wrong.
    pub(super) fn settings(self) -> Result<(RunSettings, Option<usize>), ApiError> {
        let bad = ApiError::bad_request;
        let book = RunSettings::default();
        let activation: Activation = match self.activation {
            Some(name) => name.parse().map_err(|e| bad(format!("activation: {e}")))?,
            None => book.activation,
        };
        let loss: Loss = match self.loss {
            Some(name) => name.parse().map_err(|e| bad(format!("loss: {e}")))?,
            None => book.loss,
        };
        let augmentation = match self.augment.as_deref().map(str::trim) {
            None | Some("" | "none") => book.augmentation,
            Some(spec) => spec.parse().map_err(|e| bad(format!("augment: {e}")))?,
        };
        let learning_rate = self.lr.unwrap_or(book.learning_rate);
        if !mnn_train::is_learning_rate(learning_rate) {
            return Err(bad(format!(
                "lr: {learning_rate} is not a learning rate (a positive number)"
            )));
        }
        let lr_decay = self.lr_decay.unwrap_or(book.lr_decay);
        if !(lr_decay > 0.0 && lr_decay <= 1.0) {
            return Err(bad(format!("lr_decay: {lr_decay} is not in (0, 1]")));
        }
        if let Some(degrees) = self.rotate
            && !(degrees.is_finite() && degrees > 0.0 && degrees <= mnn_train::MAX_ROTATION)
        {
            return Err(bad(format!(
                "rotate: {degrees} is not an angle in (0, {}]",
                mnn_train::MAX_ROTATION
            )));
        }
        if self.limit == Some(0) {
            return Err(bad("limit: at least one training record".into()));
        }
        let settings = RunSettings {
            hidden: self.hidden.unwrap_or(book.hidden),
            activation,
            loss,
            bias: self.bias.unwrap_or(book.bias),
            learning_rate,
            lr_decay,
            epochs: self.epochs.unwrap_or(book.epochs),
            seed: self.seed.unwrap_or(book.seed),
            augmentation,
            rotate: self.rotate,
            validate: 0,
            // the page trains one sample per update
            batch: book.batch,
        };
        Ok((settings, self.limit))
    }
}

/// `POST /api/train/start`: a new run (409 while one is under way).
async fn start(State(shared): State<Shared>, body: Result<Bytes, BytesRejection>) -> ApiResult {
    let body = body?;
    let request: StartRequest = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_str("{}").expect("an empty request")
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?
    };
    let (settings, limit) = request.settings()?;
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
    let request: RewindRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
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
