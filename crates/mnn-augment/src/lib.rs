//! New training data from old: the book's rotated copies of an image, and
//! random distortions beyond the book.
//!
//! Beyond the book ([`distort`], [`random`]): random shifts, rotations in a
//! range, scaling and elastic distortion (Simard, Steinkraus & Platt 2003),
//! drawn afresh for every image of every epoch ([`Augmenter`],
//! [`sample_rng`]) and applied as one bilinear resampling as the image is
//! read, never stored. Each matches scipy (`affine_transform`,
//! `gaussian_filter`, `map_coordinates`, order 1) for a fixed draw
//! (`tests/golden.rs`).
//!
//! ```
//! use mnn_augment::{Augmentation, Augmenter, sample_rng};
//!
//! let augmentation: Augmentation = "elastic,shift=2".parse().unwrap();
//! let augmenter = Augmenter::new(augmentation, 28, 28, 0.01).unwrap();
//! let mut scratch = augmenter.scratch(); // one per thread, reused for every image
//! let digit = vec![0.5_f32; 28 * 28];
//! let mut seen = vec![0.0; 28 * 28];
//! // Sample 7 of epoch 3 of a run seeded with 1: always the same distortion.
//! augmenter.augment_into(&digit, &mut sample_rng(1, 3, 7), &mut scratch, &mut seen);
//! ```
//!
//! # The book's rotations
//!
//! *Make Your Own Neural Network*, Part 3, "Creating New Training Data:
//! Rotations". The book takes every MNIST training image, rotates it by
//! +10° and by −10° with
//! `scipy.ndimage.rotate(img, angle, order=1, mode='constant', cval=0.01, reshape=False)`,
//! and trains on all three. This crate reproduces that call exactly (to
//! rounding) for a row-major `&[f32]` image of `width × height` pixels:
//!
//! * the image turns about its centre, `((width − 1) / 2, (height − 1) / 2)`
//!   in pixel coordinates, and keeps its size;
//! * a positive angle turns it anticlockwise as displayed, with row 0 at the top;
//! * every output pixel is a bilinear blend of the four input pixels around
//!   the point it comes from (scipy's `order=1`);
//! * an output pixel whose source point lies outside the input grid gets
//!   `fill` outright (scipy's `mode='constant'`; it is *not* blended with the
//!   edge pixels the way `mode='grid-constant'` would be).
//!
//! ```
//! use mnn_augment::{rotate, rotations, BOOK_FILL, BOOK_ROTATION_DEGREES};
//!
//! // A 3×3 image with a bright pixel in the top-right corner…
//! let image = [
//!     0.0, 0.0, 1.0, //
//!     0.0, 0.0, 0.0, //
//!     0.0, 0.0, 0.0,
//! ];
//! // …turned a quarter anticlockwise has it in the top-left corner.
//! let turned = rotate(&image, 3, 3, 90.0, BOOK_FILL);
//! assert_eq!(turned, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
//!
//! // The book's augmentation: one copy turned +10°, one turned −10°.
//! let digit = vec![0.5_f32; 28 * 28];
//! let [anticlockwise, clockwise] = rotations(&digit, 28, 28, BOOK_ROTATION_DEGREES, BOOK_FILL);
//! assert_eq!(anticlockwise.len(), 784);
//! assert_eq!(anticlockwise[0], BOOK_FILL); // the corners turn in from outside the image
//! assert_eq!(clockwise[14 * 28 + 14], 0.5); // the middle stays where it was
//! ```
//!
//! # Panics
//!
//! The image must hold exactly `width * height` pixels (and `rotate_into`'s
//! output buffer too); anything else is a bug in the caller, so these
//! functions panic with a message naming both lengths, the way slice
//! indexing does. Every angle is accepted: a non-finite angle (NaN, ±∞) has
//! no source point anywhere, so the output is all `fill`, as with scipy.

#![forbid(unsafe_code)]

pub mod distort;
pub mod random;

