//! End-to-end: the `mnn` program as a person runs it.

mod common;

use common::*;

#[test]
fn without_data_it_trains_on_the_built_in_sample_and_says_so() {
    let empty = tempfile::tempdir().unwrap();
    let out = mnn(
        &["train", "--epochs", "2", "--hidden", "50", "--json"],
        empty.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Run outside an mnn checkout: `cargo xtask` would not help here.
    let note = stderr(&out);
    assert!(note.contains("note: data/mnist not found"), "{note}");
    assert!(
        note.contains("--data DIR") && note.contains("MNN_DATA"),
        "{note}"
    );
    let result = last_json(&out);
    assert_eq!(result["data"], "sample");
    assert_eq!(result["train_records"], 100);
    assert_eq!(result["test_records"], 10);
    let accuracy = result["accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&accuracy));
}

#[test]
fn an_empty_or_half_filled_data_folder_does_not_hide_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    // Seen from the top of a checkout, where `cargo xtask download` helps.
    std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
    std::fs::create_dir(dir.path().join("xtask")).unwrap();
    let mnist = dir.path().join("data/mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    let args = ["train", "--epochs", "1", "--hidden", "20", "--json"];
    let out = mnn(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_json(&out)["data"], "sample");
    let note = stderr(&out);
    assert!(
        note.contains("data/mnist holds none of the MNIST files"),
        "{note}"
    );
    assert!(note.contains("cargo xtask download"), "{note}");

    std::fs::write(mnist.join("train-images-idx3-ubyte.gz"), b"half a download").unwrap();
    let out = mnn(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(last_json(&out)["data"], "sample");
    let note = stderr(&out);
    assert!(
        note.contains("data/mnist holds train-images-idx3-ubyte but not train-labels-idx1-ubyte"),
        "{note}"
    );
}

#[test]
fn mnn_alone_runs_the_books_final_experiment_and_its_help_lists_commands_only() {
    let empty = tempfile::tempdir().unwrap();
    let out = mnn(&[], empty.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("training 784-200-10, learning rate 0.1, 5 epochs"),
        "{}",
        stdout(&out)
    );
    let help = stdout(&mnn(&["--help"], empty.path()));
    assert!(help.contains("train") && help.contains("sweep"), "{help}");
    for flag in ["--hidden", "--threads", "--data", "--limit"] {
        assert!(!help.contains(flag), "{flag} in mnn --help:\n{help}");
    }
    // --threads only where one network trains or is tested.
    for (command, has_threads) in [
        ("train", true),
        ("test", true),
        ("bench", true),
        ("serve", true),
        ("query", false),
        ("backquery", false),
        ("show", false),
        ("sweep", false),
    ] {
        let help = stdout(&mnn(&[command, "--help"], empty.path()));
        assert_eq!(
            help.contains("--threads"),
            has_threads,
            "{command}:\n{help}"
        );
    }
    // One name, one meaning: --limit is a number of training records.
    let test_help = stdout(&mnn(&["test", "--help"], empty.path()));
    assert!(!test_help.contains("--limit"), "{test_help}");
    assert!(test_help.contains("--mistakes-shown"), "{test_help}");
}

#[test]
fn bad_flags_exit_with_code_2_and_a_message() {
    let empty = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["train", "--lr", "0"], "--lr"),
        (vec!["train", "--lr", "-1"], "--lr"),
        (vec!["train", "--hidden", "0"], "--hidden"),
        (vec!["train", "--epochs", "two"], "--epochs"),
        (vec!["train", "--data", "no/such/dir"], "no/such/dir"),
        (vec!["train", "--frobnicate"], "--frobnicate"),
    ] {
        let out = mnn(&args, empty.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_csv_line_with_783_pixels_is_a_one_line_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(repo_data().join("mnist_test_10.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let short = lines[2].rsplit_once(',').unwrap().0.to_string(); // drop the last pixel
    lines[2] = short;
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = mnn(
        &[
            "train",
            "--train-csv",
            bad.to_str().unwrap(),
            "--test-csv",
            bad.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.csv:3:") && err.contains("found 784"),
        "{err}"
    );
}

#[test]
fn a_truncated_idx_file_is_a_one_line_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("t10k-images-idx3-ubyte");
    // A header announcing 10 images of 28×28, then only half of the first image.
    let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28];
    bytes.extend(vec![0u8; 392]);
    std::fs::write(&images, &bytes).unwrap();
    std::fs::write(
        dir.path().join("t10k-labels-idx1-ubyte"),
        [0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0],
    )
    .unwrap();
    for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] {
        let source = if name.contains("images") {
            &images
        } else {
            &dir.path().join("t10k-labels-idx1-ubyte")
        };
        std::fs::copy(source, dir.path().join(name)).unwrap();
    }
    let out = mnn(
        &["train", "--data", dir.path().to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("-images-idx3-ubyte: truncated"), "{err}");
}

#[test]
fn a_saved_model_tests_to_the_same_accuracy_and_bad_models_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.safetensors");
    let trained = mnn(
        &[
            "train",
            "--epochs",
            "3",
            "--hidden",
            "30",
            "--save",
            "m.safetensors",
            "--json",
        ],
        dir.path(),
    );
    assert!(trained.status.success(), "{}", stderr(&trained));
    let tested = mnn(&["test", "--model", "m.safetensors", "--json"], dir.path());
    assert!(tested.status.success(), "{}", stderr(&tested));
    assert_eq!(
        last_json(&trained)["accuracy"],
        last_json(&tested)["accuracy"]
    );
    assert_eq!(last_json(&tested)["epochs"], 3);

    // A truncated copy: a clear error naming the file, and the original untouched.
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(
        dir.path().join("cut.safetensors"),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    let out = mnn(&["test", "--model", "cut.safetensors"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cut.safetensors: not a usable mnn model"),
        "{}",
        stderr(&out)
    );
    let out = mnn(&["test", "--model", "missing.safetensors"], dir.path());
    assert!(
        stderr(&out).contains("missing.safetensors: cannot read"),
        "{}",
        stderr(&out)
    );
}

#[test]
#[ignore = "needs full MNIST in data/mnist (cargo xtask download)"]
fn full_mnist_one_epoch_of_100_hidden_reaches_the_books_accuracy() {
    let data = full_mnist();
    let out = mnn(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--hidden",
            "100",
            "--lr",
            "0.3",
            "--epochs",
            "1",
            "--json",
        ],
        &repo_data(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let result = last_json(&out);
    assert_eq!(result["train_records"], 60000);
    assert_eq!(result["test_records"], 10000);
    let accuracy = result["accuracy"].as_f64().unwrap();
    // The book: 0.9473.
    assert!(accuracy >= 0.94, "accuracy {accuracy}");
}

#[test]
fn test_needs_only_the_test_set_and_output_paths_are_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let csv = |name: &str| repo_data().join(name).to_str().unwrap().to_string();
    // A save into a folder that is not there is refused before training.
    let out = mnn(&["train", "--save", "nodir/m.safetensors"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "error: nodir/m.safetensors: cannot write: folder nodir does not exist"
    );
    assert!(!stderr(&out).contains("epoch"), "{}", stderr(&out));

    let trained = mnn(
        &[
            "train",
            "--hidden",
            "20",
            "--epochs",
            "1",
            "--save",
            "m.safetensors",
        ],
        dir.path(),
    );
    assert!(trained.status.success(), "{}", stderr(&trained));
    // The test set alone is enough for `mnn test`.
    let tested = mnn(
        &[
            "test",
            "--model",
            "m.safetensors",
            "--test-csv",
            &csv("mnist_test_10.csv"),
            "--json",
        ],
        dir.path(),
    );
    assert!(tested.status.success(), "{}", stderr(&tested));
    assert_eq!(last_json(&tested)["test_records"], 10);
    // Training still needs both.
    let out = mnn(
        &["train", "--test-csv", &csv("mnist_test_10.csv")],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--test-csv needs --train-csv"));

    // An unreadable file's reason is said once.
    let out = mnn(
        &["test", "--model", "m.safetensors", "--test-csv", "nope.csv"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    assert!(text.starts_with("error: nope.csv: "), "{text}");
}

#[test]
fn a_closed_stdout_stops_the_printing_not_the_work() {
    // `mnn train --save m.safetensors | head -1`, with the reader gone before
    // mnn's first line: every line finds the pipe closed, and the model must
    // still be saved.
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args(["train", "--epochs", "3", "--hidden", "20"])
        .args(["--save", "m.safetensors"])
        .current_dir(dir.path())
        .env_remove("MNN_DATA")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("mnn runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let saved = mnn(&["test", "--model", "m.safetensors", "--json"], dir.path());
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert_eq!(last_json(&saved)["test_records"], 10);
}
