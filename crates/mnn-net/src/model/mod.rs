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

use crate::deep::{self, Activation, Architecture, Layer, Loss};
use crate::{NetError, NeuralNetwork};
use mnn_matrix::Matrix;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

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
        let mut meta = HashMap::from([
            ("format".to_string(), "mnn".to_string()),
            (
                "format_version".to_string(),
                BOOK_FORMAT_VERSION.to_string(),
            ),
            ("activation".to_string(), "sigmoid".to_string()),
            ("input_nodes".to_string(), self.input_nodes().to_string()),
            ("hidden_nodes".to_string(), self.hidden_nodes().to_string()),
            ("output_nodes".to_string(), self.output_nodes().to_string()),
            (
                "learning_rate".to_string(),
                self.learning_rate().to_string(),
            ),
        ]);
        insert_info(&mut meta, info);
        let w_ih = le_bytes(self.weights_input_hidden().as_slice());
        let w_ho = le_bytes(self.weights_hidden_output().as_slice());
        let tensors = [
            (
                WEIGHTS_INPUT_HIDDEN,
                view(self.weights_input_hidden(), &w_ih),
            ),
            (
                WEIGHTS_HIDDEN_OUTPUT,
                view(self.weights_hidden_output(), &w_ho),
            ),
        ];
        safetensors::serialize(tensors, Some(meta)).expect("two well-formed F32 tensors serialise")
    }

    /// A network from a safetensors file's bytes, checking every tensor's
    /// presence, dtype and shape, and the metadata.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(NeuralNetwork, ModelInfo), NetError> {
        let bad = |reason: String| NetError::Model(reason);
        let (_, metadata) =
            SafeTensors::read_metadata(bytes).map_err(|e| bad(not_safetensors(bytes, e)))?;
        let tensors = SafeTensors::deserialize(bytes)
            .map_err(|e| bad(format!("not a safetensors file ({e})")))?;
        let meta = metadata.metadata().clone().unwrap_or_default();
        let get = |key: &str| meta.get(key).map(String::as_str);

        check_version(get("format_version"))?;
        if let Some(sizes) = get("layer_sizes")
            && (sizes.split(',').count() != 3
                || get("bias").is_some_and(|b| b != "false")
                || get("loss").is_some_and(|l| l != "squared"))
        {
            return Err(bad(format!(
                "a {sizes} network beyond the book's (loss {}, biases {}): load it as an \
                 mnn_net::deep::Network",
                get("loss").unwrap_or("squared"),
                get("bias").unwrap_or("false")
            )));
        }
        if let Some(activation) = get("activation").filter(|a| *a != "sigmoid") {
            return Err(bad(format!(
                "activation {activation:?}: mnn's network only knows \"sigmoid\""
            )));
        }
        let learning_rate: f32 = parse(get("learning_rate"), "learning_rate")?
            .ok_or_else(|| bad("metadata has no learning_rate".into()))?;

        let w_ih = matrix(&tensors, WEIGHTS_INPUT_HIDDEN)?;
        let w_ho = matrix(&tensors, WEIGHTS_HIDDEN_OUTPUT)?;
        let net = NeuralNetwork::from_weights(w_ih, w_ho, learning_rate)?;
        for (key, nodes) in [
            ("input_nodes", net.input_nodes()),
            ("hidden_nodes", net.hidden_nodes()),
            ("output_nodes", net.output_nodes()),
        ] {
            if let Some(said) = parse::<usize>(get(key), key)?
                && said != nodes
            {
                return Err(bad(format!(
                    "metadata says {key} = {said} but the weights have {nodes}"
                )));
            }
        }
        Ok((net, read_info(&get)?))
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
    /// metadata (see the [module](self) for the names). A book-kind network
    /// gives exactly the bytes [`NeuralNetwork::to_safetensors`] gives.
    pub fn to_safetensors(&self, info: &ModelInfo) -> Vec<u8> {
        let architecture = self.architecture();
        if architecture.is_book() {
            let [w_ih, w_ho] = [0, 1].map(|l| self.layers()[l].weights.clone());
            let book = NeuralNetwork::from_weights(w_ih, w_ho, self.learning_rate())
                .expect("a book-kind network chains");
            return book.to_safetensors(info);
        }
        let sizes = &architecture.layer_sizes;
        let hidden: Vec<String> = sizes[1..sizes.len() - 1]
            .iter()
            .map(usize::to_string)
            .collect();
        let all: Vec<String> = sizes.iter().map(usize::to_string).collect();
        let mut meta = HashMap::from([
            ("format".to_string(), "mnn".to_string()),
            ("format_version".to_string(), FORMAT_VERSION.to_string()),
            ("layer_sizes".to_string(), all.join(",")),
            ("activation".to_string(), self.activation().to_string()),
            (
                "output".to_string(),
                self.loss().output_activation().to_string(),
            ),
            ("loss".to_string(), self.loss().to_string()),
            ("bias".to_string(), architecture.bias.to_string()),
            ("input_nodes".to_string(), sizes[0].to_string()),
            ("hidden_nodes".to_string(), hidden.join(",")),
            (
                "output_nodes".to_string(),
                sizes[sizes.len() - 1].to_string(),
            ),
            (
                "learning_rate".to_string(),
                self.learning_rate().to_string(),
            ),
        ]);
        insert_info(&mut meta, info);
        let names = layer_tensor_names(self.layers().len());
        let mut buffers = Vec::new();
        for (layer, (weights, bias)) in self.layers().iter().zip(&names) {
            buffers.push((
                weights,
                vec![layer.weights.rows(), layer.weights.cols()],
                le_bytes(layer.weights.as_slice()),
            ));
            if let Some(b) = &layer.bias {
                buffers.push((bias, vec![b.len()], le_bytes(b)));
            }
        }
        let tensors = buffers.iter().map(|(name, shape, bytes)| {
            let view =
                TensorView::new(Dtype::F32, shape.clone(), bytes).expect("shape matches data");
            (name.as_str(), view)
        });
        safetensors::serialize(tensors, Some(meta)).expect("well-formed F32 tensors serialise")
    }

    /// A network from a safetensors file's bytes: a book network's file
    /// (version 1, no `layer_sizes`) or one beyond the book, checking every
    /// tensor's presence, dtype and shape, and the metadata.
    pub fn from_safetensors(bytes: &[u8]) -> Result<(deep::Network, ModelInfo), NetError> {
        let bad = |reason: String| NetError::Model(reason);
        let (_, metadata) =
            SafeTensors::read_metadata(bytes).map_err(|e| bad(not_safetensors(bytes, e)))?;
        let meta = metadata.metadata().clone().unwrap_or_default();
        let get = |key: &str| meta.get(key).map(String::as_str);
        let Some(sizes) = get("layer_sizes") else {
            let (book, info) = NeuralNetwork::from_safetensors(bytes)?;
            return Ok((deep::Network::from_book(&book), info));
        };
        let tensors = SafeTensors::deserialize(bytes)
            .map_err(|e| bad(format!("not a safetensors file ({e})")))?;
        check_version(get("format_version"))?;
        let layer_sizes = sizes
            .split(',')
            .map(|n| n.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                bad(format!(
                    "metadata layer_sizes = {sizes:?} is not a list of numbers"
                ))
            })?;
        let activation: Activation = get("activation").unwrap_or("sigmoid").parse()?;
        let loss: Loss = get("loss").unwrap_or("squared").parse()?;
        let bias: bool = parse(get("bias"), "bias")?.unwrap_or(false);
        let learning_rate: f32 = parse(get("learning_rate"), "learning_rate")?
            .ok_or_else(|| bad("metadata has no learning_rate".into()))?;
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
            let w = matrix(&tensors, weights)?;
            if w.shape() != (sizes[l + 1], sizes[l]) {
                return Err(bad(format!(
                    "tensor {weights:?} has shape {:?} but layer_sizes {sizes:?} say ({}, {})",
                    w.shape(),
                    sizes[l + 1],
                    sizes[l]
                )));
            }
            let b = if bias {
                let values = vector(&tensors, bias_name)?;
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
        Ok((network, read_info(&get)?))
    }
}

