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
