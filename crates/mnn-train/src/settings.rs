//! The settings of one training run, [`RunSettings`]: the network (784
//! inputs, the hidden layers, 10 outputs, its activation, loss and biases),
//! how it learns (the learning rate and its schedule), for how long (the
//! epochs), from which seed, and on which samples (the book's rotated copies,
//! random distortions). Its [`Default`] is the book's final experiment, the
//! one place the book's defaults are written; and how a run is described,
//! to people and in a results file.

use crate::TrainError;
use crate::samples::samples_per_record;
use mnn_augment::Augmentation;
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::deep::{Activation, Architecture, Loss, Network};
use mnn_net::{Model, NeuralNetwork};

/// The most hidden nodes a run may have: 784×100,000 f32 weights are
/// 314 MB, far past where more nodes help (the book's best is 500) but
/// still a network one machine can hold.
pub const MAX_HIDDEN: u32 = 100_000;

/// The most epochs a run may have: the book's experiments use up to 30, and
/// a thousand passes over MNIST take a day on a laptop.
pub const MAX_EPOCHS: u32 = 1000;

/// The most samples a mini-batch may hold (`--batch`, the page's batch).
pub const MAX_BATCH: usize = 4096;

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

/// Why `lr` cannot be a learning rate, if [`is_learning_rate`] refuses it:
/// the one wording of the limit, for `--lr` and a sweep's `--values` alike.
pub fn check_learning_rate(lr: f64) -> Result<f64, String> {
    if is_learning_rate(lr) {
        Ok(lr)
    } else {
        Err(format!(
            "a learning rate must be greater than 0 and at most {:.1e} (the network keeps it as \
             a 32-bit float)",
            f32::MAX
        ))
    }
}

/// Why `epochs` (a flag's number, or a sweep's value) cannot be a run's
/// epochs, if it cannot: a whole number from `least` (0 for `--epochs`, which
/// then tests the initial weights; 1 for a sweep) to [`MAX_EPOCHS`].
pub fn check_epochs(epochs: f64, least: u32) -> Result<u32, String> {
    if epochs.fract() == 0.0 && (f64::from(least)..=f64::from(MAX_EPOCHS)).contains(&epochs) {
        Ok(epochs as u32)
    } else {
        Err(format!(
            "epochs must be a whole number from {least} to {MAX_EPOCHS} (a thousand passes over \
             MNIST take a day on a laptop)"
        ))
    }
}

/// Why `hidden` cannot be a hidden layer's node count, if it cannot: a whole
/// number from 1 to [`MAX_HIDDEN`].
pub fn check_hidden(hidden: f64) -> Result<u32, String> {
    if hidden.fract() == 0.0 && (1.0..=f64::from(MAX_HIDDEN)).contains(&hidden) {
        Ok(hidden as u32)
    } else {
        Err(format!(
            "hidden nodes must be a whole number from 1 to {MAX_HIDDEN}"
        ))
    }
}

/// Everything one training run needs to know besides its data: the network,
/// how it learns, how long and on which samples. [`RunSettings::default`] is
/// the book's final experiment.
///
/// ```
/// use mnn_train::RunSettings;
///
/// let book = RunSettings::default();
/// assert_eq!(book.description(), "784-200-10, learning rate 0.1");
/// assert_eq!((book.epochs, book.seed), (5, 1));
/// assert!(book.is_book());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// Nodes of each hidden layer: `[200]` in the book, `[500, 150]` for a
    /// 784-500-150-10 network beyond it.
    pub hidden: Vec<u32>,
    /// The hidden layers' activation (the book's sigmoid).
    pub activation: Activation,
    /// The loss, and with it the output layer and the targets (the book's
    /// squared error, sigmoid outputs and 0.01/0.99 targets).
    pub loss: Loss,
    /// A bias per node (the book has none).
    pub bias: bool,
    /// The learning rate of the first epoch, as a person writes it (0.1);
    /// the network keeps it as an `f32` ([`learning_rate`]).
    pub learning_rate: f64,
    /// The learning rate is multiplied by this after each epoch (1: the
    /// book's constant rate).
    pub lr_decay: f64,
    /// Passes over the training set (0: the initial weights are tested).
    pub epochs: u32,
    /// Seed of the initial weights and of the distortions (and nothing else:
    /// training order is the data's order, as in the book).
    pub seed: u64,
    /// Random distortions of the training images, drawn afresh every epoch
    /// (none in the book).
    pub augmentation: Augmentation,
    /// The book's rotated copies (Part 3): each record also turned by
    /// ±degrees.
    pub rotate: Option<f32>,
    /// Training records held out for validation (the last ones; 0: none):
    /// the run trains on the others and reports the network's accuracy on
    /// these beside the test accuracy, so settings can be chosen without
    /// looking at the test set.
    pub validate: usize,
    /// Samples per update: 1, the book's one update per sample; more trains
    /// a network beyond the book in mini-batches (mnn-net's `batch`
    /// module: the batch's per-sample updates summed, each at the
    /// learning rate), a departure from the book, for speed.
    pub batch: usize,
}

