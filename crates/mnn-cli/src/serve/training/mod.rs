//! Training from the page: one run at a time, on its own thread, at native
//! speed, watched live. The run is mnn-train's `Training`, an epoch at a time
//! (the same epochs as `mnn train`, bit for bit); its progress and epoch ends
//! go to every watcher as [`Watch`] messages, every epoch end is kept (to
//! rewind to, and to continue from), and each epoch's network becomes the
//! served one. No HTTP here: `train_api.rs` puts it on the web.
//!
//! Costs are bounded ([`Limits`], printed when the server starts): the
//! network's size and the epochs a run may have, so the kept epochs take at
//! most [`Limits::MAX_KEPT_BYTES`]. Pause holds the run within
//! `PROGRESS_EVERY` samples; Stop ends it when the epoch under way ends (an
//! epoch cannot be cut short: the engine's threads hold the weights until
//! it is done). Closing the page does not stop a run: it goes on to its
//! last epoch, within the limits, and Stop from any page ends it.

use super::model::{About, Served};
use crate::DataArgs;
use crate::data;
use anyhow::Result;
use mnn_data::Dataset;
use mnn_net::{Model, ModelInfo, Progress, Queries};
use mnn_train::{LoadedData, Need, RunSettings, Threads, Training, evaluate};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

mod limits;
mod view;

pub use limits::Limits;
use view::idle_view;
pub use view::{EpochEnd, Point, RunView, Speed, Status, Watch};

/// The engine reports how far it has come every this many samples (fewer
/// for small epochs), where Pause holds the run.
const PROGRESS_EVERY: usize = 100;
/// The watchers hear at most this often, and at least this often while the
/// run goes faster than `PROGRESS_EVERY` samples per `MESSAGE_EVERY` (a
/// point of the curve, the speed), and at every epoch's end.
const MESSAGE_EVERY: Duration = Duration::from_millis(200);
/// Watchers who fall this many messages behind miss some and are sent the
/// whole run again.
const CHANNEL: usize = 256;

/// A run's state: what the page shows, and the kept epochs.
struct Run {
    view: RunView,
    settings: RunSettings,
    /// `kept[e]`: the network after `e` epochs (0: the initial weights).
    kept: Vec<Model>,
}

/// Pause and Stop, seen by the training thread.
#[derive(Default)]
struct Control {
    flags: Mutex<Flags>,
    changed: Condvar,
}

#[derive(Default, Clone, Copy)]
struct Flags {
    paused: bool,
    stop: bool,
}

/// Why the page's request cannot be done now.
#[derive(Debug)]
pub enum Refusal {
    /// The request is malformed or beyond the limits (400).
    Bad(String),
    /// Not now: a run is under way, or there is none (409).
    Conflict(String),
    /// The data could not be loaded (500).
    Failed(String),
}

/// The trainer behind the page's Train panel.
pub struct Trainer {
    served: Arc<Served>,
    data_args: DataArgs,
    /// The training data, loaded the first time a run starts (or handed
    /// over by `mnn serve` when it trained its own network).
    data: OnceLock<Arc<LoadedData>>,
    threads: Threads,
    pub limits: Limits,
    run: Mutex<Option<Run>>,
    control: Arc<Control>,
    watchers: broadcast::Sender<Watch>,
}

