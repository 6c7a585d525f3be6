//! Any saved network: the book's, or one beyond the book.
//!
//! A model file holds either the book's network (version 1: the two weight
//! matrices) or a [`deep::Network`] (version 2: any depth, biases, other
//! activations and losses). [`Model`] loads either, and answers queries with
//! the network's own code, so a book network answers exactly as before.

use crate::deep;
use crate::{ModelInfo, NetError, NeuralNetwork, Samples, TrainOptions};
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

/// A saved network of either kind.
#[derive(Debug, Clone)]
pub enum Model {
    /// The book's three-layer network.
    Book(NeuralNetwork),
    /// A network beyond the book.
    Deep(deep::Network),
}

impl Model {
    /// A network from a safetensors file's bytes: a book network's file as
    /// [`Model::Book`] (its answers are bit for bit what they always were),
    /// any other as [`Model::Deep`].
    pub fn from_safetensors(bytes: &[u8]) -> Result<(Model, ModelInfo), NetError> {
        let (network, info) = deep::Network::from_safetensors(bytes)?;
        if network.architecture().is_book() {
            let (book, info) = NeuralNetwork::from_safetensors(bytes)?;
            return Ok((Model::Book(book), info));
        }
        Ok((Model::Deep(network), info))
    }

    /// The network as a safetensors file's bytes.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        match self {
            Model::Book(net) => net.to_safetensors(info),
            Model::Deep(net) => net.to_safetensors(info),
        }
    }

    /// The network as one beyond the book (the book's becomes one with the
    /// same weights and answers).
    pub fn to_deep(&self) -> deep::Network {
        match self {
            Model::Book(net) => deep::Network::from_book(net),
            Model::Deep(net) => net.clone(),
        }
    }

    /// The learning rate it was trained with.
    pub fn learning_rate(&self) -> f32 {
        match self {
            Model::Book(net) => net.learning_rate(),
            Model::Deep(net) => net.learning_rate(),
        }
    }

    /// The book's `backquery`, through every layer; an error for a network
    /// whose activation has no inverse (ReLU).
    pub fn backquery(&self, targets: &[f32]) -> Result<Vec<f32>, NetError> {
        match self {
            Model::Book(net) => Ok(net.backquery(targets)),
            Model::Deep(net) => net.backquery(targets),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deep::{Activation, Architecture, Loss};

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