impl Default for RunSettings {
    /// The book's final experiment (Part 2, "Some Improvements", p. 172):
    /// 784-200-10, sigmoid, squared error, no biases, learning rate 0.1,
    /// 5 epochs, seed 1, no rotated copies and no distortions.
    fn default() -> Self {
        RunSettings {
            hidden: vec![200],
            activation: Activation::Sigmoid,
            loss: Loss::Squared,
            bias: false,
            learning_rate: 0.1,
            lr_decay: 1.0,
            epochs: 5,
            seed: 1,
            augmentation: Augmentation::default(),
            rotate: None,
            validate: 0,
            batch: 1,
        }
    }
}

impl RunSettings {
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

    /// The network's layer sizes as `784-200-10`.
    pub fn sizes(&self) -> String {
        self.architecture().sizes_string()
    }

    /// `true` if this is the book's run: one hidden layer, sigmoid, squared
    /// error, no biases, no schedule, no distortions (rotated copies are the
    /// book's own). The book's [`NeuralNetwork`] trains it on its own engine,
    /// so its results do not move.
    pub fn is_book(&self) -> bool {
        self.architecture().is_book()
            && self.lr_decay == 1.0
            && self.augmentation.is_none()
            && self.batch == 1
    }

    /// A fresh network with the seed's initial weights: the book's
    /// [`NeuralNetwork`] for the book's run ([`is_book`](Self::is_book)),
    /// else a [`Network`] beyond the book.
    pub fn build(&self) -> Result<Model, TrainError> {
        let rate = learning_rate(self.learning_rate);
        Ok(if self.is_book() {
            let hidden = self.hidden[0] as usize;
            Model::Book(NeuralNetwork::new(
                IMAGE_PIXELS,
                hidden,
                DIGITS,
                rate,
                self.seed,
            )?)
        } else {
            Model::Deep(Network::new(self.architecture(), rate, self.seed)?)
        })
    }

    /// Training samples in one epoch on `records` training records: each
    /// record not held out for validation, and its two rotated copies if
    /// asked for.
    pub fn samples_per_epoch(&self, records: usize) -> usize {
        records.saturating_sub(self.validate) * samples_per_record(self.rotate)
    }

    /// The network and how it learns, for people: the book's `784-200-10,
    /// learning rate 0.1`, or beyond it `784-800-10 relu, cross-entropy
    /// (softmax), biases, learning rate 0.01 ×0.9 per epoch, distortions
    /// shift=2`.
    pub fn description(&self) -> String {
        if self.is_book() {
            return format!("{}, learning rate {}", self.sizes(), self.learning_rate);
        }
        let mut text = format!(
            "{} {}, {} ({}){}, learning rate {}",
            self.sizes(),
            self.activation,
            self.loss,
            self.loss.output_activation(),
            if self.bias { ", biases" } else { "" },
            self.learning_rate,
        );
        if self.lr_decay != 1.0 {
            text.push_str(&format!(" ×{} per epoch", self.lr_decay));
        }
        if !self.augmentation.is_none() {
            text.push_str(&format!(", distortions {}", self.augmentation));
        }
        if self.batch > 1 {
            text.push_str(&format!(", batches of {}", self.batch));
        }
        text
    }

