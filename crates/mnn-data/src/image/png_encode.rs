//! The workspace's one PNG encoder: 8-bit grey or RGB pixels, to bytes (a web
//! response) or to a file, written through [`crate::write_safely`] (a failure
//! never leaves a damaged file).
//!
//! ```
//! use mnn_data::image::PngPixels;
//!
//! // A 2×1 picture: one red pixel, one blue.
//! let rgb = [255, 0, 0, 0, 0, 255];
//! let bytes = PngPixels::rgb(2, 1, &rgb).to_bytes()?;
//! assert!(bytes.starts_with(b"\x89PNG"));
//! # Ok::<(), mnn_data::DataError>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use png::{BitDepth, ColorType};

use crate::DataError;

/// What each pixel is: one grey byte (0 = black) or three, red, green, blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    Gray,
    Rgb,
}

impl Channels {
    /// Bytes per pixel.
    pub fn bytes(self) -> usize {
        match self {
            Channels::Gray => 1,
            Channels::Rgb => 3,
        }
    }

    fn color_type(self) -> ColorType {
        match self {
            Channels::Gray => ColorType::Grayscale,
            Channels::Rgb => ColorType::Rgb,
        }
    }
}

/// Pixels to encode as an 8-bit PNG: `width × height` pixels, row by row,
/// [`Channels::bytes`] bytes each. Checked when encoded.
#[derive(Debug, Clone, Copy)]
pub struct PngPixels<'a> {
    pub width: usize,
    pub height: usize,
    pub channels: Channels,
    pub pixels: &'a [u8],
}

impl<'a> PngPixels<'a> {
    /// Grey pixels, one byte each.
    pub fn gray(width: usize, height: usize, pixels: &'a [u8]) -> PngPixels<'a> {
        PngPixels {
            width,
            height,
            channels: Channels::Gray,
            pixels,
        }
    }

    /// RGB pixels, three bytes each.
    pub fn rgb(width: usize, height: usize, pixels: &'a [u8]) -> PngPixels<'a> {
        PngPixels {
            width,
            height,
            channels: Channels::Rgb,
            pixels,
        }
    }

    /// The PNG file's bytes. Errors name the image `<image>`, as
    /// [`crate::GrayImage::new`]'s do.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DataError> {
        let path = PathBuf::from("<image>");
        let (width, height) = self.checked(&path)?;
        let mut bytes = Vec::new();
        self.encode(width, height, &mut bytes)
            .map_err(|e| write_error(&path, e.to_string()))?;
        Ok(bytes)
    }

    /// Writes the PNG file at `path` through [`crate::write_safely`]: a
    /// failure never leaves a damaged file, and a device, a symbolic link or
    /// a folder is refused.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), DataError> {
        let path = path.as_ref();
        let (width, height) = self.checked(path)?;
        crate::write_safely(path, |out| self.encode(width, height, out))
    }

    /// The size as PNG stores it, if the pixels make the image.
    fn checked(&self, path: &Path) -> Result<(u32, u32), DataError> {
        let (width, height) = (self.width, self.height);
        let expected = width.checked_mul(height).map(|n| n * self.channels.bytes());
        if width == 0 || height == 0 || expected != Some(self.pixels.len()) {
            let what = match self.channels {
                Channels::Gray => "pixels do not make a",
                Channels::Rgb => "bytes do not make an RGB",
            };
            return Err(write_error(
                path,
                format!("{} {what} {width}×{height} image", self.pixels.len()),
            ));
        }
        match (u32::try_from(width), u32::try_from(height)) {
            (Ok(w), Ok(h)) => Ok((w, h)),
            _ => Err(write_error(
                path,
                format!("{width}×{height} is too large for PNG"),
            )),
        }
    }

    fn encode(&self, width: u32, height: u32, out: &mut dyn Write) -> std::io::Result<()> {
        let mut encoder = png::Encoder::new(out, width, height);
        encoder.set_color(self.channels.color_type());
        encoder.set_depth(BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(self.pixels)
            .map_err(std::io::Error::other)?;
        // Writes IEND, reporting any error.
        writer.finish().map_err(std::io::Error::other)
    }
}

fn write_error(path: &Path, reason: String) -> DataError {
    DataError::PngWrite {
        path: path.to_path_buf(),
        reason,
    }
}

/// Write an 8-bit greyscale PNG through [`crate::write_safely`] (see
/// [`PngPixels::save`]).
pub fn save_png_gray(
    path: impl AsRef<Path>,
    width: usize,
    height: usize,
    pixels: &[u8],
) -> Result<(), DataError> {
    PngPixels::gray(width, height, pixels).save(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{decode_png_gray, load_png_gray, luminance};
    use std::io::Cursor;

    /// A picture with every byte value somewhere, `channels` bytes a pixel.
    fn pattern(width: usize, height: usize, channels: Channels) -> Vec<u8> {
        (0..width * height * channels.bytes())
            .map(|i| (i * 37 % 256) as u8)
            .collect()
    }

    /// The PNG's header and pixels as the png crate decodes them, untouched.
    fn decoded(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let mut reader = png::Decoder::new(Cursor::new(bytes)).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info, buf)
    }

    #[test]
    fn grey_round_trips_through_the_reader() {
        let (width, height) = (31, 17);
        let pixels = pattern(width, height, Channels::Gray);
        let bytes = PngPixels::gray(width, height, &pixels).to_bytes().unwrap();
        let image = decode_png_gray(Cursor::new(&bytes), Path::new("grey.png")).unwrap();
        assert_eq!((image.width, image.height), (width, height));
        assert_eq!(image.pixels, pixels);
        let (info, raw) = decoded(&bytes);
        assert_eq!(
            (info.color_type, info.bit_depth),
            (ColorType::Grayscale, BitDepth::Eight)
        );
        assert_eq!(raw, pixels);
    }

    #[test]
    fn rgb_round_trips_through_the_reader() {
        let (width, height) = (13, 29);
        let rgb = pattern(width, height, Channels::Rgb);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("colour.png");
        PngPixels::rgb(width, height, &rgb).save(&path).unwrap();
        // The reader sees luminance; the file holds the colours exactly.
        let image = load_png_gray(&path).unwrap();
        assert_eq!((image.width, image.height), (width, height));
        let luma: Vec<u8> = rgb
            .chunks_exact(3)
            .map(|p| luminance(p[0], p[1], p[2]))
            .collect();
        assert_eq!(image.pixels, luma);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            bytes,
            PngPixels::rgb(width, height, &rgb).to_bytes().unwrap()
        );
        let (info, raw) = decoded(&bytes);
        assert_eq!(
            (info.color_type, info.bit_depth),
            (ColorType::Rgb, BitDepth::Eight)
        );
        assert_eq!(raw, rgb);
        // Nothing left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn pixels_that_do_not_make_the_image_are_refused() {
        let err = PngPixels::rgb(2, 2, &[0; 4]).to_bytes().unwrap_err();
        assert_eq!(
            err.to_string(),
            "<image>: cannot write PNG image: 4 bytes do not make an RGB 2×2 image"
        );
        let err = PngPixels::gray(0, 0, &[]).to_bytes().unwrap_err();
        assert!(err.to_string().contains("0 pixels do not make a 0×0 image"));
        let err = PngPixels::gray(usize::MAX, 2, &[0]).to_bytes().unwrap_err();
        assert!(err.to_string().contains("do not make a"), "{err}");
    }
}
