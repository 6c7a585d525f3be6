//! `mnn serve`: a local web page to draw a digit on and watch the network
//! think — its answer, the 28×28 image it saw, its hidden layer, what it
//! imagines for each digit — and teach it.
//!
//! - `model`: the served network and what can be asked of it (no HTTP);
//! - `api`: the JSON API over it (docs/serve.md);
//! - `assets`: the page itself, compiled in.

mod api;
mod assets;
pub mod connections;
mod guard;
mod hyper_refusals;
mod model;
#[cfg(test)]
mod tests;
mod train_api;
mod training;

use crate::data;
use crate::report::{EpochBars, Reporter, outln};
use crate::{DataArgs, files};
use anyhow::{Context, Result};
use clap::Args;
use guard::Guard;
use mnn_net::{Model, ModelInfo};
use mnn_train::{LoadedData, Need, Origin, RunSettings, Tests, Threads};
use model::{About, Served};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
use training::{Limits, Trainer};

/// The port `mnn serve` listens on unless told otherwise (8, then the 784 inputs).
pub const DEFAULT_PORT: u16 = 8784;

/// `mnn serve` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Open the printed address in a browser, draw a digit, and the page shows the network's \
answer, the ten outputs, the 28×28 image it saw (prepared as `mnn query` prepares a PNG, \
and the book's raw way beside it), each hidden layer, and what it imagines for each digit \
(the book's backquery where the network can be run backwards, and gradient ascent). Teach \
runs the network's own `train` step once on your drawing; Reset forgets every lesson. \
Lessons stay in memory unless --save-taught names a file for the Save button. --model \
takes any network mnn writes.

Its Train panel trains a network on the page and shows it learning (one run at a time, \
within the limits printed at start), on the data --data names (loaded when a run starts).

Without --model, the book's final network (784-200-10, lr 0.1, 5 epochs) is trained first \
on MNIST in data/mnist (or --data), or on the built-in sample of 100 digits, which makes a \
poor guesser. Only the page itself may use the server (its Host, Origin and Content-Type \
are checked). The JSON API is described in docs/serve.md.")]
pub struct ServeArgs {
    /// Serve this saved network (a .safetensors file written by `mnn train --save`, of
    /// any kind) instead of training one first
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Port to listen on (0: any free port, printed)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address makes the page
    /// reachable from other machines
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Let the page's Save button write the taught network to FILE (atomically);
    /// without it nothing is written
    #[arg(long, value_name = "FILE")]
    pub save_taught: Option<PathBuf>,
    /// Let the page's Collect button save drawings as DIR/LABEL_N.png, for
    /// `mnn query` to read (DIR is made if missing)
    #[arg(long, value_name = "DIR")]
    pub collect: Option<PathBuf>,
    /// Threads for training: the book's network when no --model is given, and the page's runs [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(mnn_train::MAX_THREADS)))]
    pub threads: Option<u32>,
}

pub fn run(args: &ServeArgs) -> Result<()> {
    let threads = crate::threads(args.threads);
    if let Some(path) = &args.save_taught {
        files::check_writable(path)?;
    }
    if let Some(dir) = &args.collect {
        check_collect_folder(dir)?;
    }
    let (network, about, data) = match &args.model {
        Some(path) => {
            let (network, about) = model::load(path)?;
            (network, about, None)
        }
        None => train_book_network(&args.data, threads)?,
    };
    let served = Arc::new(Served::new(
        network,
        about,
        args.save_taught.clone(),
        args.collect.clone(),
    ));
    let trainer = Arc::new(Trainer::new(
        Arc::clone(&served),
        args.data.clone(),
        data,
        threads,
    ));
    // The requests' work runs on tokio's blocking pool; a few threads per
    // core keep the cores busy, and a fixed pool keeps the memory flat.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(2 * cores)
        .build()
        .context("cannot start the server's threads")?;
    runtime.block_on(serve(
        served,
        trainer,
        SocketAddr::new(args.host, args.port),
    ))
}

