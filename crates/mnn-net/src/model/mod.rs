//! Saving and loading a trained network as [safetensors] bytes.
//!
//! The book's network: two `F32` tensors, `weights_input_hidden`
//! `[hidden, inputs]` and `weights_hidden_output` `[outputs, hidden]`,
//! row-major, plus string metadata: the layer sizes, the activation, the
//! learning rate, the format version (1) and whatever is known about the
//! training run ([`ModelInfo`]).
//!
//! A network beyond the book ([`deep::Network`]) is saved the same way, with
//! the names generalised ([`layer_tensor_names`]): `weights_input_hidden1`,
//! `weights_hidden1_hidden2`, …, `weights_hiddenN_output` (with one hidden
//! layer, the book's two names), `bias_hidden1` … `bias_output` `[nodes]` if
//! it has biases, and the metadata also says `layer_sizes` (`784,500,150,10`),
//! `loss`, `output` (sigmoid or softmax) and `bias`; its format version is 2,
//! so an mnn from before deep networks refuses it instead of misreading it.
//! A book-kind network saved by [`deep::Network`] is a version-1 file, the
//! same bytes [`NeuralNetwork`] writes. Every file loads in Python with
//! `safetensors.numpy.load_file`.
//!
//! This module works on bytes; the caller reads and writes the file.
//!
//! [safetensors]: https://github.com/huggingface/safetensors

mod tensors;

use crate::deep::{self, Activation, Architecture, Layer, Loss};
use crate::{NetError, NeuralNetwork};

/// The newest format version this crate reads; loading refuses newer ones.
/// Book networks are written as version 1, networks beyond the book as 2.
pub const FORMAT_VERSION: u32 = 2;

/// The version of files holding the book's network (what mnn wrote before
/// networks beyond the book).
const BOOK_FORMAT_VERSION: u32 = 1;

/// Tensor name of `W_ih`, shape `[hidden, inputs]`.
pub const WEIGHTS_INPUT_HIDDEN: &str = "weights_input_hidden";
/// Tensor name of `W_ho`, shape `[outputs, hidden]`.
pub const WEIGHTS_HIDDEN_OUTPUT: &str = "weights_hidden_output";

/// What is known about how a saved network was trained (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInfo {
    /// Seed of the initial weights.
    pub seed: Option<u64>,
    /// Epochs trained.
    pub epochs: Option<usize>,
    /// Accuracy on the test set after training, 0..=1.
    pub test_accuracy: Option<f64>,
    /// Rotation augmentation used in training, in degrees.
    pub rotate_degrees: Option<f32>,
}

impl NeuralNetwork {
    /// The network as a safetensors file's bytes, with `info` in its metadata.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        deep::Network::from_book(self).to_safetensors(info)
    }

    /// A network from a safetensors file's bytes, checking every tensor's
    /// presence, dtype and shape, and the metadata.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(NeuralNetwork, ModelInfo), NetError> {
        let bad = NetError::Model;
        let file = tensors::open(bytes)?;
        if let Some(sizes) = file.get("layer_sizes")
            && (sizes.split(',').count() != 3
                || file.get("bias").is_some_and(|b| b != "false")
                || file.get("loss").is_some_and(|l| l != "squared"))
        {
            return Err(bad(format!(
                "a {sizes} network beyond the book's (loss {}, biases {}): load it as an \
                 mnn_net::deep::Network",
                file.get("loss").unwrap_or("squared"),
                file.get("bias").unwrap_or("false")
            )));
        }
        if let Some(activation) = file.get("activation").filter(|a| *a != "sigmoid") {
            return Err(bad(format!(
                "activation {activation:?}: mnn's network only knows \"sigmoid\""
            )));
        }
        let learning_rate = file.learning_rate()?;
        let w_ih = file.matrix(WEIGHTS_INPUT_HIDDEN)?;
        let w_ho = file.matrix(WEIGHTS_HIDDEN_OUTPUT)?;
        let net = NeuralNetwork::from_weights(w_ih, w_ho, learning_rate)?;
        for (key, nodes) in [
            ("input_nodes", net.input_nodes()),
            ("hidden_nodes", net.hidden_nodes()),
            ("output_nodes", net.output_nodes()),
        ] {
            if let Some(said) = file.parse::<usize>(key)?
                && said != nodes
            {
                return Err(bad(format!(
                    "metadata says {key} = {said} but the weights have {nodes}"
                )));
            }
        }
        Ok((net, file.info()?))
    }
}

