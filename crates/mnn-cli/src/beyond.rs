//! `mnn train` and `mnn sweep` beyond the book: the flags for deeper
//! networks, biases, other activations and losses, a learning-rate schedule
//! and random distortions, and the run settings they ask for (mnn-train's
//! [`RunSettings`]).

use crate::TrainArgs;
use anyhow::Result;
use clap::Args;
use mnn_net::Queries;
use mnn_net::deep::{Activation, Loss};
use mnn_train::{AugmentError, Augmentation, RunSettings};
use serde_json::json;

/// Options beyond the book, each at the book's setting by default
/// ([`RunSettings::default`]) so the book's runs do not move.
#[derive(Debug, Clone, Args)]
pub struct BeyondArgs {
    /// A bias per node (starting at 0), trained like the weights
    #[arg(long)]
    pub bias: bool,
    /// Activation of the hidden layers
    #[arg(long, default_value = RunSettings::default().activation.name(), value_parser = ["sigmoid", "tanh", "relu"])]
    pub activation: String,
    /// squared: the book's sigmoid outputs and 0.01/0.99 targets; cross-entropy: softmax outputs, 0/1 targets
    #[arg(long, default_value = RunSettings::default().loss.name(), value_parser = ["squared", "cross-entropy"])]
    pub loss: String,
    /// Multiply the learning rate by F after each epoch (1: constant, the book)
    #[arg(long, value_name = "F", default_value_t = RunSettings::default().lr_decay, value_parser = decay_factor)]
    pub lr_decay: f64,
    /// Random distortions of every training image, drawn afresh each epoch: a comma-separated
    /// list of shift[=PIXELS] (2), rotate[=DEGREES] (10), scale[=FRACTION] (0.1), elastic
    /// (sigma=4, alpha=34; set with sigma=S, alpha=A), e.g. "elastic,shift=2"
    #[arg(long, value_name = "LIST", default_value_t = RunSettings::default().augmentation, value_parser = augmentation)]
    pub augment: Augmentation,
    /// Hold out the last N training records: train on the others and report the accuracy on these
    /// after each epoch beside the test accuracy (choose settings by it, not by the test set)
    #[arg(long, value_name = "N", default_value_t = RunSettings::default().validate)]
    pub validate: usize,
    /// Samples per update: 1 is the book's one update per sample; N > 1 trains in mini-batches of
    /// N (each batch's per-sample updates summed, at the same --lr), a departure from the book
    /// that trains several times faster (docs/results.md has its figures)
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=mnn_train::MAX_BATCH as i64))]
    pub batch: u32,
}

impl BeyondArgs {
    /// `base` with these options beyond the book.
    pub fn settings(&self, base: RunSettings) -> Result<RunSettings> {
        Ok(RunSettings {
            activation: self.activation.parse::<Activation>()?,
            loss: self.loss.parse::<Loss>()?,
            bias: self.bias,
            lr_decay: self.lr_decay,
            augmentation: self.augment,
            validate: self.validate,
            batch: self.batch as usize,
            ..base
        })
    }
}

/// A usage error naming `--validate` unless it leaves training records to
/// train on (checked once the data is read, before any training).
pub fn check_validate(validate: usize, records: usize) -> Result<()> {
    if validate >= records {
        return Err(crate::UsageError(format!(
            "--validate {validate}: there are {records} training records, so holding out \
             {validate} leaves none to train on; give fewer than {records}"
        ))
        .into());
    }
    Ok(())
}

fn decay_factor(s: &str) -> Result<f64, String> {
    crate::checked_number(s, |v: f64| {
        if v > 0.0 && v <= 1.0 {
            Ok(v)
        } else {
            Err("must be above 0 and at most 1".to_string())
        }
    })
}

fn augmentation(s: &str) -> Result<Augmentation, String> {
    s.parse().map_err(|e: AugmentError| e.to_string())
}

/// The run `mnn train` asks for: the book's own run (one hidden layer and
/// no new flags, [`RunSettings::is_book`]) or one beyond the book, or a
/// `--recipe` with the flags given beside it.
pub fn run_settings(args: &TrainArgs) -> Result<RunSettings> {
    let flags = args.beyond.settings(RunSettings {
        hidden: args.hidden.clone(),
        learning_rate: args.lr,
        epochs: args.epochs,
        seed: args.seed,
        rotate: args.rotate,
        ..RunSettings::default()
    })?;
    Ok(crate::recipe::apply(args, flags)?.0)
}

/// The `hidden` of `--json`: a number for one hidden layer (as the book's
/// runs report it), a list for several.
pub fn hidden_json(net: &impl Queries) -> serde_json::Value {
    let sizes = net.layer_sizes();
    match &sizes[1..sizes.len() - 1] {
        [one] => json!(one),
        layers => json!(layers),
    }
}
