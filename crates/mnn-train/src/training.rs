//! A network being trained, an epoch at a time: the network a
//! [`RunSettings`] asks for, its training samples, and the learning-rate
//! schedule, on the training engine of mnn-net.

use crate::TrainError;
use crate::augmented::AugmentedSamples;
use crate::evaluate::{Evaluation, evaluate};
use crate::settings::{RunSettings, learning_rate};
use crate::threads::Threads;
use mnn_data::Dataset;
use mnn_net::{EpochReport, Model, Progress, Samples, TrainOptions};
use std::ops::Range;

/// A network being trained on MNIST records, an epoch at a time, in the
/// data's order (the book does not shuffle), with the book's rotated copies
/// if asked for: the book's network, or beyond the book one of any depth on
/// distorted images, with a learning-rate schedule. [`train`](crate::train)
/// runs all the epochs of a run; this is one epoch at a time.
pub struct Training<'a> {
    network: Model,
    samples: AugmentedSamples<'a>,
    /// The learning rate is multiplied by this after each epoch (1: the book's constant rate).
    lr_decay: f64,
    threads: Threads,
    /// Samples per update (1: the book's).
    batch: usize,
    /// Epochs trained so far.
    epochs_done: usize,
}

impl<'a> Training<'a> {
    /// A fresh network from `settings` ([`RunSettings::build`]: the book's
    /// own for the book's run), to be trained on `train` on `threads`.
    pub fn new(
        train: &'a Dataset,
        settings: &RunSettings,
        threads: Threads,
    ) -> Result<Self, TrainError> {
        settings
            .augmentation
            .validate()
            .map_err(|e| TrainError::Augment(e.to_string()))?;
        let samples = AugmentedSamples::new(
            train,
            settings.augmentation,
            settings.rotate,
            settings.loss,
            settings.seed,
            0,
        )?;
        Ok(Self {
            network: settings.build()?,
            samples,
            lr_decay: settings.lr_decay,
            threads,
            batch: settings.batch,
            epochs_done: 0,
        })
    }

    /// The run of `settings` taken up again after `epochs_done` epochs, from
    /// `network` as it was then (weights and learning rate): the next epochs
    /// train exactly as they would have in the run that made `network` (the
    /// same samples, the same distortions, the same schedule), so a run
    /// rewound and continued ends with the weights of one never stopped.
    pub fn resume(
        train: &'a Dataset,
        settings: &RunSettings,
        threads: Threads,
        network: Model,
        epochs_done: usize,
    ) -> Result<Self, TrainError> {
        let mut training = Self::new(train, settings, threads)?;
        training.network = network;
        for _ in 0..epochs_done {
            training.samples.next_epoch();
        }
        training.epochs_done = epochs_done;
        Ok(training)
    }

    /// Epochs trained so far.
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Training samples in one epoch: the records, and their rotated copies.
    pub fn samples_per_epoch(&self) -> usize {
        self.samples.len()
    }

