//! A sweep's trainings, on a pool of threads: one training per thread, each
//! on one thread of its own (trainings are independent, so the pool keeps
//! every core busy without the per-sample meetings of a shared training).

use super::plan::{Job, Plan};
use crate::TrainError;
use crate::divergence::Divergence;
use crate::run::{self, Tests};
use crate::stall::Stall;
use crate::threads::Threads;
use mnn_data::Dataset;
use serde::{Serialize, Serializer};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// One row of results: a network trained and tested.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// The swept setting's name.
    pub parameter: &'static str,
    /// Which of the plan's values this run is for.
    #[serde(skip)]
    pub value_index: usize,
    pub value: f64,
    pub seed: u64,
    /// Nodes of each hidden layer (one in the book).
    #[serde(serialize_with = "hidden_layers")]
    pub hidden: Vec<u32>,
    pub lr: f64,
    pub epochs: u32,
    pub rotate: f32,
    pub accuracy: f64,
    /// The accuracy on the held-out training records
    /// ([`RunSettings::validate`](crate::RunSettings::validate)); a column
    /// of its own only when records are held out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_accuracy: Option<f64>,
    pub train_seconds: f64,
    /// The options beyond the book
    /// ([`RunSettings::beyond_description`](crate::RunSettings::beyond_description));
    /// a column of its own only when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beyond: Option<String>,
}

/// What a sweep reports while it runs, from its threads.
#[derive(Debug)]
pub enum Event<'a> {
    /// A training finished an epoch of this many samples.
    Trained { samples: u64 },
    /// A network was tested.
    Tested(&'a Run),
    /// `done` of the plan's `of` trainings are finished.
    Finished { done: usize, of: usize },
    /// The training of `seed` with the swept setting at `value` (for an
    /// epochs sweep, the most epochs it trained) diverged or learned
    /// nothing, as a run's own checks tell ([`run::Event`]).
    Warned {
        value: f64,
        seed: u64,
        warning: Warning,
    },
}

/// What a training's own checks saw, at its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Warning {
    /// It diverged ([`run::Event::Diverged`]).
    Diverged(Divergence),
    /// It learned nothing ([`run::Event::Stalled`]).
    Stalled(Stall),
}

/// Runs every training of `plan` on `workers` threads (at least one, at most
/// one per training), reporting each step to `on_event`, and returns the
/// runs by value, then seed. The first error stops the sweep.
pub fn run(
    plan: &Plan,
    train: &Dataset,
    test: &Dataset,
    workers: usize,
    on_event: impl Fn(Event) + Sync,
) -> Result<Vec<Run>, TrainError> {
    let jobs = &plan.jobs;
    let workers = workers.min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let runs = Mutex::new(Vec::new());
    let first_error = Mutex::new(None);
    let done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    match run_job(plan, job, train, test, &on_event) {
                        Ok(job_runs) => {
                            runs.lock().expect("no panics").extend(job_runs);
                            let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                            on_event(Event::Finished {
                                done,
                                of: jobs.len(),
                            });
                        }
                        Err(err) => {
                            failed.store(true, Ordering::Relaxed);
                            first_error.lock().expect("no panics").get_or_insert(err);
                        }
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("no panics") {
        Some(err) => Err(err),
        None => {
            let mut runs = runs.into_inner().expect("no panics");
            runs.sort_by_key(|r| (r.value_index, r.seed));
            Ok(runs)
        }
    }
}

/// Trains one network from its seed, on one thread (a training run,
/// [`run::train`]), and tests it after each epoch the job asks for.
fn run_job(
    plan: &Plan,
    job: &Job,
    train: &Dataset,
    test: &Dataset,
    on_event: &impl Fn(Event),
) -> Result<Vec<Run>, TrainError> {
    let settings = &job.settings;
    let tests = Tests::After(job.test_after.iter().map(|&(_, epochs)| epochs).collect());
    let mut runs = Vec::with_capacity(job.test_after.len());
    let mut train_seconds = 0.0;
    let warned = |warning| Event::Warned {
        value: settings.get(plan.parameter),
        seed: settings.seed,
        warning,
    };
    let on_run_event = |event| {
        let epoch = match event {
            run::Event::EpochEnded(epoch) => epoch,
            run::Event::Diverged(seen) => return on_event(warned(Warning::Diverged(seen))),
            run::Event::Stalled(seen) => return on_event(warned(Warning::Stalled(seen))),
            _ => return,
        };
        train_seconds += epoch.seconds;
        on_event(Event::Trained {
            samples: epoch.samples as u64,
        });
        let Some(accuracy) = epoch.accuracy else {
            return;
        };
        for &(value_index, _) in job.test_after.iter().filter(|&&(_, e)| e == epoch.number) {
            let run = Run {
                parameter: plan.parameter.name(),
                value_index,
                value: plan.values[value_index],
                seed: settings.seed,
                hidden: settings.hidden.clone(),
                lr: settings.learning_rate,
                epochs: epoch.number,
                rotate: settings.rotate.unwrap_or(0.0),
                accuracy,
                validation_accuracy: epoch.validation_accuracy,
                train_seconds,
                beyond: settings.beyond_description(),
            };
            on_event(Event::Tested(&run));
            runs.push(run);
        }
    };
    run::train(
        settings,
        train,
        test,
        Threads::given(1),
        &tests,
        on_run_event,
    )?;
    Ok(runs)
}

/// Hidden layers as `--hidden` takes them: `100`, `500,150`.
fn hidden_layers<S: Serializer>(hidden: &[u32], serializer: S) -> Result<S::Ok, S::Error> {
    let layers: Vec<String> = hidden.iter().map(u32::to_string).collect();
    serializer.serialize_str(&layers.join(","))
}
