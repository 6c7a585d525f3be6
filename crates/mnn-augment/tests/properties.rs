//! Properties of rotation, and a check against a naive reference.

use mnn_augment::{rotate, rotate_into};
use proptest::prelude::*;

/// A random image: `(width, height, pixels)`.
fn image() -> impl Strategy<Value = (usize, usize, Vec<f32>)> {
    (1usize..12, 1usize..12).prop_flat_map(|(width, height)| {
        (
            Just(width),
            Just(height),
            prop::collection::vec(-10.0f32..10.0, width * height),
        )
    })
}

/// The naive reference: turn the offset from the centre by the rotation
/// matrix, then blend the four neighbours by their areas. `None` when the
/// source point is so close to the image edge that rounding decides
/// whether it is inside, which the reference cannot judge the same way.
fn naive_pixel(
    image: &[f32],
    width: usize,
    height: usize,
    degrees: f32,
    fill: f32,
    row: usize,
    col: usize,
) -> Option<f32> {
    let radians = f64::from(degrees).to_radians();
    let (centre_y, centre_x) = ((height as f64 - 1.0) / 2.0, (width as f64 - 1.0) / 2.0);
    let (dy, dx) = (row as f64 - centre_y, col as f64 - centre_x);
    // Output -> input: rotate the offset back by the angle (anticlockwise as displayed).
    let y = centre_y + dy * radians.cos() + dx * radians.sin();
    let x = centre_x - dy * radians.sin() + dx * radians.cos();
    let (max_y, max_x) = ((height - 1) as f64, (width - 1) as f64);
    let near = |v: f64, edge: f64| (v - edge).abs() < 1e-9;
    if near(y, 0.0) || near(y, max_y) || near(x, 0.0) || near(x, max_x) {
        return None;
    }
    if y < 0.0 || y > max_y || x < 0.0 || x > max_x {
        return Some(fill);
    }
    let mut total = 0.0;
    for r in 0..height {
        for c in 0..width {
            // Tent weights: 1 at the pixel, 0 one pixel away.
            let weight =
                (1.0 - (y - r as f64).abs()).max(0.0) * (1.0 - (x - c as f64).abs()).max(0.0);
            total += weight * f64::from(image[r * width + c]);
        }
    }
    Some(total as f32)
}

/// A smooth 28×28 digit-like image, background 0.01 plus one to three
/// Gaussian blobs, and `Σ height / sigma²` over the blobs: a bound on the
/// second derivative of the image in any direction.
fn blobs() -> impl Strategy<Value = (Vec<f32>, f64)> {
    prop::collection::vec((9.0f64..19.0, 9.0f64..19.0, 2.0f64..4.0, 0.2f64..1.0), 1..4).prop_map(
        |blobs| {
            let image = (0..28 * 28)
                .map(|i| {
                    let (row, col) = ((i / 28) as f64, (i % 28) as f64);
                    let ink: f64 = blobs
                        .iter()
                        .map(|&(y, x, sigma, height)| {
                            let d2 = (row - y).powi(2) + (col - x).powi(2);
                            height * (-d2 / (2.0 * sigma * sigma)).exp()
                        })
                        .sum();
                    (0.01 + ink) as f32
                })
                .collect();
            let curvature = blobs
                .iter()
                .map(|&(_, _, sigma, height)| height / (sigma * sigma))
                .sum();
            (image, curvature)
        },
    )
}

proptest! {
    #[test]
    fn matches_naive_reference((width, height, pixels) in image(), degrees in -400.0f32..400.0, fill in -1.0f32..1.0) {
        let got = rotate(&pixels, width, height, degrees, fill);
        for row in 0..height {
            for col in 0..width {
                if let Some(expected) = naive_pixel(&pixels, width, height, degrees, fill, row, col) {
                    let g = got[row * width + col];
                    prop_assert!((g - expected).abs() <= 1e-4, "({row}, {col}): {g} vs {expected}");
                }
            }
        }
    }

    #[test]
    fn whole_turns_are_the_identity((width, height, pixels) in image(), turns in -3i32..=3) {
        let degrees = 360.0 * turns as f32;
        prop_assert_eq!(rotate(&pixels, width, height, degrees, 0.5), pixels);
    }

    #[test]
    fn four_quarter_turns_of_a_square_are_the_identity(side in 1usize..10, seed in prop::collection::vec(-1.0f32..1.0, 100)) {
        let pixels = &seed[..side * side];
        let mut turned = pixels.to_vec();
        let mut buffer = vec![0.0; side * side];
        for _ in 0..4 {
            rotate_into(&turned, side, side, 90.0, f32::NAN, &mut buffer);
            std::mem::swap(&mut turned, &mut buffer);
        }
        prop_assert_eq!(turned.as_slice(), pixels);
    }

    #[test]
    fn output_stays_between_input_and_fill((width, height, pixels) in image(), degrees in -720.0f32..720.0, fill in -20.0f32..20.0) {
        // Bilinear interpolation is a convex combination of input pixels (or the fill).
        let low = pixels.iter().copied().fold(fill, f32::min);
        let high = pixels.iter().copied().fold(fill, f32::max);
        for v in rotate(&pixels, width, height, degrees, fill) {
            prop_assert!((low..=high).contains(&v), "{v} outside [{low}, {high}]");
        }
    }

    #[test]
    fn turning_back_restores_a_smooth_digit((pixels, curvature) in blobs(), degrees in -30.0f32..30.0) {
        let there = rotate(&pixels, 28, 28, degrees, 0.01);
        let back = rotate(&there, 28, 28, -degrees, 0.01);
        // Inside a disc of radius 9 about the centre both turns sample inside
        // the image, so only interpolation changes the digit. Bilinear
        // interpolation on a unit grid is off by at most (|f_xx| + |f_yy|) / 8
        // <= curvature / 4, and the second turn adds its own error to a convex
        // blend of the first one's: at most curvature / 2 in all.
        let bound = (curvature / 2.0) as f32 + 1e-5;
        let (mut total, mut count, mut worst) = (0.0f32, 0, 0.0f32);
        for row in 0..28 {
            for col in 0..28 {
                let (dy, dx) = (row as f32 - 13.5, col as f32 - 13.5);
                if dy * dy + dx * dx <= 81.0 {
                    let error = (back[row * 28 + col] - pixels[row * 28 + col]).abs();
                    total += error;
                    worst = worst.max(error);
                    count += 1;
                }
            }
        }
        prop_assert!(worst <= bound, "max abs error {worst} > bound {bound}");
        let mean = total / count as f32;
        prop_assert!(mean < 0.02, "mean abs error {mean}");
    }
}