pub use distort::{Affine, ElasticSmoothing, Gaussian, distort_into, elastic_field};
pub use random::{AugmentError, Augmentation, Augmenter, Elastic, Scratch, draw_field, sample_rng};

/// The book's rotation: ±10 degrees.
pub const BOOK_ROTATION_DEGREES: f32 = 10.0;

/// The book's value for the pixels a rotation brings in from outside the
/// image: 0.01, the same as a blank pixel after the book's input scaling
/// (`x / 255 × 0.99 + 0.01`).
pub const BOOK_FILL: f32 = 0.01;

/// `image` turned `degrees` anticlockwise about its centre, the same size,
/// with `fill` where the turned image does not reach.
///
/// Equal (to `f32` rounding) to
/// `scipy.ndimage.rotate(image, degrees, order=1, mode='constant', cval=fill, reshape=False)`.
/// Allocates the output; use [`rotate_into`] to reuse a buffer.
///
/// # Panics
///
/// If `image.len() != width * height`.
#[must_use]
pub fn rotate(image: &[f32], width: usize, height: usize, degrees: f32, fill: f32) -> Vec<f32> {
    check_len("image", image.len(), width, height);
    let mut out = vec![fill; image.len()];
    rotate_into(image, width, height, degrees, fill, &mut out);
    out
}

/// [`rotate`] writing into `out` instead of allocating: every pixel of
/// `out` is overwritten.
///
/// # Panics
///
/// If `image.len()` or `out.len()` is not `width * height`.
pub fn rotate_into(
    image: &[f32],
    width: usize,
    height: usize,
    degrees: f32,
    fill: f32,
    out: &mut [f32],
) {
    // A turn about the centre is the affine map with only an angle: the
    // same arithmetic, to the bit, as a rotation of its own.
    let turn = Affine {
        degrees,
        ..Affine::IDENTITY
    };
    distort_into(image, width, height, &turn, None, fill, out);
}

/// The book's augmentation of one image: `[turned +degrees, turned −degrees]`,
/// i.e. one anticlockwise and one clockwise copy.
///
/// # Panics
///
/// If `image.len() != width * height`.
#[must_use]
pub fn rotations(
    image: &[f32],
    width: usize,
    height: usize,
    degrees: f32,
    fill: f32,
) -> [Vec<f32>; 2] {
    [
        rotate(image, width, height, degrees, fill),
        rotate(image, width, height, -degrees, fill),
    ]
}

pub(crate) fn check_len(what: &str, len: usize, width: usize, height: usize) {
    assert!(
        width.checked_mul(height) == Some(len),
        "mnn-augment: {what} has {len} pixels, but a {width}x{height} (width x height) image has {}",
        width
            .checked_mul(height)
            .map_or_else(|| "more than usize::MAX".to_owned(), |n| n.to_string()),
    );
}

/// `(sin, cos)` of an angle in degrees, exact at multiples of 90° (like
/// scipy's `sindg`/`cosdg`), so that quarter turns move pixels exactly and
/// a whole turn is the identity.
pub(crate) fn sin_cos_degrees(degrees: f64) -> (f64, f64) {
    let reduced = degrees.rem_euclid(360.0);
    match reduced {
        0.0 => (0.0, 1.0),
        90.0 => (1.0, 0.0),
        180.0 => (0.0, -1.0),
        270.0 => (-1.0, 0.0),
        _ => reduced.to_radians().sin_cos(),
    }
}

