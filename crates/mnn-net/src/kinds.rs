//! What kind of network: the hidden layers' [`Activation`], the [`Loss`] with
//! its output layer, and the [`Architecture`] (sizes, kind, biases).

use crate::activation::sigmoid_inplace;
use crate::error::NetError;
use std::fmt;
use std::str::FromStr;

/// The activation of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// `σ(z) = 1/(1+e^−z)`, the book's.
    #[default]
    Sigmoid,
    /// `tanh(z)`.
    Tanh,
    /// `max(0, z)`.
    Relu,
}

/// What the network learns to minimise, and with it the output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loss {
    /// Squared error on sigmoid outputs, the book's (targets 0.01 and 0.99).
    #[default]
    Squared,
    /// Cross-entropy on softmax outputs (targets 0 and 1).
    CrossEntropy,
}

impl Activation {
    /// The name used on the command line and in saved models.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
        }
    }

    /// `a = f(z)` in place.
    pub fn apply(self, values: &mut [f32]) {
        match self {
            Activation::Sigmoid => sigmoid_inplace(values),
            Activation::Tanh => values.iter_mut().for_each(|v| *v = libm::tanhf(*v)),
            Activation::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
        }
    }

    /// `e ← e∘f′`, with the slope `f′` written in terms of the output `a = f(z)`.
    pub fn slope_times(self, errors: &mut [f32], outputs: &[f32]) {
        let pairs = errors.iter_mut().zip(outputs);
        match self {
            // σ′ = a(1−a)
            Activation::Sigmoid => pairs.for_each(|(e, &a)| *e *= a * (1.0 - a)),
            // tanh′ = 1−a²
            Activation::Tanh => pairs.for_each(|(e, &a)| *e *= 1.0 - a * a),
            // relu′ = 1 where a > 0, else 0
            Activation::Relu => pairs.for_each(|(e, &a)| {
                if a <= 0.0 {
                    *e = 0.0;
                }
            }),
        }
    }

    /// The standard deviation of the initial weights of a layer with
    /// `incoming` links and this activation: Normal(0, 1/√n) for sigmoid
    /// (the book) and tanh (LeCun et al., "Efficient BackProp", 1998: it keeps
    /// a layer's summed input at about unit variance, tanh's linear range);
    /// Normal(0, √(2/n)) for ReLU (He et al., 2015: ReLU zeroes half of the
    /// signal, so twice the variance keeps it from shrinking layer by layer).
    pub fn initial_spread(self, incoming: usize) -> f32 {
        match self {
            // Book: pow(incoming, -0.5)
            Activation::Sigmoid | Activation::Tanh => libm::powf(incoming as f32, -0.5),
            Activation::Relu => (2.0 / incoming as f32).sqrt(),
        }
    }
}

impl Loss {
    /// The name used on the command line and in saved models.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Squared => "squared",
            Loss::CrossEntropy => "cross-entropy",
        }
    }

    /// The name of the output layer's function: sigmoid or softmax.
    pub fn output_activation(self) -> &'static str {
        match self {
            Loss::Squared => "sigmoid",
            Loss::CrossEntropy => "softmax",
        }
    }

    /// The targets this loss trains towards: `(off, on)`, the book's
    /// 0.01/0.99 for squared error (a sigmoid never reaches 0 or 1), 0/1 for
    /// cross-entropy (a probability distribution over the labels).
    pub fn targets(self) -> (f32, f32) {
        match self {
            Loss::Squared => (0.01, 0.99),
            Loss::CrossEntropy => (0.0, 1.0),
        }
    }

    /// `out = σ(z)` or `softmax(z)` in place.
    pub fn output(self, values: &mut [f32]) {
        match self {
            Loss::Squared => sigmoid_inplace(values),
            Loss::CrossEntropy => softmax_inplace(values),
        }
    }

    /// `e ← δ_L`: the output errors `target − out` turned into the output
    /// layer's gradient.
    pub fn output_gradient(self, errors: &mut [f32], outputs: &[f32]) {
        match self {
            // δ_L = e_L∘out∘(1−out)
            Loss::Squared => Activation::Sigmoid.slope_times(errors, outputs),
            // δ_L = e_L (softmax and cross-entropy: ∂loss/∂z = out − target)
            Loss::CrossEntropy => {}
        }
    }
}

/// `softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z)` in place.
pub fn softmax_inplace(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = libm::expf(*v - max);
        sum += *v;
    }
    values.iter_mut().for_each(|v| *v /= sum);
}

macro_rules! named {
    ($type:ty, $what:literal, [$($variant:expr),+]) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $type {
            type Err = NetError;

            fn from_str(name: &str) -> Result<Self, NetError> {
                let all = [$($variant),+];
                all.into_iter().find(|v| v.name() == name).ok_or_else(|| {
                    let names: Vec<_> = all.iter().map(|v| v.name()).collect();
                    NetError::Unknown {
                        what: $what,
                        name: crate::error::excerpt(name),
                        expected: names.join(", "),
                    }
                })
            }
        }
    };
}
named!(
    Activation,
    "activation",
    [Activation::Sigmoid, Activation::Tanh, Activation::Relu]
);
named!(Loss, "loss", [Loss::Squared, Loss::CrossEntropy]);

/// The shape and kind of a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Architecture {
    /// Nodes per layer: inputs, each hidden layer, outputs (at least two entries).
    pub layer_sizes: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The loss, and with it the output layer.
    pub loss: Loss,
    /// A bias per node (starting at 0), trained like the weights.
    pub bias: bool,
}

impl Architecture {
    /// The book's network: `inputs`-`hidden`-`outputs`, sigmoid, squared error, no biases.
    pub fn book(inputs: usize, hidden: usize, outputs: usize) -> Self {
        Self {
            layer_sizes: vec![inputs, hidden, outputs],
            activation: Activation::Sigmoid,
            loss: Loss::Squared,
            bias: false,
        }
    }

    /// `true` for the book's kind of network (one hidden layer, sigmoid,
    /// squared error, no biases).
    pub fn is_book(&self) -> bool {
        self.layer_sizes.len() == 3
            && self.activation == Activation::Sigmoid
            && self.loss == Loss::Squared
            && !self.bias
    }

    /// Whether the book's backquery can run this network backwards: every
    /// hidden activation but ReLU has an inverse (a network without hidden
    /// layers has none to invert).
    pub fn can_backquery(&self) -> bool {
        self.layer_sizes.len() == 2 || self.activation != Activation::Relu
    }

    /// Checks the sizes: at least an input and an output layer, no empty layer.
    pub fn validate(&self) -> Result<(), NetError> {
        if self.layer_sizes.len() < 2 {
            return Err(NetError::Model(format!(
                "a network needs at least an input and an output layer, got sizes {:?}",
                self.layer_sizes
            )));
        }
        let last = self.layer_sizes.len() - 1;
        for (i, &nodes) in self.layer_sizes.iter().enumerate() {
            if nodes == 0 {
                let layer = match i {
                    0 => "input",
                    i if i == last => "output",
                    _ => "hidden",
                };
                return Err(NetError::EmptyLayer { layer });
            }
        }
        Ok(())
    }

    /// The sizes as `784-500-150-10`.
    pub fn sizes_string(&self) -> String {
        let sizes: Vec<_> = self.layer_sizes.iter().map(usize::to_string).collect();
        sizes.join("-")
    }
}
