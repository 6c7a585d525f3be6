//! One training run, start to end: a fresh network from its
//! [`RunSettings`], trained epoch by epoch on the training engine, tested
//! on the test set, checked for divergence and for learning nothing, each step reported to a
//! callback as an [`Event`]. `mnn train`, `mnn serve`'s own network and
//! every training of a sweep are such a run.

use crate::TrainError;
use crate::divergence::{Divergence, divergence};
use crate::evaluate::Evaluation;
use crate::settings::RunSettings;
use crate::stall::{Stall, stall};
use crate::threads::Threads;
use crate::training::Training;
use mnn_data::Dataset;
use mnn_net::Stopwatch;
use mnn_net::{EpochReport, Model};

/// After which epochs a run tests its network on the test set. The trained
/// network is always tested at the end ([`Trained::evaluation`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Tests {
    /// After every epoch: the learning curve (`mnn train`).
    EveryEpoch,
    /// Only the trained network, at the end.
    AtTheEnd,
    /// After these epochs (a sweep over epochs), and at the end.
    After(Vec<u32>),
}

impl Tests {
    /// Whether the network is tested after epoch `epoch` of `epochs`.
    fn after(&self, epoch: u32, epochs: u32) -> bool {
        match self {
            Tests::EveryEpoch => true,
            Tests::AtTheEnd => epoch == epochs,
            Tests::After(list) => epoch == epochs || list.contains(&epoch),
        }
    }
}

/// One epoch of a run, as it ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Epoch {
    /// Its number, from 1.
    pub number: u32,
    /// The training samples it trained on: the records, and their rotated
    /// copies.
    pub samples: usize,
    /// Its mean training error, `(target − out)²` averaged over the samples
    /// and the output nodes (mnn-net's `EpochReport::mean_error`).
    pub mean_error: f64,
    /// The learning rate it trained with (a schedule lowers it after it).
    pub learning_rate: f32,
    /// Seconds its training took.
    pub seconds: f64,
    /// The accuracy on the test set after it, if it was tested ([`Tests`]).
    pub accuracy: Option<f64>,
    /// The accuracy on the held-out training records after it
    /// ([`RunSettings::validate`]), tested when the test set is.
    pub validation_accuracy: Option<f64>,
}

/// What a run reports while it trains, in this order for each epoch:
/// `EpochStarted`, `Samples` (several), `EpochEnded`, and `ThreadFallback`
/// if the threads change; then, after the last epoch, `Diverged` if it did,
/// else `Stalled` if it learned nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// Epoch `epoch` (from 1) begins, with `samples` training samples.
    EpochStarted { epoch: u32, samples: usize },
    /// `done` samples of the epoch are trained (every 1,000 and at the end).
    Samples { done: usize },
    /// An epoch ended (and was tested, if asked for).
    EpochEnded(Epoch),
    /// The threads of the epoch just ended spent so long waiting for each
    /// other that the next epochs run on one thread ([`Threads::after_epoch`];
    /// the weights are the same). How that epoch went on its threads.
    ThreadFallback(EpochReport),
    /// After the last epoch: the book's network diverged (its outputs are
    /// stuck at 0 or 1; the learning rate was too large).
    Diverged(Divergence),
    /// After the last epoch, of a run that did not diverge: it learned
    /// nothing (its accuracy stayed near chance, or its training error did
    /// not fall; [`stall`](crate::stall)).
    Stalled(Stall),
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The trained network: [`Model::Book`] for the book's run.
    pub network: Model,
    /// Each epoch as it ended: the learning curve.
    pub epochs: Vec<Epoch>,
    /// The trained network on the test set (the initial one after 0 epochs).
    pub evaluation: Evaluation,
    /// Seconds the epochs took, tests left out.
    pub train_seconds: f64,
    /// Whether the book's network diverged; never looked for beyond the book.
    pub diverged: Option<Divergence>,
    /// How the run was seen to learn nothing, if it was (any network; not
    /// looked for once it diverged).
    pub stalled: Option<Stall>,
}

/// Trains a fresh network from `settings` on `train` for `settings.epochs`
/// epochs on `threads` (one thread after an epoch that shows it is faster,
/// unless a number was given), tests it on `test` after the epochs `tests`
/// asks for and at the end, and looks for divergence; each step goes to
/// `on_event`. The network is the same as [`Training::epoch`] called
/// `settings.epochs` times gives.
pub fn train(
    settings: &RunSettings,
    train: &Dataset,
    test: &Dataset,
    threads: Threads,
    tests: &Tests,
    mut on_event: impl FnMut(Event),
) -> Result<Trained, TrainError> {
    let held_out = hold_out(train, settings.validate)?;
    let (train, validation) = match &held_out {
        Some((kept, held)) => (kept, Some(held)),
        None => (train, None),
    };
    let mut training = Training::new(train, settings, threads)?;
    let mut epochs = Vec::with_capacity(settings.epochs as usize);
    let mut train_seconds = 0.0;
    let mut last_test = None;
    for number in 1..=settings.epochs {
        let samples = training.samples_per_epoch();
        on_event(Event::EpochStarted {
            epoch: number,
            samples,
        });
        let learning_rate = training.learning_rate();
        let started = Stopwatch::start();
        let report = training.epoch(|done| on_event(Event::Samples { done }))?;
        let took = started.elapsed();
        train_seconds += took.as_secs_f64();
        let tested = tests
            .after(number, settings.epochs)
            .then(|| training.evaluate(test));
        let epoch = Epoch {
            number,
            samples,
            mean_error: report.mean_error,
            learning_rate,
            seconds: took.as_secs_f64(),
            accuracy: tested.as_ref().map(Evaluation::accuracy),
            validation_accuracy: validation
                .filter(|_| tested.is_some())
                .map(|held| training.evaluate(held).accuracy()),
        };
        epochs.push(epoch);
        on_event(Event::EpochEnded(epoch));
        last_test = tested;
        if number < settings.epochs {
            let next = training.threads().after_epoch(&report, took);
            if next != training.threads() {
                training.set_threads(next);
                on_event(Event::ThreadFallback(report));
            }
        }
    }
    // Stuck sigmoid outputs tell of divergence; softmax outputs of a
    // confident network are near 0 by design, so only the book's are looked at.
    let diverged = if settings.is_book() {
        divergence(training.network(), train)
    } else {
        None
    };
    if let Some(seen) = diverged {
        on_event(Event::Diverged(seen));
    }
    let stalled = diverged.is_none().then(|| stall(&epochs)).flatten();
    if let Some(seen) = stalled {
        on_event(Event::Stalled(seen));
    }
    // The last epoch is always tested; with no epochs, the initial weights are.
    let evaluation = last_test.unwrap_or_else(|| training.evaluate(test));
    Ok(Trained {
        network: training.into_network(),
        epochs,
        evaluation,
        train_seconds,
        diverged,
        stalled,
    })
}

/// `train` split for `--validate`: the first records to train on and the
/// last `held` to validate on; `None` when nothing is held out.
fn hold_out(train: &Dataset, held: usize) -> Result<Option<(Dataset, Dataset)>, TrainError> {
    if held == 0 {
        return Ok(None);
    }
    let records = train.len();
    if held >= records {
        return Err(TrainError::Validation { held, records });
    }
    let mut kept = train.clone();
    let validation = kept.split_off(records - held);
    Ok(Some((kept, validation)))
}

#[cfg(test)]
mod tests;
