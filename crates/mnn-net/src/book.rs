//! The book's network, as the book writes it: [`NeuralNetwork`] with
//! `query` (the forward pass), `train` (one gradient step per sample) and
//! `backquery`, each line citing its equation. Everything faster or beyond
//! the book is tested against this code.

use crate::activation::{logit_inplace, rescale, sigmoid_inplace};
use crate::error::{NetError, check_targets, checked_learning_rate};
use mnn_matrix::Matrix;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64;

/// Buffers for one forward pass: the signals leaving each layer.
#[derive(Debug, Clone)]
pub struct Activations {
    /// `σ(W_ih·x)`, one value per hidden node.
    pub hidden: Vec<f32>,
    /// `σ(W_ho·hidden)`, one value per output node.
    pub outputs: Vec<f32>,
}

/// Per-sample working memory for [`NeuralNetwork::train`], allocated once.
#[derive(Debug, Clone)]
struct TrainScratch {
    activations: Activations,
    /// `e_o`, then the output gradient `e_o∘out∘(1−out)`.
    output_errors: Vec<f32>,
    /// `e_h`, then the hidden gradient `e_h∘hid∘(1−hid)`.
    hidden_errors: Vec<f32>,
}

/// The book's three-layer network.
#[derive(Debug, Clone)]
pub struct NeuralNetwork {
    pub(crate) learning_rate: f32,
    // W_ih: (hidden, inputs); row h holds the links into hidden node h.
    pub(crate) weights_input_hidden: Matrix,
    // W_ho: (outputs, hidden); row o holds the links into output node o.
    pub(crate) weights_hidden_output: Matrix,
    scratch: TrainScratch,
}

impl NeuralNetwork {
    /// A network with `input_nodes`, `hidden_nodes` and `output_nodes`, its
    /// weights drawn from Normal(0, 1/√(incoming links)) by a PCG generator
    /// seeded with `seed`: `W_ih` first, then `W_ho`, row by row.
    pub fn new(
        input_nodes: usize,
        hidden_nodes: usize,
        output_nodes: usize,
        learning_rate: f32,
        seed: u64,
    ) -> Result<Self, NetError> {
        for (layer, nodes) in [
            ("input", input_nodes),
            ("hidden", hidden_nodes),
            ("output", output_nodes),
        ] {
            if nodes == 0 {
                return Err(NetError::EmptyLayer { layer });
            }
        }
        let mut rng = Pcg64::seed_from_u64(seed);
        // Book: numpy.random.normal(0.0, pow(incoming, -0.5), (rows, incoming))
        let mut random_weights = |rows: usize, incoming: usize| {
            let normal = Normal::new(0.0, libm::powf(incoming as f32, -0.5)).expect("σ > 0");
            Matrix::from_fn(rows, incoming, |_, _| normal.sample(&mut rng))
        };
        let weights_input_hidden = random_weights(hidden_nodes, input_nodes);
        let weights_hidden_output = random_weights(output_nodes, hidden_nodes);
        Self::from_weights(weights_input_hidden, weights_hidden_output, learning_rate)
    }

    /// A network with the given weights: `weights_input_hidden` is
    /// (hidden, inputs) and `weights_hidden_output` is (outputs, hidden).
    pub fn from_weights(
        weights_input_hidden: Matrix,
        weights_hidden_output: Matrix,
        learning_rate: f32,
    ) -> Result<Self, NetError> {
        let (hidden, inputs) = weights_input_hidden.shape();
        let (outputs, hidden_in) = weights_hidden_output.shape();
        if hidden != hidden_in {
            return Err(NetError::WeightShapes {
                input_hidden: (hidden, inputs),
                hidden_output: (outputs, hidden_in),
            });
        }
        for (layer, nodes) in [("input", inputs), ("hidden", hidden), ("output", outputs)] {
            if nodes == 0 {
                return Err(NetError::EmptyLayer { layer });
            }
        }
        let learning_rate = checked_learning_rate(learning_rate)?;
        let activations = Activations {
            hidden: vec![0.0; hidden],
            outputs: vec![0.0; outputs],
        };
        Ok(Self {
            learning_rate,
            weights_input_hidden,
            weights_hidden_output,
            scratch: TrainScratch {
                activations,
                output_errors: vec![0.0; outputs],
                hidden_errors: vec![0.0; hidden],
            },
        })
    }

    /// Number of input nodes.
    pub fn input_nodes(&self) -> usize {
        self.weights_input_hidden.cols()
    }

    /// Number of hidden nodes.
    pub fn hidden_nodes(&self) -> usize {
        self.weights_input_hidden.rows()
    }

    /// Number of output nodes.
    pub fn output_nodes(&self) -> usize {
        self.weights_hidden_output.rows()
    }

