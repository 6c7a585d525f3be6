//! The safetensors bytes under every model file: opening them (naming the
//! tensor at fault where safetensors names none), the metadata every mnn file
//! holds, and checked `F32` tensors in and out.

use super::info::{FORMAT_VERSION, ModelInfo};
use crate::error::{NetError, excerpt, shape_text, shortened};
use mnn_matrix::Matrix;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

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
    let reason = match error {
        MetadataIncompleteBuffer => {
            tensors
                .max_by_key(|(_, info)| info.data_offsets.1)
                .map(|(name, info)| {
                    let data = bytes.len() - 8 - header.map_or(0, <[u8]>::len);
                    format!(
                        "tensor {} ends at byte {} of the data, but the file holds {data} \
                     bytes of data",
                        excerpt(&name),
                        info.data_offsets.1
                    )
                })
        }
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
                        "tensor {}: shape {} of {:?} needs {needs} bytes, but its \
                         data_offsets [{start}, {end}] do not span that",
                        excerpt(&name),
                        shape_text(&info.shape),
                        info.dtype
                    )
                })
            })
            .min(),
        _ => None,
    };
    format!(
        "not a safetensors file ({})",
        reason.unwrap_or_else(|| shortened(&error.to_string()))
    )
}

/// The largest header (JSON metadata and tensor list) a model may have:
/// 1 MiB. mnn's own take under 1 KB for the book's network and about 100
/// bytes per layer beyond it, so this is thousands of layers; parsing a
/// header takes several times its size (a name, a shape and an index entry
/// per tensor), so this bound keeps any file's header to a few MB, and the
/// tensors are read at their own size. (safetensors allows 100 MB.)
pub const MAX_HEADER_BYTES: u64 = 1 << 20;

/// A safetensors file's tensors and metadata, its version checked.
pub(super) struct Opened<'a> {
    pub(super) tensors: SafeTensors<'a>,
    meta: HashMap<String, String>,
}

impl Opened<'_> {
    /// The metadata value of `key`, if there is one.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }

    /// The metadata value of `key` parsed, if there is one.
    pub(super) fn parse<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, NetError> {
        self.get(key)
            .map(|v| {
                v.parse().map_err(|_| {
                    NetError::Model(format!("metadata {key} = {} is not valid", excerpt(v)))
                })
            })
            .transpose()
    }

    /// The learning rate, which every file must say.
    pub(super) fn learning_rate(&self) -> Result<f32, NetError> {
        self.parse("learning_rate")?
            .ok_or_else(|| NetError::Model("metadata has no learning_rate".into()))
    }

    /// What the metadata says about the training run.
    pub(super) fn info(&self) -> Result<ModelInfo, NetError> {
        let info = ModelInfo {
            seed: self.parse("seed")?,
            epochs: self.parse("epochs")?,
            test_accuracy: self.parse("test_accuracy")?,
            rotate_degrees: self.parse("rotate_degrees")?,
        };
        if let Some(accuracy) = info.test_accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
            return Err(NetError::Model(format!(
                "metadata test_accuracy = {accuracy} is not an accuracy (0 to 1)"
            )));
        }
        Ok(info)
    }

    /// The `F32` matrix `name`, every weight finite.
    pub(super) fn matrix(&self, name: &str) -> Result<Matrix, NetError> {
        let (shape, values) = self.values(name, 2)?;
        Matrix::from_vec(shape[0], shape[1], values)
            .map_err(|e| NetError::Model(format!("tensor {name:?}: {e}")))
    }

    /// The `F32` vector `name`, every value finite.
    pub(super) fn vector(&self, name: &str) -> Result<Vec<f32>, NetError> {
        Ok(self.values(name, 1)?.1)
    }

    /// The shape and values of the `F32` tensor `name` of `dimensions`
    /// dimensions, every value finite.
    fn values(&self, name: &str, dimensions: usize) -> Result<(Vec<usize>, Vec<f32>), NetError> {
        let bad = NetError::Model;
        let t = self
            .tensors
            .tensor(name)
            .map_err(|_| bad(format!("no tensor named {name:?}")))?;
        if t.dtype() != Dtype::F32 {
            return Err(bad(format!(
                "tensor {name:?} is {:?}, expected F32",
                t.dtype()
            )));
        }
        let shape = t.shape().to_vec();
        if shape.len() != dimensions {
            let plural = if dimensions == 1 { "" } else { "s" };
            return Err(bad(format!(
                "tensor {name:?} has shape {}, expected {dimensions} dimension{plural}",
                shape_text(&shape)
            )));
        }
        let values: Vec<f32> = t
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            let cols = shape[dimensions - 1].max(1);
            let which = match dimensions {
                2 => format!("weight {at} (row {}, column {})", at / cols, at % cols),
                _ => format!("value {at}"),
            };
            return Err(bad(format!(
                "tensor {name:?}: {which} is {}, not a number a network can use",
                values[at]
            )));
        }
        Ok((shape, values))
    }
}

