//! Turning a grey picture into the network's 784 inputs: MNIST's preparation
//! ([`prepare_digit`]) or the book's ([`prepare_raw`]).
//!
//! Memory is bounded by the picture: the ink levels are a 256-entry table
//! applied pixel by pixel, so the only copy made is the crop around the ink
//! (at most 4 bytes per pixel), and the book's shrink to 28×28 reads the
//! bytes directly (its intermediate holds 28 columns per source row).

use super::GrayImage;
use crate::{DataError, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, scale_pixel};

/// The digit is fitted into a box this many pixels wide and high, as in MNIST.
pub const DIGIT_BOX: usize = 20;

/// An image with less contrast than this between paper and darkest ink (in grey
/// levels) has no ink.
pub const MIN_CONTRAST: u8 = 32;

/// Differences from the paper smaller than this fraction of the contrast are
/// paper texture or shading, not ink.
pub const NOISE_FRACTION: f32 = 0.25;

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
    let no_ink = || DataError::NoInk {
        path: image.path.clone(),
    };
    let ink = ink_table(image).ok_or_else(no_ink)?;
    let (x0, y0, x1, y1) = bounding_box(image, &ink).ok_or_else(no_ink)?;
    let (box_w, box_h) = (x1 - x0, y1 - y0);
    let crop: Vec<f32> = (y0..y1)
        .flat_map(|y| image.pixels[y * width + x0..y * width + x1].iter())
        .map(|&p| ink[usize::from(p)])
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
    let small = area_resize(
        &image.pixels,
        image.width,
        image.height,
        IMAGE_COLS,
        IMAGE_ROWS,
    );
    let mut out = [0.0; IMAGE_PIXELS];
    for (o, &v) in out.iter_mut().zip(&small) {
        *o = scale_pixel(255 - to_byte(v));
    }
    out
}

/// [`prepare_raw`] as MNIST bytes (0 = background, 255 = full ink), what
/// `mnn query --raw` and the page's "book's way" show. The book's way has no
/// notion of ink, so a blank page (less than [`MIN_CONTRAST`] between its
/// darkest and lightest pixels) is refused here, as [`prepare_digit_pixels`]
/// refuses it.
pub fn prepare_raw_pixels(image: &GrayImage) -> Result<[u8; IMAGE_PIXELS], DataError> {
    let darkest = image.pixels.iter().min().copied().unwrap_or(0);
    let lightest = image.pixels.iter().max().copied().unwrap_or(0);
    if lightest - darkest < MIN_CONTRAST {
        return Err(DataError::NoInk {
            path: image.path.clone(),
        });
    }
    let pixels = input_to_pixels(&prepare_raw(image));
    Ok(pixels.try_into().expect("784 inputs make 784 pixels"))
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

/// Round and clamp into a byte (NaN becomes 0).
fn to_byte(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Ink strength 0.0..=255.0 (0 = paper) for each grey level 0..=255, or `None`
/// if there is no ink.
fn ink_table(image: &GrayImage) -> Option<[f32; 256]> {
    if image.pixels.is_empty() {
        return None;
    }
    let paper = border_median(image);
    let light_paper = paper >= 128;
    // How far each grey is from the paper, towards the ink.
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
    Some(std::array::from_fn(|p| {
        ((f32::from(difference(p as u8)) - floor) / span).clamp(0.0, 1.0) * 255.0
    }))
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
fn bounding_box(image: &GrayImage, ink: &[f32; 256]) -> Option<(usize, usize, usize, usize)> {
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for (i, _) in (image.pixels.iter().enumerate()).filter(|(_, p)| ink[usize::from(**p)] > 0.0) {
        let (x, y) = (i % image.width, i / image.width);
        bounds = Some(match bounds {
            None => (x, y, x + 1, y + 1),
            Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)),
        });
    }
    bounds
}

/// Centre of mass `(x, y)` in pixel indices; the middle if there is no mass.
pub(super) fn centre_of_mass(values: &[f32], width: usize, height: usize) -> (f64, f64) {
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
pub(super) fn area_resize<T: Copy>(
    src: &[T],
    src_w: usize,
    src_h: usize,
    dst_w: usize,
    dst_h: usize,
) -> Vec<f32>
where
    f32: From<T>,
{
    let across = area_weights(src_w, dst_w);
    let down = area_weights(src_h, dst_h);
    // Horizontal pass: src_h rows of dst_w.
    let mut rows = vec![0.0f32; src_h * dst_w];
    for y in 0..src_h {
        let line = &src[y * src_w..(y + 1) * src_w];
        for (x, weights) in across.iter().enumerate() {
            rows[y * dst_w + x] = weights.iter().map(|&(i, w)| f32::from(line[i]) * w).sum();
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
