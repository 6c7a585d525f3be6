//! The check that a network reads MNIST digits (a run trains an
//! [`mnn_net::Model`], mnn-net's one network interface).

use crate::TrainError;
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::Queries;

/// Checks that `net` reads MNIST digits: 784 inputs (28×28 pixels) and 10
/// outputs.
pub fn check_digit_network(net: &(impl Queries + ?Sized)) -> Result<(), TrainError> {
    if net.input_nodes() == IMAGE_PIXELS && net.output_nodes() == DIGITS {
        Ok(())
    } else {
        Err(TrainError::NotForDigits { sizes: net.sizes() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_net::NeuralNetwork;

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
