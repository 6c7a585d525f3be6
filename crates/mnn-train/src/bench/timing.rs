//! The stopwatch: seconds to train a fresh network on so many samples
//! (after a short warm-up), to query a test set, and to prepare one training
//! sample with an augmentation. Each timing is one job of the engine the
//! program trains with, as `mnn train` runs it.

use crate::{Augmentation, AugmentedSamples, Cycle, MnistSamples, TrainError};
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS};
use mnn_net::deep::{Architecture, Loss, Network};
use mnn_net::{NeuralNetwork, Samples, Sweep, TrainOptions};
use std::hint::black_box;
use std::time::Instant;

/// Samples in the epoch a report gives seconds for (MNIST's training set).
pub const EPOCH: usize = 60_000;
/// Images in the query a report gives milliseconds for (MNIST's test set).
pub const QUERIES: usize = 10_000;

/// The book's learning rate for the timed book network (any rate trains as
/// fast).
const BOOK_RATE: f32 = 0.1;
/// The 99% recipe's learning rate for the deeper networks (docs/results.md).
const DEEP_RATE: f32 = 0.01;
/// The seed of every timed network.
const SEED: u64 = 1;

/// Seconds to train a fresh book network of `hidden` hidden nodes on
/// `samples` samples of `train`, after a short warm-up.
pub fn time_training(
    train: &Dataset,
    samples: usize,
    hidden: usize,
    threads: usize,
    sweep: Sweep,
) -> Result<f64, TrainError> {
    let options = TrainOptions {
        threads,
        sweep,
        ..TrainOptions::default()
    };
    let cycle = |len| Cycle {
        samples: MnistSamples::new(train, None),
        len,
    };
    let fresh = || NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, BOOK_RATE, SEED);
    fresh()?.train_epoch(&cycle(warm_up(samples)), &options, |_| {});
    let mut net = fresh()?;
    let started = Instant::now();
    net.train_epoch(&cycle(samples), &options, |_| {});
    let seconds = started.elapsed().as_secs_f64();
    black_box(&net);
    Ok(seconds)
}

/// Seconds to train a fresh deep network on `samples` samples after a short
/// warm-up, `batch` samples per update (1: one update per sample), and
/// seconds to query [`QUERIES`] images with it (timing at most that many of
/// `test`, the best of three).
pub fn time_deep(
    train: &Dataset,
    test: &Dataset,
    samples: usize,
    architecture: &Architecture,
    (threads, batch): (usize, usize),
) -> Result<(f64, f64), TrainError> {
    let options = TrainOptions {
        batch,
        ..TrainOptions::with_threads(threads)
    };
    let cycle = |data, len| Cycle {
        samples: MnistSamples::new(data, None),
        len,
    };
    let fresh = || Network::new(architecture.clone(), DEEP_RATE, SEED);
    fresh()?.train_epoch(&cycle(train, warm_up(samples)), &options, &mut |_| {});
    let mut net = fresh()?;
    let started = Instant::now();
    net.train_epoch(&cycle(train, samples), &options, &mut |_| {});
    let seconds = started.elapsed().as_secs_f64();
    let images = cycle(test, samples.min(QUERIES));
    let query = query_seconds(&images, |images| black_box(net.query_all(images, &options)));
    Ok((seconds, query))
}

/// Seconds to query [`QUERIES`] images with a book network of `hidden`
/// hidden nodes (timing `count` of them, cycling through `test`, the best of
/// three).
pub fn time_queries(
    test: &Dataset,
    count: usize,
    hidden: usize,
    threads: usize,
) -> Result<f64, TrainError> {
    let net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, BOOK_RATE, SEED)?;
    let images = Cycle {
        samples: MnistSamples::new(test, None),
        len: count,
    };
    let options = TrainOptions::with_threads(threads);
    Ok(query_seconds(&images, |images| {
        net.query_all(images, &options)
    }))
}

/// Seconds to prepare one training sample with `augmentation` (as
/// `mnn train --augment` reads it) on one thread: read, scaled and distorted
/// as training does, `count` samples after a warm-up of a tenth as many.
pub fn time_augmentation(
    train: &Dataset,
    augmentation: &str,
    count: usize,
) -> Result<f64, TrainError> {
    let parsed: Augmentation = augmentation
        .parse()
        .map_err(|e: crate::AugmentError| TrainError::Augment(e.to_string()))?;
    let samples = AugmentedSamples::new(train, parsed, None, Loss::CrossEntropy, SEED, 0)?;
    let (mut inputs, mut targets) = ([0.0; IMAGE_PIXELS], [0.0; DIGITS]);
    let len = samples.len();
    for k in 0..count / 10 {
        samples.fill(k % len, &mut inputs, &mut targets);
    }
    let started = Instant::now();
    for k in 0..count {
        samples.fill(k % len, &mut inputs, &mut targets);
        black_box(&inputs);
    }
    Ok(started.elapsed().as_secs_f64() / count.max(1) as f64)
}

/// Samples of the warm-up before a timed row: a tenth of a second natively,
/// and a little of the emulator's translating of the code.
fn warm_up(samples: usize) -> usize {
    (samples / 5).clamp(100, 2_000)
}

/// Seconds to query `images` with `query` (the best of three), scaled to
/// [`QUERIES`] images.
fn query_seconds<S: Samples>(images: &S, query: impl Fn(&S) -> mnn_matrix::Matrix) -> f64 {
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            black_box(query(images));
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    best * QUERIES as f64 / images.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic_digits;

    #[test]
    fn each_timing_is_a_positive_number_of_seconds() {
        let digits = synthetic_digits(200, 1);
        let positive = |s: f64| s.is_finite() && s > 0.0;
        for sweep in [Sweep::PerWindow, Sweep::PerSample] {
            assert!(positive(time_training(&digits, 100, 20, 1, sweep).unwrap()));
        }
        assert!(positive(time_queries(&digits, 100, 20, 1).unwrap()));
        let small = super::super::deep_architecture(&[30]);
        for batch in [1, 16] {
            let (train, query) = time_deep(&digits, &digits, 100, &small, (1, batch)).unwrap();
            assert!(positive(train) && positive(query));
        }
        assert!(positive(
            time_augmentation(&digits, "shift=2", 100).unwrap()
        ));
        let err = time_augmentation(&digits, "wobble", 100).unwrap_err();
        assert!(matches!(err, TrainError::Augment(_)), "{err}");
    }
}
