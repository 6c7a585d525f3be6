//! The book's `backquery` through every layer of a deep network.
//!
//! Each layer is run backwards: the signal leaving it is turned back into the
//! signal entering its activation (the inverse activation), the bias is
//! taken off, and the weights carry it to the layer below (`W_lᵀ`). As in the
//! book, each hidden signal is first rescaled into the activation's range
//! (0.01..0.99 for sigmoid, −0.99..0.99 for tanh), and so is the image at the
//! end (0.01..0.99). ReLU has no inverse, so a ReLU network cannot be
//! backqueried.

use super::Network;
use crate::activation::{logit, rescale};
use crate::error::{NetError, check_targets};
use crate::kinds::{Activation, Loss};

impl Activation {
    /// `z = f⁻¹(a)` in place, after rescaling `a` into the range where the
    /// inverse is finite; an error for ReLU.
    fn invert(self, values: &mut [f32]) -> Result<(), NetError> {
        match self {
            Activation::Sigmoid => {
                // Book: rescale to 0.01..0.99, then logit
                rescale(values, 0.01, 0.98);
                values.iter_mut().for_each(|v| *v = logit(*v));
            }
            Activation::Tanh => {
                rescale(values, -0.99, 1.98);
                values.iter_mut().for_each(|v| *v = v.atanh());
            }
            Activation::Relu => return Err(NetError::NoInverse("relu")),
        }
        Ok(())
    }
}

impl Network {
    /// The book's `backquery`: runs the network backwards from output
    /// `targets` to the input image it associates with them, rescaled to
    /// 0.01..0.99. The output layer is inverted with the logit (sigmoid
    /// outputs) or the logarithm (softmax outputs: `ln` inverts softmax up to
    /// an added constant, which no input can be told from); each hidden layer
    /// with its activation's inverse. For the book's network this is the
    /// book's `backquery`.
    ///
    /// # Errors
    /// [`NetError::NoInverse`] for a ReLU network.
    ///
    /// # Panics
    /// If `targets.len()` is not the number of output nodes.
    pub fn backquery(&self, targets: &[f32]) -> Result<Vec<f32>, NetError> {
        check_targets("backquery", targets, self.output_nodes());
        if !self.architecture().can_backquery() {
            return Err(NetError::NoInverse("relu"));
        }
        // z_L = logit(out) (sigmoid) or ln(out) (softmax)
        let mut signal: Vec<f32> = match self.loss {
            Loss::Squared => targets.iter().map(|&t| logit(t)).collect(),
            Loss::CrossEntropy => targets.iter().map(|&t| libm::logf(t)).collect(),
        };
        for (l, layer) in self.layers.iter().enumerate().rev() {
            // z_l − b_l
            if let Some(bias) = &layer.bias {
                signal.iter_mut().zip(bias).for_each(|(z, b)| *z -= b);
            }
            // a_{l−1} = W_lᵀ·(z_l − b_l)
            let mut below = vec![0.0; layer.weights.cols()];
            layer.weights.transpose_mul_vec(&signal, &mut below);
            if l > 0 {
                // z_{l−1} = f⁻¹(a_{l−1}), rescaled into f's range first
                self.activation.invert(&mut below)?;
            } else {
                // the image, rescaled to 0.01..0.99
                rescale(&mut below, 0.01, 0.98);
            }
            signal = below;
        }
        Ok(signal)
    }
}
