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
//! runs the same per-sample algorithm fast, on all cores, through the same
//! engine as the book's network ([`crate::Sweep`] explains it).
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

pub use crate::kinds::{Activation, Architecture, Loss, softmax_inplace};
pub use crate::layers::Layer;

use crate::batch;
use crate::book::NeuralNetwork;
use crate::engine::{self, Products, Stack};
use crate::error::{NetError, check_targets, checked_learning_rate};
use crate::layers::{Layers, Rule, Step};
use crate::options::{EpochReport, Progress, Sweep, TrainOptions, squared_error_of};
use crate::samples::Samples;
use mnn_matrix::Matrix;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64;

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
        checked_learning_rate(learning_rate)?;
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
        self.learning_rate = checked_learning_rate(learning_rate)?;
        Ok(())
    }

    /// How it learns from every sample.
    fn rule(&self) -> Rule {
        Rule {
            learning_rate: self.learning_rate,
            activation: self.activation,
            loss: self.loss,
        }
    }

    /// The layers as the forward pass reads them.
    pub(crate) fn forward_pass(&self) -> Layers<'_> {
        Layers {
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
        let rule = Rule {
            learning_rate: *learning_rate,
            activation: *activation,
            loss: *loss,
        };
        let mut step = Step { layers, rule };
        step.view().forward(inputs, signals);
        // Layer 1's inputs are the network's: no errors to split down to them.
        step.backward(inputs, signals, errors, targets, |_, _| {});
    }

    /// One pass over `samples` in order, one [`train`](Self::train) step per
    /// sample, on `options.threads` threads, through the book network's
    /// engine ([`crate::NeuralNetwork::train_epoch`]). Layer 1 is swept once per sample
    /// ([`Sweep::PerSample`]; `options.sweep` is not used), so the weights
    /// are bit for bit those of calling `train` on every sample, on any
    /// number of threads.
    ///
    /// `progress` is called on the calling thread with the number of samples
    /// done, every `options.progress_interval` samples and at the end.
    /// Allocates once per call, never per sample. The engine is compiled
    /// once, here, for samples of any type (`&dyn Samples`).
    ///
    /// ```
    /// use mnn_net::TrainOptions;
    /// use mnn_net::deep::{Activation, Architecture, Loss, Network};
    ///
    /// let samples = vec![
    ///     (vec![0.9, 0.1], vec![1.0, 0.0]),
    ///     (vec![0.1, 0.9], vec![0.0, 1.0]),
    /// ];
    /// let architecture = Architecture {
    ///     layer_sizes: vec![2, 6, 4, 2],
    ///     activation: Activation::Relu,
    ///     loss: Loss::CrossEntropy,
    ///     bias: true,
    /// };
    /// let mut fast = Network::new(architecture, 0.1, 7).unwrap();
    /// let mut plain = fast.clone();
    /// fast.train_epoch(&samples, &TrainOptions::with_threads(2), &mut |_| {});
    /// for (inputs, targets) in &samples {
    ///     plain.train(inputs, targets);
    /// }
    /// assert_eq!(fast.layers(), plain.layers());
    /// ```
    pub fn train_epoch(
        &mut self,
        samples: &dyn Samples,
        options: &TrainOptions,
        progress: &mut dyn FnMut(usize),
    ) -> EpochReport {
        self.train_epoch_swept(samples, options, Sweep::PerSample, |p| progress(p.samples))
    }

    /// [`train_epoch`](Self::train_epoch) with layer 1 swept as `sweep`
    /// says ([`Sweep::PerWindow`]: the same algorithm, rounded in another
    /// order, tested to the rounding).
    pub(crate) fn train_epoch_swept<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        sweep: Sweep,
        progress: impl FnMut(Progress),
    ) -> EpochReport {
        if self.layers.len() == 1 {
            return self.train_each(samples, options, progress);
        }
        let rule = self.rule();
        if options.batch > 1 {
            let (first, upper) = self.layers.split_at_mut(1);
            let mut trained = upper.to_vec();
            let first = &mut first[0];
            let report = batch::train_epoch(
                &mut first.weights,
                first.bias.as_deref_mut(),
                &mut trained,
                rule,
                samples,
                options,
                progress,
            );
            self.layers[1..].clone_from_slice(&trained);
            return report;
        }
        let (first, upper) = self.layers.split_at_mut(1);
        let stack = Stack {
            first: &mut first[0].weights,
            first_bias: first[0].bias.as_deref_mut(),
            upper: &*upper,
            rule,
        };
        let (report, trained) = engine::train_epoch(stack, samples, options, sweep, progress);
        if let Some(trained) = trained {
            self.layers[1..].clone_from_slice(&trained);
        }
        report
    }

    /// [`train_epoch`](Self::train_epoch) without a hidden layer to share
    /// out: the plain step, on this thread.
    fn train_each<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        mut progress: impl FnMut(Progress),
    ) -> EpochReport {
        let (total, interval) = (samples.len(), options.progress_interval.max(1));
        if total == 0 {
            return EpochReport::default();
        }
        let (mut inputs, mut targets) = (
            vec![0.0; self.input_nodes()],
            vec![0.0; self.output_nodes()],
        );
        let mut squared_error = 0.0;
        for k in 0..total {
            samples.fill(k, &mut inputs, &mut targets);
            // (target − out)², from the outputs before this sample's update
            squared_error += squared_error_of(&self.query(&inputs), &targets);
            self.train(&inputs, &targets);
            if (k + 1) % interval == 0 || k + 1 == total {
                progress(Progress {
                    samples: k + 1,
                    squared_error,
                });
            }
        }
        EpochReport {
            threads: 1,
            waiting: 0.0,
            mean_error: squared_error / (total * self.output_nodes()) as f64,
        }
    }

    /// [`query`](Self::query) for every sample, on `options.threads`
    /// threads: row `i` of the result holds the outputs for sample `i`. The
    /// samples' targets are ignored.
    ///
    /// `W_1·x` is computed for 64 samples at a time as one matrix product
    /// ([`mnn_matrix::gemm()`], as a mini-batch's forward pass does), so
    /// `W_1` is read once per 64 samples: the same arithmetic as `query`,
    /// summed in another order, so the outputs can differ from `query`'s in
    /// the last bits (tested). They do not depend on the thread count or on
    /// the other samples.
    pub fn query_all<S: Samples + ?Sized>(&self, samples: &S, options: &TrainOptions) -> Matrix {
        engine::query_all(&self.forward_pass(), samples, options, Products::Batched)
    }
}

#[cfg(test)]
mod tests;