    /// The options beyond the book, for a results file's column: `relu,
    /// cross-entropy, biases, lr decay 0.9, augment elastic`; `None` for the
    /// book's run.
    pub fn beyond_description(&self) -> Option<String> {
        if self.is_book() {
            return None;
        }
        let mut parts = vec![
            self.activation.name().to_string(),
            self.loss.name().to_string(),
        ];
        if self.bias {
            parts.push("biases".into());
        }
        if self.lr_decay != 1.0 {
            parts.push(format!("lr decay {}", self.lr_decay));
        }
        if !self.augmentation.is_none() {
            parts.push(format!("augment {}", self.augmentation));
        }
        if self.batch > 1 {
            parts.push(format!("batch {}", self.batch));
        }
        Some(parts.join(", "))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A run beyond the book, for tests: two ReLU layers, cross-entropy,
    /// biases, a decaying rate, distortions.
    pub(crate) fn beyond() -> RunSettings {
        RunSettings {
            hidden: vec![12, 8],
            activation: Activation::Relu,
            loss: Loss::CrossEntropy,
            bias: true,
            learning_rate: 0.05,
            lr_decay: 0.5,
            seed: 3,
            augmentation: "elastic,shift=1".parse().unwrap(),
            ..RunSettings::default()
        }
    }

    #[test]
    fn the_defaults_are_the_books_final_experiment() {
        let book = RunSettings::default();
        assert_eq!(book.hidden, [200]);
        assert_eq!(
            (book.activation, book.loss),
            (Activation::Sigmoid, Loss::Squared)
        );
        assert!(!book.bias);
        assert_eq!((book.learning_rate, book.lr_decay), (0.1, 1.0));
        assert_eq!((book.epochs, book.seed), (5, 1));
        assert!(book.augmentation.is_none());
        assert_eq!(book.rotate, None);
        assert_eq!(book.validate, 0);
        assert!(book.is_book());
        assert_eq!(book.sizes(), "784-200-10");
        let Model::Book(net) = book.build().unwrap() else {
            panic!("the book's run builds the book's network");
        };
        assert_eq!(net.hidden_nodes(), 200);
        assert_eq!(net.learning_rate(), 0.1f32);
        assert_eq!(
            net.weights_input_hidden(),
            NeuralNetwork::new(784, 200, 10, 0.1, 1)
                .unwrap()
                .weights_input_hidden()
        );
    }

    #[test]
    fn only_the_books_settings_are_the_book() {
        let mut s = beyond();
        assert!(!s.is_book());
        assert!(matches!(s.build().unwrap(), Model::Deep(_)));
        s.hidden = vec![200];
        s.activation = Activation::Sigmoid;
        s.loss = Loss::Squared;
        s.bias = false;
        s.lr_decay = 1.0;
        assert!(!s.is_book(), "distortions go beyond the book");
        s.augmentation = Augmentation::default();
        s.rotate = Some(10.0);
        assert!(s.is_book(), "rotated copies are the book's");
    }

    #[test]
    fn runs_are_described_for_people_and_for_results_files() {
        let book = RunSettings {
            rotate: Some(10.0),
            ..RunSettings::default()
        };
        assert_eq!(book.description(), "784-200-10, learning rate 0.1");
        assert_eq!(book.beyond_description(), None);
        assert_eq!(book.samples_per_epoch(100), 300);
        let s = beyond();
        assert_eq!(
            s.description(),
            "784-12-8-10 relu, cross-entropy (softmax), biases, learning rate 0.05 ×0.5 per \
             epoch, distortions shift=1,elastic,sigma=4,alpha=34"
        );
        assert_eq!(
            s.beyond_description().unwrap(),
            "relu, cross-entropy, biases, lr decay 0.5, augment shift=1,elastic,sigma=4,alpha=34"
        );
        assert_eq!(s.samples_per_epoch(100), 100);
        let validated = RunSettings {
            validate: 30,
            ..book
        };
        assert_eq!(validated.samples_per_epoch(100), 210);
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
        let net = RunSettings {
            hidden: vec![3],
            learning_rate: 0.3,
            ..RunSettings::default()
        }
        .build()
        .unwrap();
        assert_eq!(net.learning_rate(), 0.3f32);
    }
}
