//! `mnn train` and `mnn test`: the book's training loop and its scorecard,
//! run by mnn-train; this module reads the flags and reports.

use crate::curve::{LearningCurve, check_curve_path, write_curve};
use crate::files::check_writable;
use crate::report::Reporter;
use crate::{TestArgs, TrainArgs, data, model_file};
use anyhow::{Context, Result};
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::{ModelInfo, Queries};
use mnn_train::{Need, NetworkSettings, Training, check_digit_network};
use serde_json::json;
use std::time::Instant;

pub fn run_train(args: &TrainArgs) -> Result<()> {
    let threads = crate::threads(args.threads);
    if let Some(settings) = crate::beyond::deep_settings(args)? {
        return crate::beyond::run_train_deep(args, settings, threads);
    }
    // The book's network: one hidden layer (deep_settings took any other).
    let hidden = args.hidden[0];
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
    let settings = NetworkSettings {
        hidden,
        learning_rate: args.lr,
        seed: args.seed,
    };
    let mut training = Training::new(train, settings, args.rotate, threads)?;
    out.line(format_args!(
        "training {IMAGE_PIXELS}-{}-{DIGITS}, learning rate {}, {} epoch{}, seed {} on {} training records{} of {}",
        hidden,
        args.lr,
        args.epochs,
        if args.epochs == 1 { "" } else { "s" },
        args.seed,
        train.len(),
        args.rotate.map(|d| format!(" (each also rotated ±{d}°)")).unwrap_or_default(),
        loaded.description,
    ));

    // The learning curve: after each epoch, its mean training error and the
    // test accuracy (a test pass is a small fraction of an epoch).
    let (mut mean_errors, mut accuracies) = (vec![], vec![]);
    let mut train_seconds = 0.0;
    let mut score = None;
    for epoch in 1..=args.epochs {
        let epoch_started = Instant::now();
        let samples = training.samples_per_epoch();
        let bar = out.progress(samples as u64, format!("epoch {epoch}/{}", args.epochs));
        let mut reported = 0;
        let report = training.epoch(|done| {
            bar.inc((done - reported) as u64);
            reported = done;
        });
        bar.finish_and_clear();
        let took = epoch_started.elapsed();
        train_seconds += took.as_secs_f64();
        let tested = training.evaluate(test);
        out.line(format_args!(
            "epoch {epoch}/{}: {samples} samples in {:.2} s · mean training error {:.5} · test accuracy {:.4}",
            args.epochs,
            took.as_secs_f64(),
            report.mean_error,
            tested.accuracy(),
        ));
        mean_errors.push(report.mean_error);
        accuracies.push(tested.accuracy());
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

    let diverged = mnn_train::divergence(training.network(), train);
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
                "{IMAGE_PIXELS}-{}-{DIGITS}, learning rate {}, seed {}{}, {}",
                hidden,
                args.lr,
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
    out.json(&json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "train_seconds": train_seconds,
        "test_seconds": score.seconds,
        "inputs": IMAGE_PIXELS,
        "hidden": hidden,
        "outputs": DIGITS,
        "lr": args.lr,
        "diverged": diverged.is_some(),
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
    }));
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
