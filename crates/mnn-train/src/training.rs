//! One training run on MNIST, of the book's network or one beyond the book:
//! the network, its training samples, and an epoch at a time on the
//! training engine of mnn-net.

use crate::augmented::AugmentedSamples;
use crate::evaluate::{Evaluation, evaluate};
use crate::network::Trainable;
use crate::{Threads, TrainError};
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS};
use mnn_net::{EpochReport, NeuralNetwork, Samples, TrainOptions};

/// The most hidden nodes a run may have: 784×100,000 f32 weights are
/// 314 MB, far past where more nodes help (the book's best is 500) but
/// still a network one machine can hold.
pub const MAX_HIDDEN: u32 = 100_000;

/// The most epochs a run may have: the book's experiments use up to 30, and
/// a thousand passes over MNIST take a day on a laptop.
pub const MAX_EPOCHS: u32 = 1000;

/// The network a run starts from: the book's 784 inputs and 10 outputs,
/// with these hidden nodes, learning rate and seed of the initial weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NetworkSettings {
    /// Hidden nodes.
    pub hidden: u32,
    /// The learning rate as a person writes it (0.1); the network keeps it
    /// as an `f32` ([`learning_rate`]).
    pub learning_rate: f64,
    /// Seed of the initial weights (and nothing else: training order is the
    /// data's order).
    pub seed: u64,
}

impl NetworkSettings {
    /// A fresh 784-`hidden`-10 network with the book's random initial weights.
    pub fn build(&self) -> Result<NeuralNetwork, TrainError> {
        Ok(NeuralNetwork::new(
            IMAGE_PIXELS,
            self.hidden as usize,
            DIGITS,
            learning_rate(self.learning_rate),
            self.seed,
        )?)
    }
}

/// A learning rate as the network keeps it: the `f32` nearest to the `f64`
/// a person gave (flags, sweeps and results files hold the `f64`).
pub fn learning_rate(lr: f64) -> f32 {
    lr as f32
}

/// Whether `lr` can be a learning rate: greater than 0 and, as the `f32` the
/// network keeps ([`learning_rate`]), still a positive, finite number (so not
/// above 3.4·10³⁸, nor so small that it rounds to 0).
pub fn is_learning_rate(lr: f64) -> bool {
    let kept = learning_rate(lr);
    lr > 0.0 && kept > 0.0 && kept.is_finite()
}

/// A network being trained on MNIST records, an epoch at a time, in the
/// data's order (the book does not shuffle), with the book's rotated copies
/// if asked for: the book's network ([`Training::new`]), or beyond the book
/// ([`Training::beyond`]) one of any depth on distorted images, with a
/// learning-rate schedule.
pub struct Training<'a, N: Trainable = NeuralNetwork> {
    network: N,
    samples: AugmentedSamples<'a>,
    /// The learning rate is multiplied by this after each epoch (1: the book's constant rate).
    lr_decay: f64,
    threads: Threads,
}

impl<'a> Training<'a, NeuralNetwork> {
    /// A fresh network from `settings`, to be trained on `train` (each
    /// record followed by its copies rotated by ±`rotate` degrees, if given)
    /// on `threads`.
    pub fn new(
        train: &'a Dataset,
        settings: NetworkSettings,
        rotate: Option<f32>,
        threads: Threads,
    ) -> Result<Self, TrainError> {
        let samples = AugmentedSamples::book(train, rotate);
        Ok(Self::from_parts(settings.build()?, samples, 1.0, threads))
    }
}

impl<'a, N: Trainable> Training<'a, N> {
    /// Trains `network` on `samples`, multiplying its learning rate by
    /// `lr_decay` after each epoch.
    pub(crate) fn from_parts(
        network: N,
        samples: AugmentedSamples<'a>,
        lr_decay: f64,
        threads: Threads,
    ) -> Self {
        Self {
            network,
            samples,
            lr_decay,
            threads,
        }
    }

    /// Training samples in one epoch: the records, and their rotated copies.
    pub fn samples_per_epoch(&self) -> usize {
        self.samples.len()
    }

    /// The learning rate the next epoch trains with.
    pub fn learning_rate(&self) -> f32 {
        self.network.learning_rate()
    }

    /// One pass over the training set (each image distorted afresh, if
    /// asked for), one `train` step per sample, on mnn-net's training
    /// engine; then the learning rate is multiplied by the decay. `progress`
    /// is called with the number of samples done, every 1,000 samples and at
    /// the end. An error if the decayed rate is no longer a learning rate.
    pub fn epoch(&mut self, progress: impl FnMut(usize)) -> Result<EpochReport, TrainError> {
        let options = TrainOptions::with_threads(self.threads.count());
        let report = self.network.train_epoch(&self.samples, &options, progress);
        self.samples.next_epoch();
        if self.lr_decay != 1.0 {
            // lr ← lr·decay after each epoch
            let next = f64::from(self.network.learning_rate()) * self.lr_decay;
            self.network.set_learning_rate(learning_rate(next))?;
        }
        Ok(report)
    }

    /// The threads the next epoch and tests run on.
    pub fn threads(&self) -> Threads {
        self.threads
    }

    /// Runs the next epochs and tests on `threads`.
    pub fn set_threads(&mut self, threads: Threads) {
        self.threads = threads;
    }

    /// The network as trained so far.
    pub fn network(&self) -> &N {
        &self.network
    }

    /// The trained network.
    pub fn into_network(self) -> N {
        self.network
    }

    /// The network as trained so far, scored on `test` (one query per record).
    pub fn evaluate(&self, test: &Dataset) -> Evaluation {
        evaluate(&self.network, test, self.threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_is_the_book_loop_over_the_samples() {
        let data = crate::synthetic_digits(20, 7);
        let settings = NetworkSettings {
            hidden: 8,
            learning_rate: 0.3,
            seed: 5,
        };
        let mut training = Training::new(&data, settings, Some(10.0), Threads::given(2)).unwrap();
        assert_eq!(training.samples_per_epoch(), 60);
        let mut reported = 0;
        training.epoch(|done| reported = done).unwrap();
        assert_eq!(reported, 60);
        // The same network trained on the same samples on one thread.
        let mut alone = Training::new(&data, settings, Some(10.0), Threads::given(1)).unwrap();
        alone.epoch(|_| {}).unwrap();
        assert_eq!(
            training.network().weights_input_hidden(),
            alone.network().weights_input_hidden()
        );
        assert_ne!(
            training.network().weights_input_hidden(),
            settings.build().unwrap().weights_input_hidden()
        );
    }

    #[test]
    fn a_learning_rate_must_be_a_positive_f32() {
        for lr in [0.1, 1e-30, 1e9, 3.4e38] {
            assert!(is_learning_rate(lr), "{lr}");
        }
        for lr in [0.0, -1.0, 1e39, 1e-50, f64::NAN, f64::INFINITY] {
            assert!(!is_learning_rate(lr), "{lr}");
        }
    }

    #[test]
    fn the_learning_rate_is_the_nearest_f32() {
        assert_eq!(learning_rate(0.1), 0.1f32);
        let net = NetworkSettings {
            hidden: 3,
            learning_rate: 0.3,
            seed: 1,
        }
        .build()
        .unwrap();
        assert_eq!(net.learning_rate(), 0.3f32);
    }
}
