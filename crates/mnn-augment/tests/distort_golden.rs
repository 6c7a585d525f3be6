//! The distortions beyond the book against scipy, each for a fixed draw.
//!
//! `tests/data/distort.json` comes from `make_distort.py` (read it for the
//! scipy calls): a fixed random field smoothed by `gaussian_filter`, Simard's
//! elastic distortion through `map_coordinates`, affine draws through
//! `affine_transform`, whole-pixel shifts through `ndimage.shift`, and all at
//! once, on the first MNIST test digit.

use mnn_augment::{Affine, Gaussian, distort_into, elastic_field};
use serde_json::Value;

const TOLERANCE: f32 = 1e-4;

fn golden() -> Value {
    let path = format!("{}/tests/data/distort.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn numbers(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .expect("an array of numbers")
        .iter()
        .map(|v| v.as_f64().expect("a number") as f32)
        .collect()
}

fn number(value: &Value) -> f32 {
    value.as_f64().expect("a number") as f32
}

fn assert_close(what: &str, got: &[f32], expected: &[f32], tolerance: f32) {
    assert_eq!(got.len(), expected.len(), "{what}: lengths");
    let worst = got
        .iter()
        .zip(expected)
        .map(|(g, e)| (g - e).abs())
        .fold(0.0, f32::max);
    println!("{what}: max |rust - scipy| = {worst:e}");
    assert!(worst <= tolerance, "{what}: off by {worst}");
}

/// The elastic displacement field for the golden raw field.
fn field(golden: &Value) -> (Vec<f32>, Vec<f32>) {
    let size = golden["size"].as_u64().unwrap() as usize;
    let (mut rows, mut cols) = (numbers(&golden["raw_rows"]), numbers(&golden["raw_cols"]));
    let mut scratch = vec![0.0; size * size];
    let gaussian = Gaussian::new(number(&golden["sigma"]));
    let alpha = number(&golden["alpha"]);
    elastic_field(
        &mut rows,
        &mut cols,
        size,
        size,
        &gaussian,
        alpha,
        &mut scratch,
    );
    (rows, cols)
}

fn affine(draw: &Value) -> Affine {
    Affine {
        degrees: number(&draw["degrees"]),
        scale: number(&draw["scale"]),
        shift_rows: number(&draw["shift_rows"]),
        shift_cols: number(&draw["shift_cols"]),
    }
}

#[test]
fn gaussian_smoothing_matches_scipy_gaussian_filter() {
    let golden = golden();
    let smooth = golden["smooth"].as_object().unwrap();
    assert_eq!(smooth.len(), 2);
    for (sigma, expected) in smooth {
        let mut values = numbers(&golden["raw_rows"]);
        let mut scratch = vec![0.0; values.len()];
        Gaussian::new(sigma.parse().unwrap()).smooth(&mut values, 28, 28, &mut scratch);
        assert_close(
            &format!("gaussian_filter sigma {sigma}"),
            &values,
            &numbers(expected),
            1e-6,
        );
    }
}

#[test]
fn elastic_distortion_matches_scipy_map_coordinates() {
    let golden = golden();
    let (rows, cols) = field(&golden);
    let input = numbers(&golden["input"]);
    let mut out = vec![0.0; input.len()];
    let fill = number(&golden["fill"]);
    distort_into(
        &input,
        28,
        28,
        &Affine::IDENTITY,
        Some((&rows, &cols)),
        fill,
        &mut out,
    );
    assert_close(
        "elastic sigma 4 alpha 34",
        &out,
        &numbers(&golden["elastic"]),
        TOLERANCE,
    );
    // The distortion really moves the digit.
    let moved = out
        .iter()
        .zip(&input)
        .filter(|(a, b)| (*a - *b).abs() > 0.1)
        .count();
    assert!(moved > 20, "only {moved} pixels changed");
}

#[test]
fn affine_draws_match_scipy_affine_transform() {
    let golden = golden();
    let input = numbers(&golden["input"]);
    let fill = number(&golden["fill"]);
    let draws = golden["affine"].as_array().unwrap();
    assert_eq!(draws.len(), 5);
    for draw in draws {
        let mut out = vec![0.0; input.len()];
        let affine = affine(draw);
        distort_into(&input, 28, 28, &affine, None, fill, &mut out);
        assert_close(
            &format!("{affine:?}"),
            &out,
            &numbers(&draw["output"]),
            TOLERANCE,
        );
    }
}

#[test]
fn shifts_match_scipy_shift() {
    let golden = golden();
    let input = numbers(&golden["input"]);
    let fill = number(&golden["fill"]);
    for draw in golden["shift"].as_array().unwrap() {
        let shift = Affine {
            shift_rows: number(&draw["shift_rows"]),
            shift_cols: number(&draw["shift_cols"]),
            ..Affine::IDENTITY
        };
        let mut out = vec![0.0; input.len()];
        distort_into(&input, 28, 28, &shift, None, fill, &mut out);
        // Whole-pixel moves copy pixels exactly.
        assert_close(&format!("{shift:?}"), &out, &numbers(&draw["output"]), 1e-6);
    }
}

#[test]
fn affine_and_elastic_together_match_scipy() {
    let golden = golden();
    let (rows, cols) = field(&golden);
    let input = numbers(&golden["input"]);
    let draw = &golden["combined"];
    let mut out = vec![0.0; input.len()];
    let fill = number(&golden["fill"]);
    distort_into(
        &input,
        28,
        28,
        &affine(draw),
        Some((&rows, &cols)),
        fill,
        &mut out,
    );
    assert_close(
        "affine + elastic",
        &out,
        &numbers(&draw["output"]),
        TOLERANCE,
    );
}
