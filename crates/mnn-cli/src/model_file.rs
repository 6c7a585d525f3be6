//! Reading and writing model files; the network itself only knows bytes.

use anyhow::{Context, Result};
use mnn_net::{Model, ModelInfo};
use mnn_train::check_digit_network;
use std::path::Path;

/// Writes `net` to `path` through a temporary file in the same directory,
/// renamed into place only when complete: an interrupted save never damages
/// an existing model.
pub fn save(path: &Path, net: &Model, info: &ModelInfo) -> Result<()> {
    crate::files::write_atomically(path, &net.to_safetensors(info))
}

/// Reads a network saved by [`save`] (the book's network,
/// or one beyond the book), naming the file in any error.
pub fn load(path: &Path) -> Result<(Model, ModelInfo)> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Model::from_safetensors(&bytes)
        .with_context(|| format!("{}: not a usable mnn model", path.display()))
}

/// Loads a saved network and checks it reads 28×28 images into ten digits.
pub fn load_digit_network(path: &Path) -> Result<Model> {
    let (net, _) = load(path)?;
    check_digit_network(&net).with_context(|| path.display().to_string())?;
    Ok(net)
}
