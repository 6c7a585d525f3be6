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

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use png::{BitDepth, ColorType, Decoder, DecodingError, Transformations};

use crate::{DataError, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, scale_pixel};

/// Images with more pixels than this are refused (a 10 000 × 10 000 photo still fits).
pub const MAX_PIXELS: u64 = 100_000_000;

/// The digit is fitted into a box this many pixels wide and high, as in MNIST.
pub const DIGIT_BOX: usize = 20;

/// An image with less contrast than this between paper and darkest ink (in grey
/// levels) has no ink.
pub const MIN_CONTRAST: u8 = 32;

/// Differences from the paper smaller than this fraction of the contrast are
/// paper texture or shading, not ink.
pub const NOISE_FRACTION: f32 = 0.25;

const PNG_SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];

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

/// Load any PNG as 8-bit grey (0 = black, 255 = white). Transparent areas are
/// composited over white paper; colour becomes luminance `0.299 R + 0.587 G + 0.114 B`.
pub fn load_png_gray(path: impl AsRef<Path>) -> Result<GrayImage, DataError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_png_gray(BufReader::new(file), path)
}

/// [`load_png_gray`] from a stream; `path` names it in errors and in the result.
pub fn decode_png_gray(
    mut reader: impl BufRead + Seek,
    path: &Path,
) -> Result<GrayImage, DataError> {
    let png_error = |reason: String| DataError::Png {
        path: path.to_path_buf(),
        reason,
    };
    let mut signature = [0u8; 8];
    match reader.read_exact(&mut signature) {
        // Shorter than a signature: not a PNG, said below.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => signature = [0; 8],
        // Unreadable (a directory, say), which is not the same as not a PNG.
        Err(source) => {
            return Err(DataError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
        Ok(()) => {}
    }
    if signature != PNG_SIGNATURE {
        return Err(png_error(
            "not a PNG file (it does not start with the PNG signature)".into(),
        ));
    }
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;

    let mut decoder = Decoder::new(reader);
    // Palette → RGB(A), 1/2/4-bit grey → 8-bit, tRNS → alpha, 16-bit → 8-bit.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let mut png = decoder.read_info().map_err(|e| png_error(describe(e)))?;
    let (width, height) = png.info().size();
    let too_large = || DataError::TooLarge {
        path: path.to_path_buf(),
        width,
        height,
        max_pixels: MAX_PIXELS,
    };
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large());
    }
    let mut buffer = vec![0; png.output_buffer_size().ok_or_else(too_large)?];
    let frame = png
        .next_frame(&mut buffer)
        .map_err(|e| png_error(describe(e)))?;
    if frame.bit_depth != BitDepth::Eight {
        return Err(png_error(format!(
            "decoder produced {:?}-bit samples",
            frame.bit_depth
        )));
    }
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut pixels = vec![0u8; width * height];
    for (row, out) in buffer
        .chunks_exact(frame.line_size)
        .zip(pixels.chunks_exact_mut(width))
    {
        row_to_gray(row, frame.color_type, out)
            .map_err(|()| png_error(format!("unexpected colour type {:?}", frame.color_type)))?;
    }
    Ok(GrayImage {
        width,
        height,
        pixels,
        path: path.to_path_buf(),
    })
}

/// One line of reason for a decoding error.
fn describe(error: DecodingError) -> String {
    match error {
        DecodingError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "truncated: the file ends before the image is complete".into()
        }
        DecodingError::IoError(e) => e.to_string(),
        DecodingError::Format(e) => format!("corrupt or unsupported PNG: {e}"),
        DecodingError::LimitsExceeded => "image needs more memory than allowed".into(),
        other => other.to_string(),
    }
}

/// Convert one decoded 8-bit row of `color` samples into grey.
fn row_to_gray(row: &[u8], color: ColorType, out: &mut [u8]) -> Result<(), ()> {
    let samples = color.samples();
    let row = &row[..out.len() * samples];
    match color {
        ColorType::Grayscale => out.copy_from_slice(row),
        ColorType::GrayscaleAlpha => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = over_white(p[0], p[1]);
            }
        }
        ColorType::Rgb => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(3)) {
                *o = luminance(p[0], p[1], p[2]);
            }
        }
        ColorType::Rgba => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(4)) {
                *o = over_white(luminance(p[0], p[1], p[2]), p[3]);
            }
        }
        ColorType::Indexed => return Err(()),
    }
    Ok(())
}