/// The image at a fractional (`row`, `col`), blending the four pixels
/// around it (scipy `order=1`); `None` if the point is outside the grid
/// `[0, height − 1] × [0, width − 1]` or not a number (scipy `mode='constant'`).
#[inline]
pub(crate) fn bilinear(
    image: &[f32],
    width: usize,
    height: usize,
    row: f64,
    col: f64,
) -> Option<f32> {
    let last_row = (height - 1) as f64;
    let last_col = (width - 1) as f64;
    if !(0.0..=last_row).contains(&row) || !(0.0..=last_col).contains(&col) {
        return None;
    }
    let (top, [above_weight, below_weight]) = split(row);
    let (left, [left_weight, right_weight]) = split(col);
    // On the last row/column the second neighbour has weight 0: any in-range pixel will do.
    let bottom = (top + 1).min(height - 1);
    let right = (left + 1).min(width - 1);
    let pixel = |r: usize, c: usize| f64::from(image[r * width + c]);
    // Bilinear interpolation, summed in scipy's order (row-major over the 2×2 taps).
    let blended = pixel(top, left) * above_weight * left_weight
        + pixel(top, right) * above_weight * right_weight
        + pixel(bottom, left) * below_weight * left_weight
        + pixel(bottom, right) * below_weight * right_weight;
    Some(blended as f32)
}

