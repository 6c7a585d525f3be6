//! `mnn train` and `mnn test`: the book's training loop (or, with the
//! options of [`crate::beyond`], one beyond the book) and its scorecard, run
//! by mnn-train ([`mnn_train::train`]); this module reads the flags and
//! turns the run's events into progress bars and lines.

use crate::chart::curve::{LearningCurve, check_curve_path, write_curve};
use crate::files::check_writable;
use crate::report::{
    EpochBars, Reporter, divergence_warning, shortest_decimal, stall_json, stall_warning,
};
use crate::{TestArgs, TrainArgs, data, model_file};
use anyhow::{Context, Result};
use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::{Model, ModelInfo, Queries};
use mnn_train::{Event, Need, Tests, check_digit_network};
use serde_json::json;
use std::path::Path;

/// Trains epoch by epoch, reporting each epoch's mean training error and
/// test accuracy (and, beyond the book, its learning rate), then the score,
/// `--curve`, `--save` and `--json`.
pub fn run_train(args: &TrainArgs) -> Result<()> {
    if args.recipe.as_deref() == Some(crate::recipe::LIST) {
        crate::recipe::list(&Reporter::new(args.json));
        return Ok(());
    }
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
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    if settings.validate > 0 {
        crate::beyond::check_validate(settings.validate, train.len())?;
    }
    let book = settings.is_book();
    let out = Reporter::new(args.json);
    if let Some(name) = &args.recipe {
        let recipe = mnn_train::recipe(name).expect("checked by run_settings");
        crate::recipe::announce(&recipe, args, &out);
    }
    let description = settings.description();
    let epochs = settings.epochs;
    out.line(format_args!(
        "training {description}, {epochs} epoch{}, seed {} on {} training records{}{} of {}",
        if epochs == 1 { "" } else { "s" },
        settings.seed,
        train.len() - settings.validate,
        match settings.validate {
            0 => String::new(),
            n => format!(" (the last {n} held out to validate on)"),
        },
        settings
            .rotate
            .map(|d| format!(" (each also rotated ±{d}°)"))
            .unwrap_or_default(),
        loaded.description,
    ));

    // The learning curve: after each epoch, its mean training error and the
    // test accuracy (a test pass is a small fraction of an epoch).
    let mut bars = EpochBars::new(&out, epochs);
    let trained = mnn_train::train(
        &settings,
        train,
        test,
        threads,
        &Tests::EveryEpoch,
        |event| {
            bars.show(&event);
            match event {
            Event::EpochEnded(epoch) => out.line(format_args!(
                "epoch {}/{epochs}: {} samples in {:.2} s{} · mean training error {:.5} · test accuracy {:.4}{}",
                epoch.number,
                epoch.samples,
                epoch.seconds,
                if book {
                    String::new()
                } else {
                    format!(" at learning rate {}", shortest_decimal(epoch.learning_rate))
                },
                epoch.mean_error,
                epoch.accuracy.unwrap_or_default(),
                epoch
                    .validation_accuracy
                    .map(|v| format!(" · validation accuracy {v:.4}"))
                    .unwrap_or_default(),
            )),
            Event::ThreadFallback(report) => eprintln!(
                "note: the {} training threads spent {:.0}% of that epoch waiting for each other \
                 (other programs are using the cores), so training goes on with one thread \
                 (same weights, less waiting; --threads 1 chooses it from the start)",
                report.threads,
                report.waiting * 100.0
            ),
            Event::Diverged(seen) => eprintln!(
                "warning: {}",
                divergence_warning(&seen, settings.learning_rate)
            ),
            Event::Stalled(seen) => eprintln!(
                "warning: {}",
                stall_warning(&seen, settings.learning_rate)
            ),
            Event::EpochStarted { .. } | Event::Samples { .. } => {}
        }
        },
    )?;

    let score = &trained.evaluation;
    let train_seconds = trained.train_seconds;
    out.line(format_args!(
        "accuracy {:.4} ({} of {} test records) · trained in {train_seconds:.2} s · tested in {:.3} s",
        score.accuracy(),
        score.correct,
        score.total,
        score.seconds,
    ));
    let mean_errors: Vec<f64> = trained.epochs.iter().map(|e| e.mean_error).collect();
    let accuracies: Vec<f64> = trained.epochs.iter().filter_map(|e| e.accuracy).collect();
    let validation: Vec<f64> = trained
        .epochs
        .iter()
        .filter_map(|e| e.validation_accuracy)
        .collect();
    let network = &trained.network;
    let info = ModelInfo {
        seed: Some(settings.seed),
        epochs: Some(epochs as usize),
        test_accuracy: Some(score.accuracy()),
        rotate_degrees: settings.rotate,
    };
    let curve = args.curve.as_deref().map(|path| {
        let curve = LearningCurve {
            title: format!(
                "{description}, seed {}{}, {}",
                settings.seed,
                settings
                    .rotate
                    .map(|d| format!(", rotated ±{d}°"))
                    .unwrap_or_default(),
                loaded.origin.name(),
            ),
            mean_error: mean_errors.clone(),
            accuracy: accuracies.clone(),
            validation_accuracy: validation.clone(),
        };
        (path, curve)
    });
    // The model first: it is what the run cost; a curve that cannot be
    // written is reported after the model is safe and the results printed.
    let curve_written = save_then_curve(
        args.save.as_deref().map(|path| (path, network, &info)),
        curve.as_ref().map(|(path, curve)| (*path, curve)),
        &out,
    )?;
    let mut report = json!({
        "accuracy": score.accuracy(),
        "correct": score.correct,
        "train_seconds": train_seconds,
        "test_seconds": score.seconds,
        "inputs": IMAGE_PIXELS,
        "hidden": crate::beyond::hidden_json(network),
        "outputs": DIGITS,
        "lr": settings.learning_rate,
        "epochs": epochs,
        "seed": settings.seed,
        "rotate": settings.rotate,
        "train_records": train.len() - settings.validate,
        "test_records": test.len(),
        "data": loaded.origin.name(),
        "model": args.save,
        "curve": {
            "epoch": (1..=epochs).collect::<Vec<_>>(),
            "mean_error": mean_errors,
            "accuracy": accuracies,
        },
    });
    report["stalled"] = stall_json(trained.stalled.as_ref(), settings.learning_rate);
    if settings.validate > 0 {
        report["validate"] = json!(settings.validate);
        report["validation_accuracy"] = json!(validation.last());
        report["curve"]["validation_accuracy"] = json!(validation);
    }
    if book {
        report["diverged"] = json!(trained.diverged.is_some());
    } else {
        let rates: Vec<f64> = trained
            .epochs
            .iter()
            .map(|e| shortest_decimal(e.learning_rate))
            .collect();
        report["layers"] = json!(network.layer_sizes());
        report["activation"] = json!(settings.activation.name());
        report["loss"] = json!(settings.loss.name());
        report["bias"] = json!(settings.bias);
        report["lr_decay"] = json!(settings.lr_decay);
        report["augment"] = json!(settings.augmentation.to_string());
        report["batch"] = json!(settings.batch);
        report["curve"]["learning_rate"] = json!(rates);
    }
    out.json(&report);
    curve_written
}