impl Trainer {
    pub fn new(
        served: Arc<Served>,
        data_args: DataArgs,
        data: Option<Arc<LoadedData>>,
        threads: Threads,
    ) -> Trainer {
        let loaded = OnceLock::new();
        if let Some(data) = data {
            let _ = loaded.set(data);
        }
        Trainer {
            served,
            data_args,
            data: loaded,
            threads,
            limits: Limits::SERVE,
            run: Mutex::new(None),
            control: Arc::default(),
            watchers: broadcast::channel(CHANNEL).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Run>> {
        self.run.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The run as the page shows it.
    pub fn view(&self) -> RunView {
        self.lock()
            .as_ref()
            .map_or_else(idle_view, |run| run.view.clone())
    }

    /// A new watcher: the run as it is, then every message after it.
    pub fn watch(&self) -> (RunView, broadcast::Receiver<Watch>) {
        let run = self.lock();
        let receiver = self.watchers.subscribe();
        (
            run.as_ref().map_or_else(idle_view, |r| r.view.clone()),
            receiver,
        )
    }

    fn tell(&self, watch: Watch) {
        // No watcher is no error.
        let _ = self.watchers.send(watch);
    }

    fn told_status(&self, run: &mut Run, status: Status, message: Option<String>) {
        run.view.status = status;
        if let Some(message) = message {
            run.view.message = message;
        }
        if !status.is_active() {
            run.view.speed = None;
        }
        self.tell(Watch::Run(run.view.clone()));
    }

    fn training_data(&self) -> Result<Arc<LoadedData>, Refusal> {
        if let Some(data) = self.data.get() {
            return Ok(Arc::clone(data));
        }
        let loaded = data::load(&self.data_args, Need::TrainAndTest)
            .map_err(|e| Refusal::Failed(crate::one_line(&e)))?;
        Ok(Arc::clone(self.data.get_or_init(|| Arc::new(loaded))))
    }

    /// Starts a run of `settings` on the first `limit` training records (all
    /// when `None`).
    pub fn start(
        self: &Arc<Self>,
        settings: RunSettings,
        limit: Option<usize>,
    ) -> Result<RunView, Refusal> {
        self.limits.check(&settings).map_err(Refusal::Bad)?;
        settings
            .augmentation
            .validate()
            .map_err(|e| Refusal::Bad(format!("augment: {e}")))?;
        let data = self.training_data()?;
        let mut slot = self.lock();
        if slot.as_ref().is_some_and(|run| run.view.status.is_active()) {
            return Err(Refusal::Conflict(
                "a run is already under way: Stop it first (one training at a time)".into(),
            ));
        }
        let train = Arc::new(limited(&data.mnist.train, limit));
        let records = train.len();
        let training = Training::new(&train, &settings, self.threads)
            .map_err(|e| Refusal::Bad(e.to_string()))?;
        let kept = vec![training.network().clone()];
        drop(training);
        let view = RunView {
            status: Status::Running,
            message: data_word(&data),
            description: settings.description(),
            epochs: settings.epochs,
            records,
            data: data.description.clone(),
            curve: Vec::new(),
            epoch_ends: Vec::new(),
            speed: None,
            served_epoch: None,
        };
        *slot = Some(Run {
            view: view.clone(),
            settings: settings.clone(),
            kept,
        });
        drop(slot);
        // Every watcher (another page too) hears that a run started.
        self.tell(Watch::Run(view.clone()));
        self.spawn(settings, train, data, 0)?;
        Ok(view)
    }

    /// Trains on from the served epoch of the last run to its last epoch:
    /// the epochs after it are forgotten and trained again, exactly as they
    /// were (a run rewound and continued ends with the weights of one never
    /// stopped).
    pub fn continue_run(self: &Arc<Self>) -> Result<RunView, Refusal> {
        let data = self.training_data()?;
        let mut slot = self.lock();
        let Some(run) = slot.as_mut() else {
            return Err(Refusal::Conflict("no run to continue: Start one".into()));
        };
        if run.view.status.is_active() {
            return Err(Refusal::Conflict("the run is still under way".into()));
        }
        let from = run.view.served_epoch.unwrap_or(run.kept.len() - 1);
        if from >= run.settings.epochs as usize {
            return Err(Refusal::Conflict(format!(
                "epoch {from} is the run's last: nothing to continue"
            )));
        }
        run.kept.truncate(from + 1);
        run.view.epoch_ends.truncate(from);
        run.view.curve.retain(|point| point.at <= from as f64);
        let settings = run.settings.clone();
        let train = Arc::new(limited(&data.mnist.train, Some(run.view.records)));
        self.told_status(run, Status::Running, Some(data_word(&data)));
        let view = run.view.clone();
        drop(slot);
        self.spawn(settings, train, data, from)?;
        Ok(view)
    }

    /// Starts the training thread for `settings` from epoch `from` (its
    /// network is `kept[from]`).
    fn spawn(
        self: &Arc<Self>,
        settings: RunSettings,
        train: Arc<Dataset>,
        data: Arc<LoadedData>,
        from: usize,
    ) -> Result<(), Refusal> {
        *self.control.flags.lock().unwrap_or_else(|e| e.into_inner()) = Flags::default();
        let trainer = Arc::clone(self);
        std::thread::Builder::new()
            .name("page training".into())
            .spawn(move || {
                let outcome = trainer.train(&settings, &train, &data, from);
                let mut slot = trainer.lock();
                if let Some(run) = slot.as_mut() {
                    let (status, message) = match outcome {
                        Ok(true) => (Status::Finished, None),
                        Ok(false) => (Status::Stopped, None),
                        Err(e) => (Status::Failed, Some(e.to_string())),
                    };
                    trainer.told_status(run, status, message);
                }
            })
            .map(drop)
            .map_err(|e| Refusal::Failed(format!("cannot start the training thread: {e}")))
    }

    /// The run's epochs from `from` on; `true` if it trained them all,
    /// `false` if Stop ended it.
    fn train(
        &self,
        settings: &RunSettings,
        train: &Dataset,
        data: &LoadedData,
        from: usize,
    ) -> Result<bool> {
        let start = {
            let slot = self.lock();
            let run = slot.as_ref().expect("a run was set before its thread");
            run.kept[from].clone()
        };
        let mut training = Training::resume(train, settings, self.threads, start, from)?;
        let per_epoch = training.samples_per_epoch();
        let interval = PROGRESS_EVERY.min(per_epoch.div_ceil(10)).max(1);
        let outputs = training.network().output_nodes();
        let run_started = Instant::now();
        let mut trained_samples = 0usize;
        for epoch in from + 1..=settings.epochs as usize {
            if self.flags().stop {
                return Ok(false);
            }
            let started = Instant::now();
            let learning_rate = training.learning_rate();
            let mut last = Progress::default();
            let mut last_told = Instant::now();
            let report = training.epoch_watched(interval, |now| {
                if now.samples < per_epoch && last_told.elapsed() < MESSAGE_EVERY {
                    self.hold_while_paused();
                    return;
                }
                last_told = Instant::now();
                let done = trained_samples + now.samples;
                let per_second = done as f64 / run_started.elapsed().as_secs_f64().max(1e-9);
                let left = (settings.epochs as usize - epoch) * per_epoch + per_epoch - now.samples;
                let point = Point {
                    at: (epoch - 1) as f64 + now.samples as f64 / per_epoch as f64,
                    mean_error: (now.squared_error - last.squared_error)
                        / ((now.samples - last.samples).max(1) * outputs) as f64,
                };
                last = now;
                let speed = Speed {
                    epoch,
                    samples: now.samples,
                    samples_per_epoch: per_epoch,
                    samples_per_second: per_second,
                    seconds_left: left as f64 / per_second,
                };
                self.progressed(point, speed);
                self.hold_while_paused();
            })?;
            trained_samples += per_epoch;
            let evaluation = evaluate(training.network(), &data.mnist.test, self.threads);
            let end = EpochEnd {
                epoch,
                mean_error: report.mean_error,
                accuracy: evaluation.accuracy(),
                learning_rate,
                seconds: started.elapsed().as_secs_f64(),
                confusion: evaluation
                    .confusion
                    .iter()
                    .map(|row| row.to_vec())
                    .collect(),
            };
            self.epoch_ended(training.network(), end, settings)?;
        }
        Ok(true)
    }

    fn flags(&self) -> Flags {
        *self.control.flags.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks the training thread while the run is paused (and not stopped).
    fn hold_while_paused(&self) {
        let mut flags = self.control.flags.lock().unwrap_or_else(|e| e.into_inner());
        while flags.paused && !flags.stop {
            flags = self
                .control
                .changed
                .wait_timeout(flags, Duration::from_millis(500))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn progressed(&self, point: Point, speed: Speed) {
        if let Some(run) = self.lock().as_mut() {
            run.view.curve.push(point);
            run.view.speed = Some(speed);
        }
        self.tell(Watch::Progress { point, speed });
    }

    /// Keeps the epoch's network, serves it, and tells the watchers.
    fn epoch_ended(&self, network: &Model, end: EpochEnd, settings: &RunSettings) -> Result<()> {
        let mut slot = self.lock();
        let run = slot.as_mut().expect("a run under way");
        run.kept.push(network.clone());
        run.view.epoch_ends.push(end.clone());
        run.view.served_epoch = Some(end.epoch);
        self.served
            .replace(network.clone(), about(settings, &run.view, end.epoch));
        drop(slot);
        self.tell(Watch::Epoch(end));
        Ok(())
    }

    /// Pause (`true`) or resume (`false`) the run under way.
    pub fn pause(&self, paused: bool) -> Result<RunView, Refusal> {
        let mut slot = self.lock();
        let Some(run) = slot.as_mut().filter(|run| run.view.status.is_active()) else {
            return Err(Refusal::Conflict("no run is under way".into()));
        };
        if run.view.status == Status::Stopping {
            return Err(Refusal::Conflict("the run is stopping".into()));
        }
        {
            let mut flags = self.control.flags.lock().unwrap_or_else(|e| e.into_inner());
            flags.paused = paused;
            self.control.changed.notify_all();
        }
        let status = if paused {
            Status::Paused
        } else {
            Status::Running
        };
        self.told_status(run, status, None);
        Ok(run.view.clone())
    }

    /// Stop: the run ends when the epoch under way ends.
    pub fn stop(&self) -> Result<RunView, Refusal> {
        let mut slot = self.lock();
        let Some(run) = slot.as_mut().filter(|run| run.view.status.is_active()) else {
            return Err(Refusal::Conflict("no run is under way".into()));
        };
        {
            let mut flags = self.control.flags.lock().unwrap_or_else(|e| e.into_inner());
            flags.stop = true;
            self.control.changed.notify_all();
        }
        self.told_status(
            run,
            Status::Stopping,
            Some("stopping when the epoch under way ends".into()),
        );
        Ok(run.view.clone())
    }

    /// Serves the network of `epoch` (0: the initial weights) of the last
    /// run; Continue trains on from it.
    pub fn rewind(&self, epoch: usize) -> Result<RunView, Refusal> {
        let mut slot = self.lock();
        let Some(run) = slot.as_mut() else {
            return Err(Refusal::Conflict("no run to rewind: Start one".into()));
        };
        if run.view.status.is_active() {
            return Err(Refusal::Conflict(
                "the run is under way: Pause cannot rewind, Stop it first".into(),
            ));
        }
        let Some(network) = run.kept.get(epoch) else {
            return Err(Refusal::Bad(format!(
                "epoch {epoch}: the run kept epochs 0 to {}",
                run.kept.len() - 1
            )));
        };
        run.view.served_epoch = Some(epoch);
        self.served
            .replace(network.clone(), about(&run.settings, &run.view, epoch));
        self.told_status(run, run.view.status, None);
        Ok(run.view.clone())
    }
}

/// The first `limit` records of `train` (all of them when `None`).
fn limited(train: &Dataset, limit: Option<usize>) -> Dataset {
    let n = limit.map_or(train.len(), |n| n.min(train.len()));
    let mut part = Dataset::new(train.rows(), train.cols());
    for i in 0..n {
        part.push(train.label(i), train.image(i));
    }
    part
}

/// A word about the data for the page: a warning when it is the sample.
fn data_word(data: &LoadedData) -> String {
    if data.origin == mnn_train::Origin::Sample {
        format!(
            "training on {}: only 100 digits, so expect a poor guesser (run `cargo xtask download` \
             for MNIST)",
            data.description
        )
    } else {
        format!("training on {}", data.description)
    }
}

/// What the page's header says of the network of `epoch`.
fn about(settings: &RunSettings, view: &RunView, epoch: usize) -> About {
    let accuracy = epoch
        .checked_sub(1)
        .and_then(|e| view.epoch_ends.get(e))
        .map(|end| end.accuracy);
    About {
        source: format!(
            "trained on the page, epoch {epoch} of {} on {} records of {}",
            settings.epochs, view.records, view.data
        ),
        info: ModelInfo {
            seed: Some(settings.seed),
            epochs: Some(epoch),
            test_accuracy: accuracy,
            rotate_degrees: settings.rotate,
        },
    }
}
