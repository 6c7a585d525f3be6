//! End-to-end: pictures of the inside of a saved network (`mnn weights`).

mod common;

use common::*;

#[test]
fn weights_draws_every_hidden_node_most_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.safetensors");
    let out = mnn(
        &[
            "train",
            "--hidden",
            "12",
            "--epochs",
            "1",
            "--save",
            model.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mnn(
        &[
            "weights",
            "--model",
            "m.safetensors",
            "--out",
            "w",
            "--scale",
            "2",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("12 of 12 hidden nodes"),
        "{}",
        stdout(&out)
    );

    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(dir.path().join("w/grid.png")).unwrap(),
    ));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    // 12 pictures of 56×56: 5 across (about 16:9), 3 rows.
    assert_eq!(
        (info.width, info.height),
        (6 + 5 * 62, 6 + 3 * (10 + 56 + 6))
    );
    assert_eq!(info.color_type, png::ColorType::Rgb);

    let csv = std::fs::read_to_string(dir.path().join("w/nodes.csv")).unwrap();
    let norms: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert_eq!(norms.len(), 12);
    assert!(norms.windows(2).all(|w| w[0] >= w[1]), "{norms:?}");
}

#[test]
fn weights_of_a_missing_model_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = mnn(
        &["weights", "--model", "nope.safetensors", "--out", "w"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nope.safetensors"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("w").exists());
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    (reader.info().width, reader.info().height)
}

#[test]
fn show_grid_draws_a_hundred_records_and_scale_enlarges_saved_inputs() {
    let dir = tempfile::tempdir().unwrap();
    // The built-in sample's 100 training records, 10×10, each 28×2 with a label.
    let out = mnn(
        &["show", "--grid", "--out", "g.png", "--scale", "2"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("records 0..=99"), "{}", stdout(&out));
    let (margin, label) = (8, 7 + 4);
    assert_eq!(
        png_size(&dir.path().join("g.png")),
        (
            margin + 10 * (56 + margin),
            margin + 10 * (label + 56 + margin)
        )
    );
    // --grid without --out is a usage error.
    let out = mnn(&["show", "--grid"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let model = dir.path().join("m.safetensors");
    let trained = mnn(
        &[
            "train",
            "--hidden",
            "10",
            "--epochs",
            "1",
            "--save",
            model.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(trained.status.success(), "{}", stderr(&trained));
    let digit = repo_data().join("../crates/mnn-cli/tests/data/handwriting/3_rgba.png");
    let out = mnn(
        &[
            "query",
            "--model",
            "m.safetensors",
            "--save-input",
            "seen",
            "--scale",
            "5",
            digit.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(png_size(&dir.path().join("seen/3_rgba.png")), (140, 140));
}