/// Why safetensors refused the file, naming the tensor where it can (two of
/// its errors name none: "file not fully covered" and "invalid shape, data
/// type, or offset"; the header says which tensor is at fault).
fn not_safetensors(bytes: &[u8], error: safetensors::SafeTensorError) -> String {
    use safetensors::SafeTensorError::{MetadataIncompleteBuffer, TensorInvalidInfo};
    let header = bytes
        .get(..8)
        .and_then(|n| usize::try_from(u64::from_le_bytes(n.try_into().ok()?)).ok())
        .and_then(|n| bytes.get(8..8 + n));
    let entries: HashMap<String, serde_json::Value> = header
        .and_then(|h| serde_json::from_slice(h).ok())
        .unwrap_or_default();
    let tensors = entries.into_iter().filter_map(|(name, value)| {
        let info: safetensors::tensor::TensorInfo = serde_json::from_value(value).ok()?;
        Some((name, info))
    });
    let reason =
        match error {
            MetadataIncompleteBuffer => tensors.max_by_key(|(_, info)| info.data_offsets.1).map(
                |(name, info)| {
                    let data = bytes.len() - 8 - header.map_or(0, <[u8]>::len);
                    format!(
                        "tensor {name:?} ends at byte {} of the data, but the file holds {data} \
                     bytes of data",
                        info.data_offsets.1
                    )
                },
            ),
            TensorInvalidInfo => tensors
                .filter_map(|(name, info)| {
                    let (start, end) = info.data_offsets;
                    let needs = info
                        .shape
                        .iter()
                        .try_fold(info.dtype.bitsize(), |n, &d| n.checked_mul(d))?
                        / 8;
                    (end.checked_sub(start) != Some(needs)).then(|| {
                        format!(
                            "tensor {name:?}: shape {:?} of {:?} needs {needs} bytes, but its \
                         data_offsets [{start}, {end}] do not span that",
                            info.shape, info.dtype
                        )
                    })
                })
                .min(),
            _ => None,
        };
    format!(
        "not a safetensors file ({})",
        reason.unwrap_or(error.to_string())
    )
}

