//! A network's layers and the two passes through them that every way of
//! training shares: forward ([`Layers::forward`]) and back
//! ([`Step::backward`]). [`Network::train`](crate::deep::Network::train) runs them
//! over all layers; the training engine ([`crate::engine`]) over the layers
//! above layer 1, on every thread.

use crate::kinds::{Activation, Loss};
use mnn_matrix::Matrix;

/// One layer of links: the weights into its nodes and their biases.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// W_l: (nodes, incoming); row n holds the links into node n.
    pub weights: Matrix,
    /// b_l: one per node, if the network has biases.
    pub bias: Option<Vec<f32>>,
}

impl Layer {
    /// Nodes of this layer.
    pub fn nodes(&self) -> usize {
        self.weights.rows()
    }

    /// The layer as borrowed weights.
    pub fn as_ref(&self) -> LayerRef<'_> {
        LayerRef {
            weights: &self.weights,
            bias: self.bias.as_deref(),
        }
    }
}

/// One layer's weights and biases, borrowed: how the book's network (whose
/// two matrices are fields of their own) lends its layers to the passes
/// without copying them.
#[derive(Debug, Clone, Copy)]
pub struct LayerRef<'a> {
    /// W_l: (nodes, incoming).
    pub weights: &'a Matrix,
    /// b_l, if the network has biases.
    pub bias: Option<&'a [f32]>,
}

/// What the forward pass reads of a layer: owned ([`Layer`]) or borrowed
/// ([`LayerRef`]).
pub trait LayerWeights {
    /// W_l: (nodes, incoming).
    fn weights(&self) -> &Matrix;
    /// b_l, if any.
    fn bias(&self) -> Option<&[f32]>;
    /// Nodes of this layer.
    fn nodes(&self) -> usize {
        self.weights().rows()
    }
}

impl LayerWeights for Layer {
    fn weights(&self) -> &Matrix {
        &self.weights
    }
    fn bias(&self) -> Option<&[f32]> {
        self.bias.as_deref()
    }
}

impl LayerWeights for LayerRef<'_> {
    fn weights(&self) -> &Matrix {
        self.weights
    }
    fn bias(&self) -> Option<&[f32]> {
        self.bias
    }
}

/// Consecutive layers, the top one the output layer, and their kind: what
/// the forward pass reads, so that a caller can borrow its buffers mutably
/// beside it.
pub(crate) struct Layers<'a, L = Layer> {
    pub(crate) layers: &'a [L],
    pub(crate) activation: Activation,
    pub(crate) loss: Loss,
}

impl<L> Clone for Layers<'_, L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<L> Copy for Layers<'_, L> {}

impl<L: LayerWeights> Layers<'_, L> {
    /// Nodes of the output layer.
    pub(crate) fn output_nodes(&self) -> usize {
        self.layers.last().map_or(0, L::nodes)
    }

    /// The forward pass: `signals[l]` receives what leaves `layers[l]`.
    pub(crate) fn forward(&self, inputs: &[f32], signals: &mut [Vec<f32>]) {
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, here) = signals.split_at_mut(l);
            let incoming = if l == 0 { inputs } else { &below[l - 1] };
            // z_l = W_l·a_{l−1}
            layer.weights().mul_vec(incoming, &mut here[0]);
            self.activate(l, &mut here[0]);
        }
    }

    /// `a = f(z + b)` in place for `layers[l]`, from `z = W·a_below`: `f` is
    /// the hidden layers' activation, or σ or softmax at the output.
    pub(crate) fn activate(&self, l: usize, z: &mut [f32]) {
        if let Some(bias) = self.layers[l].bias() {
            // z_l = W_l·a_{l−1} + b_l
            z.iter_mut().zip(bias).for_each(|(z, b)| *z += b);
        }
        if l + 1 == self.layers.len() {
            // out = σ(z_L) or softmax(z_L)
            self.loss.output(z);
        } else {
            // a_l = f(z_l)
            self.activation.apply(z);
        }
    }
}

/// How every sample is learnt: the learning rate, the hidden layers'
/// activation, and the loss with its output layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rule {
    pub(crate) learning_rate: f32,
    pub(crate) activation: Activation,
    pub(crate) loss: Loss,
}

/// Consecutive layers as one training step changes them.
pub(crate) struct Step<'a> {
    pub(crate) layers: &'a mut [Layer],
    pub(crate) rule: Rule,
}

impl Step<'_> {
    /// The layers as the forward pass reads them.
    pub(crate) fn view(&self) -> Layers<'_> {
        Layers {
            layers: self.layers,
            activation: self.rule.activation,
            loss: self.rule.loss,
        }
    }

    /// Backpropagation, the book's `train` layer by layer: from the outputs
    /// `signals` left by [`Layers::forward`] (the last one `out`) and the
    /// `targets`, every layer's `e_l` and `δ_l` (in `errors`, one buffer per
    /// layer) and its update. `below` is the signal that entered `layers[0]`;
    /// `send_down` receives `layers[0]`'s weights (before their update) and
    /// `δ` (or `e_L`, see below) to split the errors further down, where there
    /// is anything below to learn.
    pub(crate) fn backward(
        &mut self,
        below: &[f32],
        signals: &[Vec<f32>],
        errors: &mut [Vec<f32>],
        targets: &[f32],
        mut send_down: impl FnMut(&Matrix, &[f32]),
    ) {
        let Rule {
            learning_rate: lr,
            activation,
            loss,
        } = self.rule;
        let last = self.layers.len() - 1;
        // e_L = target − out
        for ((e, &t), &o) in errors[last].iter_mut().zip(targets).zip(&signals[last]) {
            *e = t - o;
        }
        for l in (0..=last).rev() {
            let (errors_below, errors_here) = errors.split_at_mut(l);
            let e = &mut errors_here[0];
            let layer = &mut self.layers[l];
            // e_{l−1} = W_lᵀ·e_l, W_l before its update
            let mut split = |e: &[f32]| match errors_below.last_mut() {
                Some(e_below) => layer.weights.transpose_mul_vec(e, e_below),
                None => send_down(&layer.weights, e),
            };
            if l == last {
                // e_{L−1} = W_Lᵀ·e_L (the book splits e_L; with cross-entropy
                // e_L is δ_L, so this is exact backpropagation)
                split(e);
                // δ_L = e_L∘out∘(1−out) (squared) or e_L (cross-entropy)
                loss.output_gradient(e, &signals[l]);
            } else {
                // δ_l = e_l∘f′(a_l)
                activation.slope_times(e, &signals[l]);
                // e_{l−1} = W_lᵀ·δ_l
                split(e);
            }
            // W_l += lr·δ_l·a_{l−1}ᵀ
            let a_below = if l == 0 { below } else { &signals[l - 1] };
            layer.weights.add_outer(lr, e, a_below);
            // b_l += lr·δ_l
            if let Some(bias) = &mut layer.bias {
                for (b, &d) in bias.iter_mut().zip(e.iter()) {
                    *b += lr * d;
                }
            }
        }
    }
}
