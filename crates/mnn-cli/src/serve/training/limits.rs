//! What a run started from the page may ask for, printed when the server
//! starts.

use mnn_train::RunSettings;
use serde::Serialize;

/// What a run started from the page may ask for.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Limits {
    /// Hidden layers.
    pub max_hidden_layers: usize,
    /// Nodes in one hidden layer.
    pub max_nodes: u32,
    /// Weights in the whole network (each kept epoch is a copy of them).
    pub max_weights: usize,
    /// Epochs of one run.
    pub max_epochs: u32,
}

impl Limits {
    /// The limits of `mnn serve`: room for every recipe (the longest,
    /// `simard`: 784-800-10, 60 epochs) and a little more.
    pub const SERVE: Limits = Limits {
        max_hidden_layers: 3,
        max_nodes: 1024,
        max_weights: 1_000_000,
        max_epochs: 60,
    };

    /// The most the kept epochs of one run take (the initial weights and
    /// one copy per epoch, 4 bytes a weight).
    pub const MAX_KEPT_BYTES: usize =
        (Self::SERVE.max_epochs as usize + 1) * Self::SERVE.max_weights * 4;

    /// `settings` if they keep within the limits, or why not.
    pub fn check(&self, settings: &RunSettings) -> Result<(), String> {
        if settings.hidden.is_empty() || settings.hidden.len() > self.max_hidden_layers {
            return Err(format!(
                "hidden: 1 to {} hidden layers, not {}",
                self.max_hidden_layers,
                settings.hidden.len()
            ));
        }
        if let Some(&nodes) = settings
            .hidden
            .iter()
            .find(|&&n| n == 0 || n > self.max_nodes)
        {
            return Err(format!(
                "hidden: 1 to {} nodes a layer, not {nodes}",
                self.max_nodes
            ));
        }
        let sizes = settings.architecture().layer_sizes;
        let weights: usize = sizes.windows(2).map(|pair| pair[0] * pair[1]).sum();
        if weights > self.max_weights {
            return Err(format!(
                "a {} network has {weights} weights; the page trains at most {}",
                settings.sizes(),
                self.max_weights
            ));
        }
        if settings.epochs == 0 || settings.epochs > self.max_epochs {
            return Err(format!(
                "epochs: 1 to {}, not {}",
                self.max_epochs, settings.epochs
            ));
        }
        Ok(())
    }
}
