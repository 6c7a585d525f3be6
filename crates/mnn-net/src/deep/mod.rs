//! Beyond the book: a network of any depth, with optional biases, three
//! activations and two losses, trained one sample at a time exactly as the
//! book trains its three layers.
//!
//! Read [`Network::train`] next to the book's
//! [`NeuralNetwork::train`](crate::NeuralNetwork::train): it is the same code
//! with the two layers turned into a loop. Layer `l` (1..=L) has weights
//! `W_l`, shape (nodes of layer l, nodes of layer l−1), and optionally a bias
//! `b_l` per node; `a_0 = x` is the input, `a_L` the output.
//!
//! ```text
//! a_l   = f(W_l·a_{l−1} + b_l)            query, hidden layers (f: sigmoid, tanh or relu)
//! out   = σ(W_L·a_{L−1} + b_L)            output, squared error (the book)
//!       = softmax(W_L·a_{L−1} + b_L)      output, cross-entropy
//! e_L   = target − out                    output errors
//! δ_L   = e_L∘out∘(1−out)                 squared error: the sigmoid's slope (book)
//!       = e_L                             cross-entropy with softmax: −∂loss/∂z is e_L itself
//! e_{l−1} = W_lᵀ·δ_l  (W_l before its update) errors split backwards, as the book does;
//!                                         at the output with squared error the book splits
//!                                         e_L, not δ_L, and so do we (its one simplification)
//! δ_l   = e_l∘f′(a_l)                     f′ from the output: σ: a(1−a), tanh: 1−a², relu: a>0
//! W_l  += lr·δ_l·a_{l−1}ᵀ                 update, every layer
//! b_l  += lr·δ_l                          update of the biases, if any
//! ```
//!
//! With one hidden layer, sigmoid, squared error and no biases this is the
//! book's network, weight for weight (tested). [`Network::train_epoch`]
//! runs the same per-sample algorithm fast, on all cores
//! ([`engine`](self::engine)).
//!
//! ```
//! use mnn_net::deep::{Activation, Architecture, Loss, Network};
//!
//! let architecture = Architecture {
//!     layer_sizes: vec![4, 8, 6, 3], // inputs, two hidden layers, outputs
//!     activation: Activation::Tanh,
//!     loss: Loss::CrossEntropy,
//!     bias: true,
//! };
//! let mut net = Network::new(architecture, 0.1, 7).unwrap();
//! let (x, target) = ([1.0, 0.5, -0.5, 0.0], [0.0, 1.0, 0.0]);
//! let before = net.query(&x)[1];
//! for _ in 0..50 {
//!     net.train(&x, &target);
//! }
//! assert!(net.query(&x)[1] > before);
//! ```

mod backquery;
pub mod engine;

use crate::activation::sigmoid_inplace;
use crate::{NetError, NeuralNetwork, check_targets};
use mnn_matrix::Matrix;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64;
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
            Activation::Tanh => values.iter_mut().for_each(|v| *v = v.tanh()),
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
            Activation::Sigmoid | Activation::Tanh => (incoming as f32).powf(-0.5),
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
        *v = (*v - max).exp();
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
                        name: name.to_string(),
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

    /// `z = W·a + b` into `out`.
    fn signal(&self, inputs: &[f32], out: &mut [f32]) {
        self.weights.mul_vec(inputs, out);
        if let Some(bias) = &self.bias {
            out.iter_mut().zip(bias).for_each(|(z, b)| *z += b);
        }
    }
}

/// Per-sample working memory for [`Network::train`], allocated once.
#[derive(Debug, Clone)]
struct Scratch {
    /// a_1 … a_L, the signals leaving each layer.
    signals: Vec<Vec<f32>>,
    /// e_l, then δ_l, for l = 1 … L.
    errors: Vec<Vec<f32>>,
}

impl Scratch {
    fn new(layers: &[Layer]) -> Self {
        let signals: Vec<Vec<f32>> = layers.iter().map(|l| vec![0.0; l.nodes()]).collect();
        Self {
            errors: signals.clone(),
            signals,
        }
    }
}