/// ITU-R BT.601 luma, `0.299 R + 0.587 G + 0.114 B`, rounded.
pub fn luminance(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

/// Composite grey `v` with opacity `alpha` over white paper, rounded.
pub fn over_white(v: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(v), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Prepare a photo or drawing of one digit the way MNIST's digits were prepared,
/// and scale it into the network's inputs (0.01..=1.0, ink high).
///
/// See [`prepare_digit_pixels`] for the steps.
pub fn prepare_digit(image: &GrayImage) -> Result<[f32; IMAGE_PIXELS], DataError> {
    let pixels = prepare_digit_pixels(image)?;
    Ok(pixels.map(scale_pixel))
}

/// The MNIST preparation, as a 28×28 byte image (0 = background, 255 = full ink):
///
/// 1. the paper is the median grey of the border; if it is light the digit is dark
///    ink on light paper, and is inverted so ink is high as in MNIST;
/// 2. ink is stretched so the paper is 0 and the strongest ink 255, ignoring
///    differences below [`NOISE_FRACTION`] of the contrast (paper texture, shading);
/// 3. the image is cropped to the ink's bounding box, which is shrunk (or grown) to
///    fit [`DIGIT_BOX`]×[`DIGIT_BOX`] keeping its aspect ratio, by area averaging;
/// 4. it is placed in 28×28 so that its centre of mass is at pixel (14, 14), kept
///    inside the frame — where MNIST's digits have theirs (their mean centre of mass,
///    in pixel indices, is (14.0, 14.0) within 0.01).
///
/// An image whose contrast is below [`MIN_CONTRAST`] gives [`DataError::NoInk`].
pub fn prepare_digit_pixels(image: &GrayImage) -> Result<[u8; IMAGE_PIXELS], DataError> {
    let width = image.width;
    let ink = ink_levels(image).ok_or_else(|| DataError::NoInk {
        path: image.path.clone(),
    })?;

    let (x0, y0, x1, y1) = bounding_box(&ink, width).ok_or_else(|| DataError::NoInk {
        path: image.path.clone(),
    })?;
    let (box_w, box_h) = (x1 - x0, y1 - y0);
    let crop: Vec<f32> = (y0..y1)
        .flat_map(|y| ink[y * width + x0..y * width + x1].iter().copied())
        .collect();

    let scale = DIGIT_BOX as f64 / box_w.max(box_h) as f64;
    let fit = |n: usize| ((n as f64 * scale).round() as usize).clamp(1, DIGIT_BOX);
    let (digit_w, digit_h) = (fit(box_w), fit(box_h));
    let digit = area_resize(&crop, box_w, box_h, digit_w, digit_h);

    let (cx, cy) = centre_of_mass(&digit, digit_w, digit_h);
    let place = |centre: f64, size: usize, frame: usize| {
        let origin = ((frame / 2) as f64 - centre).round();
        origin.clamp(0.0, (frame - size) as f64) as usize
    };
    let left = place(cx, digit_w, IMAGE_COLS);
    let top = place(cy, digit_h, IMAGE_ROWS);

    let mut out = [0u8; IMAGE_PIXELS];
    for y in 0..digit_h {
        for x in 0..digit_w {
            out[(top + y) * IMAGE_COLS + left + x] = to_byte(digit[y * digit_w + x]);
        }
    }
    Ok(out)
}

/// The book's own preparation: shrink the whole image to 28×28 (area averaging,
/// ignoring the aspect ratio), invert it (`255 - v`, so dark ink on light paper
/// becomes high), and scale it into the network's inputs (0.01..=1.0).
pub fn prepare_raw(image: &GrayImage) -> [f32; IMAGE_PIXELS] {
    if image.pixels.is_empty() {
        return [scale_pixel(0); IMAGE_PIXELS];
    }
    let grey: Vec<f32> = image.pixels.iter().map(|&p| f32::from(p)).collect();
    let small = area_resize(&grey, image.width, image.height, IMAGE_COLS, IMAGE_ROWS);
    let mut out = [0.0; IMAGE_PIXELS];
    for (o, &v) in out.iter_mut().zip(&small) {
        *o = scale_pixel(255 - to_byte(v));
    }
    out
}

/// Turn the network's 784 inputs (0.01..=1.0, ink high) back into bytes
/// (0..=255, ink high — light digit on black, as MNIST looks), undoing [`scale_pixel`].
/// Values outside 0.01..=1.0 are clamped.
pub fn input_to_pixels(input: &[f32]) -> Vec<u8> {
    input
        .iter()
        .map(|&x| to_byte((x - 0.01) / 0.99 * 255.0))
        .collect()
}

/// Write an 8-bit greyscale PNG. The image is written to a temporary file next to
/// `path` and renamed over it, so a failure never leaves a damaged file.
pub fn save_png_gray(
    path: impl AsRef<Path>,
    width: usize,
    height: usize,
    pixels: &[u8],
) -> Result<(), DataError> {
    let path = path.as_ref();
    let write_error = |reason: String| DataError::PngWrite {
        path: path.to_path_buf(),
        reason,
    };
    if width == 0 || height == 0 || pixels.len() != width * height {
        return Err(write_error(format!(
            "{} pixels do not make a {width}×{height} image",
            pixels.len()
        )));
    }
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(write_error(format!(
            "{width}×{height} is too large for PNG"
        )));
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| write_error("not a file name".into()))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);

    let result = write_png(&temp, w, h, pixels)
        .and_then(|()| fs::rename(&temp, path).map_err(|e| e.to_string()));
    result.map_err(|reason| {
        let _ = fs::remove_file(&temp);
        write_error(reason)
    })
}

