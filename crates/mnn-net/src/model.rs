//! Saving and loading a trained network as [safetensors] bytes.
//!
//! Two `F32` tensors, `weights_input_hidden` `[hidden, inputs]` and
//! `weights_hidden_output` `[outputs, hidden]`, row-major, plus string
//! metadata: the layer sizes, the activation, the learning rate, the format
//! version and whatever is known about the training run ([`ModelInfo`]).
//! The file loads in Python with `safetensors.numpy.load_file`.
//!
//! This module works on bytes; the caller reads and writes the file.
//!
//! [safetensors]: https://github.com/huggingface/safetensors

use crate::{NetError, NeuralNetwork};
use mnn_matrix::Matrix;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

/// The version written into every model; loading refuses newer ones.
pub const FORMAT_VERSION: u32 = 1;

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
            ("format_version".to_string(), FORMAT_VERSION.to_string()),
            ("activation".to_string(), "sigmoid".to_string()),
            ("input_nodes".to_string(), self.input_nodes().to_string()),
            ("hidden_nodes".to_string(), self.hidden_nodes().to_string()),
            ("output_nodes".to_string(), self.output_nodes().to_string()),
            (
                "learning_rate".to_string(),
                self.learning_rate().to_string(),
            ),
        ]);
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
        let w_ih = le_bytes(self.weights_input_hidden());
        let w_ho = le_bytes(self.weights_hidden_output());
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

        if let Some(version) = get("format_version") {
            let version: u32 = version
                .parse()
                .map_err(|_| bad(format!("format_version {version:?} is not a number")))?;
            if version > FORMAT_VERSION {
                return Err(bad(format!(
                    "format_version {version} is newer than this mnn understands ({FORMAT_VERSION})"
                )));
            }
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
        let info = ModelInfo {
            seed: parse(get("seed"), "seed")?,
            epochs: parse(get("epochs"), "epochs")?,
            test_accuracy: parse(get("test_accuracy"), "test_accuracy")?,
            rotate_degrees: parse(get("rotate_degrees"), "rotate_degrees")?,
        };
        if let Some(accuracy) = info.test_accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
            return Err(bad(format!(
                "metadata test_accuracy = {accuracy} is not an accuracy (0 to 1)"
            )));
        }
        Ok((net, info))
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

fn le_bytes(m: &Matrix) -> Vec<u8> {
    m.as_slice().iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn view<'a>(m: &Matrix, bytes: &'a [u8]) -> TensorView<'a> {
    TensorView::new(Dtype::F32, vec![m.rows(), m.cols()], bytes).expect("shape matches data")
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
}