async fn serve(served: Arc<Served>, trainer: Arc<Trainer>, address: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen on {address} (another program may use it; --port 0 picks a free port)")
    })?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}, so the page (and its Teach, Save and Collect buttons) can be \
             reached from other machines; use --host 127.0.0.1 to keep it to this one",
            address.ip()
        );
    }
    let summary = served.summary();
    outln!(
        "serving the {} network ({}) at http://{address}/ — open it in a browser; Ctrl-C stops",
        summary.description,
        summary.about.source
    );
    let limits = trainer.limits;
    outln!(
        "the page's Train panel trains one network at a time, of at most {} hidden layers of {} \
         nodes, {} weights and {} epochs (the kept epochs take at most {} MB)",
        limits.max_hidden_layers,
        limits.max_nodes,
        limits.max_weights,
        limits.max_epochs,
        Limits::MAX_KEPT_BYTES / 1_000_000
    );
    let (stopping, stopping_seen) = watch::channel(false);
    let guard = Guard { host: address.ip() };
    let app = app(served, trainer, stopping_seen, guard);
    // The stop signal also ends the event streams, so an open page does not
    // hold the server up; requests under way may finish, for a while.
    let stop = async move {
        stop_signal().await;
        let _ = stopping.send(true);
    };
    let bounds = connections::Bounds::SERVED;
    if !connections::serve(listener, app, bounds, stop).await {
        eprintln!(
            "note: {} s after the stop signal some connections were still open; closed them",
            bounds.shutdown_grace.as_secs()
        );
    }
    outln!("stopped");
    Ok(())
}

/// `--collect DIR`: a folder (made if missing) that mnn can write in, or a
/// clear error now rather than a failed Collect later.
fn check_collect_folder(dir: &std::path::Path) -> Result<()> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        anyhow::bail!("--collect {}: not a folder", dir.display());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--collect {}: cannot create the folder", dir.display()))?;
    tempfile::Builder::new()
        .prefix(".mnn-collect-check")
        .tempfile_in(dir)
        .with_context(|| format!("--collect {}: cannot write in this folder", dir.display()))?;
    Ok(())
}

/// The page and its API, answering for `served`, with `trainer` behind its
/// Train panel.
fn app(
    served: Arc<Served>,
    trainer: Arc<Trainer>,
    stopping: watch::Receiver<bool>,
    guard: Guard,
) -> axum::Router {
    assets::routes()
        .merge(api::routes(served))
        .merge(train_api::routes(trainer, stopping))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn(connections::request_timeout))
        .layer(axum::middleware::from_fn_with_state(guard, guard::guard))
}

/// The page and its API answering for `network` as `mnn serve --model`
/// does (with nothing to save or collect into, its Train panel on the data
/// `data` names, loaded when a run starts), without a socket: for callers
/// in this process, such as mnn-fuzz's route targets. Sending `true` on the
/// sender (or dropping it) ends the event streams, as stopping the server does.
pub fn in_process(
    network: Model,
    data: DataArgs,
    threads: Threads,
) -> (axum::Router, watch::Sender<bool>) {
    let about = About {
        source: "in process".into(),
        info: ModelInfo::default(),
    };
    let served = Arc::new(Served::new(network, about, None, None));
    let trainer = Arc::new(Trainer::new(Arc::clone(&served), data, None, threads));
    let (stop, stopping) = watch::channel(false);
    let guard = Guard {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    (app(served, trainer, stopping, guard), stop)
}

/// Ctrl-C (or, on Unix, SIGTERM).
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The book's final network as `mnn train` makes it by default
/// ([`RunSettings::default`]), trained by mnn-train on the data `data` finds
/// (with a warning when that is only the sample).
fn train_book_network(
    data: &DataArgs,
    threads: Threads,
) -> Result<(Model, About, Option<Arc<LoadedData>>)> {
    let settings = RunSettings::default();
    let loaded = data::load(data, Need::TrainAndTest)?;
    if loaded.origin == Origin::Sample {
        eprintln!(
            "warning: no --model and no MNIST, so mnn serve trains on the book's sample of only \
             100 digits: its answers will be poor (it has seen about 10 of each digit). For a good \
             network run `cargo xtask download` first, or pass --model FILE"
        );
    }
    let out = Reporter::new(false);
    let train_set = &loaded.mnist.train;
    out.line(format_args!(
        "no --model given: training the book's final network, {}, {} epochs, on {} training \
         records of {}",
        settings.description(),
        settings.epochs,
        train_set.len(),
        loaded.description
    ));
    let mut bars = EpochBars::new(&out, settings.epochs);
    let trained = mnn_train::train(
        &settings,
        train_set,
        &loaded.mnist.test,
        threads,
        &Tests::AtTheEnd,
        |event| bars.show(&event),
    )?;
    let score = &trained.evaluation;
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records)",
        score.accuracy(),
        score.correct,
        score.total
    ));
    let about = About {
        source: format!("trained just now on {}", loaded.description),
        info: ModelInfo {
            seed: Some(settings.seed),
            epochs: Some(settings.epochs as usize),
            test_accuracy: Some(score.accuracy()),
            rotate_degrees: settings.rotate,
        },
    };
    Ok((trained.network, about, Some(Arc::new(loaded))))
}
