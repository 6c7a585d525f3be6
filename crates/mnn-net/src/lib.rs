//! The neural network of *Make Your Own Neural Network*: three layers, sigmoid
//! activation, no biases, trained one sample at a time.
//!
//! ```
//! use mnn_net::NeuralNetwork;
//!
//! // inputs, hidden, outputs, learning rate, seed
//! let mut net = NeuralNetwork::new(3, 3, 3, 0.3, 42).unwrap();
//! let before = net.query(&[1.0, 0.5, -1.5]);
//! for _ in 0..100 {
//!     net.train(&[1.0, 0.5, -1.5], &[0.99, 0.01, 0.01]);
//! }
//! let after = net.query(&[1.0, 0.5, -1.5]);
//! assert!(after[0] > before[0] && after[1] < before[1]);
//! ```
//!
//! The formulas, as the book writes them (`∘` is element-wise):
//!
//! ```text
//! hidden  = σ(W_ih·x)                         query, layer 1
//! out     = σ(W_ho·hidden)                    query, layer 2
//! e_o     = target − out                      output errors
//! e_h     = W_hoᵀ·e_o                         hidden errors (W_ho before its update)
//! W_ho   += lr·(e_o∘out∘(1−out))·hiddenᵀ      update, layer 2
//! W_ih   += lr·(e_h∘hid∘(1−hid))·xᵀ           update, layer 1
//! ```
//!
//! [`NeuralNetwork::train`] is the book's code line for line; [`deep`] goes
//! beyond the book (any depth, biases, tanh/ReLU, softmax with cross-entropy)
//! with the same per-sample algorithm, tested against it. For whole
//! epochs, [`NeuralNetwork::train_epoch`] runs the same algorithm (one sample
//! per update) fast: few sweeps over `W_ih`, on all cores ([`Sweep`],
//! [`TrainOptions`]); [`NeuralNetwork::query_all`] queries many inputs at once.
//!
//! This crate knows no files and no MNIST: inputs and targets are plain
//! slices (or [`Samples`]), and a saved model is a byte buffer.

#![forbid(unsafe_code)]

mod activation;
mod any;
mod bands;
mod barrier;
mod batch;
mod book;
mod buffers;
mod clock;
pub mod deep;
mod engine;
mod error;
mod imagine;
mod kinds;
mod layers;
mod model;
mod options;
mod samples;
mod trainer;

pub use activation::{logit, sigmoid};
pub use any::{Model, Queries, argmax};
pub use book::{Activations, NeuralNetwork};
pub use clock::Stopwatch;
pub use error::{MESSAGE_CHARS, NetError, shortened};
pub use imagine::{IMAGINE_STEPS, Imagination};
pub use model::{
    FORMAT_VERSION, ModelInfo, WEIGHTS_HIDDEN_OUTPUT, WEIGHTS_INPUT_HIDDEN, layer_tensor_names,
};
pub use options::{EpochReport, Progress, Sweep, TrainOptions, available_threads};
pub use samples::Samples;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
