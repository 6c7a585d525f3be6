use super::*;
use crate::activation::rescale;
use crate::any::argmax;

#[test]
fn new_rejects_empty_layers_and_bad_learning_rates() {
    let err = NeuralNetwork::new(784, 0, 10, 0.1, 1).unwrap_err();
    assert_eq!(err.to_string(), "the hidden layer needs at least one node");
    for lr in [0.0, -0.1, f32::NAN, f32::INFINITY] {
        assert!(matches!(
            NeuralNetwork::new(784, 100, 10, lr, 1),
            Err(NetError::LearningRate(_))
        ));
    }
}

#[test]
fn from_weights_rejects_shapes_that_do_not_chain() {
    let err =
        NeuralNetwork::from_weights(Matrix::zeros(4, 6), Matrix::zeros(3, 5), 0.3).unwrap_err();
    assert!(matches!(err, NetError::WeightShapes { .. }), "{err}");
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    let a = NeuralNetwork::new(20, 7, 3, 0.1, 5).unwrap();
    let b = NeuralNetwork::new(20, 7, 3, 0.1, 5).unwrap();
    let c = NeuralNetwork::new(20, 7, 3, 0.1, 6).unwrap();
    assert_eq!(a.weights_input_hidden(), b.weights_input_hidden());
    assert_eq!(a.weights_hidden_output(), b.weights_hidden_output());
    assert_ne!(a.weights_input_hidden(), c.weights_input_hidden());
}

#[test]
fn initial_weights_have_the_books_spread() {
    // Normal(0, 1/√incoming): for 784 inputs, σ = 1/28.
    let net = NeuralNetwork::new(784, 200, 10, 0.1, 3).unwrap();
    let w = net.weights_input_hidden().as_slice();
    let n = w.len() as f64;
    let mean = w.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = w.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 0.001, "mean {mean}");
    assert!((var.sqrt() - 1.0 / 28.0).abs() < 0.001, "σ {}", var.sqrt());
    let w = net.weights_hidden_output().as_slice();
    let var = w.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / w.len() as f64;
    assert!(
        (var.sqrt() - 200f64.powf(-0.5)).abs() < 0.01,
        "σ {}",
        var.sqrt()
    );
}

#[test]
fn training_moves_outputs_towards_targets() {
    let mut net = NeuralNetwork::new(4, 5, 2, 0.3, 9).unwrap();
    let x = [0.9, 0.1, 0.5, 0.3];
    let t = [0.99, 0.01];
    let before = net.query(&x);
    for _ in 0..200 {
        net.train(&x, &t);
    }
    let after = net.query(&x);
    assert!(after[0] > before[0] && after[0] > 0.9, "{after:?}");
    assert!(after[1] < before[1] && after[1] < 0.1, "{after:?}");
}

#[test]
fn argmax_picks_largest_first_on_ties() {
    assert_eq!(argmax(&[0.1, 0.7, 0.7, 0.2]), Some(1));
    assert_eq!(argmax(&[]), None);
}

#[test]
fn rescale_maps_onto_book_range() {
    let mut v = [-3.0, 1.0, 5.0];
    rescale(&mut v, 0.01, 0.98);
    assert_eq!(v, [0.01, 0.5, 0.99]);
    let mut flat = [2.0, 2.0];
    rescale(&mut flat, 0.01, 0.98);
    assert_eq!(flat, [0.5, 0.5]);
}