/// A coordinate in range split into its whole pixel and the weights of that
/// pixel and the next one along: `1 − fraction` and `1 − (1 − fraction)`,
/// as scipy's spline weights have them (the last weight makes the sum 1).
/// The coordinate is in range, so not negative: truncation is its floor (and,
/// unlike `floor`, one instruction on every x86-64, not a call into libm).
fn split(coordinate: f64) -> (usize, [f64; 2]) {
    debug_assert!(coordinate >= 0.0);
    // In range of an image's side, so it fits a u32: a cheaper conversion than to usize.
    let whole = coordinate as u32;
    let first = 1.0 - (coordinate - f64::from(whole));
    (whole as usize, [first, 1.0 - first])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `width × height` image whose pixels are all different: 1, 2, 3, …
    pub(crate) fn counting(width: usize, height: usize) -> Vec<f32> {
        (1..=width * height).map(|v| v as f32).collect()
    }

    #[test]
    fn half_turn_reverses_the_pixels() {
        for (width, height) in [(1, 1), (2, 3), (5, 4), (7, 7)] {
            let image = counting(width, height);
            let mut reversed = image.clone();
            reversed.reverse();
            assert_eq!(rotate(&image, width, height, 180.0, -1.0), reversed);
            assert_eq!(rotate(&image, width, height, -180.0, -1.0), reversed);
        }
    }

    #[test]
    fn quarter_turn_of_a_square_is_anticlockwise() {
        let image = counting(3, 3);
        // 1 2 3        3 6 9
        // 4 5 6   ->   2 5 8
        // 7 8 9        1 4 7
        let turned = rotate(&image, 3, 3, 90.0, -1.0);
        assert_eq!(turned, [3.0, 6.0, 9.0, 2.0, 5.0, 8.0, 1.0, 4.0, 7.0]);
        let back = rotate(&image, 3, 3, -90.0, -1.0);
        assert_eq!(back, [7.0, 4.0, 1.0, 8.0, 5.0, 2.0, 9.0, 6.0, 3.0]);
        assert_eq!(rotate(&image, 3, 3, 270.0, -1.0), back);
    }

    #[test]
    fn quarter_turn_of_an_oblong_fills_what_falls_outside() {
        // 4 wide, 2 high: centre (1.5, 0.5). Output (row, col) samples input
        // (col − 1, 2 − row); only output columns 1 and 2 land inside rows 0..=1.
        let image = counting(4, 2);
        let turned = rotate(&image, 4, 2, 90.0, 0.0);
        // row 0 samples input col 2: rows (−1, 0, 1, 2) -> (fill, 3, 7, fill)
        // row 1 samples input col 1: (fill, 2, 6, fill)
        assert_eq!(turned, [0.0, 3.0, 7.0, 0.0, 0.0, 2.0, 6.0, 0.0]);
    }

    #[test]
    fn blend_is_bilinear_between_the_four_neighbours() {
        // 2×2 image turned 45°: the centre (0.5, 0.5) of the output is the
        // mean of all four pixels; each corner comes from a point
        // 0.5·√2 ≈ 0.707 from the centre along an axis, outside the grid.
        let image = [0.0, 1.0, 2.0, 3.0];
        let turned = rotate(&image, 2, 2, 45.0, 9.0);
        assert_eq!(turned, [9.0; 4]);
        // 3×3 turned 45°: the middle pixel maps to itself, exactly.
        let image = counting(3, 3);
        assert_eq!(rotate(&image, 3, 3, 45.0, 0.0)[4], 5.0);
        // The pixel above the middle (row 0, col 1) is sampled at
        // (1 − sin 45°, 1 + cos 45°) ≈ (0.293, 1.707), up and to the right:
        // a bilinear blend of 2, 3 (row 0) and 5, 6 (row 1).
        let t = 1.0 - std::f64::consts::FRAC_1_SQRT_2;
        let expected =
            2.0 * (1.0 - t) * t + 3.0 * (1.0 - t) * (1.0 - t) + 5.0 * t * t + 6.0 * t * (1.0 - t);
        let got = rotate(&image, 3, 3, 45.0, 0.0)[1];
        assert!(
            (f64::from(got) - expected).abs() < 1e-6,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn outside_points_get_fill_not_a_blend_with_the_edge() {
        // scipy mode='constant' (not 'grid-constant'): a source point just
        // outside the grid yields `fill` outright. With an all-ones image and
        // fill 0 every output pixel is therefore exactly 0 or (to rounding) 1.
        let image = vec![1.0; 6 * 5];
        for degrees in [3.0, 10.0, -10.0, 33.0, 100.0] {
            let turned = rotate(&image, 6, 5, degrees, 0.0);
            assert!(
                turned.contains(&0.0),
                "{degrees}: some corner leaves the grid"
            );
            for v in turned {
                assert!(
                    v == 0.0 || (v - 1.0).abs() < 1e-6,
                    "{degrees}: blended value {v}"
                );
            }
        }
    }

    #[test]
    fn non_finite_angle_gives_all_fill() {
        let image = counting(4, 3);
        for degrees in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert_eq!(rotate(&image, 4, 3, degrees, 0.25), [0.25; 12], "{degrees}");
        }
    }

    #[test]
    fn empty_image_is_fine() {
        assert!(rotate(&[], 0, 5, 10.0, 0.0).is_empty());
        assert!(rotate(&[], 5, 0, 10.0, 0.0).is_empty());
        let mut out = [];
        rotate_into(&[], 0, 0, 10.0, 0.0, &mut out);
    }

    #[test]
    fn rotate_into_overwrites_every_pixel() {
        let image = counting(5, 4);
        let mut out = vec![f32::NAN; 20];
        rotate_into(&image, 5, 4, 17.0, 0.5, &mut out);
        assert_eq!(out, rotate(&image, 5, 4, 17.0, 0.5));
    }

    #[test]
    fn rotations_are_plus_and_minus() {
        let image = counting(6, 6);
        let [plus, minus] = rotations(&image, 6, 6, 12.0, 0.0);
        assert_eq!(plus, rotate(&image, 6, 6, 12.0, 0.0));
        assert_eq!(minus, rotate(&image, 6, 6, -12.0, 0.0));
        assert_ne!(plus, minus);
    }

    #[test]
    #[should_panic(expected = "image has 10 pixels, but a 4x3 (width x height) image has 12")]
    fn wrong_image_length_panics_with_both_lengths() {
        let _ = rotate(&[0.0; 10], 4, 3, 10.0, 0.0);
    }

    #[test]
    #[should_panic(expected = "output has 11 pixels, but a 4x3 (width x height) image has 12")]
    fn wrong_output_length_panics_with_both_lengths() {
        rotate_into(&[0.0; 12], 4, 3, 10.0, 0.0, &mut [0.0; 11]);
    }

    #[test]
    #[should_panic(expected = "has more than usize::MAX")]
    fn overflowing_size_panics() {
        let _ = rotate(&[0.0; 4], usize::MAX, 2, 10.0, 0.0);
    }
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
