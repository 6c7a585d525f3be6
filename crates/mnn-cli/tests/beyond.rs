//! `mnn` beyond the book, end to end: deeper networks, biases, other
//! activations and losses, a learning-rate schedule and distortions, saved
//! and used again by `test`, `query` and `backquery`.

mod common;

use common::{last_json, mnn, repo_data, stderr, stdout};
use std::path::Path;

fn csv_args(data: &Path) -> Vec<String> {
    vec![
        "--train-csv".into(),
        data.join("mnist_train_100.csv").display().to_string(),
        "--test-csv".into(),
        data.join("mnist_test_10.csv").display().to_string(),
    ]
}

fn run(args: &[&str], extra: &[String], cwd: &Path) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    mnn(&all, cwd)
}

#[test]
fn a_deep_network_trains_saves_and_is_tested_queried_and_backqueried() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo_data();
    let model = dir.path().join("deep.safetensors");
    let model_arg = model.display().to_string();
    let out = run(
        &[
            "train",
            "--hidden",
            "24,12",
            "--bias",
            "--activation",
            "tanh",
            "--loss",
            "cross-entropy",
            "--lr",
            "0.05",
            "--lr-decay",
            "0.5",
            "--augment",
            "elastic,shift=1",
            "--epochs",
            "3",
            "--json",
            "--save",
            &model_arg,
        ],
        &csv_args(&data),
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // With --json the report goes to stderr, the JSON alone to stdout.
    let text = stderr(&out) + &stdout(&out);
    assert!(text.contains("training 784-24-12-10 tanh, cross-entropy (softmax), biases, learning rate 0.05 ×0.5 per epoch, distortions shift=1,elastic,sigma=4,alpha=34"), "{text}");
    assert!(text.contains("epoch 3/3: 100 samples in"), "{text}");
    let json = last_json(&out);
    assert_eq!(json["layers"], serde_json::json!([784, 24, 12, 10]));
    assert_eq!(json["hidden"], serde_json::json!([24, 12]));
    assert_eq!(
        json["curve"]["learning_rate"],
        serde_json::json!([0.05, 0.025, 0.0125])
    );
    assert_eq!(json["loss"], "cross-entropy");
    let accuracy = json["accuracy"].as_f64().unwrap();

    let out = run(
        &["test", "--json", "--model", &model_arg],
        &csv_args(&data)[2..],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tested = last_json(&out);
    assert_eq!(tested["accuracy"].as_f64().unwrap(), accuracy);
    assert_eq!(tested["layers"], serde_json::json!([784, 24, 12, 10]));

    let digit = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwriting/0_grey8.png");
    let out = mnn(
        &[
            "query",
            "--json",
            "--model",
            &model_arg,
            &digit.display().to_string(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let answer = last_json(&out);
    let outputs: Vec<f64> = answer["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(outputs.len(), 10);
    assert!(
        (outputs.iter().sum::<f64>() - 1.0).abs() < 1e-4,
        "softmax outputs sum to 1: {outputs:?}"
    );

    let pictures = dir.path().join("brain");
    let out = mnn(
        &[
            "backquery",
            "--model",
            &model_arg,
            "--out",
            &pictures.display().to_string(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pictures.join("grid.png").exists() && pictures.join("9.png").exists());
}

#[test]
fn a_relu_network_is_imagined_by_gradient_ascent_alone_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("relu.safetensors").display().to_string();
    let out = run(
        &[
            "train",
            "--hidden",
            "16",
            "--activation",
            "relu",
            "--epochs",
            "1",
            "--save",
            &model,
        ],
        &csv_args(&repo_data()),
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mnn(
        &["backquery", "--model", &model, "--out", "brain"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.starts_with("no backquery: the 784-16-10, relu network's ReLU layers have no inverse"),
        "{said}"
    );
    let brain = dir.path().join("brain");
    assert!(!brain.join("0.png").exists());
    let grid = mnn_data::load_png_gray(brain.join("grid.png")).unwrap();
    assert!(
        grid.height > 112 && grid.height < 2 * 112,
        "one row: {}",
        grid.height
    );
    for label in 0..10 {
        let image = mnn_data::load_png_gray(brain.join(format!("ascent_{label}.png"))).unwrap();
        assert_eq!((image.width, image.height), (280, 280));
    }
}

#[test]
fn the_books_flags_spelt_out_are_the_books_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo_data();
    let train = |extra: &[&str], name: &str| {
        let model = dir.path().join(name).display().to_string();
        let mut args = vec![
            "train", "--hidden", "30", "--epochs", "2", "--json", "--save", &model,
        ];
        args.extend(extra);
        let out = run(&args, &csv_args(&data), dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        (
            last_json(&out),
            std::fs::read(dir.path().join(name)).unwrap(),
        )
    };
    let (book, book_bytes) = train(&[], "book.safetensors");
    let (spelt, spelt_bytes) = train(
        &[
            "--activation",
            "sigmoid",
            "--loss",
            "squared",
            "--lr-decay",
            "1",
            "--augment",
            "none",
        ],
        "spelt.safetensors",
    );
    assert_eq!(book["accuracy"], spelt["accuracy"]);
    assert_eq!(book["curve"], spelt["curve"]);
    assert_eq!(book["hidden"], 30);
    // Same weights (the metadata's order may differ): the tensors' bytes are at the end.
    let tail = 4 * (784 * 30 + 30 * 10);
    assert_eq!(
        book_bytes[book_bytes.len() - tail..],
        spelt_bytes[spelt_bytes.len() - tail..]
    );
}

#[test]
fn bad_options_beyond_the_book_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value, message) in [
        ("--augment", "wobble", "unknown augmentation \"wobble\""),
        (
            "--augment",
            "scale=2",
            "scale=\"2\": must be at least 0 and below 1",
        ),
        ("--lr-decay", "0", "must be above 0 and at most 1, got 0"),
        ("--activation", "softplus", "softplus"),
        ("--hidden", "500,0", "0 is not in 1..=100000"),
    ] {
        let out = mnn(&["train", flag, value], dir.path());
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = stderr(&out);
        assert!(err.contains(message), "{flag} {value}: {err}");
    }
}
