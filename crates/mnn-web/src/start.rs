//! What a run started from the page asks for (the Train panel's start
//! request), each field checked and named when wrong, and the limits a run
//! of the page keeps within, whether `mnn serve` or the browser tab trains it.

use mnn_net::deep::{Activation, Loss};
use mnn_train::RunSettings;
use serde::{Deserialize, Serialize};

/// What a run started from the page asks for; every field may be left out
/// (the book's final experiment).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    hidden: Option<Vec<u32>>,
    activation: Option<String>,
    loss: Option<String>,
    bias: Option<bool>,
    lr: Option<f64>,
    lr_decay: Option<f64>,
    epochs: Option<u32>,
    augment: Option<String>,
    rotate: Option<f32>,
    seed: Option<u64>,
    /// Samples per update (1, the book's, if left out).
    batch: Option<usize>,
    /// Train on the first this many training records only.
    limit: Option<usize>,
}

impl StartRequest {
    /// The run's settings, each field checked and named when wrong.
    pub fn settings(self) -> Result<(RunSettings, Option<usize>), String> {
        let bad = |message: String| message;
        let book = RunSettings::default();
        let activation: Activation = match self.activation {
            Some(name) => name.parse().map_err(|e| bad(format!("activation: {e}")))?,
            None => book.activation,
        };
        let loss: Loss = match self.loss {
            Some(name) => name.parse().map_err(|e| bad(format!("loss: {e}")))?,
            None => book.loss,
        };
        let augmentation = match self.augment.as_deref().map(str::trim) {
            None | Some("" | "none") => book.augmentation,
            Some(spec) => spec.parse().map_err(|e| bad(format!("augment: {e}")))?,
        };
        let learning_rate = self.lr.unwrap_or(book.learning_rate);
        if !mnn_train::is_learning_rate(learning_rate) {
            return Err(bad(format!(
                "lr: {learning_rate} is not a learning rate (a positive number)"
            )));
        }
        let lr_decay = self.lr_decay.unwrap_or(book.lr_decay);
        if !(lr_decay > 0.0 && lr_decay <= 1.0) {
            return Err(bad(format!("lr_decay: {lr_decay} is not in (0, 1]")));
        }
        if let Some(degrees) = self.rotate
            && !(degrees.is_finite() && degrees > 0.0 && degrees <= mnn_train::MAX_ROTATION)
        {
            return Err(bad(format!(
                "rotate: {degrees} is not an angle in (0, {}]",
                mnn_train::MAX_ROTATION
            )));
        }
        let batch = self.batch.unwrap_or(book.batch);
        if !(1..=mnn_train::MAX_BATCH).contains(&batch) {
            return Err(bad(format!(
                "batch: {batch} is not a number of samples from 1 to {}",
                mnn_train::MAX_BATCH
            )));
        }
        if self.limit == Some(0) {
            return Err(bad("limit: at least one training record".into()));
        }
        let settings = RunSettings {
            hidden: self.hidden.unwrap_or(book.hidden),
            activation,
            loss,
            bias: self.bias.unwrap_or(book.bias),
            learning_rate,
            lr_decay,
            epochs: self.epochs.unwrap_or(book.epochs),
            seed: self.seed.unwrap_or(book.seed),
            augmentation,
            rotate: self.rotate,
            validate: 0,
            batch,
        };
        Ok((settings, self.limit))
    }
}

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
    /// The limits of the page (served or in the tab): room for every
    /// recipe's network (the largest, 784-800-10) and 60 epochs of it, each
    /// kept so the page can go back to it (a recipe of more epochs is
    /// offered with 60: [`recipes_json`](crate::json::recipes_json)).
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
