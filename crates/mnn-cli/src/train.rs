//! `mnn train` and `mnn test`: the book's training loop and its scorecard.

use crate::data::Need;
use crate::files::check_writable;
use crate::report::Reporter;
use crate::samples::MnistSamples;
use crate::{TestArgs, TrainArgs, data, model_file};
use anyhow::Result;
use indicatif::ProgressBar;
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS};
use mnn_net::{EpochReport, ModelInfo, NeuralNetwork, TrainOptions, argmax};
use serde_json::json;
use std::cell::Cell;
use std::time::{Duration, Instant};

/// How often the progress bar is moved on, in samples.
const PROGRESS_STEP: usize = 1000;

pub fn run_train(args: &TrainArgs) -> Result<()> {
    if let Some(path) = &args.save {
        check_writable(path)?;
    }
    let out = Reporter::new(args.json);
    let mut loaded = data::load(&args.data, Need::TrainAndTest)?;
    if let Some(limit) = args.limit {
        loaded
            .mnist
            .train
            .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    let mut net = NeuralNetwork::new(
        IMAGE_PIXELS,
        args.hidden as usize,
        DIGITS,
        args.lr as f32,
        args.seed,
    )?;
    out.line(format_args!(
        "training {IMAGE_PIXELS}-{}-{DIGITS}, learning rate {}, {} epoch{}, seed {} on {} training records{} of {}",
        args.hidden,
        args.lr,
        args.epochs,
        if args.epochs == 1 { "" } else { "s" },
        args.seed,
        train.len(),
        args.rotate.map(|d| format!(" (each also rotated ±{d}°)")).unwrap_or_default(),
        loaded.description,
    ));

    let started = Instant::now();
    for epoch in 1..=args.epochs {
        let epoch_started = Instant::now();
        let samples = train.len() * samples_per_record(args.rotate);
        let bar = out.progress(samples as u64, format!("epoch {epoch}/{}", args.epochs));
        let report = train_epoch(&mut net, train, args.rotate, &bar);
        bar.finish_and_clear();
        out.line(format_args!(
            "epoch {epoch}/{}: {samples} samples in {:.2} s",
            args.epochs,
            epoch_started.elapsed().as_secs_f64()
        ));
        if epoch < args.epochs {
            go_on_with_one_thread_if_faster(&report, epoch_started.elapsed());
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();

    let score = evaluate(&net, test);
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records) · trained in {train_seconds:.2} s · tested in {:.3} s",
        score.accuracy(),
        score.correct,
        score.total,
        score.seconds,
    ));
    if let Some(path) = &args.save {
        let info = ModelInfo {
            seed: Some(args.seed),
            epochs: Some(args.epochs as usize),
            test_accuracy: Some(score.accuracy()),
            rotate_degrees: args.rotate,
        };
        model_file::save(path, &net, &info)?;
        out.line(format_args!("saved the network to {}", path.display()));
    }
    out.json(&json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "train_seconds": train_seconds,
        "test_seconds": score.seconds,
        "inputs": IMAGE_PIXELS,
        "hidden": args.hidden,
        "outputs": DIGITS,
        "lr": args.lr,
        "epochs": args.epochs,
        "seed": args.seed,
        "rotate": args.rotate,
        "train_records": train.len(),
        "test_records": test.len(),
        "data": loaded.source,
        "model": args.save,
    }));
    Ok(())
}

pub fn run_test(args: &TestArgs) -> Result<()> {
    let out = Reporter::new(args.json);
    if let Some(path) = &args.mistakes {
        check_writable(path)?;
    }
    let (net, info) = model_file::load(&args.model)?;
    let loaded = data::load(&args.data, Need::Test)?;
    let test = &loaded.mnist.test;
    anyhow::ensure!(
        net.input_nodes() == IMAGE_PIXELS && net.output_nodes() == DIGITS,
        "{}: the network is {}-{}-{}, but MNIST needs {IMAGE_PIXELS} inputs and {DIGITS} outputs",
        args.model.display(),
        net.input_nodes(),
        net.hidden_nodes(),
        net.output_nodes()
    );
    let score = evaluate(&net, test);
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records of {}) · tested in {:.3} s",
        score.accuracy(),
        score.correct,
        score.total,
        loaded.description,
        score.seconds,
    ));
    crate::confusion::report(
        &net,
        test,
        args.confusion,
        args.mistakes.as_deref(),
        args.limit as usize,
        &out,
    )?;
    out.json(&json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "test_seconds": score.seconds,
        "hidden": net.hidden_nodes(),
        // Through its shortest decimal form, so 0.1f32 prints as 0.1.
        "lr": net.learning_rate().to_string().parse::<f64>().ok(),
        "epochs": info.epochs,
        "seed": info.seed,
        "test_records": test.len(),
        "data": loaded.source,
        "model": args.model,
    }));
    Ok(())
}