fn check_version(version: Option<&str>) -> Result<(), NetError> {
    if let Some(version) = version {
        let version: u32 = version
            .parse()
            .map_err(|_| NetError::Model(format!("format_version {version:?} is not a number")))?;
        if version > FORMAT_VERSION {
            return Err(NetError::Model(format!(
                "format_version {version} is newer than this mnn understands ({FORMAT_VERSION})"
            )));
        }
    }
    Ok(())
}

fn insert_info(meta: &mut HashMap<String, String>, info: &ModelInfo) {
    let optional = [
        ("seed", info.seed.map(|v| v.to_string())),
        ("epochs", info.epochs.map(|v| v.to_string())),
        ("test_accuracy", info.test_accuracy.map(|v| v.to_string())),
        ("rotate_degrees", info.rotate_degrees.map(|v| v.to_string())),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            meta.insert(key.to_string(), value);
        }
    }
}

fn read_info<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> Result<ModelInfo, NetError> {
    let info = ModelInfo {
        seed: parse(get("seed"), "seed")?,
        epochs: parse(get("epochs"), "epochs")?,
        test_accuracy: parse(get("test_accuracy"), "test_accuracy")?,
        rotate_degrees: parse(get("rotate_degrees"), "rotate_degrees")?,
    };
    if let Some(accuracy) = info.test_accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
        return Err(NetError::Model(format!(
            "metadata test_accuracy = {accuracy} is not an accuracy (0 to 1)"
        )));
    }
    Ok(info)
}

fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn view<'a>(m: &Matrix, bytes: &'a [u8]) -> TensorView<'a> {
    TensorView::new(Dtype::F32, vec![m.rows(), m.cols()], bytes).expect("shape matches data")
}

