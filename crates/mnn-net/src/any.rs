//! Any saved network: the book's, or one beyond the book.
//!
//! A model file holds either the book's network (version 1: the two weight
//! matrices) or a [`deep::Network`] (version 2: any depth, biases, other
//! activations and losses). [`Model`] loads either, and answers queries with
//! the network's own code, so a book network answers exactly as before.

use crate::book::NeuralNetwork;
use crate::deep;
use crate::error::NetError;
use crate::imagine::{IMAGINE_STEPS, Imagination, imagine};
use crate::kinds::{Activation, Architecture, Loss};
use crate::layers::{LayerRef, LayerWeights, Layers};
use crate::options::{EpochReport, Progress, Sweep, TrainOptions};
use crate::samples::Samples;
use mnn_matrix::Matrix;

/// What every network can do once trained: answer queries.
pub trait Queries: Sync {
    /// Number of input nodes.
    fn input_nodes(&self) -> usize;
    /// Number of output nodes.
    fn output_nodes(&self) -> usize;
    /// Nodes per layer: inputs, hidden layers, outputs.
    fn layer_sizes(&self) -> Vec<usize>;
    /// The output signals for `inputs`.
    fn query(&self, inputs: &[f32]) -> Vec<f32>;
    /// The output signals for every sample, one row each, on `options.threads` threads.
    fn query_all(&self, samples: &dyn Samples, options: &TrainOptions) -> Matrix;

    /// The sizes as `784-200-10`.
    fn sizes(&self) -> String {
        let sizes: Vec<_> = self.layer_sizes().iter().map(usize::to_string).collect();
        sizes.join("-")
    }
}

impl Queries for NeuralNetwork {
    fn input_nodes(&self) -> usize {
        NeuralNetwork::input_nodes(self)
    }
    fn output_nodes(&self) -> usize {
        NeuralNetwork::output_nodes(self)
    }
    fn layer_sizes(&self) -> Vec<usize> {
        vec![self.input_nodes(), self.hidden_nodes(), self.output_nodes()]
    }
    fn query(&self, inputs: &[f32]) -> Vec<f32> {
        NeuralNetwork::query(self, inputs)
    }
    fn query_all(&self, samples: &dyn Samples, options: &TrainOptions) -> Matrix {
        NeuralNetwork::query_all(self, samples, options)
    }
}

impl Queries for deep::Network {
    fn input_nodes(&self) -> usize {
        deep::Network::input_nodes(self)
    }
    fn output_nodes(&self) -> usize {
        deep::Network::output_nodes(self)
    }
    fn layer_sizes(&self) -> Vec<usize> {
        self.architecture().layer_sizes
    }
    fn query(&self, inputs: &[f32]) -> Vec<f32> {
        deep::Network::query(self, inputs)
    }
    fn query_all(&self, samples: &dyn Samples, options: &TrainOptions) -> Matrix {
        deep::Network::query_all(self, samples, options)
    }
}

/// Any network mnn makes: the book's, or one beyond the book. Every
/// command, the drawing page and training runs take this one type; each
/// kind answers, learns and saves with its own code, so the book's network
/// answers bit for bit as [`NeuralNetwork`] does.
#[derive(Debug, Clone)]
pub enum Model {
    /// The book's three-layer network.
    Book(NeuralNetwork),
    /// A network beyond the book.
    Deep(deep::Network),
}

impl Model {
    /// The network as one beyond the book (the book's becomes one with the
    /// same weights and answers).
    pub fn to_deep(&self) -> deep::Network {
        match self {
            Model::Book(net) => deep::Network::from_book(net),
            Model::Deep(net) => net.clone(),
        }
    }

    /// Its shape and kind (the book's: sigmoid, squared error, no biases).
    pub fn architecture(&self) -> Architecture {
        match self {
            Model::Book(net) => Architecture {
                layer_sizes: Queries::layer_sizes(net),
                activation: Activation::Sigmoid,
                loss: Loss::Squared,
                bias: false,
            },
            Model::Deep(net) => net.architecture(),
        }
    }

