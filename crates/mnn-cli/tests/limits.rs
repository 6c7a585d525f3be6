//! Flags at and past their limits, outputs that are not regular files, and a
//! learning rate so large that training diverges (issue 16).

mod common;

use common::*;

#[test]
fn flags_past_their_limits_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    for (args, flag, reason) in [
        (&["train", "--lr", "1e39"][..], "--lr", "at most 3.4e38"),
        (&["train", "--lr", "-1"], "--lr", "greater than 0"),
        (&["train", "--lr", "0"], "--lr", "greater than 0"),
        (
            &["train", "--epochs", "4294967295"],
            "--epochs",
            "not in 0..=1000",
        ),
        (
            &["train", "--threads", "1000"],
            "--threads",
            "not in 1..=256",
        ),
        (&["sweep", "lr", "--lr", "1e39"], "--lr", "at most 3.4e38"),
    ] {
        let out = mnn(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(&format!("for '{flag} ")), "{args:?}: {err}");
        assert!(err.contains(reason), "{args:?}: {err}");
    }
}

#[test]
fn devices_and_links_are_refused_as_outputs_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.safetensors");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
    let mut cases = vec![("/dev/full".to_string(), "is not a regular file")];
    if cfg!(unix) {
        cases.push((link.display().to_string(), "is a symbolic link"));
    }
    for (path, reason) in cases {
        let out = mnn(&["train", "--save", &path], dir.path());
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = stderr(&out);
        assert!(err.contains(reason), "{path}: {err}");
        assert!(!err.contains("epoch"), "trained first: {err}");
    }
}

#[test]
fn a_diverging_run_says_so_naming_the_learning_rate() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |name: &str| repo_data().join(name).display().to_string();
    let run = |lr: &str| {
        let (train, test) = (csv("mnist_train_100.csv"), csv("mnist_test_10.csv"));
        let args = [
            "train",
            "--train-csv",
            &train,
            "--test-csv",
            &test,
            "--hidden",
            "20",
            "--epochs",
            "1",
            "--lr",
            lr,
            "--json",
        ];
        mnn(&args, dir.path())
    };
    let out = run("1e9");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: training diverged with learning rate 1000000000"),
        "{}",
        stderr(&out)
    );
    assert_eq!(last_json(&out)["diverged"], true);

    let out = run("0.1");
    assert!(!stderr(&out).contains("diverged"), "{}", stderr(&out));
    assert_eq!(last_json(&out)["diverged"], false);
}

/// A sweep's `--values` meet the limits of `mnn train`'s flags for the same
/// setting, in the same words, naming `--values`, before any data is read.
#[test]
fn sweep_values_meet_the_limits_of_train_flags() {
    let dir = tempfile::tempdir().unwrap();
    for (args, reason) in [
        (
            &["sweep", "lr", "--values", "0.1,1e39"][..],
            "at most 3.4e38",
        ),
        (&["sweep", "lr", "--values", "1e-50"], "greater than 0"),
        (
            &["sweep", "epochs", "--values", "1000000"],
            "from 1 to 1000",
        ),
        (&["sweep", "epochs", "--values", "2.5"], "whole number"),
        (
            &["sweep", "hidden", "--values", "100001"],
            "from 1 to 100000",
        ),
        (&["sweep", "rotate", "--values", "1e39"], "from -180 to 180"),
    ] {
        let out = mnn(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("error: --values "), "{args:?}: {err}");
        assert!(err.contains(reason), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // the same words as the flag's
    let flag = stderr(&mnn(&["train", "--lr", "1e39"], dir.path()));
    let values = stderr(&mnn(&["sweep", "lr", "--values", "1e39"], dir.path()));
    let limit = values.split(": ").last().unwrap().trim();
    assert!(flag.contains(limit), "{flag} / {values}");
}

#[test]
fn a_sweep_warns_of_a_training_that_diverged() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |name: &str| repo_data().join(name).display().to_string();
    let (train, test) = (csv("mnist_train_100.csv"), csv("mnist_test_10.csv"));
    let args = [
        "sweep",
        "lr",
        "--values",
        "0.1,1e30",
        "--seeds",
        "1",
        "--hidden",
        "20",
        "--train-csv",
        &train,
        "--test-csv",
        &test,
        "--out",
        "s",
    ];
    let out = mnn(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: lr 1e30 seed 1: training diverged with learning rate 1e30"),
        "{err}"
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
}

#[test]
fn a_run_that_learns_nothing_says_so_with_a_learning_rate_to_try() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |name: &str| repo_data().join(name).display().to_string();
    let (train, test) = (csv("mnist_train_100.csv"), csv("mnist_test_10.csv"));
    let run = |lr: &str| {
        let args = [
            "train",
            "--train-csv",
            &train,
            "--test-csv",
            &test,
            "--hidden",
            "20",
            "--activation",
            "tanh",
            "--loss",
            "cross-entropy",
            "--epochs",
            "2",
            "--lr",
            lr,
            "--json",
        ];
        mnn(&args, dir.path())
    };
    let out = run("100");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: the network stopped learning")
            && err.contains("learning rate 100 is probably too large")
            && err.contains("try a smaller --lr (e.g. 10)"),
        "{err}"
    );
    let json = last_json(&out);
    assert_eq!(json["stalled"]["reason"], "training error not falling");
    assert_eq!(json["stalled"]["suggested_lr"], 10.0);
    // the keys that were there are still there
    for key in ["accuracy", "correct", "curve", "layers", "lr", "epochs"] {
        assert!(json.get(key).is_some(), "{key}");
    }

    let out = run("0.01");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert_eq!(last_json(&out)["stalled"], serde_json::Value::Null);
}

#[test]
fn a_sweep_warns_of_a_training_that_learned_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |name: &str| repo_data().join(name).display().to_string();
    let (train, test) = (csv("mnist_train_100.csv"), csv("mnist_test_10.csv"));
    let args = [
        "sweep",
        "lr",
        "--values",
        "0.01,100",
        "--seeds",
        "1",
        "--hidden",
        "20",
        "--epochs",
        "2",
        "--activation",
        "tanh",
        "--loss",
        "cross-entropy",
        "--train-csv",
        &train,
        "--test-csv",
        &test,
        "--out",
        "s",
    ];
    let out = mnn(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: lr 100 seed 1: the network stopped learning")
            && err.contains("try a smaller --lr (e.g. 10)"),
        "{err}"
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
}