/// A 1-D `F32` tensor of finite values.
fn vector(tensors: &SafeTensors<'_>, name: &str) -> Result<Vec<f32>, NetError> {
    let t = tensors
        .tensor(name)
        .map_err(|_| NetError::Model(format!("no tensor named {name:?}")))?;
    if t.dtype() != Dtype::F32 || t.shape().len() != 1 {
        return Err(NetError::Model(format!(
            "tensor {name:?} is {:?} of shape {:?}, expected F32 with 1 dimension",
            t.dtype(),
            t.shape()
        )));
    }
    let values: Vec<f32> = t
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        return Err(NetError::Model(format!(
            "tensor {name:?}: value {at} is {}, not a number a network can use",
            values[at]
        )));
    }
    Ok(values)
}

fn matrix(tensors: &SafeTensors<'_>, name: &str) -> Result<Matrix, NetError> {
    let t = tensors
        .tensor(name)
        .map_err(|_| NetError::Model(format!("no tensor named {name:?}")))?;
    if t.dtype() != Dtype::F32 {
        return Err(NetError::Model(format!(
            "tensor {name:?} is {:?}, expected F32",
            t.dtype()
        )));
    }
    let &[rows, cols] = t.shape() else {
        return Err(NetError::Model(format!(
            "tensor {name:?} has shape {:?}, expected 2 dimensions",
            t.shape()
        )));
    };
    let values: Vec<f32> = t
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        return Err(NetError::Model(format!(
            "tensor {name:?}: weight {at} (row {}, column {}) is {}, not a number a network can use",
            at / cols.max(1),
            at % cols.max(1),
            values[at]
        )));
    }
    Matrix::from_vec(rows, cols, values)
        .map_err(|e| NetError::Model(format!("tensor {name:?}: {e}")))
}

