//! `mnn train` beyond the book: the flags for deeper networks, biases, other
//! activations and losses, a learning-rate schedule and random distortions,
//! the settings they ask for (mnn-train's [`DeepSettings`]), and how a run
//! describes its network.

use crate::TrainArgs;
use anyhow::Result;
use clap::Args;
use mnn_net::Queries;
use mnn_net::deep::{Activation, Loss};
use mnn_train::{AugmentError, Augmentation, DeepSettings};
use serde_json::json;

/// Options beyond the book, each off by default so the book's runs do not move.
#[derive(Debug, Clone, Args)]
pub struct BeyondArgs {
    /// A bias per node (starting at 0), trained like the weights
    #[arg(long)]
    pub bias: bool,
    /// Activation of the hidden layers
    #[arg(long, default_value = "sigmoid", value_parser = ["sigmoid", "tanh", "relu"])]
    pub activation: String,
    /// squared: the book's sigmoid outputs and 0.01/0.99 targets; cross-entropy: softmax outputs, 0/1 targets
    #[arg(long, default_value = "squared", value_parser = ["squared", "cross-entropy"])]
    pub loss: String,
    /// Multiply the learning rate by F after each epoch (1: constant, the book)
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = decay_factor)]
    pub lr_decay: f64,
    /// Random distortions of every training image, drawn afresh each epoch: a comma-separated
    /// list of shift[=PIXELS] (2), rotate[=DEGREES] (10), scale[=FRACTION] (0.1), elastic
    /// (sigma=4, alpha=34; set with sigma=S, alpha=A), e.g. "elastic,shift=2"
    #[arg(long, value_name = "LIST", default_value = "none", value_parser = augmentation)]
    pub augment: Augmentation,
}

fn decay_factor(s: &str) -> Result<f64, String> {
    crate::checked_number(
        s,
        |v: f64| v > 0.0 && v <= 1.0,
        || format!("must be above 0 and at most 1, got {s}"),
    )
}

fn augmentation(s: &str) -> Result<Augmentation, String> {
    s.parse().map_err(|e: AugmentError| e.to_string())
}

/// The run's settings: the book's own run (one hidden layer and no new
/// flags, [`DeepSettings::is_book`]) or one beyond the book.
pub fn run_settings(args: &TrainArgs) -> Result<DeepSettings> {
    let beyond = &args.beyond;
    let settings = DeepSettings {
        hidden: args.hidden.clone(),
        activation: beyond.activation.parse::<Activation>()?,
        loss: beyond.loss.parse::<Loss>()?,
        bias: beyond.bias,
        learning_rate: args.lr,
        lr_decay: beyond.lr_decay,
        seed: args.seed,
        augmentation: beyond.augment,
        rotate: args.rotate,
    };
    Ok(settings)
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

/// The network and how it learns, for people: the book's `784-200-10,
/// learning rate 0.1`, or beyond it `784-800-10 relu, cross-entropy
/// (softmax), biases, learning rate 0.01 ×0.9 per epoch, distortions shift=2`.
pub fn describe(settings: &DeepSettings) -> String {
    if settings.is_book() {
        return format!(
            "{}, learning rate {}",
            settings.architecture().sizes_string(),
            settings.learning_rate
        );
    }
    let mut text = format!(
        "{} {}, {} ({}){}, learning rate {}",
        settings.architecture().sizes_string(),
        settings.activation,
        settings.loss,
        settings.loss.output_activation(),
        if settings.bias { ", biases" } else { "" },
        settings.learning_rate,
    );
    if settings.lr_decay != 1.0 {
        text.push_str(&format!(" ×{} per epoch", settings.lr_decay));
    }
    if !settings.augmentation.is_none() {
        text.push_str(&format!(", distortions {}", settings.augmentation));
    }
    text
}
