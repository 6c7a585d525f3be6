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

mod info;
mod tensors;

pub use info::{FORMAT_VERSION, ModelInfo, WEIGHTS_HIDDEN_OUTPUT, WEIGHTS_INPUT_HIDDEN};

use crate::any::Model;
use crate::book::NeuralNetwork;
use crate::deep;
use crate::error::{NetError, excerpt};
use crate::kinds::{Activation, Architecture, Loss};
use crate::layers::Layer;
use info::BOOK_FORMAT_VERSION;
use tensors::Opened;

impl Model {
    /// A network from a safetensors file's bytes, of whichever kind the file
    /// holds: a book network's file as [`Model::Book`] (its answers are bit
    /// for bit what they always were), any other as [`Model::Deep`]. Every
    /// tensor's presence, dtype and shape is checked, and the metadata. The
    /// one loader: the bytes are parsed once.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(Model, ModelInfo), NetError> {
        let file = tensors::open(bytes)?;
        let learning_rate = file.learning_rate()?;
        let model = match file.get("layer_sizes") {
            None => Model::Book(read_book(&file, learning_rate)?),
            Some(sizes) => {
                let network = read_beyond(&file, sizes, learning_rate)?;
                match network.layers() {
                    [w_ih, w_ho] if network.architecture().is_book() => {
                        Model::Book(NeuralNetwork::from_weights(
                            w_ih.weights.clone(),
                            w_ho.weights.clone(),
                            learning_rate,
                        )?)
                    }
                    _ => Model::Deep(network),
                }
            }
        };
        Ok((model, file.info()?))
    }

    /// The network as a safetensors file's bytes, with `info` in its
    /// metadata.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        match self {
            Model::Book(net) => net.to_safetensors(info),
            Model::Deep(net) => net.to_safetensors(info),
        }
    }
}

impl NeuralNetwork {
    /// The network as a safetensors file's bytes, with `info` in its metadata.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        deep::Network::from_book(self).to_safetensors(info)
    }

    /// The book's network from a safetensors file's bytes
    /// ([`Model::from_safetensors`]); an error for a network beyond the book.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(NeuralNetwork, ModelInfo), NetError> {
        match Model::from_safetensors(bytes)? {
            (Model::Book(net), info) => Ok((net, info)),
            (other, _) => Err(NetError::Model(format!(
                "a {} network, not the book's three-layer sigmoid network",
                other.describe()
            ))),
        }
    }
}

/// The book's network from a version-1 file (no `layer_sizes`): its two
/// tensors, sigmoid, and the node counts the metadata says.
fn read_book(file: &Opened<'_>, learning_rate: f32) -> Result<NeuralNetwork, NetError> {
    let bad = NetError::Model;
    if let Some(activation) = file.get("activation").filter(|a| *a != "sigmoid") {
        return Err(bad(format!(
            "activation {} without layer_sizes: a file of the book's network \
             (format version 1) is always \"sigmoid\"",
            excerpt(activation)
        )));
    }
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
    Ok(net)
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

    /// A network from a safetensors file's bytes, of any kind
    /// ([`Model::from_safetensors`]; the book's becomes one with the same
    /// weights and answers).
    pub fn from_safetensors(bytes: &[u8]) -> Result<(deep::Network, ModelInfo), NetError> {
        let (model, info) = Model::from_safetensors(bytes)?;
        Ok((
            match model {
                Model::Deep(net) => net,
                book => book.to_deep(),
            },
            info,
        ))
    }
}

/// A network beyond the book from a version-2 file, whose metadata says its
/// `layer_sizes` (`sizes`), activation, loss and biases.
fn read_beyond(
    file: &Opened<'_>,
    sizes: &str,
    learning_rate: f32,
) -> Result<deep::Network, NetError> {
    let bad = NetError::Model;
    // Each layer above the input has its weights in a tensor of its own: a
    // list longer than the file's tensors is refused before anything proportional to it is
    // made (the tensors are in the file's bytes, the list may be most of them).
    let layers = sizes.split(',').count() - 1;
    let tensors = file.tensors.len();
    if layers > tensors {
        return Err(bad(format!(
            "metadata layer_sizes lists {} layers, whose {layers} weight matrices need as many \
             tensors, but the file holds {tensors}",
            layers + 1,
        )));
    }
    let layer_sizes = sizes
        .split(',')
        .map(|n| n.trim().parse::<usize>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            bad(format!(
                "metadata layer_sizes = {} is not a list of numbers",
                excerpt(sizes)
            ))
        })?;
    let activation: Activation = file.get("activation").unwrap_or("sigmoid").parse()?;
    let loss: Loss = file.get("loss").unwrap_or("squared").parse()?;
    let bias: bool = file.parse("bias")?.unwrap_or(false);
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
                "tensor {weights:?} has shape {:?} but layer_sizes say ({}, {}) (layers {} and {})",
                w.shape(),
                sizes[l + 1],
                sizes[l],
                l + 1,
                l,
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
    deep::Network::from_layers(layers, activation, loss, learning_rate)
}

#[cfg(test)]
mod tests;