/// Saves the model (if asked), then draws the curve (if asked). An error
/// saving the model is returned at once; an error drawing the curve comes
/// back inside `Ok`, for the caller to return once the results are printed,
/// and says whether the model is safe.
fn save_then_curve(
    save: Option<(&Path, &Model, &ModelInfo)>,
    curve: Option<(&Path, &LearningCurve)>,
    out: &Reporter,
) -> Result<Result<()>> {
    if let Some((path, network, info)) = save {
        model_file::save(path, network, info)?;
        out.line(format_args!("saved the network to {}", path.display()));
    }
    let Some((path, curve)) = curve else {
        return Ok(Ok(()));
    };
    Ok(match write_curve(path, curve) {
        Ok(()) => {
            out.line(format_args!(
                "wrote the learning curve to {}",
                path.display()
            ));
            Ok(())
        }
        // A plain error (exit 1), not the usage error a refused path is
        // before training: the flags were right, the disk changed.
        // The cause names the file.
        Err(err) => Err(anyhow::anyhow!(
            "cannot write the learning curve{}: {err:#}",
            match save {
                Some((model, ..)) => format!(" (the network is saved to {})", model.display()),
                None => String::new(),
            }
        )),
    })
}

pub fn run_test(args: &TestArgs) -> Result<()> {
    let threads = crate::threads(args.threads);
    let out = Reporter::new(args.json);
    if let Some(path) = &args.mistakes {
        check_writable(path)?;
    }
    let (net, info) = model_file::load(&args.model)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_net::NeuralNetwork;

    #[test]
    fn a_curve_that_cannot_be_written_comes_after_the_model_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let model_path = dir.path().join("m.safetensors");
        // A folder that is gone by the end of the run (made unwritable, removed).
        let curve_path = dir.path().join("gone").join("c.png");
        let network = Model::Book(NeuralNetwork::new(784, 3, 10, 0.1, 1).unwrap());
        let curve = LearningCurve {
            title: "t".into(),
            mean_error: vec![0.1],
            accuracy: vec![0.5],
            validation_accuracy: Vec::new(),
        };
        let info = ModelInfo::default();
        let written = save_then_curve(
            Some((&model_path, &network, &info)),
            Some((&curve_path, &curve)),
            &Reporter::new(true),
        )
        .expect("the model is saved");
        let err = written.expect_err("the curve cannot be written");
        let message = format!("{err:#}");
        assert!(
            message.contains("cannot write the learning curve"),
            "{message}"
        );
        assert!(
            message.contains(&format!("the network is saved to {}", model_path.display())),
            "{message}"
        );
        assert!(
            err.downcast_ref::<crate::UsageError>().is_none(),
            "exit 1, not 2"
        );
        let (loaded, _) = model_file::load(&model_path).unwrap();
        assert_eq!(loaded.layer_sizes(), [784, 3, 10]);
    }
}