    /// The learning rate of the next `train` step.
    pub fn learning_rate(&self) -> f32 {
        match self {
            Model::Book(net) => net.learning_rate(),
            Model::Deep(net) => net.learning_rate(),
        }
    }

    /// Changes the learning rate of the next `train` steps.
    pub fn set_learning_rate(&mut self, learning_rate: f32) -> Result<(), NetError> {
        match self {
            Model::Book(net) => net.set_learning_rate(learning_rate),
            Model::Deep(net) => net.set_learning_rate(learning_rate),
        }
    }

    /// The targets for a sample of class `label`, as this network's loss
    /// wants them: the book's 0.01 and 0.99 for squared error, 0 and 1 for
    /// cross-entropy.
    ///
    /// # Panics
    /// If `label` is not an output node.
    pub fn targets(&self, label: usize) -> Vec<f32> {
        let (off, on) = self.architecture().loss.targets();
        let mut targets = vec![off; self.output_nodes()];
        targets[label] = on;
        targets
    }

    /// One step of the network's own `train` (its loss, its biases): the
    /// book's `train` for the book's network.
    ///
    /// # Panics
    /// If `inputs` or `targets` do not match the layer sizes.
    pub fn train(&mut self, inputs: &[f32], targets: &[f32]) {
        match self {
            Model::Book(net) => net.train(inputs, targets),
            Model::Deep(net) => net.train(inputs, targets),
        }
    }

    /// One pass over `samples`, one `train` step per sample, on the training
    /// engine (see [`NeuralNetwork::train_epoch`] and
    /// [`deep::Network::train_epoch`]); the engine is compiled once here,
    /// for samples of any type. `progress` hears how far the epoch has come
    /// and its summed error so far, every `options.progress_interval`
    /// samples and at the end.
    pub fn train_epoch(
        &mut self,
        samples: &dyn Samples,
        options: &TrainOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> EpochReport {
        match self {
            Model::Book(net) => net.train_epoch_watched(samples, options, progress),
            Model::Deep(net) => net.train_epoch_swept(samples, options, Sweep::PerSample, progress),
        }
    }

    /// The forward pass, keeping every layer: the signals leaving hidden
    /// layer 1, 2, …, then the outputs.
    ///
    /// # Panics
    /// If `inputs.len()` is not the number of input nodes.
    pub fn signals(&self, inputs: &[f32]) -> Vec<Vec<f32>> {
        self.with_layers(|layers| {
            let mut signals: Vec<Vec<f32>> =
                layers.layers.iter().map(|l| vec![0.0; l.nodes()]).collect();
            layers.forward(inputs, &mut signals);
            signals
        })
    }

    /// The book's `backquery`, through every layer; an error for a network
    /// whose activation has no inverse (ReLU).
    pub fn backquery(&self, targets: &[f32]) -> Result<Vec<f32>, NetError> {
        match self {
            Model::Book(net) => Ok(net.backquery(targets)),
            Model::Deep(net) => net.backquery(targets),
        }
    }

    /// Whether [`backquery`](Self::backquery) can run the network backwards
    /// (every activation but ReLU has an inverse).
    pub fn can_backquery(&self) -> bool {
        self.architecture().can_backquery()
    }

    /// The image that most excites `output`, found by gradient ascent on the
    /// input from a grey start ([`crate::imagine`](Imagination) explains it),
    /// with the network's outputs for it.
    ///
    /// # Panics
    /// If `output` is not an output node.
    pub fn imagine(&self, output: usize) -> Imagination {
        self.with_layers(|layers| imagine(&layers, output, IMAGINE_STEPS))
    }

    /// Layer `l`'s weights and biases, borrowed (1 = the first hidden layer,
    /// the last one the output layer).
    ///
    /// # Panics
    /// If there is no layer `l`.
    pub fn layer(&self, l: usize) -> LayerRef<'_> {
        match self {
            Model::Book(net) => net.layer_refs()[l - 1],
            Model::Deep(net) => net.layers()[l - 1].as_ref(),
        }
    }

