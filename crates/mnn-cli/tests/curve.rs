//! End-to-end: `mnn train` reports its learning curve (each epoch's mean
//! training error and test accuracy), in text, JSON and a chart.

mod common;

use common::*;

#[test]
fn train_prints_and_draws_each_epochs_error_and_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "train", "--hidden", "20", "--epochs", "3", "--json", "--curve", "c.svg",
    ];
    let out = mnn(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let result = last_json(&out);
    let curve = &result["curve"];
    let floats = |key: &str| -> Vec<f64> {
        curve[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} array in {curve}"))
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let (errors, accuracies) = (floats("mean_error"), floats("accuracy"));
    assert_eq!(floats("epoch"), [1.0, 2.0, 3.0]);
    assert_eq!((errors.len(), accuracies.len()), (3, 3));
    // The sample is learned: the training error falls epoch after epoch.
    assert!(errors.windows(2).all(|w| w[1] < w[0]), "{errors:?}");
    assert!(errors.iter().all(|&e| e > 0.0 && e < 0.25), "{errors:?}");
    assert_eq!(accuracies[2], result["accuracy"].as_f64().unwrap());
    // Each epoch's line (to stderr under --json) shows the same numbers.
    let text = stderr(&out);
    for (e, a) in errors.iter().zip(&accuracies) {
        let line = format!("mean training error {e:.5} · test accuracy {a:.4}");
        assert!(text.contains(&line), "no {line:?} in:\n{text}");
    }
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
    for label in [
        "epoch",
        "mean training error",
        "accuracy on the test records",
    ] {
        assert!(svg.contains(label), "{label} missing from the chart");
    }

    // The curve's first point is what one epoch alone gives.
    let one = mnn(
        &["train", "--hidden", "20", "--epochs", "1", "--json"],
        dir.path(),
    );
    let one = last_json(&one);
    assert_eq!(one["accuracy"].as_f64().unwrap(), accuracies[0]);
    assert_eq!(one["curve"]["mean_error"][0].as_f64().unwrap(), errors[0]);
}

#[test]
fn a_curve_that_is_not_png_or_svg_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let out = mnn(&["train", "--curve", "c.jpg"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("c.jpg"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("training 784"), "{}", stderr(&out));
}