/// A network of any depth, trained one sample at a time.
#[derive(Debug, Clone)]
pub struct Network {
    learning_rate: f32,
    activation: Activation,
    loss: Loss,
    /// Layers 1 … L; `layers[l−1]` holds W_l.
    layers: Vec<Layer>,
    scratch: Scratch,
}

impl Network {
    /// A network of this architecture, its weights drawn layer by layer, row
    /// by row, from Normal(0, [`Activation::initial_spread`]) by a PCG
    /// generator seeded with `seed` (the output layer as for sigmoid); biases
    /// start at 0. For the book's architecture these are exactly
    /// [`NeuralNetwork::new`]'s weights.
    pub fn new(
        architecture: Architecture,
        learning_rate: f32,
        seed: u64,
    ) -> Result<Self, NetError> {
        architecture.validate()?;
        let mut rng = Pcg64::seed_from_u64(seed);
        let sizes = &architecture.layer_sizes;
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(l, pair)| {
                let (incoming, nodes) = (pair[0], pair[1]);
                let activation = if l == last {
                    Activation::Sigmoid
                } else {
                    architecture.activation
                };
                // Book: numpy.random.normal(0.0, pow(incoming, -0.5), (nodes, incoming))
                let normal = Normal::new(0.0, activation.initial_spread(incoming)).expect("σ > 0");
                Layer {
                    weights: Matrix::from_fn(nodes, incoming, |_, _| normal.sample(&mut rng)),
                    bias: architecture.bias.then(|| vec![0.0; nodes]),
                }
            })
            .collect();
        Self::from_layers(
            layers,
            architecture.activation,
            architecture.loss,
            learning_rate,
        )
    }

    /// A network from its layers, checking that they chain.
    pub fn from_layers(
        layers: Vec<Layer>,
        activation: Activation,
        loss: Loss,
        learning_rate: f32,
    ) -> Result<Self, NetError> {
        if layers.is_empty() {
            return Err(NetError::Model(
                "a network needs at least one layer of weights".into(),
            ));
        }
        for (l, pair) in layers.windows(2).enumerate() {
            let (below, above) = (&pair[0].weights, &pair[1].weights);
            if above.cols() != below.rows() {
                return Err(NetError::Model(format!(
                    "layer {} has {} nodes but layer {}'s weights {:?} expect {} inputs",
                    l + 1,
                    below.rows(),
                    l + 2,
                    above.shape(),
                    above.cols()
                )));
            }
        }
        let with_bias = layers.iter().filter(|l| l.bias.is_some()).count();
        if with_bias != 0 && with_bias != layers.len() {
            return Err(NetError::Model(
                "either every layer has biases or none does".into(),
            ));
        }
        for (l, layer) in layers.iter().enumerate() {
            if let Some(bias) = &layer.bias
                && bias.len() != layer.nodes()
            {
                return Err(NetError::Model(format!(
                    "layer {} has {} nodes but {} biases",
                    l + 1,
                    layer.nodes(),
                    bias.len()
                )));
            }
        }
        let network = Self {
            learning_rate,
            activation,
            loss,
            scratch: Scratch::new(&layers),
            layers,
        };
        network.architecture().validate()?;
        if !(learning_rate > 0.0 && learning_rate.is_finite()) {
            return Err(NetError::LearningRate(learning_rate));
        }
        Ok(network)
    }

    /// The book's network as a general one (same weights, same answers).
    pub fn from_book(book: &NeuralNetwork) -> Self {
        let layers = [book.weights_input_hidden(), book.weights_hidden_output()]
            .map(|w| Layer {
                weights: w.clone(),
                bias: None,
            })
            .into();
        Self::from_layers(
            layers,
            Activation::Sigmoid,
            Loss::Squared,
            book.learning_rate(),
        )
        .expect("a book network chains")
    }

    /// Its shape and kind.
    pub fn architecture(&self) -> Architecture {
        let mut layer_sizes = vec![self.layers[0].weights.cols()];
        layer_sizes.extend(self.layers.iter().map(Layer::nodes));
        Architecture {
            layer_sizes,
            activation: self.activation,
            loss: self.loss,
            bias: self.layers[0].bias.is_some(),
        }
    }

    /// Layers 1 … L.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The hidden layers' activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Number of input nodes.
    pub fn input_nodes(&self) -> usize {
        self.layers[0].weights.cols()
    }

    /// Number of output nodes.
    pub fn output_nodes(&self) -> usize {
        self.layers[self.layers.len() - 1].nodes()
    }

    /// The learning rate `lr`.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }

    /// Changes the learning rate (for a schedule such as `--lr-decay`).
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError> {
        if !(learning_rate > 0.0 && learning_rate.is_finite()) {
            return Err(NetError::LearningRate(learning_rate));
        }
        self.learning_rate = learning_rate;
        Ok(())
    }

    /// The parts the forward pass reads.
    fn forward_pass(&self) -> Forward<'_> {
        Forward {
            layers: &self.layers,
            activation: self.activation,
            loss: self.loss,
        }
    }

    /// The book's `query`: the output signals for `inputs`.
    ///
    /// # Panics
    /// If `inputs.len()` is not the number of input nodes.
    pub fn query(&self, inputs: &[f32]) -> Vec<f32> {
        let mut signals = Scratch::new(&self.layers).signals;
        self.forward_pass().forward(inputs, &mut signals);
        signals.pop().expect("at least one layer")
    }

    /// One forward pass, then one gradient step on every layer: the book's
    /// `train`, layer by layer (see the module's formulas). Allocates nothing.
    ///
    /// # Panics
    /// If `inputs` or `targets` do not match the layer sizes.
    pub fn train(&mut self, inputs: &[f32], targets: &[f32]) {
        check_targets("train", targets, self.output_nodes());
        let Self {
            learning_rate,
            activation,
            loss,
            layers,
            scratch,
        } = self;
        let Scratch { signals, errors } = scratch;
        let network = Forward {
            layers,
            activation: *activation,
            loss: *loss,
        };
        network.forward(inputs, signals);
        let last = layers.len() - 1;
        // e_L = target − out
        for ((e, &t), &o) in errors[last].iter_mut().zip(targets).zip(&signals[last]) {
            *e = t - o;
        }
        for l in (0..=last).rev() {
            let (errors_below, errors_here) = errors.split_at_mut(l);
            let e = &mut errors_here[0];
            let layer = &mut layers[l];
            if l == last {
                // e_{L−1} = W_Lᵀ·e_L, W_L before its update (the book splits e_L;
                // with cross-entropy e_L is δ_L, so this is exact backpropagation)
                if let Some(e_below) = errors_below.last_mut() {
                    layer.weights.transpose_mul_vec(e, e_below);
                }
                // δ_L = e_L∘out∘(1−out) (squared) or e_L (cross-entropy)
                loss.output_gradient(e, &signals[l]);
            } else {
                // δ_l = e_l∘f′(a_l)
                activation.slope_times(e, &signals[l]);
                // e_{l−1} = W_lᵀ·δ_l, W_l before its update
                if let Some(e_below) = errors_below.last_mut() {
                    layer.weights.transpose_mul_vec(e, e_below);
                }
            }
            // W_l += lr·δ_l·a_{l−1}ᵀ
            let a_below = if l == 0 { inputs } else { &signals[l - 1] };
            layer.weights.add_outer(*learning_rate, e, a_below);
            // b_l += lr·δ_l
            if let Some(bias) = &mut layer.bias {
                for (b, &d) in bias.iter_mut().zip(e.iter()) {
                    *b += *learning_rate * d;
                }
            }
        }
    }
}

/// The parts of a network the forward pass reads, so that `train` can borrow
/// the scratch buffers mutably beside it.
struct Forward<'a> {
    layers: &'a [Layer],
    activation: Activation,
    loss: Loss,
}

impl Forward<'_> {
    /// The forward pass: `signals[l−1]` receives `a_l` for l = 1 … L.
    fn forward(&self, inputs: &[f32], signals: &mut [Vec<f32>]) {
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (below, here) = signals.split_at_mut(l);
            let incoming = if l == 0 { inputs } else { &below[l - 1] };
            let out = &mut here[0];
            // z_l = W_l·a_{l−1} + b_l
            layer.signal(incoming, out);
            if l == last {
                // out = σ(z_L) or softmax(z_L)
                self.loss.output(out);
            } else {
                // a_l = f(z_l)
                self.activation.apply(out);
            }
        }
    }
}

#[cfg(test)]
mod tests;
