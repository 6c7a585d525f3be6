//! Training beyond the book: the settings of a network of any depth
//! ([`mnn_net::deep`]), with biases, other activations, softmax and
//! cross-entropy, a learning-rate schedule, and random distortions of every
//! training image drawn afresh each epoch ([`mnn_augment`]); a
//! [`Training`] of such a network.

use crate::samples::MnistSamples;
use crate::training::{NetworkSettings, Training};
use crate::{Threads, TrainError};
use mnn_augment::{Augmentation, Augmenter, BOOK_FILL, Scratch, sample_rng};
use mnn_data::{DIGITS, Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, TARGET_OFF, TARGET_ON};
use mnn_net::Samples;
use mnn_net::deep::{Activation, Architecture, Loss, Network};
use std::sync::Mutex;

/// A run beyond the book: the network and how it is trained.
#[derive(Debug, Clone, PartialEq)]
pub struct DeepSettings {
    /// Nodes of each hidden layer.
    pub hidden: Vec<u32>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The loss (and with it the output layer and the targets).
    pub loss: Loss,
    /// A bias per node.
    pub bias: bool,
    /// The learning rate of the first epoch.
    pub learning_rate: f64,
    /// The learning rate is multiplied by this after each epoch (1: constant).
    pub lr_decay: f64,
    /// Seed of the initial weights and of the distortions.
    pub seed: u64,
    /// Random distortions of the training images, drawn afresh every epoch.
    pub augmentation: Augmentation,
    /// The book's rotated copies: each record also turned by ±degrees.
    pub rotate: Option<f32>,
}

impl DeepSettings {
    /// The network's shape and kind: 784 inputs, the hidden layers, 10 outputs.
    pub fn architecture(&self) -> Architecture {
        let mut layer_sizes = vec![IMAGE_PIXELS];
        layer_sizes.extend(self.hidden.iter().map(|&h| h as usize));
        layer_sizes.push(DIGITS);
        Architecture {
            layer_sizes,
            activation: self.activation,
            loss: self.loss,
            bias: self.bias,
        }
    }

    /// `true` if this is the book's run: one hidden layer, sigmoid, squared
    /// error, no biases, no schedule, no distortions (the book's
    /// `NeuralNetwork`, [`Training::new`], runs it, so its results do not move).
    pub fn is_book(&self) -> bool {
        self.architecture().is_book() && self.lr_decay == 1.0 && self.augmentation.is_none()
    }

    /// The book's network of these settings, if they are the book's
    /// ([`is_book`](Self::is_book)).
    pub fn book_network(&self) -> Option<NetworkSettings> {
        self.is_book().then(|| NetworkSettings {
            hidden: self.hidden[0],
            learning_rate: self.learning_rate,
            seed: self.seed,
        })
    }

    /// A fresh network with the seed's initial weights.
    pub fn build(&self) -> Result<Network, TrainError> {
        Ok(Network::new(
            self.architecture(),
            crate::learning_rate(self.learning_rate),
            self.seed,
        )?)
    }
}

/// MNIST records as training samples for one epoch: the book's
/// ([`MnistSamples`], with its rotated copies if asked for), each distorted
/// at random (its own draw for every record and epoch: [`sample_rng`]),
/// with targets for the loss (0.01/0.99 for squared error, 0/1 for
/// cross-entropy). Without distortions and with squared error, the book's
/// samples exactly.
pub struct AugmentedSamples<'a> {
    book: MnistSamples<'a>,
    augmenter: Augmenter,
    seed: u64,
    epoch: usize,
    targets: (f32, f32),
    /// Working memory for the distortions, one set per thread in use: a
    /// thread takes one, uses it and gives it back, so nothing is allocated
    /// per sample.
    scratch: Mutex<Vec<Scratch>>,
}

impl<'a> AugmentedSamples<'a> {
    /// Epoch `epoch` (from 0) of a run seeded with `seed`.
    pub fn new(
        data: &'a Dataset,
        augmentation: Augmentation,
        rotate: Option<f32>,
        loss: Loss,
        seed: u64,
        epoch: usize,
    ) -> Result<Self, TrainError> {
        let augmenter = Augmenter::new(augmentation, IMAGE_COLS, IMAGE_ROWS, BOOK_FILL)
            .map_err(|e| TrainError::Augment(e.to_string()))?;
        Ok(Self {
            book: MnistSamples::new(data, rotate),
            augmenter,
            seed,
            epoch,
            targets: loss.targets(),
            scratch: Mutex::new(Vec::new()),
        })
    }

    /// The book's samples: no distortions, the book's targets.
    pub fn book(data: &'a Dataset, rotate: Option<f32>) -> Self {
        Self::new(data, Augmentation::default(), rotate, Loss::Squared, 0, 0)
            .expect("no distortions can always be drawn")
    }

