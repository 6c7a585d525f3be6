//! MNIST for *Make Your Own Neural Network*, Part 2, "The MNIST Dataset of
//! Handwritten Numbers".
//!
//! Reads the handwritten digits the network learns from — the official IDX files
//! (raw or `.gz`) or the book's CSV (`label,p0,..,p783`) — into a [`Dataset`] that
//! keeps pixels as bytes, and prepares them the book's way: inputs scaled into
//! 0.01..=1.0 ([`scale_pixel`]) and targets of 0.01 everywhere except 0.99 at the
//! label ([`fill_targets`]).
//!
//! For Part 3, "Your own handwriting", the [`image`] module loads any PNG as grey
//! ([`load_png_gray`]) and prepares it as network inputs, MNIST-style
//! ([`prepare_digit`]) or the book's way ([`prepare_raw`]).
//!
//! ```
//! use mnn_data::{Dataset, IMAGE_PIXELS, fill_targets};
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist_test_10.csv");
//! // let path = "data/mnist_test_10.csv";
//! let test = Dataset::from_csv(path)?;
//! assert_eq!(test.len(), 10);
//! assert_eq!(test.label(0), 7);
//!
//! let mut inputs = [0.0f32; IMAGE_PIXELS];
//! test.scaled_input(0, &mut inputs); // p / 255 * 0.99 + 0.01
//! assert!(inputs.iter().all(|&x| (0.01..=1.0).contains(&x)));
//!
//! let mut targets = [0.0f32; 10];
//! fill_targets(test.label(0), &mut targets);
//! assert_eq!(targets[7], 0.99);
//! assert_eq!(targets[0], 0.01);
//! # Ok::<(), mnn_data::DataError>(())
//! ```

#![forbid(unsafe_code)]

mod dataset;
mod error;
pub mod idx;
pub mod image;
mod mnist;
pub mod mnist_csv;
mod safe_write;

pub use dataset::Dataset;
pub use error::{CsvProblem, DataError};
pub use image::{
    GrayImage, PngPixels, input_to_pixels, load_png_gray, prepare_digit, prepare_digit_pixels,
    prepare_raw, prepare_raw_pixels, save_png_gray,
};
pub use mnist::Mnist;
pub use safe_write::{check_writable, remove_stale_temporaries, write_safely};

/// Pixel rows of an MNIST image.
pub const IMAGE_ROWS: usize = 28;
/// Pixel columns of an MNIST image.
pub const IMAGE_COLS: usize = 28;
/// Pixels of an MNIST image: the number of input nodes of the network.
pub const IMAGE_PIXELS: usize = IMAGE_ROWS * IMAGE_COLS;
/// Digits 0..=9: the number of output nodes of the network.
pub const DIGITS: usize = 10;

/// Target value for the output nodes that should be off (the book avoids 0.0,
/// which the sigmoid can never reach).
pub const TARGET_OFF: f32 = 0.01;
/// Target value for the output node of the right label (the book avoids 1.0).
pub const TARGET_ON: f32 = 0.99;

/// The book's input scaling: `p / 255 * 0.99 + 0.01`, so 0..=255 becomes 0.01..=1.0
/// and no input is zero (a zero input would stop its weights from learning).
#[inline]
pub fn scale_pixel(p: u8) -> f32 {
    f32::from(p) / 255.0 * 0.99 + 0.01
}

/// The book's targets: [`TARGET_OFF`] everywhere, [`TARGET_ON`] at `label`.
///
/// # Panics
/// If `label` is not an index into `out`.
pub fn fill_targets(label: u8, out: &mut [f32]) {
    let label = usize::from(label);
    assert!(
        label < out.len(),
        "label {label} has no output node among {}",
        out.len()
    );
    out.fill(TARGET_OFF);
    out[label] = TARGET_ON;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_pixel_maps_the_byte_range_onto_0_01_to_1() {
        assert_eq!(scale_pixel(0), 0.01);
        assert!((scale_pixel(255) - 1.0).abs() < 1e-6);
        for p in 0..=255u8 {
            let expected = f64::from(p) / 255.0 * 0.99 + 0.01;
            assert!((f64::from(scale_pixel(p)) - expected).abs() < 1e-6);
        }
        for p in 0..255u8 {
            assert!(scale_pixel(p) < scale_pixel(p + 1));
        }
    }

    #[test]
    fn fill_targets_sets_one_hot_with_soft_values() {
        let mut out = [5.0f32; DIGITS];
        for label in 0..DIGITS as u8 {
            fill_targets(label, &mut out);
            for (k, &v) in out.iter().enumerate() {
                let expected = if k == usize::from(label) { 0.99 } else { 0.01 };
                assert_eq!(v, expected);
            }
        }
    }

    #[test]
    #[should_panic(expected = "label 10 has no output node")]
    fn fill_targets_rejects_a_label_without_a_node() {
        fill_targets(10, &mut [0.0; DIGITS]);
    }
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
