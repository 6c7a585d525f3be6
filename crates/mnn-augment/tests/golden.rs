//! End-to-end: the crate against scipy's own output.
//!
//! `tests/data/rotate.json` is the book's call on the first MNIST test image,
//! `scipy.ndimage.rotate(img, angle, order=1, mode='constant', cval=0.01, reshape=False)`;
//! `tests/data/rotate_edges.json` (from `make_rotate_edges.py`) is the same call
//! on a small oblong image with a bright border, where 'constant' and
//! 'grid-constant' differ and non-square centres matter.

use mnn_augment::{BOOK_FILL, rotate, rotations};
use serde_json::Value;

const TOLERANCE: f32 = 1e-4;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pixels(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .expect("an array of numbers")
        .iter()
        .map(|v| v.as_f64().expect("a number") as f32)
        .collect()
}

fn max_abs_difference(got: &[f32], expected: &[f32]) -> f32 {
    assert_eq!(got.len(), expected.len());
    got.iter()
        .zip(expected)
        .map(|(g, e)| (g - e).abs())
        .fold(0.0, f32::max)
}

/// Checks every angle in `golden["rotated"]`; returns how many it checked.
fn check(golden: &Value, width: usize, height: usize, fill: f32) -> usize {
    let input = pixels(&golden["input"]);
    let rotated = golden["rotated"].as_object().expect("angle -> pixels");
    for (angle, expected) in rotated {
        let degrees: f32 = angle.parse().expect("angle in degrees");
        let got = rotate(&input, width, height, degrees, fill);
        let difference = max_abs_difference(&got, &pixels(expected));
        println!("{width}x{height} {degrees:>6}°: max |rust - scipy| = {difference:e}");
        assert!(difference <= TOLERANCE, "{degrees}°: off by {difference}");
    }
    rotated.len()
}

#[test]
fn book_rotations_of_the_first_test_digit_match_scipy() {
    let golden = load("rotate.json");
    assert_eq!(check(&golden, 28, 28, BOOK_FILL), 3);

    // rotations() is the book's ±10° pair.
    let input = pixels(&golden["input"]);
    let [plus, minus] = rotations(&input, 28, 28, 10.0, BOOK_FILL);
    assert!(max_abs_difference(&plus, &pixels(&golden["rotated"]["10"])) <= TOLERANCE);
    assert!(max_abs_difference(&minus, &pixels(&golden["rotated"]["-10"])) <= TOLERANCE);
}

#[test]
fn oblong_image_with_bright_border_matches_scipy_constant_mode() {
    let golden = load("rotate_edges.json");
    let width = golden["width"].as_u64().expect("width") as usize;
    let height = golden["height"].as_u64().expect("height") as usize;
    let fill = golden["cval"].as_f64().expect("cval") as f32;
    assert!(check(&golden, width, height, fill) >= 4);
}
