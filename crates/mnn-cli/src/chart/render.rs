//! A [`Picture`] to SVG text or PNG pixels, at any [`Scale`], and to files.
//!
//! Both come from the picture's one drawing function: the SVG is drawn at
//! the scale asked for (its text left to the viewer's sans-serif font); the
//! PNG is drawn [`SUPERSAMPLE`] times larger by plotters' bitmap backend, its
//! text in the built-in font, and averaged down, then encoded by mnn-data's
//! one PNG encoder and written atomically.

use super::Picture;
use super::style::Scale;
use crate::files::write_atomically;
use anyhow::{Result, anyhow};
use mnn_data::PngPixels;
use plotters::prelude::*;
use std::path::Path;

/// How many times larger a PNG is drawn before it is averaged down: the
/// bitmap backend draws hard-edged pixels and places each letter on a whole
/// pixel, so drawing at 3× and averaging gives smooth lines and evenly spaced
/// letters.
const SUPERSAMPLE: u32 = 3;

/// The picture as SVG text, [`Scale::size`] large.
pub fn svg_text<P: Picture>(picture: &P, scale: Scale) -> Result<String> {
    let what = P::WHAT;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, scale.size()).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| picture.draw(&root, scale))
            .map_err(|e| anyhow!("drawing {what}: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing {what}: {e}"))?;
    }
    Ok(svg)
}

/// RGB pixels of a picture: width, height and 3 bytes a pixel, row by row.
pub struct Rgb {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Rgb {
    fn png(&self) -> PngPixels<'_> {
        PngPixels::rgb(self.width as usize, self.height as usize, &self.pixels)
    }
}

/// The picture's pixels, [`Scale::size`] large, drawn [`SUPERSAMPLE`] times
/// larger and averaged down.
pub fn rgb_pixels<P: Picture>(picture: &P, scale: Scale) -> Result<Rgb> {
    let what = P::WHAT;
    let (width, height) = scale.size();
    let (big_width, big_height) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
    let mut big = vec![0u8; big_width as usize * big_height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut big, (big_width, big_height)).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| picture.draw(&root, scale.times(SUPERSAMPLE)))
            .map_err(|e| anyhow!("drawing {what}: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing {what}: {e}"))?;
    }
    Ok(Rgb {
        width,
        height,
        pixels: shrink(&big, width as usize, height as usize, SUPERSAMPLE as usize),
    })
}

/// Writes the picture as an SVG file at scale 1.
pub fn write_svg(path: &Path, picture: &impl Picture) -> Result<()> {
    write_atomically(path, svg_text(picture, Scale::ONE)?.as_bytes())
}

/// Writes the picture as an RGB PNG file at scale 1, its text in the
/// built-in font.
pub fn write_png(path: &Path, picture: &impl Picture) -> Result<()> {
    Ok(rgb_pixels(picture, Scale::ONE)?.png().save(path)?)
}

/// Writes the picture as PNG if `path` ends in `.png` (in any case), else as
/// SVG.
pub fn write_by_extension(path: &Path, picture: &impl Picture) -> Result<()> {
    let is_png = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        write_png(path, picture)
    } else {
        write_svg(path, picture)
    }
}

/// Averages each `factor`×`factor` square of the RGB image `big` into one
/// pixel of an RGB image of `width`×`height`.
fn shrink(big: &[u8], width: usize, height: usize, factor: usize) -> Vec<u8> {
    let big_width = width * factor;
    let area = (factor * factor) as u32;
    let mut small = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            for channel in 0..3 {
                let mut sum = 0u32;
                for dy in 0..factor {
                    let row = (y * factor + dy) * big_width;
                    for dx in 0..factor {
                        sum += u32::from(big[(row + x * factor + dx) * 3 + channel]);
                    }
                }
                small.push(((sum + area / 2) / area) as u8);
            }
        }
    }
    small
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinking_averages_squares() {
        // 2×1 from 4×2: a black square and a white one, rounded to nearest.
        let mut big = vec![0u8; 4 * 2 * 3];
        for y in 0..2 {
            for x in 2..4 {
                big[(y * 4 + x) * 3..][..3].fill(255);
            }
        }
        big[0] = 3; // one channel of one pixel of the black square
        assert_eq!(shrink(&big, 2, 1, 2), [1, 0, 0, 255, 255, 255]);
    }
}