    /// Where [`epoch_part`](Self::epoch_part)s may start: multiples of this
    /// (the engine's window of [`mnn_matrix::kernels::WINDOW`] samples, and
    /// the mini-batch) cut an epoch where the whole epoch is cut anyway.
    pub fn part_multiple(&self) -> usize {
        let (window, batch) = (mnn_matrix::kernels::WINDOW, self.batch.max(1));
        // the least common multiple
        let (mut a, mut b) = (window, batch);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        window / a * batch
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
    pub fn epoch(&mut self, mut progress: impl FnMut(usize)) -> Result<EpochReport, TrainError> {
        self.epoch_watched(1000, |p| progress(p.samples))
    }

    /// [`epoch`](Self::epoch), `progress` called every `interval` samples
    /// with the samples done and their summed error (for a learning curve
    /// within the epoch).
    pub fn epoch_watched(
        &mut self,
        interval: usize,
        mut progress: impl FnMut(Progress),
    ) -> Result<EpochReport, TrainError> {
        let options = TrainOptions {
            progress_interval: interval,
            batch: self.batch,
            ..TrainOptions::with_threads(self.threads.count())
        };
        let report = self
            .network
            .train_epoch(&self.samples, &options, &mut progress);
        self.end_epoch()?;
        Ok(report)
    }

    /// After an epoch's last sample: the next epoch's samples, and the rate
    /// decayed.
    fn end_epoch(&mut self) -> Result<(), TrainError> {
        self.epochs_done += 1;
        self.samples.next_epoch();
        if self.lr_decay != 1.0 {
            // lr ← lr·decay after each epoch
            let next = f64::from(self.network.learning_rate()) * self.lr_decay;
            self.network.set_learning_rate(learning_rate(next))?;
        }
        Ok(())
    }

    /// Part of an epoch: samples `part` of the current epoch (in order, the
    /// next part starting where the last one ended), so that a caller that
    /// cannot be interrupted mid-call (a browser tab's worker) can pause
    /// between parts. Parts that start at multiples of
    /// [`part_multiple`](Self::part_multiple) train bit for bit as the
    /// whole epoch does (tested). `progress` counts samples from the epoch's start. When
    /// `part` reaches the epoch's end, the epoch ends as in
    /// [`epoch`](Self::epoch) (the next epoch's samples, the decayed rate),
    /// and the returned `true` says so.
    ///
    /// # Panics
    /// If `part` is not within the epoch's samples.
    pub fn epoch_part(
        &mut self,
        part: Range<usize>,
        interval: usize,
        mut progress: impl FnMut(Progress),
    ) -> Result<bool, TrainError> {
        let total = self.samples.len();
        assert!(
            part.start <= part.end && part.end <= total,
            "samples {part:?} of an epoch of {total}"
        );
        let options = TrainOptions {
            progress_interval: interval,
            batch: self.batch,
            ..TrainOptions::with_threads(self.threads.count())
        };
        let start = part.start;
        let samples = Part {
            samples: &self.samples,
            part,
        };
        self.network
            .train_epoch(&samples, &options, &mut |p: Progress| {
                progress(Progress {
                    samples: start + p.samples,
                    ..p
                })
            });
        if samples.part.end < total {
            return Ok(false);
        }
        self.end_epoch()?;
        Ok(true)
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
    pub fn network(&self) -> &Model {
        &self.network
    }

    /// The trained network.
    pub fn into_network(self) -> Model {
        self.network
    }

    /// The network as trained so far, scored on `test` (one query per record).
    pub fn evaluate(&self, test: &Dataset) -> Evaluation {
        evaluate(&self.network, test, self.threads)
    }
}

/// Samples `part` of `samples`, numbered from 0.
struct Part<'s, S: ?Sized> {
    samples: &'s S,
    part: Range<usize>,
}

impl<S: Samples + ?Sized> Samples for Part<'_, S> {
    fn len(&self) -> usize {
        self.part.len()
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        self.samples.fill(self.part.start + index, inputs, targets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::tests::beyond;

    #[test]
    fn a_run_resumed_after_an_epoch_ends_as_the_run_never_stopped() {
        let data = crate::synthetic_digits(30, 7);
        for settings in [
            RunSettings {
                hidden: vec![8],
                rotate: Some(10.0),
                ..RunSettings::default()
            },
            beyond(),
        ] {
            let mut whole = Training::new(&data, &settings, Threads::given(2)).unwrap();
            whole.epoch(|_| {}).unwrap();
            let after_one = whole.network().clone();
            for _ in 0..2 {
                whole.epoch(|_| {}).unwrap();
            }
            let mut resumed =
                Training::resume(&data, &settings, Threads::given(1), after_one, 1).unwrap();
            assert_eq!(resumed.epochs_done(), 1);
            for _ in 0..2 {
                resumed.epoch(|_| {}).unwrap();
            }
            assert_eq!(resumed.epochs_done(), 3);
            let bytes = |t: &Training| t.network().to_safetensors(&Default::default());
            assert_eq!(bytes(&resumed), bytes(&whole), "{}", settings.description());
            assert_eq!(resumed.learning_rate(), whole.learning_rate());
        }
    }

    #[test]
    fn an_epoch_trained_in_parts_is_the_epoch_trained_whole() {
        let data = crate::synthetic_digits(37, 7);
        for settings in [
            RunSettings {
                hidden: vec![8],
                ..RunSettings::default()
            },
            beyond(),
            RunSettings {
                batch: 6,
                ..beyond()
            },
        ] {
            let mut whole = Training::new(&data, &settings, Threads::given(2)).unwrap();
            let mut parts = Training::new(&data, &settings, Threads::given(1)).unwrap();
            // Parts cut at multiples of 4 samples, and of 12 in batches of 6.
            let unit = parts.part_multiple();
            assert_eq!(unit, if settings.batch == 6 { 12 } else { 4 });
            for _ in 0..2 {
                whole.epoch(|_| {}).unwrap();
                let mut seen = Vec::new();
                let ends: Vec<bool> = [0..2 * unit, 2 * unit..3 * unit, 3 * unit..36, 36..37]
                    .into_iter()
                    .map(|part| parts.epoch_part(part, 5, |p| seen.push(p.samples)).unwrap())
                    .collect();
                assert_eq!(ends, [false, false, false, true]);
                assert_eq!(seen.last(), Some(&37));
                assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
            }
            assert_eq!(parts.epochs_done(), 2);
            let bytes = |t: &Training| t.network().to_safetensors(&Default::default());
            assert!(bytes(&parts) == bytes(&whole), "{}", settings.description());
            assert_eq!(parts.learning_rate(), whole.learning_rate());
        }
    }

    #[test]
    fn progress_carries_the_error_so_far() {
        let data = crate::synthetic_digits(20, 7);
        let mut training =
            Training::new(&data, &RunSettings::default(), Threads::given(2)).unwrap();
        let mut seen = Vec::new();
        let report = training.epoch_watched(8, |p| seen.push(p)).unwrap();
        let done: Vec<usize> = seen.iter().map(|p| p.samples).collect();
        assert_eq!(done, [8, 16, 20]);
        assert!(
            seen.windows(2)
                .all(|w| w[1].squared_error > w[0].squared_error)
        );
        let last = seen.last().unwrap().squared_error / (20.0 * 10.0);
        assert!((last - report.mean_error).abs() < 1e-12);
    }

    #[test]
    fn an_epoch_is_the_book_loop_over_the_samples() {
        let data = crate::synthetic_digits(20, 7);
        let settings = RunSettings {
            hidden: vec![8],
            learning_rate: 0.3,
            seed: 5,
            rotate: Some(10.0),
            ..RunSettings::default()
        };
        let mut training = Training::new(&data, &settings, Threads::given(2)).unwrap();
        assert_eq!(training.samples_per_epoch(), 60);
        let mut reported = 0;
        training.epoch(|done| reported = done).unwrap();
        assert_eq!(reported, 60);
        // The same network trained on the same samples on one thread.
        let mut alone = Training::new(&data, &settings, Threads::given(1)).unwrap();
        alone.epoch(|_| {}).unwrap();
        let weights = |training: &Training| match training.network() {
            Model::Book(net) => net.weights_input_hidden().clone(),
            Model::Deep(_) => panic!("the book's settings train the book's network"),
        };
        assert_eq!(weights(&training), weights(&alone));
        let Model::Book(fresh) = settings.build().unwrap() else {
            panic!("the book's network");
        };
        assert_ne!(weights(&training), *fresh.weights_input_hidden());
    }

    #[test]
    fn epochs_decay_the_learning_rate_and_train_on_any_threads() {
        let data = crate::synthetic_digits(30, 7);
        let mut two = Training::new(&data, &beyond(), Threads::given(2)).unwrap();
        let mut one = Training::new(&data, &beyond(), Threads::given(1)).unwrap();
        for _ in 0..2 {
            two.epoch(|_| {}).unwrap();
            one.epoch(|_| {}).unwrap();
        }
        assert_eq!(two.learning_rate(), 0.0125);
        let layers = |training: &Training| match training.network() {
            Model::Deep(net) => net.layers().to_vec(),
            Model::Book(_) => panic!("a network beyond the book"),
        };
        assert_eq!(layers(&two), layers(&one));
        let Model::Deep(fresh) = beyond().build().unwrap() else {
            panic!("a network beyond the book");
        };
        assert_ne!(layers(&two), fresh.layers().to_vec());
        assert_eq!(two.evaluate(&data).total, 30);
    }

    #[test]
    fn distortions_that_cannot_be_drawn_are_an_error() {
        let data = crate::synthetic_digits(3, 7);
        let mut settings = beyond();
        settings.augmentation.scale = 5.0;
        let err = Training::new(&data, &settings, Threads::given(1)).err();
        assert!(matches!(err, Some(TrainError::Augment(_))), "{err:?}");
    }
}
