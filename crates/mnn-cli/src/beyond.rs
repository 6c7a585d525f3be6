//! `mnn train` beyond the book: the flags for deeper networks, biases, other
//! activations and losses, a learning-rate schedule and random distortions,
//! and the run they ask for (through mnn-train's [`DeepTraining`]).

use crate::TrainArgs;
use crate::curve::{LearningCurve, check_curve_path, write_curve};
use crate::files::check_writable;
use crate::report::{Reporter, shortest_decimal};
use crate::{data, model_file};
use anyhow::Result;
use clap::Args;
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::deep::{Activation, Loss};
use mnn_net::{ModelInfo, Queries};
use mnn_train::{AugmentError, Augmentation};
use mnn_train::{DeepSettings, DeepTraining, Need, Threads};
use serde_json::json;
use std::time::Instant;

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
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("must be above 0 and at most 1, got {s}"))
    }
}

fn augmentation(s: &str) -> Result<Augmentation, String> {
    s.parse().map_err(|e: AugmentError| e.to_string())
}

/// The run's settings beyond the book, or `None` for the book's own run
/// (one hidden layer and no new flags), which the book's engine trains.
pub fn deep_settings(args: &TrainArgs) -> Result<Option<DeepSettings>> {
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
    Ok((!settings.is_book()).then_some(settings))
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

/// `mnn train` with options beyond the book: the book's run's report (each
/// epoch's mean training error and test accuracy, `--curve`, `--json`), with
/// the learning rate of each epoch.
pub fn run_train_deep(args: &TrainArgs, settings: DeepSettings, threads: Threads) -> Result<()> {
    if let Some(path) = &args.save {
        check_writable(path)?;
    }
    if let Some(path) = &args.curve {
        check_curve_path(path)?;
    }
    let out = Reporter::new(args.json);
    let mut loaded = data::load(&args.data, Need::TrainAndTest)?;
    if let Some(limit) = args.limit {
        loaded
            .mnist
            .train
            .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    let mut training = DeepTraining::new(train, settings.clone(), threads)?;
    let description = describe(&settings);
    out.line(format_args!(
        "training {description}, {} epoch{}, seed {} on {} training records{} of {}",
        args.epochs,
        if args.epochs == 1 { "" } else { "s" },
        args.seed,
        train.len(),
        args.rotate
            .map(|d| format!(" (each also rotated ±{d}°)"))
            .unwrap_or_default(),
        loaded.description,
    ));

    let (mut mean_errors, mut accuracies, mut rates) = (vec![], vec![], vec![]);
    let mut train_seconds = 0.0;
    let mut score = None;
    for epoch in 1..=args.epochs {
        let epoch_started = Instant::now();
        let samples = training.samples_per_epoch();
        let bar = out.progress(samples as u64, format!("epoch {epoch}/{}", args.epochs));
        let mut reported = 0;
        let learning_rate = training.learning_rate();
        let report = training.epoch(|done| {
            bar.inc((done - reported) as u64);
            reported = done;
        })?;
        bar.finish_and_clear();
        let took = epoch_started.elapsed();
        train_seconds += took.as_secs_f64();
        let tested = training.evaluate(test);
        out.line(format_args!(
            "epoch {epoch}/{}: {samples} samples in {:.2} s at learning rate {} · mean training error {:.5} · test accuracy {:.4}",
            args.epochs,
            took.as_secs_f64(),
            shortest_decimal(learning_rate),
            report.mean_error,
            tested.accuracy(),
        ));
        mean_errors.push(report.mean_error);
        accuracies.push(tested.accuracy());
        rates.push(shortest_decimal(learning_rate));
        score = Some(tested);
        if epoch < args.epochs {
            let next = training.threads().after_epoch(&report, took);
            if next != training.threads() {
                training.set_threads(next);
                eprintln!(
                    "note: the {} training threads spent {:.0}% of that epoch waiting for each other \
                     (other programs are using the cores), so training goes on with one thread \
                     (same weights, less waiting; --threads 1 chooses it from the start)",
                    report.threads,
                    report.waiting * 100.0
                );
            }
        }
    }
    let score = score.unwrap_or_else(|| training.evaluate(test));
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records) · trained in {train_seconds:.2} s · tested in {:.3} s",
        score.accuracy(),
        score.correct,
        score.total,
        score.seconds,
    ));
    if let Some(path) = &args.curve {
        let curve = LearningCurve {
            title: format!(
                "{description}, seed {}, {}",
                args.seed,
                loaded.origin.name()
            ),
            mean_error: mean_errors.clone(),
            accuracy: accuracies.clone(),
        };
        write_curve(path, &curve)?;
        out.line(format_args!(
            "wrote the learning curve to {}",
            path.display()
        ));
    }
    if let Some(path) = &args.save {
        let info = ModelInfo {
            seed: Some(args.seed),
            epochs: Some(args.epochs as usize),
            test_accuracy: Some(score.accuracy()),
            rotate_degrees: args.rotate,
        };
        model_file::save_deep(path, training.network(), &info)?;
        out.line(format_args!("saved the network to {}", path.display()));
    }
    out.json(&json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "train_seconds": train_seconds,
        "test_seconds": score.seconds,
        "inputs": IMAGE_PIXELS,
        "hidden": hidden_json(training.network()),
        "outputs": DIGITS,
        "layers": training.network().layer_sizes(),
        "activation": settings.activation.name(),
        "loss": settings.loss.name(),
        "bias": settings.bias,
        "lr": args.lr,
        "lr_decay": settings.lr_decay,
        "augment": settings.augmentation.to_string(),
        "epochs": args.epochs,
        "seed": args.seed,
        "rotate": args.rotate,
        "train_records": train.len(),
        "test_records": test.len(),
        "data": loaded.origin.name(),
        "model": args.save,
        "curve": {
            "epoch": (1..=args.epochs).collect::<Vec<_>>(),
            "learning_rate": rates,
            "mean_error": mean_errors,
            "accuracy": accuracies,
        },
    }));
    Ok(())
}

/// `784-800-10 relu, cross-entropy (softmax), biases, learning rate 0.01 ×0.9 per epoch, distortions shift=2`.
fn describe(settings: &DeepSettings) -> String {
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
