//! Reading and writing model files; the network itself only knows bytes.

use anyhow::{Context, Result};
use mnn_net::{ModelInfo, NeuralNetwork};
use std::io::Write;
use std::path::Path;

/// Writes `net` to `path` through a temporary file in the same directory,
/// renamed into place only when complete: an interrupted save never damages
/// an existing model.
pub fn save(path: &Path, net: &NeuralNetwork, info: &ModelInfo) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&net.to_safetensors(info))?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("{}: cannot save the model", path.display()))
}

/// Reads a network saved by [`save`], naming the file in any error.
pub fn load(path: &Path) -> Result<(NeuralNetwork, ModelInfo)> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    NeuralNetwork::from_safetensors(&bytes)
        .with_context(|| format!("{}: not a usable mnn model", path.display()))
}