/// The tensor names of a network with `layers` layers of weights: for
/// layer l (1-based), `weights_{below}_{above}` and `bias_{above}`, where the
/// layers are called `input`, `hidden` (or `hidden1`, `hidden2`, … when there
/// are several) and `output`.
pub fn layer_tensor_names(layers: usize) -> Vec<(String, String)> {
    let name = |i: usize| match i {
        0 => "input".to_string(),
        i if i == layers => "output".to_string(),
        _ if layers == 2 => "hidden".to_string(),
        i => format!("hidden{i}"),
    };
    (1..=layers)
        .map(|l| {
            (
                format!("weights_{}_{}", name(l - 1), name(l)),
                format!("bias_{}", name(l)),
            )
        })
        .collect()
}

impl deep::Network {
    /// The network as a safetensors file's bytes, with `info` in its
    /// metadata (named as [`layer_tensor_names`] says). A book-kind network
    /// is written as the book's: version 1, without the keys beyond it.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        let architecture = self.architecture();
        let book = architecture.is_book();
        let version = if book {
            BOOK_FORMAT_VERSION
        } else {
            FORMAT_VERSION
        };
        let sizes = &architecture.layer_sizes;
        let activation = self.activation().name();
        let mut meta = tensors::metadata(version, activation, sizes, self.learning_rate(), info);
        if !book {
            let all: Vec<String> = sizes.iter().map(usize::to_string).collect();
            let beyond = [
                ("layer_sizes", all.join(",")),
                ("output", self.loss().output_activation().to_string()),
                ("loss", self.loss().to_string()),
                ("bias", architecture.bias.to_string()),
            ];
            meta.extend(beyond.map(|(key, value)| (key.to_string(), value)));
        }
        let names = layer_tensor_names(self.layers().len());
        let mut tensors = Vec::new();
        for (layer, (weights, bias)) in self.layers().iter().zip(&names) {
            let shape = vec![layer.weights.rows(), layer.weights.cols()];
            tensors.push((weights.as_str(), shape, layer.weights.as_slice()));
            if let Some(b) = &layer.bias {
                tensors.push((bias.as_str(), vec![b.len()], b.as_slice()));
            }
        }
        tensors::serialize(&tensors, meta)
    }

    /// A network from a safetensors file's bytes: a book network's file
    /// (version 1, no `layer_sizes`) or one beyond the book, checking every
    /// tensor's presence, dtype and shape, and the metadata.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(deep::Network, ModelInfo), NetError> {
        let bad = NetError::Model;
        let file = tensors::open(bytes)?;
        let Some(sizes) = file.get("layer_sizes") else {
            let (book, info) = NeuralNetwork::from_safetensors(bytes)?;
            return Ok((deep::Network::from_book(&book), info));
        };
        let layer_sizes = sizes
            .split(',')
            .map(|n| n.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                bad(format!(
                    "metadata layer_sizes = {sizes:?} is not a list of numbers"
                ))
            })?;
        let activation: Activation = file.get("activation").unwrap_or("sigmoid").parse()?;
        let loss: Loss = file.get("loss").unwrap_or("squared").parse()?;
        let bias: bool = file.parse("bias")?.unwrap_or(false);
        let learning_rate = file.learning_rate()?;
        let architecture = Architecture {
            layer_sizes,
            activation,
            loss,
            bias,
        };
        architecture.validate()?;
        let sizes = &architecture.layer_sizes;
        let mut layers = Vec::new();
        for (l, (weights, bias_name)) in layer_tensor_names(sizes.len() - 1).iter().enumerate() {
            let w = file.matrix(weights)?;
            if w.shape() != (sizes[l + 1], sizes[l]) {
                return Err(bad(format!(
                    "tensor {weights:?} has shape {:?} but layer_sizes {sizes:?} say ({}, {})",
                    w.shape(),
                    sizes[l + 1],
                    sizes[l]
                )));
            }
            let b = if bias {
                let values = file.vector(bias_name)?;
                if values.len() != sizes[l + 1] {
                    return Err(bad(format!(
                        "tensor {bias_name:?} has {} values but layer {} has {} nodes",
                        values.len(),
                        l + 1,
                        sizes[l + 1]
                    )));
                }
                Some(values)
            } else {
                None
            };
            layers.push(Layer {
                weights: w,
                bias: b,
            });
        }
        let network = deep::Network::from_layers(layers, activation, loss, learning_rate)?;
        Ok((network, file.info()?))
    }
}

#[cfg(test)]
mod tests;