    /// Goes on to the next epoch's distortions.
    pub fn next_epoch(&mut self) {
        self.epoch += 1;
    }
}

impl Samples for AugmentedSamples<'_> {
    fn len(&self) -> usize {
        self.book.len()
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        if self.augmenter.augmentation().is_none() {
            self.book.fill(index, inputs, targets);
        } else {
            let mut plain = [0.0; IMAGE_PIXELS];
            self.book.fill(index, &mut plain, targets);
            let taken = self
                .scratch
                .lock()
                .map(|mut pool| pool.pop())
                .unwrap_or(None);
            let mut scratch = taken.unwrap_or_else(|| self.augmenter.scratch());
            let mut rng = sample_rng(self.seed, self.epoch, index);
            self.augmenter
                .augment_into(&plain, &mut rng, &mut scratch, inputs);
            if let Ok(mut pool) = self.scratch.lock() {
                pool.push(scratch);
            }
        }
        // The book's samples carry the book's targets; other losses want others.
        if self.targets != (TARGET_OFF, TARGET_ON) {
            let (off, on) = self.targets;
            targets.fill(off);
            targets[self.book.label(index)] = on;
        }
    }
}

impl<'a> Training<'a, Network> {
    /// A fresh network beyond the book from `settings`, to be trained on
    /// `train` on `threads`.
    pub fn beyond(
        train: &'a Dataset,
        settings: DeepSettings,
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
        Ok(Self::from_parts(
            settings.build()?,
            samples,
            settings.lr_decay,
            threads,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> DeepSettings {
        DeepSettings {
            hidden: vec![12, 8],
            activation: Activation::Relu,
            loss: Loss::CrossEntropy,
            bias: true,
            learning_rate: 0.05,
            lr_decay: 0.5,
            seed: 3,
            augmentation: "elastic,shift=1".parse().unwrap(),
            rotate: None,
        }
    }

    #[test]
    fn samples_are_distorted_per_epoch_and_the_same_on_every_read() {
        let data = crate::synthetic_digits(4, 7);
        let s = settings();
        let epoch0 = AugmentedSamples::new(&data, s.augmentation, None, s.loss, 1, 0).unwrap();
        let epoch1 = AugmentedSamples::new(&data, s.augmentation, None, s.loss, 1, 1).unwrap();
        let read = |samples: &AugmentedSamples, i| {
            let (mut x, mut t) = (vec![0.0; IMAGE_PIXELS], vec![0.0; DIGITS]);
            samples.fill(i, &mut x, &mut t);
            (x, t)
        };
        let (x, t) = read(&epoch0, 2);
        assert_eq!(read(&epoch0, 2), (x.clone(), t.clone()));
        assert_ne!(read(&epoch1, 2).0, x);
        // Cross-entropy's targets: 1 at the label, 0 elsewhere.
        let mut one_hot = [0.0; DIGITS];
        one_hot[usize::from(data.label(2))] = 1.0;
        assert_eq!(t, one_hot);
        let plain = AugmentedSamples::new(
            &data,
            Augmentation::default(),
            Some(10.0),
            Loss::Squared,
            1,
            0,
        )
        .unwrap();
        assert_eq!(plain.len(), 12);
        let book = MnistSamples::new(&data, Some(10.0));
        for i in 0..12 {
            let (mut x, mut t) = (vec![0.0; IMAGE_PIXELS], vec![0.0; DIGITS]);
            book.fill(i, &mut x, &mut t);
            assert_eq!(read(&plain, i), (x, t), "sample {i}");
        }
    }

    #[test]
    fn epochs_decay_the_learning_rate_and_train_on_any_threads() {
        let data = crate::synthetic_digits(30, 7);
        let mut two = Training::beyond(&data, settings(), Threads::given(2)).unwrap();
        let mut one = Training::beyond(&data, settings(), Threads::given(1)).unwrap();
        for _ in 0..2 {
            two.epoch(|_| {}).unwrap();
            one.epoch(|_| {}).unwrap();
        }
        assert_eq!(two.learning_rate(), 0.0125);
        assert_eq!(two.network().layers(), one.network().layers());
        assert_ne!(two.network().layers(), settings().build().unwrap().layers());
        assert_eq!(two.evaluate(&data).total, 30);
    }

    #[test]
    fn only_the_books_settings_are_the_book() {
        let mut s = settings();
        assert!(!s.is_book());
        s.hidden = vec![200];
        s.activation = Activation::Sigmoid;
        s.loss = Loss::Squared;
        s.bias = false;
        s.lr_decay = 1.0;
        s.augmentation = Augmentation::default();
        assert!(s.is_book());
        assert_eq!(
            s.book_network(),
            Some(NetworkSettings {
                hidden: 200,
                learning_rate: 0.05,
                seed: 3
            })
        );
    }
}
