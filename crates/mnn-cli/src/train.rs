//! `mnn train` and `mnn test`: the book's training loop (or, with the
//! options of [`crate::beyond`], one beyond the book) and its scorecard, run
//! by mnn-train; this module reads the flags and reports.

use crate::curve::{LearningCurve, check_curve_path, write_curve};
use crate::files::check_writable;
use crate::report::{Reporter, shortest_decimal};
use crate::{TestArgs, TrainArgs, data, model_file};
use anyhow::{Context, Result};
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::{ModelInfo, Queries};
use mnn_train::{LoadedData, Need, RunSettings, Training, check_digit_network};
use serde_json::json;
use std::time::Instant;

pub fn run_train(args: &TrainArgs) -> Result<()> {
    let threads = crate::threads(args.threads);
    let settings = crate::beyond::run_settings(args)?;
    if let Some(path) = &args.save {
        check_writable(path)?;
    }
    if let Some(path) = &args.curve {
        check_curve_path(path)?;
    }
    let mut loaded = data::load(&args.data, Need::TrainAndTest)?;
    if let Some(limit) = args.limit {
        loaded
            .mnist
            .train
            .truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    // The book's settings train the book's network on its own engine, so
    // its results do not move; any other, a network beyond the book.
    let training = Training::new(&loaded.mnist.train, &settings, threads)?;
    train_and_report(args, &settings, &loaded, training)
}

/// Trains epoch by epoch, reporting each epoch's mean training error and
/// test accuracy (and, beyond the book, its learning rate), then the score,
/// `--curve`, `--save` and `--json`.
fn train_and_report(
    args: &TrainArgs,
    settings: &RunSettings,
    loaded: &LoadedData,
    mut training: Training,
) -> Result<()> {
    let book = settings.is_book();
    let out = Reporter::new(args.json);
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    let description = settings.description();
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

    // The learning curve: after each epoch, its mean training error and the
    // test accuracy (a test pass is a small fraction of an epoch).
    let (mut mean_errors, mut accuracies, mut rates) = (vec![], vec![], vec![]);
    let mut train_seconds = 0.0;
    let mut score = None;
    for epoch in 1..=args.epochs {
        let epoch_started = Instant::now();
        let samples = training.samples_per_epoch();
        let bar = out.progress(samples as u64, format!("epoch {epoch}/{}", args.epochs));
        let mut reported = 0;
        let learning_rate = shortest_decimal(training.learning_rate());
        let report = training.epoch(|done| {
            bar.inc((done - reported) as u64);
            reported = done;
        })?;
        bar.finish_and_clear();
        let took = epoch_started.elapsed();
        train_seconds += took.as_secs_f64();
        let tested = training.evaluate(test);
        out.line(format_args!(
            "epoch {epoch}/{}: {samples} samples in {:.2} s{} · mean training error {:.5} · test accuracy {:.4}",
            args.epochs,
            took.as_secs_f64(),
            if book {
                String::new()
            } else {
                format!(" at learning rate {learning_rate}")
            },
            report.mean_error,
            tested.accuracy(),
        ));
        mean_errors.push(report.mean_error);
        accuracies.push(tested.accuracy());
        rates.push(learning_rate);
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

    // Stuck sigmoid outputs tell of divergence; softmax outputs of a
    // confident network are near 0 by design, so only the book's are looked at.
    let diverged = if book {
        mnn_train::divergence(training.network(), train)
    } else {
        None
    };
    if let Some(seen) = diverged {
        eprintln!(
            "warning: training diverged with learning rate {}: {:.0}% of the outputs are stuck \
             at 0 or 1, where the error no longer falls; try a smaller --lr (the book's are 0.1 to 0.3)",
            args.lr,
            seen.stuck_outputs * 100.0
        );
    }

    // With no epochs, the initial weights are tested.
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
                "{description}, seed {}{}, {}",
                args.seed,
                args.rotate
                    .map(|d| format!(", rotated ±{d}°"))
                    .unwrap_or_default(),
                loaded.origin.name(),
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
        model_file::save(path, training.network(), &info)?;
        out.line(format_args!("saved the network to {}", path.display()));
    }
    let mut report = json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "train_seconds": train_seconds,
        "test_seconds": score.seconds,
        "inputs": IMAGE_PIXELS,
        "hidden": crate::beyond::hidden_json(training.network()),
        "outputs": DIGITS,
        "lr": args.lr,
        "epochs": args.epochs,
        "seed": args.seed,
        "rotate": args.rotate,
        "train_records": train.len(),
        "test_records": test.len(),
        "data": loaded.origin.name(),
        "model": args.save,
        "curve": {
            "epoch": (1..=args.epochs).collect::<Vec<_>>(),
            "mean_error": mean_errors,
            "accuracy": accuracies,
        },
    });
    if book {
        report["diverged"] = json!(diverged.is_some());
    } else {
        report["layers"] = json!(training.network().layer_sizes());
        report["activation"] = json!(settings.activation.name());
        report["loss"] = json!(settings.loss.name());
        report["bias"] = json!(settings.bias);
        report["lr_decay"] = json!(settings.lr_decay);
        report["augment"] = json!(settings.augmentation.to_string());
        report["curve"]["learning_rate"] = json!(rates);
    }
    out.json(&report);
    Ok(())
}

pub fn run_test(args: &TestArgs) -> Result<()> {
    let threads = crate::threads(args.threads);
    let out = Reporter::new(args.json);
    if let Some(path) = &args.mistakes {
        check_writable(path)?;
    }
    let (net, info) = model_file::load_any(&args.model)?;
    let loaded = data::load(&args.data, Need::Test)?;
    let test = &loaded.mnist.test;
    check_digit_network(&net).with_context(|| args.model.display().to_string())?;
    let score = mnn_train::evaluate(&net, test, threads);
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records of {}) · tested in {:.3} s",
        score.accuracy(),
        score.correct,
        score.total,
        loaded.description,
        score.seconds,
    ));
    crate::confusion::report(
        &score,
        test,
        args.confusion,
        args.mistakes.as_deref(),
        args.mistakes_shown as usize,
        &out,
    )?;
    out.json(&json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "test_seconds": score.seconds,
        "hidden": crate::beyond::hidden_json(&net),
        "layers": net.layer_sizes(),
        "lr": crate::report::shortest_decimal(net.learning_rate()),
        "epochs": info.epochs,
        "seed": info.seed,
        "test_records": test.len(),
        "data": loaded.origin.name(),
        "model": args.model,
    }));
    Ok(())
}