/// Opens a safetensors file's bytes: an error naming the problem if they
/// are not one, or if its format version is newer than this crate reads.
pub(super) fn open(bytes: &[u8]) -> Result<Opened<'_>, NetError> {
    let bad = NetError::Model;
    if let Some(header) = bytes.first_chunk::<8>().map(|n| u64::from_le_bytes(*n))
        && header > MAX_HEADER_BYTES
    {
        return Err(bad(format!(
            "a header of {header} bytes, more than the {MAX_HEADER_BYTES} an mnn model's takes \
             (its metadata, and a name and shape per tensor)"
        )));
    }
    // The header parsed once to check it (naming the tensor at fault) and
    // keep the metadata, then once more by `deserialize`: the first parse's
    // tensors are gone by then.
    let meta = SafeTensors::read_metadata(bytes)
        .map_err(|e| bad(not_safetensors(bytes, e)))?
        .1
        .metadata()
        .clone()
        .unwrap_or_default();
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| {
        bad(format!(
            "not a safetensors file ({})",
            shortened(&e.to_string())
        ))
    })?;
    let opened = Opened { tensors, meta };
    if let Some(version) = opened.get("format_version") {
        let version: u32 = version.parse().map_err(|_| {
            bad(format!(
                "format_version {} is not a number",
                excerpt(version)
            ))
        })?;
        if version > FORMAT_VERSION {
            return Err(bad(format!(
                "format_version {version} is newer than this mnn understands ({FORMAT_VERSION})"
            )));
        }
    }
    Ok(opened)
}

/// The metadata every mnn file holds: the format and its `version`, the
/// hidden layers' `activation`, the node counts (`layer_sizes`: inputs,
/// hidden layers, outputs), the learning rate, and what `info` knows.
pub(super) fn metadata(
    version: u32,
    activation: &str,
    layer_sizes: &[usize],
    learning_rate: f32,
    info: &ModelInfo,
) -> HashMap<String, String> {
    let hidden: Vec<String> = layer_sizes[1..layer_sizes.len() - 1]
        .iter()
        .map(usize::to_string)
        .collect();
    let entries = [
        ("format", Some("mnn".to_string())),
        ("format_version", Some(version.to_string())),
        ("activation", Some(activation.to_string())),
        ("input_nodes", Some(layer_sizes[0].to_string())),
        ("hidden_nodes", Some(hidden.join(","))),
        ("output_nodes", layer_sizes.last().map(usize::to_string)),
        ("learning_rate", Some(learning_rate.to_string())),
        ("seed", info.seed.map(|v| v.to_string())),
        ("epochs", info.epochs.map(|v| v.to_string())),
        ("test_accuracy", info.test_accuracy.map(|v| v.to_string())),
        ("rotate_degrees", info.rotate_degrees.map(|v| v.to_string())),
    ];
    entries
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_string(), value?)))
        .collect()
}

/// The bytes of a safetensors file of `F32` tensors (name, shape, values)
/// and `metadata`.
pub(super) fn serialize(
    tensors: &[(&str, Vec<usize>, &[f32])],
    metadata: HashMap<String, String>,
) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, _, values)| values.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let views = tensors.iter().zip(&bytes).map(|((name, shape, _), bytes)| {
        let view = TensorView::new(Dtype::F32, shape.clone(), bytes).expect("shape matches data");
        (*name, view)
    });
    let bytes =
        safetensors::serialize(views, Some(metadata)).expect("well-formed F32 tensors serialise");
    with_sorted_header(bytes)
}

/// The same file with its JSON header's keys in sorted order, so that one
/// network always saves to the same bytes: safetensors writes the metadata
/// from a `HashMap`, whose order changes from run to run. The header keeps
/// its length (the same keys and values, reordered), so the tensors' bytes
/// and offsets are untouched.
fn with_sorted_header(mut bytes: Vec<u8>) -> Vec<u8> {
    let Some(length) = bytes
        .first_chunk::<8>()
        .and_then(|n| usize::try_from(u64::from_le_bytes(*n)).ok())
    else {
        return bytes;
    };
    let Some(header) = bytes.get(8..8 + length) else {
        return bytes;
    };
    // serde_json's maps are sorted by key (no "preserve_order" in this build).
    let Ok(parsed) = serde_json::from_slice::<serde_json::Value>(header) else {
        return bytes;
    };
    let Ok(sorted) = serde_json::to_vec(&parsed) else {
        return bytes;
    };
    if sorted.len() <= length {
        // safetensors pads the header with spaces to a multiple of 8 bytes.
        let padded = sorted
            .into_iter()
            .chain(std::iter::repeat(b' '))
            .take(length);
        bytes.splice(8..8 + length, padded);
    }
    bytes
}