fn write_png(path: &Path, width: u32, height: u32, pixels: &[u8]) -> Result<(), String> {
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(ColorType::Grayscale);
    encoder.set_depth(BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(pixels).map_err(|e| e.to_string())?;
    // Writes IEND and flushes the buffered file, reporting any error.
    writer.finish().map_err(|e| e.to_string())
}

/// Round and clamp into a byte (NaN becomes 0).
fn to_byte(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Ink strength 0.0..=255.0 per pixel (0 = paper), or `None` if there is no ink.
fn ink_levels(image: &GrayImage) -> Option<Vec<f32>> {
    if image.pixels.is_empty() {
        return None;
    }
    let paper = border_median(image);
    let light_paper = paper >= 128;
    // How far each pixel is from the paper, towards the ink.
    let difference = |p: u8| {
        if light_paper {
            paper.saturating_sub(p)
        } else {
            p.saturating_sub(paper)
        }
    };
    let contrast = image.pixels.iter().map(|&p| difference(p)).max()?;
    if contrast < MIN_CONTRAST {
        return None;
    }
    let floor = f32::from(contrast) * NOISE_FRACTION;
    let span = f32::from(contrast) - floor;
    Some(
        image
            .pixels
            .iter()
            .map(|&p| ((f32::from(difference(p)) - floor) / span).clamp(0.0, 1.0) * 255.0)
            .collect(),
    )
}

/// The median grey of the outermost pixels: the paper (or background) colour.
fn border_median(image: &GrayImage) -> u8 {
    let (w, h) = (image.width, image.height);
    let mut histogram = [0usize; 256];
    for y in 0..h {
        let on_edge_row = y == 0 || y == h - 1;
        for x in 0..w {
            if on_edge_row || x == 0 || x == w - 1 {
                histogram[usize::from(image.get(x, y))] += 1;
            }
        }
    }
    let count: usize = histogram.iter().sum();
    let mut seen = 0;
    for (grey, &n) in histogram.iter().enumerate() {
        seen += n;
        if 2 * seen >= count {
            return grey as u8;
        }
    }
    255
}

/// Half-open bounding box `(x0, y0, x1, y1)` of the pixels with any ink.
fn bounding_box(ink: &[f32], width: usize) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (i, _) in ink.iter().enumerate().filter(|(_, v)| **v > 0.0) {
        let (x, y) = (i % width, i / width);
        bounds = Some(match bounds {
            None => (x, y, x + 1, y + 1),
            Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)),
        });
    }
    bounds
}

/// Centre of mass `(x, y)` in pixel indices; the middle if there is no mass.
fn centre_of_mass(values: &[f32], width: usize, height: usize) -> (f64, f64) {
    let (mut total, mut sum_x, mut sum_y) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in values.iter().enumerate() {
        let v = f64::from(v);
        total += v;
        sum_x += v * (i % width) as f64;
        sum_y += v * (i / width) as f64;
    }
    if total > 0.0 {
        (sum_x / total, sum_y / total)
    } else {
        ((width as f64 - 1.0) / 2.0, (height as f64 - 1.0) / 2.0)
    }
}

/// For each of `to` cells spread over `from` source pixels, the source pixels it
/// covers and the fraction of the cell each one fills (the fractions sum to 1).
fn area_weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let ratio = from as f64 / to as f64;
    (0..to)
        .map(|j| {
            let (start, end) = (j as f64 * ratio, (j + 1) as f64 * ratio);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            (first..last)
                .filter_map(|i| {
                    let overlap = end.min(i as f64 + 1.0) - start.max(i as f64);
                    (overlap > 0.0).then_some((i, (overlap / ratio) as f32))
                })
                .collect()
        })
        .collect()
}

/// Resize by area averaging: each output pixel is the mean of the source area it
/// covers, counting partly covered source pixels by the fraction covered.
fn area_resize(src: &[f32], src_w: usize, src_h: usize, dst_w: usize, dst_h: usize) -> Vec<f32> {
    let across = area_weights(src_w, dst_w);
    let down = area_weights(src_h, dst_h);
    // Horizontal pass: src_h rows of dst_w.
    let mut rows = vec![0.0f32; src_h * dst_w];
    for y in 0..src_h {
        let line = &src[y * src_w..(y + 1) * src_w];
        for (x, weights) in across.iter().enumerate() {
            rows[y * dst_w + x] = weights.iter().map(|&(i, w)| line[i] * w).sum();
        }
    }
    // Vertical pass.
    let mut out = vec![0.0f32; dst_h * dst_w];
    for (y, weights) in down.iter().enumerate() {
        for &(i, w) in weights {
            let (from, to) = (
                &rows[i * dst_w..(i + 1) * dst_w],
                &mut out[y * dst_w..(y + 1) * dst_w],
            );
            for (o, &v) in to.iter_mut().zip(from) {
                *o += v * w;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
