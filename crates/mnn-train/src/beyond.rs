//! Training beyond the book: the settings of a network of any depth
//! ([`mnn_net::deep`]), with biases, other activations, softmax and
//! cross-entropy, a learning-rate schedule, and random distortions of every
//! training image drawn afresh each epoch ([`mnn_augment`]); a
//! [`Training`] of such a network, on [`AugmentedSamples`].

use crate::augmented::AugmentedSamples;
use crate::training::{NetworkSettings, Training};
use crate::{Threads, TrainError};
use mnn_augment::Augmentation;
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS};
use mnn_net::deep::{Activation, Architecture, Loss, Network};

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