    /// The network in a few words, for a person: `784-800-10, relu, softmax
    /// with cross-entropy, biases` (the book's: `784-200-10, sigmoid`).
    pub fn describe(&self) -> String {
        let a = self.architecture();
        let mut words = vec![self.sizes(), a.activation.to_string()];
        if a.loss != Loss::Squared {
            words.push(format!("{} with {}", a.loss.output_activation(), a.loss));
        }
        if a.bias {
            words.push("biases".into());
        }
        words.join(", ")
    }

    /// Runs `f` on the layers as the passes read them, borrowed.
    fn with_layers<R>(&self, f: impl FnOnce(Layers<'_, LayerRef<'_>>) -> R) -> R {
        let a = self.architecture();
        let refs: Vec<LayerRef<'_>> = (1..a.layer_sizes.len()).map(|l| self.layer(l)).collect();
        f(Layers {
            layers: &refs,
            activation: a.activation,
            loss: a.loss,
        })
    }

    fn queries(&self) -> &dyn Queries {
        match self {
            Model::Book(net) => net,
            Model::Deep(net) => net,
        }
    }
}

impl Queries for Model {
    fn input_nodes(&self) -> usize {
        self.queries().input_nodes()
    }
    fn output_nodes(&self) -> usize {
        self.queries().output_nodes()
    }
    fn layer_sizes(&self) -> Vec<usize> {
        self.queries().layer_sizes()
    }
    fn query(&self, inputs: &[f32]) -> Vec<f32> {
        self.queries().query(inputs)
    }
    fn query_all(&self, samples: &dyn Samples, options: &TrainOptions) -> Matrix {
        self.queries().query_all(samples, options)
    }
}

/// Index of the largest value: the label the network answers with.
/// The first one wins a tie; `None` for an empty slice.
pub fn argmax(values: &[f32]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in values.iter().enumerate() {
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deep::{Activation, Architecture, Loss};
    use crate::model::ModelInfo;

    #[test]
    fn book_files_load_as_the_book_network_and_others_as_deep() {
        let book = NeuralNetwork::new(6, 4, 3, 0.2, 1).unwrap();
        let (model, _) =
            Model::from_safetensors(&book.to_safetensors(&ModelInfo::default())).unwrap();
        assert!(matches!(model, Model::Book(_)));
        assert_eq!(model.sizes(), "6-4-3");
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        assert_eq!(Queries::query(&model, &x), book.query(&x));
        assert_eq!(
            model.backquery(&[0.01, 0.99, 0.01]).unwrap(),
            book.backquery(&[0.01, 0.99, 0.01])
        );

        let architecture = Architecture {
            layer_sizes: vec![6, 5, 4, 3],
            activation: Activation::Relu,
            loss: Loss::CrossEntropy,
            bias: true,
        };
        let deep = deep::Network::new(architecture, 0.1, 2).unwrap();
        let (model, _) =
            Model::from_safetensors(&deep.to_safetensors(&ModelInfo::default())).unwrap();
        assert!(matches!(model, Model::Deep(_)));
        assert_eq!(model.sizes(), "6-5-4-3");
        assert_eq!(Queries::query(&model, &x), deep.query(&x));
        /// One sample, as a sized type a `&dyn Samples` can point to.
        struct One([f32; 6]);
        impl Samples for One {
            fn len(&self) -> usize {
                1
            }
            fn fill(&self, _: usize, inputs: &mut [f32], _: &mut [f32]) {
                inputs.copy_from_slice(&self.0);
            }
        }
        assert_eq!(
            model.query_all(&One(x), &TrainOptions::default()).row(0),
            deep.query(&x).as_slice()
        );
        assert!(model.backquery(&[0.0, 1.0, 0.0]).is_err());
    }
}
