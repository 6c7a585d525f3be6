//! The networks a run trains: what the book's [`NeuralNetwork`], a
//! [`Network`] beyond the book and a [`Model`] of either kind share
//! ([`Trainable`]), and the check that a network reads MNIST digits.

use crate::TrainError;
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::deep::Network;
use mnn_net::{
    EpochReport, Model, ModelInfo, NetError, NeuralNetwork, Queries, Samples, TrainOptions,
};

/// Checks that `net` reads MNIST digits: 784 inputs (28×28 pixels) and 10
/// outputs.
pub fn check_digit_network(net: &(impl Queries + ?Sized)) -> Result<(), TrainError> {
    if net.input_nodes() == IMAGE_PIXELS && net.output_nodes() == DIGITS {
        Ok(())
    } else {
        Err(TrainError::NotForDigits { sizes: net.sizes() })
    }
}

/// A network a [`Training`](crate::Training) trains: the book's
/// [`NeuralNetwork`] or a [`Network`] beyond the book, each on its own
/// engine in mnn-net, or a [`Model`] holding either.
pub trait Trainable: Queries + Sized {
    /// One pass over `samples`, one `train` step per sample (mnn-net's
    /// `train_epoch`); `progress` is called with the samples done.
    fn train_epoch<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        progress: impl FnMut(usize),
    ) -> EpochReport;
    /// The learning rate the next sample trains with.
    fn learning_rate(&self) -> f32;
    /// Trains the next samples with `learning_rate` (a schedule's next epoch).
    fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError>;
    /// The network as a safetensors model file.
    fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8>;
}

/// Implements [`Trainable`] for a network whose own methods of the same
/// names do the work.
macro_rules! trainable {
    ($network:ty) => {
        impl Trainable for $network {
            fn train_epoch<S: Samples + ?Sized>(
                &mut self,
                samples: &S,
                options: &TrainOptions,
                progress: impl FnMut(usize),
            ) -> EpochReport {
                <$network>::train_epoch(self, samples, options, progress)
            }
            fn learning_rate(&self) -> f32 {
                <$network>::learning_rate(self)
            }
            fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError> {
                <$network>::set_learning_rate(self, learning_rate)
            }
            fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
                <$network>::to_safetensors(self, info)
            }
        }
    };
}

trainable!(NeuralNetwork);
trainable!(Network);

/// Either kind, each trained by its own code (the book's network stays bit
/// for bit the book's).
impl Trainable for Model {
    fn train_epoch<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        progress: impl FnMut(usize),
    ) -> EpochReport {
        match self {
            Model::Book(net) => net.train_epoch(samples, options, progress),
            Model::Deep(net) => net.train_epoch(samples, options, progress),
        }
    }
    fn learning_rate(&self) -> f32 {
        Model::learning_rate(self)
    }
    fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError> {
        match self {
            Model::Book(net) => net.set_learning_rate(learning_rate),
            Model::Deep(net) => net.set_learning_rate(learning_rate),
        }
    }
    fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        Model::to_safetensors(self, info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_books_network_changes_its_rate_and_keeps_its_weights() {
        let mut net = NeuralNetwork::new(4, 3, 2, 0.3, 1).unwrap();
        let before = net.clone();
        Trainable::set_learning_rate(&mut net, 0.15).unwrap();
        assert_eq!(Trainable::learning_rate(&net), 0.15);
        assert_eq!(net.weights_input_hidden(), before.weights_input_hidden());
        assert_eq!(net.weights_hidden_output(), before.weights_hidden_output());
        assert!(Trainable::set_learning_rate(&mut net, 0.0).is_err());
        let mut model = Model::Book(before);
        Trainable::set_learning_rate(&mut model, 0.15).unwrap();
        assert_eq!(Trainable::learning_rate(&model), 0.15);
    }

    #[test]
    fn only_784_inputs_and_10_outputs_read_digits() {
        let digits = NeuralNetwork::new(IMAGE_PIXELS, 5, DIGITS, 0.1, 1).unwrap();
        assert!(check_digit_network(&digits).is_ok());
        let other = NeuralNetwork::new(4, 5, DIGITS, 0.1, 1).unwrap();
        let err = check_digit_network(&other).unwrap_err().to_string();
        assert_eq!(
            err,
            "the network is 4-5-10, but MNIST digits need 784 inputs and 10 outputs"
        );
    }
}