/// Training samples made from one record: the record, and with `--rotate`
/// its copies turned by +deg and −deg.
pub fn samples_per_record(rotate: Option<f32>) -> usize {
    if rotate.is_some() { 3 } else { 1 }
}

thread_local! {
    /// Threads for one training or test started on this thread (0 = one per
    /// core): `--threads` on the main thread; 1 on every other thread, where
    /// `mnn sweep` already trains several networks at once.
    static THREADS: Cell<usize> = const { Cell::new(1) };
}

/// Sets the threads for trainings and tests started on this thread (0 = one
/// per core).
pub fn set_threads(threads: usize) {
    THREADS.with(|t| t.set(threads));
}

/// The threads for a training or test started on this thread (0 = one per core).
pub fn threads() -> usize {
    THREADS.with(Cell::get)
}

/// One pass over the training set, one `train` step per sample, in the
/// data's order (the book does not shuffle), on [`threads`] threads with the
/// training engine of mnn-net (`NeuralNetwork::train_epoch`).
pub fn train_epoch(
    net: &mut NeuralNetwork,
    train: &Dataset,
    rotate: Option<f32>,
    bar: &ProgressBar,
) -> EpochReport {
    let samples = MnistSamples::new(train, rotate);
    let options = TrainOptions {
        threads: threads(),
        progress_interval: PROGRESS_STEP,
        ..TrainOptions::default()
    };
    let mut reported = 0;
    net.train_epoch(&samples, &options, |done| {
        bar.inc((done - reported) as u64);
        reported = done;
    })
}

/// Epochs shorter than this say nothing about the machine: starting the
/// threads is most of their time, and nothing is to be won.
const TOO_SHORT_TO_TELL: Duration = Duration::from_millis(200);

/// If the threads of the last epoch (`took` long) spent so long waiting for
/// each other that one thread would have been faster (other programs are
/// using the cores), and `--threads` was not given, the next epochs run on
/// one thread, with a note: the weights are the same on any number of
/// threads.
fn go_on_with_one_thread_if_faster(report: &EpochReport, took: Duration) {
    if threads() == 0 && took >= TOO_SHORT_TO_TELL && report.one_thread_would_be_faster() {
        set_threads(1);
        eprintln!(
            "note: the {} training threads spent {:.0}% of that epoch waiting for each other \
             (other programs are using the cores), so training goes on with one thread \
             (same weights, less waiting; --threads 1 chooses it from the start)",
            report.threads,
            report.waiting * 100.0
        );
    }
}

/// How the network did on a test set.
pub struct Score {
    pub correct: usize,
    pub total: usize,
    pub seconds: f64,
}

impl Score {
    /// The book's scorecard: the fraction of records answered right.
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// Queries every test record and counts the answers that match the label.
pub fn evaluate(net: &NeuralNetwork, test: &Dataset) -> Score {
    let started = Instant::now();
    let outputs = net.query_all(
        &MnistSamples::new(test, None),
        &TrainOptions::with_threads(threads()),
    );
    let correct = outputs
        .row_iter()
        .zip(test.labels())
        .filter(|&(out, &label)| argmax(out) == Some(usize::from(label)))
        .count();
    Score {
        correct,
        total: test.len(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_after_a_long_epoch_of_waiting_unless_threads_were_given() {
        let waited = EpochReport {
            threads: 2,
            waiting: 0.9,
        };
        let worked = EpochReport {
            threads: 2,
            waiting: 0.2,
        };
        let long = Duration::from_secs(1);
        // Each case on a fresh thread, whose THREADS starts as the test sets it.
        let after = |threads: usize, report: EpochReport, took: Duration| {
            std::thread::spawn(move || {
                set_threads(threads);
                go_on_with_one_thread_if_faster(&report, took);
                super::threads()
            })
            .join()
            .unwrap()
        };
        assert_eq!(after(0, waited, long), 1);
        assert_eq!(after(0, worked, long), 0);
        assert_eq!(after(0, waited, Duration::from_millis(20)), 0, "too short");
        assert_eq!(after(2, waited, long), 2, "--threads 2 stays");
    }
}