    /// The learning rate `lr` of the update rule.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// Changes the learning rate of the next `train` steps (for a schedule
    /// such as `--lr-decay`); the weights stay as they are.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError> {
        self.learning_rate = checked_learning_rate(learning_rate)?;
        Ok(())
    }

    /// `W_ih`: (hidden, inputs).
    pub fn weights_input_hidden(&self) -> &Matrix {
        &self.weights_input_hidden
    }

    /// `W_ho`: (outputs, hidden).
    pub fn weights_hidden_output(&self) -> &Matrix {
        &self.weights_hidden_output
    }

    /// Fresh buffers for [`forward`](Self::forward), sized for this network.
    pub fn activations(&self) -> Activations {
        Activations {
            hidden: vec![0.0; self.hidden_nodes()],
            outputs: vec![0.0; self.output_nodes()],
        }
    }

    /// The forward pass into reusable buffers; allocates nothing.
    ///
    /// # Panics
    /// If `inputs` or the buffers do not match the layer sizes.
    pub fn forward(&self, inputs: &[f32], activations: &mut Activations) {
        forward(
            &self.weights_input_hidden,
            &self.weights_hidden_output,
            inputs,
            activations,
        );
    }

    /// The book's `query`: the output signals for `inputs`.
    pub fn query(&self, inputs: &[f32]) -> Vec<f32> {
        let mut activations = self.activations();
        self.forward(inputs, &mut activations);
        activations.outputs
    }

    /// The book's `train`: one forward pass, then one gradient step on both
    /// weight matrices. Allocates nothing.
    ///
    /// # Panics
    /// If `inputs` or `targets` do not match the layer sizes.
    pub fn train(&mut self, inputs: &[f32], targets: &[f32]) {
        check_targets("train", targets, self.output_nodes());
        let Self {
            learning_rate,
            weights_input_hidden: w_ih,
            weights_hidden_output: w_ho,
            scratch,
        } = self;
        let TrainScratch {
            activations,
            output_errors,
            hidden_errors,
        } = scratch;
        forward(w_ih, w_ho, inputs, activations);
        let Activations { hidden, outputs } = activations;
        // e_o = target − out
        for ((e, &t), &o) in output_errors.iter_mut().zip(targets).zip(outputs.iter()) {
            *e = t - o;
        }
        // e_h = W_hoᵀ·e_o, with W_ho before its update
        w_ho.transpose_mul_vec(output_errors, hidden_errors);
        // W_ho += lr·(e_o∘out∘(1−out))·hiddenᵀ
        sigmoid_gradient(output_errors, outputs);
        w_ho.add_outer(*learning_rate, output_errors, hidden);
        // W_ih += lr·(e_h∘hid∘(1−hid))·xᵀ
        sigmoid_gradient(hidden_errors, hidden);
        w_ih.add_outer(*learning_rate, hidden_errors, inputs);
    }

    /// The book's `backquery`: run the network backwards from output
    /// `targets` to the input image it associates with them. Each layer's
    /// signal is rescaled to 0.01..0.99 before the logit, as in the book.
    ///
    /// # Panics
    /// If `targets.len()` is not the number of output nodes.
    pub fn backquery(&self, targets: &[f32]) -> Vec<f32> {
        check_targets("backquery", targets, self.output_nodes());
        // final_inputs = logit(final_outputs)
        let mut final_inputs = targets.to_vec();
        logit_inplace(&mut final_inputs);
        // hidden_outputs = W_hoᵀ·final_inputs, rescaled to 0.01..0.99
        let mut hidden = vec![0.0; self.hidden_nodes()];
        self.weights_hidden_output
            .transpose_mul_vec(&final_inputs, &mut hidden);
        rescale(&mut hidden, 0.01, 0.98);
        // hidden_inputs = logit(hidden_outputs)
        logit_inplace(&mut hidden);
        // inputs = W_ihᵀ·hidden_inputs, rescaled to 0.01..0.99
        let mut inputs = vec![0.0; self.input_nodes()];
        self.weights_input_hidden
            .transpose_mul_vec(&hidden, &mut inputs);
        rescale(&mut inputs, 0.01, 0.98);
        inputs
    }
}

/// `hidden = σ(W_ih·x)`, `out = σ(W_ho·hidden)`.
fn forward(w_ih: &Matrix, w_ho: &Matrix, inputs: &[f32], activations: &mut Activations) {
    w_ih.mul_vec(inputs, &mut activations.hidden);
    sigmoid_inplace(&mut activations.hidden);
    w_ho.mul_vec(&activations.hidden, &mut activations.outputs);
    sigmoid_inplace(&mut activations.outputs);
}

/// `errors ← errors∘y∘(1−y)`: the error times the sigmoid's slope at output `y`.
fn sigmoid_gradient(errors: &mut [f32], y: &[f32]) {
    for (e, &y) in errors.iter_mut().zip(y) {
        *e *= y * (1.0 - y);
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
