//! End-to-end, the book's part 3: your own handwriting (`mnn query`), looking
//! inside the network (`mnn backquery`) and at the data (`mnn show`).

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

fn handwriting_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwriting")
}

/// The handwriting fixtures, sorted, with the digit each shows (the first
/// character of its name).
fn handwriting() -> Vec<(PathBuf, usize)> {
    let mut files: Vec<(PathBuf, usize)> = std::fs::read_dir(handwriting_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .map(|p| {
            let digit = p.file_name().unwrap().to_str().unwrap()[..1]
                .parse()
                .unwrap();
            (p, digit)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "fixtures missing: {files:?}");
    files
}

/// Trains a network with `args` and saves it as `dir/model.safetensors`.
fn train(dir: &Path, args: &[&str]) -> PathBuf {
    let model = dir.join("model.safetensors");
    let mut all = vec!["train", "--save", model.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = mnn(&all, dir);
    assert!(out.status.success(), "{}", stderr(&out));
    model
}

/// A network trained in a few milliseconds on the built-in sample.
fn sample_model(dir: &Path) -> PathBuf {
    train(dir, &["--hidden", "20", "--epochs", "2"])
}

/// One `mnn query --json` answer.
#[derive(Debug)]
struct Answer {
    file: PathBuf,
    label: usize,
    outputs: Vec<f64>,
    input: Option<PathBuf>,
}

fn answers(o: &Output) -> Vec<Answer> {
    stdout(o)
        .lines()
        .map(|line| {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"));
            Answer {
                file: v["file"].as_str().unwrap().into(),
                label: v["label"].as_u64().unwrap() as usize,
                outputs: v["outputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect(),
                input: v["input"].as_str().map(PathBuf::from),
            }
        })
        .collect()
}

fn query(model: &Path, extra: &[&str], files: &[PathBuf], cwd: &Path) -> Output {
    let mut args = vec!["query", "--json", "--model", model.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    mnn(&args, cwd)
}

fn correct(answers: &[Answer], expected: &[(PathBuf, usize)]) -> usize {
    answers
        .iter()
        .zip(expected)
        .filter(|(a, (_, digit))| a.label == *digit)
        .count()
}

#[test]
#[ignore = "needs full MNIST in data/mnist (cargo xtask download)"]
fn full_mnist_network_reads_at_least_9_in_10_of_our_handwriting_and_the_raw_way_fewer() {
    let data = full_mnist();
    let dir = tempfile::tempdir().unwrap();
    let model = train(
        dir.path(),
        &[
            "--data",
            data.to_str().unwrap(),
            "--hidden",
            "100",
            "--lr",
            "0.1",
            "--epochs",
            "1",
        ],
    );
    let fixtures = handwriting();
    let files: Vec<PathBuf> = fixtures.iter().map(|(f, _)| f.clone()).collect();

    let out = query(&model, &[], &files, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let mnist_style = answers(&out);
    assert_eq!(mnist_style.len(), files.len());
    for (answer, file) in mnist_style.iter().zip(&files) {
        assert_eq!(&answer.file, file);
        assert_eq!(answer.outputs.len(), 10);
        assert!(answer.outputs.iter().all(|v| (0.0..=1.0).contains(v)));
        let best = (0..10)
            .max_by(|&a, &b| answer.outputs[a].total_cmp(&answer.outputs[b]))
            .unwrap();
        assert_eq!(answer.label, best, "{answer:?}");
    }
    let right = correct(&mnist_style, &fixtures);
    assert!(
        10 * right >= 9 * files.len(),
        "only {right} of {} right: {mnist_style:?}",
        files.len()
    );

    let raw = query(&model, &["--raw"], &files, dir.path());
    assert!(raw.status.success(), "{}", stderr(&raw));
    let raw_right = correct(&answers(&raw), &fixtures);
    assert!(
        raw_right < right,
        "the book's raw preparation got {raw_right}, MNIST-style {right}"
    );
    eprintln!(
        "handwriting: {right} of {} right MNIST-style, {raw_right} the book's raw way",
        files.len()
    );
}

#[test]
fn saved_inputs_are_exactly_what_the_network_saw() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    let files: Vec<PathBuf> = handwriting().into_iter().map(|(f, _)| f).collect();
    let seen = dir.path().join("seen");
    let out = query(
        &model,
        &["--save-input", seen.to_str().unwrap()],
        &files,
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let first = answers(&out);
    let saved: Vec<PathBuf> = first.iter().map(|a| a.input.clone().unwrap()).collect();
    for (path, file) in saved.iter().zip(&files) {
        assert_eq!(path.file_name(), file.file_name());
        let image = mnn_data::load_png_gray(path).unwrap();
        assert_eq!((image.width, image.height), (28, 28));
    }
    // A saved 28×28 input, read back the book's way (invert, no resizing),
    // is the very same input: the answers match to the last bit.
    let again = query(&model, &["--raw"], &saved, dir.path());
    assert!(again.status.success(), "{}", stderr(&again));
    let second = answers(&again);
    assert_eq!(second.len(), first.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!((a.label, &a.outputs), (b.label, &b.outputs), "{:?}", a.file);
    }
}

#[test]
fn bad_images_are_reported_per_file_and_fail_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    let not_png = dir.path().join("notes.png");
    std::fs::write(&not_png, "my shopping list\n").unwrap();
    let white = dir.path().join("white.png");
    mnn_data::save_png_gray(&white, 30, 40, &[255; 30 * 40]).unwrap();
    let truncated = dir.path().join("truncated.png");
    let good = handwriting()[0].0.clone();
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let missing = dir.path().join("missing.png");
    let bad = [not_png, white, truncated, missing];

    for raw in [&[][..], &["--raw"][..]] {
        let out = query(&model, raw, &bad, dir.path());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        let err = stderr(&out);
        for (file, reason) in
            bad.iter()
                .zip(["not a PNG file", "no ink", "truncated", "No such file"])
        {
            let line = format!("error: {}: ", file.display());
            assert!(
                err.lines()
                    .any(|l| l.starts_with(&line) && l.contains(reason)),
                "no {line:?}…{reason:?} in {err}"
            );
        }
        assert!(err.contains("none of the 4 images"), "{err}");

        // One good image among them: it is answered, the rest reported, and
        // the exit status says that some failed (what a script checks).
        let mut some_good = bad.to_vec();
        some_good.insert(2, good.clone());
        let out = query(&model, raw, &some_good, dir.path());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let answered = answers(&out);
        assert_eq!(answered.len(), 1);
        assert_eq!(answered[0].file, good);
        let err = stderr(&out);
        assert_eq!(err.matches("error: ").count(), 5, "{err}");
        assert!(
            err.lines()
                .last()
                .unwrap()
                .contains("4 of the 5 images could not be answered"),
            "{err}"
        );
    }
}

#[test]
fn zero_epochs_saves_the_initial_weights_of_the_seed() {
    // For training another implementation (the book's numpy code) from the
    // same start: `benches/book_numpy.py --init`.
    let dir = tempfile::tempdir().unwrap();
    let model = train(
        dir.path(),
        &[
            "--hidden", "20", "--lr", "0.05", "--epochs", "0", "--seed", "7",
        ],
    );
    let (saved, info) =
        mnn_net::NeuralNetwork::from_safetensors(&std::fs::read(model).unwrap()).unwrap();
    let fresh = mnn_net::NeuralNetwork::new(784, 20, 10, 0.05, 7).unwrap();
    assert_eq!(saved.weights_input_hidden(), fresh.weights_input_hidden());
    assert_eq!(saved.weights_hidden_output(), fresh.weights_hidden_output());
    assert_eq!((info.seed, info.epochs), (Some(7), Some(0)));
}

#[test]
fn a_damaged_model_file_is_a_clear_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    let bytes = std::fs::read(&model).unwrap();
    let truncated = dir.path().join("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, b"not a model at all").unwrap();
    let missing = dir.path().join("missing.safetensors");
    let image = handwriting()[0].0.clone();
    for bad in [&truncated, &garbage, &missing] {
        let model = bad.to_str().unwrap();
        for args in [
            vec!["query", "--model", model, image.to_str().unwrap()],
            vec!["backquery", "--model", model, "--out", "brain"],
        ] {
            let out = mnn(&args, dir.path());
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(stdout(&out), "");
            let err = stderr(&out);
            assert!(err.starts_with(&format!("error: {model}: ")), "{err}");
        }
    }
    assert!(!dir.path().join("brain").exists());
}

#[test]
fn backquery_writes_ten_pictures_and_a_labelled_grid() {
    let dir = tempfile::tempdir().unwrap();
    let model = sample_model(dir.path());
    for (scale, side) in [(None, 280), (Some("3"), 84)] {
        let out_dir = dir.path().join(format!("brain{side}"));
        let mut args = vec![
            "backquery",
            "--model",
            model.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ];
        if let Some(scale) = scale {
            args.extend(["--scale", scale]);
        }
        let out = mnn(&args, dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let mut pictures = Vec::new();
        for label in 0..10 {
            let image = mnn_data::load_png_gray(out_dir.join(format!("{label}.png"))).unwrap();
            assert_eq!((image.width, image.height), (side, side));
            // Blown up: every pixel is a square of equal pixels.
            let scale = side / 28;
            for (i, &p) in image.pixels.iter().enumerate() {
                let (x, y) = (i % side, i / side);
                assert_eq!(p, image.get(x / scale * scale, y / scale * scale));
            }
            let (min, max) = (
                image.pixels.iter().min().unwrap(),
                image.pixels.iter().max().unwrap(),
            );
            assert_eq!((*min, *max), (0, 255), "the book's Greys: full range");
            pictures.push(image.pixels);
        }
        assert!(pictures.windows(2).all(|w| w[0] != w[1]));
        // Gradient ascent beside backquery: ten more, each its own picture.
        let ascents: Vec<_> = (0..10)
            .map(|label| {
                let image =
                    mnn_data::load_png_gray(out_dir.join(format!("ascent_{label}.png"))).unwrap();
                assert_eq!((image.width, image.height), (side, side));
                image.pixels
            })
            .collect();
        assert!(ascents.windows(2).all(|w| w[0] != w[1]));
        assert!(ascents.iter().zip(&pictures).all(|(a, b)| a != b));
        let grid = mnn_data::load_png_gray(out_dir.join("grid.png")).unwrap();
        // Two rows of ten 112-pixel pictures side by side, labels above them.
        assert!(
            grid.width > 10 * 112 && grid.width < 12 * 112,
            "{}",
            grid.width
        );
        assert!(
            grid.height > 2 * 112 && grid.height < 4 * 112,
            "{}",
            grid.height
        );
    }
    // A folder given with a trailing slash is printed without a doubled one.
    let out = mnn(
        &[
            "backquery",
            "--model",
            model.to_str().unwrap(),
            "--out",
            "brain/",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.starts_with("wrote brain/0.png .. 9.png"), "{said}");
    assert!(
        said.contains("wrote brain/ascent_0.png .. ascent_9.png"),
        "{said}"
    );
    assert!(!said.contains("//"), "{said}");
}

/// The first record of the book's test sample, `data/mnist_test_10.csv`.
fn first_test_record() -> (u8, Vec<u8>) {
    let csv = std::fs::read_to_string(repo_data().join("mnist_test_10.csv")).unwrap();
    let values: Vec<u8> = csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|v| v.trim().parse().unwrap())
        .collect();
    (values[0], values[1..].to_vec())
}

#[test]
fn show_writes_a_record_as_the_book_draws_it_and_prints_its_label() {
    let dir = tempfile::tempdir().unwrap(); // no data/mnist here: the built-in sample
    let (label, pixels) = first_test_record();
    assert_eq!(label, 7);
    let png = dir.path().join("digit.png");
    let out = mnn(
        &[
            "show",
            "--test",
            "--index",
            "0",
            "--out",
            png.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("label 7"), "{}", stdout(&out));
    let image = mnn_data::load_png_gray(&png).unwrap();
    assert_eq!((image.width, image.height), (28, 28));
    let dark_ink: Vec<u8> = pixels.iter().map(|p| 255 - p).collect();
    assert_eq!(image.pixels, dark_ink);

    let big = dir.path().join("big.png");
    let out = mnn(
        &[
            "show",
            "--test",
            "--index",
            "0",
            "--out",
            big.to_str().unwrap(),
            "--scale",
            "5",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let image = mnn_data::load_png_gray(&big).unwrap();
    assert_eq!((image.width, image.height), (140, 140));
    assert_eq!(image.get(5 * 10 + 4, 5 * 20 + 2), dark_ink[20 * 28 + 10]);

    // Read back the book's way, the PNG is the record itself again.
    let model = sample_model(dir.path());
    let seen = dir.path().join("seen");
    let out = query(
        &model,
        &["--raw", "--save-input", seen.to_str().unwrap()],
        &[png],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let seen = mnn_data::load_png_gray(seen.join("digit.png")).unwrap();
    assert_eq!(seen.pixels, dark_ink);
}

#[test]
fn show_draws_in_the_terminal_without_out() {
    let dir = tempfile::tempdir().unwrap();
    let (_, pixels) = first_test_record();
    let out = mnn(&["show", "--test", "--index", "0"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 29, "{text}");
    assert!(lines[28].starts_with("label 7"));
    for (y, line) in lines[..28].iter().enumerate() {
        let cells: Vec<char> = line.chars().collect();
        for x in 0..28 {
            let cell = cells.get(2 * x).copied().unwrap_or(' ');
            assert_eq!(cell == ' ', pixels[y * 28 + x] == 0, "row {y} col {x}");
        }
    }
}

#[test]
fn show_refuses_an_index_past_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = mnn(&["show", "--test", "--index", "10"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains("--index 10") && err.contains("10 records"),
        "{err}"
    );
}