fn parse<T: std::str::FromStr>(value: Option<&str>, key: &str) -> Result<Option<T>, NetError> {
    value
        .map(|v| {
            v.parse()
                .map_err(|_| NetError::Model(format!("metadata {key} = {v:?} is not valid")))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> NeuralNetwork {
        NeuralNetwork::new(6, 4, 3, 0.25, 11).unwrap()
    }

    #[test]
    fn round_trip_keeps_weights_and_info() {
        let net = small();
        let info = ModelInfo {
            seed: Some(11),
            epochs: Some(5),
            test_accuracy: Some(0.9712),
            rotate_degrees: None,
        };
        let (loaded, loaded_info) =
            NeuralNetwork::from_safetensors(&net.to_safetensors(&info)).unwrap();
        assert_eq!(loaded.weights_input_hidden(), net.weights_input_hidden());
        assert_eq!(loaded.weights_hidden_output(), net.weights_hidden_output());
        assert_eq!(loaded.learning_rate(), 0.25);
        assert_eq!(loaded_info, info);
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        assert_eq!(loaded.query(&x), net.query(&x));
    }

    #[test]
    fn garbage_and_truncated_files_are_errors() {
        assert!(NeuralNetwork::from_safetensors(b"hello, world").is_err());
        let bytes = small().to_safetensors(&ModelInfo::default());
        for cut in [0, 7, 8, 40, bytes.len() - 1] {
            let err = NeuralNetwork::from_safetensors(&bytes[..cut]).unwrap_err();
            assert!(
                err.to_string().contains("not a safetensors file"),
                "{cut}: {err}"
            );
        }
    }

    #[test]
    fn missing_or_misshapen_tensors_are_errors() {
        let one = vec![0u8; 4 * 6];
        let only_one = [(
            WEIGHTS_INPUT_HIDDEN,
            TensorView::new(Dtype::F32, vec![6], &one).unwrap(),
        )];
        let mut meta = HashMap::new();
        meta.insert("learning_rate".to_string(), "0.1".to_string());
        let bytes = safetensors::serialize(only_one, Some(meta.clone())).unwrap();
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected 2 dimensions"), "{err}");

        let w = TensorView::new(Dtype::F32, vec![2, 3], &one).unwrap();
        let bytes = safetensors::serialize([(WEIGHTS_INPUT_HIDDEN, w)], Some(meta)).unwrap();
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no tensor named \"weights_hidden_output\""),
            "{err}"
        );
    }

    #[test]
    fn weights_that_are_not_numbers_are_an_error() {
        let mut values = [0.5f32; 6];
        values[4] = f32::NAN;
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let w = TensorView::new(Dtype::F32, vec![2, 3], &bytes).unwrap();
        let mut meta = HashMap::new();
        meta.insert("learning_rate".to_string(), "0.1".to_string());
        let bytes = safetensors::serialize([(WEIGHTS_INPUT_HIDDEN, w)], Some(meta)).unwrap();
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"weights_input_hidden\": weight 4 (row 1, column 1) is NaN"),
            "{err}"
        );
    }

    #[test]
    fn a_test_accuracy_that_is_not_one_is_refused() {
        for bad in ["NaN", "2", "-0.5"] {
            let bytes = small().to_safetensors(&ModelInfo::default());
            let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
            let mut header: serde_json::Value =
                serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
            header["__metadata__"]["test_accuracy"] = bad.into();
            let text = serde_json::to_vec(&header).unwrap();
            let mut file = (text.len() as u64).to_le_bytes().to_vec();
            file.extend_from_slice(&text);
            file.extend_from_slice(&bytes[8 + header_len..]);
            let err = NeuralNetwork::from_safetensors(&file)
                .unwrap_err()
                .to_string();
            assert!(err.contains("test_accuracy"), "{bad}: {err}");
        }
    }

    #[test]
    fn data_not_covering_the_file_names_the_tensor() {
        let mut bytes = small().to_safetensors(&ModelInfo::default());
        bytes.extend_from_slice(&[0; 4]);
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tensor \"weights_"), "{err}");
        assert!(err.contains("but the file holds"), "{err}");
    }

    #[test]
    fn a_shape_that_does_not_match_its_data_names_the_tensor() {
        let bytes = small().to_safetensors(&ModelInfo::default());
        let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let mut header: serde_json::Value =
            serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
        let shape = &mut header[WEIGHTS_HIDDEN_OUTPUT]["shape"];
        shape[0] = (shape[0].as_u64().unwrap() + 1).into();
        let text = serde_json::to_vec(&header).unwrap();
        let mut file = (text.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(&text);
        file.extend_from_slice(&bytes[8 + header_len..]);
        let err = NeuralNetwork::from_safetensors(&file)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tensor \"weights_hidden_output\": shape"),
            "{err}"
        );
    }

    #[test]
    fn metadata_that_contradicts_the_weights_is_an_error() {
        let mut bytes = small().to_safetensors(&ModelInfo::default());
        // Same length, so the header stays valid: "hidden_nodes":"4" → "5".
        let key = b"\"hidden_nodes\":\"4\"";
        let at = bytes.windows(key.len()).position(|w| w == key).unwrap();
        bytes[at + key.len() - 2] = b'5';
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("hidden_nodes = 5 but the weights have 4"),
            "{err}"
        );
    }

    fn deep_network(bias: bool) -> deep::Network {
        let architecture = Architecture {
            layer_sizes: vec![6, 5, 4, 3],
            activation: Activation::Tanh,
            loss: Loss::CrossEntropy,
            bias,
        };
        let mut net = deep::Network::new(architecture, 0.05, 3).unwrap();
        // Train a little so the biases are not all 0.
        for _ in 0..5 {
            net.train(&[0.1, 0.9, 0.3, 0.5, 0.2, 0.7], &[0.0, 1.0, 0.0]);
        }
        net
    }

    #[test]
    fn tensor_names_generalise_the_books() {
        let names = layer_tensor_names(2);
        assert_eq!(names[0].0, WEIGHTS_INPUT_HIDDEN);
        assert_eq!(names[1].0, WEIGHTS_HIDDEN_OUTPUT);
        assert_eq!(names[1].1, "bias_output");
        let names: Vec<_> = layer_tensor_names(3).into_iter().map(|(w, _)| w).collect();
        assert_eq!(
            names,
            [
                "weights_input_hidden1",
                "weights_hidden1_hidden2",
                "weights_hidden2_output"
            ]
        );
        assert_eq!(layer_tensor_names(1)[0].0, "weights_input_output");
    }

    #[test]
    fn deep_round_trip_keeps_every_layer_bias_and_kind() {
        for bias in [false, true] {
            let net = deep_network(bias);
            let info = ModelInfo {
                seed: Some(3),
                epochs: Some(2),
                test_accuracy: Some(0.99),
                rotate_degrees: None,
            };
            let bytes = net.to_safetensors(&info);
            let (loaded, loaded_info) = deep::Network::from_safetensors(&bytes).unwrap();
            assert_eq!(loaded.layers(), net.layers());
            assert_eq!(loaded.architecture(), net.architecture());
            assert_eq!(loaded.learning_rate(), net.learning_rate());
            assert_eq!(loaded_info, info);
            let x = [0.3, 0.1, 0.4, 0.1, 0.5, 0.9];
            assert_eq!(loaded.query(&x), net.query(&x));
            // The book's loader refuses it rather than misreading it.
            let err = NeuralNetwork::from_safetensors(&bytes)
                .unwrap_err()
                .to_string();
            assert!(err.contains("6,5,4,3 network beyond the book's"), "{err}");
        }
    }

    #[test]
    fn a_two_layer_network_with_biases_is_not_read_as_the_books() {
        let architecture = Architecture {
            layer_sizes: vec![6, 4, 3],
            activation: Activation::Sigmoid,
            loss: Loss::Squared,
            bias: true,
        };
        let net = deep::Network::new(architecture, 0.1, 1).unwrap();
        let bytes = net.to_safetensors(&ModelInfo::default());
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(err.contains("biases true"), "{err}");
        let (loaded, _) = deep::Network::from_safetensors(&bytes).unwrap();
        assert_eq!(loaded.layers(), net.layers());
    }

    #[test]
    fn book_networks_save_the_same_bytes_either_way_and_old_files_load() {
        let book = small();
        let info = ModelInfo {
            seed: Some(11),
            ..ModelInfo::default()
        };
        let general = deep::Network::from_book(&book);
        // HashMap order varies, so compare what the files hold, not the bytes.
        let (a, b) = (book.to_safetensors(&info), general.to_safetensors(&info));
        let (from_a, info_a) = NeuralNetwork::from_safetensors(&a).unwrap();
        let (from_b, info_b) = NeuralNetwork::from_safetensors(&b).unwrap();
        assert_eq!(from_a.weights_input_hidden(), from_b.weights_input_hidden());
        assert_eq!(
            from_a.weights_hidden_output(),
            from_b.weights_hidden_output()
        );
        assert_eq!(info_a, info_b);
        let (_, meta) = SafeTensors::read_metadata(&b).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta["format_version"], "1");
        assert!(!meta.contains_key("layer_sizes"));
        // A book file loads as a general network with the same answers.
        let (loaded, _) = deep::Network::from_safetensors(&a).unwrap();
        assert!(loaded.architecture().is_book());
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        assert_eq!(loaded.query(&x), book.query(&x));
    }

    #[test]
    fn deep_files_with_wrong_shapes_or_metadata_are_errors() {
        let bytes = deep_network(true).to_safetensors(&ModelInfo::default());
        let replace = |from: &str, to: &str| {
            assert_eq!(from.len(), to.len(), "same length keeps the header valid");
            let mut changed = bytes.clone();
            let at = changed
                .windows(from.len())
                .position(|w| w == from.as_bytes())
                .unwrap();
            changed[at..at + to.len()].copy_from_slice(to.as_bytes());
            deep::Network::from_safetensors(&changed)
                .unwrap_err()
                .to_string()
        };
        let err = replace("\"6,5,4,3\"", "\"6,5,3,3\"");
        assert!(err.contains("has shape (4, 5) but layer_sizes"), "{err}");
        let err = replace("\"tanh\"", "\"tang\"");
        assert!(err.contains("unknown activation \"tang\""), "{err}");
        let err = replace("\"bias_hidden2\"", "\"bias_hiddenX\"");
        assert!(err.contains("no tensor named \"bias_hidden2\""), "{err}");
        let err = replace("\"6,5,4,3\"", "\"6,5,x,3\"");
        assert!(err.contains("not a list of numbers"), "{err}");
    }
}
