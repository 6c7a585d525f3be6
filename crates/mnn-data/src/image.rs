//! Part 3, "Your own handwriting": load any PNG and prepare it like an MNIST digit.
//!
//! [`load_png_gray`] turns any PNG (grey, RGB, palette, with or without alpha, 1- to
//! 16-bit, interlaced or not) into 8-bit grey, with transparent areas counted as white
//! paper. Then either
//!
//! - [`prepare_digit`] does what was done to MNIST itself: find the ink, crop to it,
//!   fit it into 20×20 keeping its shape, and centre it by its centre of mass in 28×28;
//! - or [`prepare_raw`] does what the book does: shrink the whole picture to 28×28 and
//!   invert it (`255 - v`), so it only works for a dark digit filling a light square.
//!
//! Both give the network's 784 inputs scaled like MNIST: `v / 255 * 0.99 + 0.01`, ink high.
//!
//! ```
//! use mnn_data::{GrayImage, prepare_digit_pixels};
//!
//! // A dark vertical stroke, a "1", off to the side of a 60×40 white sheet.
//! let mut sheet = GrayImage::new(60, 40, vec![255; 60 * 40]);
//! for y in 5..35 {
//!     for x in 40..44 {
//!         sheet.pixels[y * 60 + x] = 30;
//!     }
//! }
//! let digit = prepare_digit_pixels(&sheet)?; // 28×28, ink high, like MNIST
//! assert_eq!(digit[14 * 28 + 14], 255); // centred at pixel (14, 14)
//! // Fitted to 20 pixels tall (rows 5..=24) and 3 wide (columns 13..=15).
//! let ink_rows: Vec<usize> = (0..28).filter(|y| digit[y * 28 + 14] > 0).collect();
//! assert_eq!(ink_rows, (5..=24).collect::<Vec<_>>());
//! let ink_cols: Vec<usize> = (0..28).filter(|x| digit[14 * 28 + x] > 0).collect();
//! assert_eq!(ink_cols, vec![13, 14, 15]);
//! # Ok::<(), mnn_data::DataError>(())
//! ```

//!
//! One job per module: [`png_file`] reads PNG files (and refuses what it
//! cannot read, within bounded memory); [`png_encode`] writes grey and RGB
//! PNGs, the workspace's one encoder; [`prepare`] turns a grey picture into
//! the network's inputs.

pub mod png_encode;
pub mod png_file;
pub mod prepare;

use std::path::{Path, PathBuf};

use crate::DataError;

pub use png_encode::{Channels, PngPixels, save_png_gray};
pub use png_file::{MAX_PIXELS, MAX_SIDE, decode_png_gray, load_png_gray, luminance, over_white};
pub use prepare::{
    DIGIT_BOX, MIN_CONTRAST, NOISE_FRACTION, input_to_pixels, prepare_digit, prepare_digit_pixels,
    prepare_raw, prepare_raw_pixels,
};

/// An 8-bit greyscale image as a person sees it: 0 = black, 255 = white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    /// `width * height` bytes, row by row.
    pub pixels: Vec<u8>,
    /// Where the image came from, for error messages.
    pub path: PathBuf,
}

impl GrayImage {
    /// An image made in memory (its `path` reads `<image>` in error messages).
    ///
    /// # Panics
    /// If `pixels.len() != width * height`.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> GrayImage {
        assert_eq!(
            pixels.len(),
            width * height,
            "a {width}×{height} image has {} pixels",
            width * height
        );
        GrayImage {
            width,
            height,
            pixels,
            path: PathBuf::from("<image>"),
        }
    }

    /// The grey value at column `x`, row `y`.
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// Save as an 8-bit greyscale PNG (see [`save_png_gray`]).
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), DataError> {
        save_png_gray(path, self.width, self.height, &self.pixels)
    }
}

#[cfg(test)]
mod tests;
