//! Distortions beyond the book: a fixed one for one image.
//!
//! Every distortion here moves pixels: output pixel `(row, col)` takes the
//! bilinear blend of the input around a *source point*, and `fill` when that
//! point is outside the image (scipy's `map_coordinates(order=1,
//! mode='constant')`, exactly as [`rotate`](crate::rotate) does). The source
//! point is
//!
//! ```text
//! source = centre + R(θ)/s · (output − centre) − shift  + d(output)
//!          └──────── affine: turn, size, move ───────┘   └ elastic ┘
//! ```
//!
//! with `R(θ)` the rotation of [`rotate`](crate::rotate) (positive =
//! anticlockwise as displayed), `s` the size factor (1.1 draws the digit 10%
//! bigger), `shift` the move in (rows down, columns right), and `d` an elastic
//! displacement field (Simard, Steinkraus & Platt, 2003): a field of random
//! numbers in −1..1 for each direction, smoothed with a Gaussian of width `σ`
//! ([`Gaussian`], scipy's `gaussian_filter(mode='constant')`) and scaled by
//! `α`. All of it is one resampling, so a digit is blurred once however many
//! distortions it gets.

use crate::{bilinear, check_len, sin_cos_degrees};

/// The affine part of a distortion: turn, size and move, about the image centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    /// Turn in degrees, anticlockwise as displayed (as [`rotate`](crate::rotate)).
    pub degrees: f32,
    /// Size factor: above 1 the digit grows, below 1 it shrinks.
    pub scale: f32,
    /// Pixels to move the digit down (negative: up).
    pub shift_rows: f32,
    /// Pixels to move the digit right (negative: left).
    pub shift_cols: f32,
}

impl Affine {
    /// No change at all.
    pub const IDENTITY: Affine = Affine {
        degrees: 0.0,
        scale: 1.0,
        shift_rows: 0.0,
        shift_cols: 0.0,
    };
}

impl Default for Affine {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// The output → input map of an [`Affine`], in `f64` like [`rotate`](crate::rotate):
/// `source = M·output + offset` with `M = R(θ)/s` and
/// `offset = centre − M·centre − shift`, scipy's `affine_transform(matrix, offset)`.
pub(crate) struct AffineMap {
    m: [[f64; 2]; 2],
    offset: [f64; 2],
}

impl AffineMap {
    pub(crate) fn new(affine: &Affine, width: usize, height: usize) -> Self {
        let (sin, cos) = sin_cos_degrees(f64::from(affine.degrees));
        let inverse_scale = 1.0 / f64::from(affine.scale);
        // R = [[cos, sin], [−sin, cos]] in (row, col), as scipy's rotate builds it.
        let m = [
            [cos * inverse_scale, sin * inverse_scale],
            [-sin * inverse_scale, cos * inverse_scale],
        ];
        let centre = [(height as f64 - 1.0) / 2.0, (width as f64 - 1.0) / 2.0];
        let shift = [f64::from(affine.shift_rows), f64::from(affine.shift_cols)];
        let offset = [
            centre[0] - (m[0][0] * centre[0] + m[0][1] * centre[1]) - shift[0],
            centre[1] - (m[1][0] * centre[0] + m[1][1] * centre[1]) - shift[1],
        ];
        Self { m, offset }
    }

    /// Where output pixel (`row`, `col`) comes from.
    #[inline]
    pub(crate) fn source(&self, row: usize, col: usize) -> (f64, f64) {
        let (row, col) = (row as f64, col as f64);
        (
            self.m[0][0] * row + self.m[0][1] * col + self.offset[0],
            self.m[1][0] * row + self.m[1][1] * col + self.offset[1],
        )
    }
}

/// `image` moved by `affine` and, if given, the displacement field
/// `(rows, cols)` (one value per pixel each: how far down and right of the
/// affine source point each output pixel reads), with `fill` where the source
/// point is outside the image. Every pixel of `out` is overwritten;
/// allocates nothing.
///
/// Equal (to `f32` rounding) to scipy's
/// `map_coordinates(image, [M·o + offset + d_rows, … + d_cols], order=1, mode='constant', cval=fill)`;
/// with no field, to `affine_transform(image, M, offset, order=1, mode='constant', cval=fill)`.
///
/// # Panics
///
/// If `image`, `out` or a field does not hold `width * height` values.
pub fn distort_into(
    image: &[f32],
    width: usize,
    height: usize,
    affine: &Affine,
    field: Option<(&[f32], &[f32])>,
    fill: f32,
    out: &mut [f32],
) {
    check_len("image", image.len(), width, height);
    check_len("output", out.len(), width, height);
    if let Some((rows, cols)) = field {
        check_len("row displacement field", rows.len(), width, height);
        check_len("column displacement field", cols.len(), width, height);
    }
    if out.is_empty() {
        return;
    }
    let map = AffineMap::new(affine, width, height);
    let Some((rows, cols)) = field else {
        for (row, out_row) in out.chunks_exact_mut(width).enumerate() {
            for (col, pixel) in out_row.iter_mut().enumerate() {
                let (source_row, source_col) = map.source(row, col);
                *pixel = bilinear(image, width, height, source_row, source_col).unwrap_or(fill);
            }
        }
        return;
    };
    // The same arithmetic with the field added, one output row at a time so
    // the loop runs over slices of equal length (no bounds checks).
    for (row, ((out_row, rows), cols)) in out
        .chunks_exact_mut(width)
        .zip(rows.chunks_exact(width))
        .zip(cols.chunks_exact(width))
        .enumerate()
    {
        for (col, ((pixel, &d_row), &d_col)) in out_row.iter_mut().zip(rows).zip(cols).enumerate() {
            let (source_row, source_col) = map.source(row, col);
            // source += d(output)
            let (source_row, source_col) =
                (source_row + f64::from(d_row), source_col + f64::from(d_col));
            *pixel = bilinear(image, width, height, source_row, source_col).unwrap_or(fill);
        }
    }
}

/// A normalised 1-D Gaussian kernel, as scipy's `gaussian_filter` builds it:
/// radius `⌊4σ + ½⌋`, weights `exp(−x²/2σ²)` divided by their sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    weights: Vec<f32>,
}

impl Gaussian {
    /// The kernel of standard deviation `sigma` (pixels).
    ///
    /// # Panics
    ///
    /// If `sigma` is not a positive finite number.
    #[must_use]
    pub fn new(sigma: f32) -> Self {
        assert!(
            sigma > 0.0 && sigma.is_finite(),
            "mnn-augment: a Gaussian needs a positive finite sigma, got {sigma}"
        );
        let sigma = f64::from(sigma);
        // scipy: lw = int(truncate * sd + 0.5) with truncate = 4.0
        let radius = (4.0 * sigma + 0.5) as i64;
        let raw: Vec<f64> = (-radius..=radius)
            .map(|x| libm::exp(-0.5 / (sigma * sigma) * (x * x) as f64))
            .collect();
        let sum: f64 = raw.iter().sum();
        Self {
            weights: raw.iter().map(|w| (w / sum) as f32).collect(),
        }
    }

    /// The weights, from offset `−radius` to `+radius`.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// How far the kernel reaches each way, in pixels.
    pub fn radius(&self) -> usize {
        self.weights.len() / 2
    }

    /// Smooths `values` (a `width × height` image) in place, first down the
    /// columns then along the rows, with zeros beyond the edges (scipy's
    /// `gaussian_filter(values, sigma, mode='constant', cval=0)`). `scratch`
    /// holds the intermediate result; allocates nothing.
    ///
    /// # Panics
    ///
    /// If `values` or `scratch` does not hold `width * height` values.
    pub fn smooth(&self, values: &mut [f32], width: usize, height: usize, scratch: &mut [f32]) {
        check_len("field", values.len(), width, height);
        check_len("scratch buffer", scratch.len(), width, height);
        if values.is_empty() {
            return;
        }
        let side = width.max(height);
        if side <= MNIST_SIDE {
            self.smooth_block::<MNIST_SIDE>(values, width, height);
        } else if side <= BLOCK {
            self.smooth_block::<BLOCK>(values, width, height);
        } else {
            self.smooth_any(values, width, height, scratch);
        }
    }

    /// [`smooth`](Self::smooth) for an image of at most `N` pixels a side
    /// (`N` = 28 for MNIST: no padding to do sums on), on the stack, the same
    /// sums in the same order:
    /// the image zero-padded into a block, smoothed down its columns a whole
    /// padded row at a time (so the compiler keeps the row's sums in vector
    /// registers), transposed, smoothed down its columns again (which are
    /// the image's rows), and transposed back.
    fn smooth_block<const N: usize>(&self, values: &mut [f32], width: usize, height: usize) {
        let mut block = [[0.0f32; N]; N];
        for (row, source) in block.iter_mut().zip(values.chunks_exact(width)) {
            row[..width].copy_from_slice(source);
        }
        let mut down = [[0.0f32; N]; N];
        self.smooth_down(&block, &mut down, height);
        // block[c][r] = down[r][c]; rows of `down` from `height` on are zero.
        for (c, row) in block.iter_mut().enumerate().take(width) {
            for (r, value) in row.iter_mut().enumerate() {
                *value = down[r][c];
            }
        }
        self.smooth_down(&block, &mut down, width);
        for (r, out_row) in values.chunks_exact_mut(width).enumerate() {
            for (c, value) in out_row.iter_mut().enumerate() {
                *value = down[c][r];
            }
        }
    }

    /// `out` row r = Σ_k w_k · `input` row (r + k) for the first `rows` rows,
    /// rows outside `0..rows` being zero: one pass of the filter down the
    /// columns of a block, taps in increasing k as [`smooth`](Self::smooth)
    /// sums them.
    fn smooth_down<const N: usize>(
        &self,
        input: &[[f32; N]; N],
        out: &mut [[f32; N]; N],
        rows: usize,
    ) {
        let radius = self.radius();
        for (r, out_row) in out.iter_mut().enumerate().take(rows) {
            let mut sums = [0.0f32; N];
            let (first, last) = (r.saturating_sub(radius), (r + radius).min(rows - 1));
            let taps = &self.weights[first + radius - r..=last + radius - r];
            for (&w, input_row) in taps.iter().zip(&input[first..=last]) {
                for (sum, &v) in sums.iter_mut().zip(input_row) {
                    *sum += w * v;
                }
            }
            *out_row = sums;
        }
    }

    /// [`smooth`](Self::smooth) for an image of any size, through `scratch`.
    fn smooth_any(&self, values: &mut [f32], width: usize, height: usize, scratch: &mut [f32]) {
        let radius = self.radius() as isize;
        // Down the columns: scratch row r = Σ_k w_k · values row (r + k), whole rows at a time.
        scratch.fill(0.0);
        for (r, out_row) in scratch.chunks_exact_mut(width).enumerate() {
            for (k, &w) in (-radius..=radius).zip(&self.weights) {
                let source = r as isize + k;
                if (0..height as isize).contains(&source) {
                    let in_row = &values[source as usize * width..][..width];
                    for (o, &v) in out_row.iter_mut().zip(in_row) {
                        *o += w * v;
                    }
                }
            }
        }
        // Along the rows: values[c] = Σ_k w_k · scratch[c + k], one shifted slice per tap.
        values.fill(0.0);
        for (out_row, in_row) in values
            .chunks_exact_mut(width)
            .zip(scratch.chunks_exact(width))
        {
            for (k, &w) in (-radius..=radius).zip(&self.weights) {
                // Output columns c with 0 <= c + k < width.
                let first = (-k).max(0) as usize;
                let end = (width as isize - k).clamp(0, width as isize) as usize;
                if first >= end {
                    continue;
                }
                let source = &in_row[(first as isize + k) as usize..][..end - first];
                for (o, &v) in out_row[first..end].iter_mut().zip(source) {
                    *o += w * v;
                }
            }
        }
    }
}

/// Images up to this many pixels a side are smoothed on the stack, a padded
/// row of this many values at a time ([`Gaussian::smooth`]).
const BLOCK: usize = 32;

/// MNIST's side: its images are smoothed 28 values at a time, no padding.
const MNIST_SIDE: usize = 28;

/// Turns raw random numbers into an elastic displacement field in place:
/// each of `rows` and `cols` is smoothed by `gaussian` and multiplied by
/// `alpha` (Simard et al. 2003, section 2). Allocates nothing.
///
/// # Panics
///
/// If a buffer does not hold `width * height` values.
pub fn elastic_field(
    rows: &mut [f32],
    cols: &mut [f32],
    width: usize,
    height: usize,
    gaussian: &Gaussian,
    alpha: f32,
    scratch: &mut [f32],
) {
    for field in [rows, cols] {
        gaussian.smooth(field, width, height, scratch);
        field.iter_mut().for_each(|d| *d *= alpha);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::counting;

    #[test]
    fn identity_changes_nothing() {
        let image = counting(5, 4);
        let mut out = vec![0.0; 20];
        distort_into(&image, 5, 4, &Affine::IDENTITY, None, -1.0, &mut out);
        assert_eq!(out, image);
    }

    #[test]
    fn whole_pixel_shift_moves_down_and_right() {
        let image = counting(3, 3);
        let shift = Affine {
            shift_rows: 1.0,
            shift_cols: -1.0,
            ..Affine::IDENTITY
        };
        let mut out = vec![0.0; 9];
        distort_into(&image, 3, 3, &shift, None, 0.0, &mut out);
        // 1 2 3      0 0 0
        // 4 5 6  ->  2 3 0
        // 7 8 9      5 6 0
        assert_eq!(out, [0.0, 0.0, 0.0, 2.0, 3.0, 0.0, 5.0, 6.0, 0.0]);
    }

    #[test]
    fn pure_rotation_is_rotate() {
        let image = counting(7, 6);
        let turn = Affine {
            degrees: 17.0,
            ..Affine::IDENTITY
        };
        let mut out = vec![0.0; 42];
        distort_into(&image, 7, 6, &turn, None, 0.5, &mut out);
        assert_eq!(out, crate::rotate(&image, 7, 6, 17.0, 0.5));
    }

    #[test]
    fn doubling_the_size_spreads_the_centre() {
        // 5×5, centre (2, 2): at scale 2 output (2, 3) reads input (2, 2.5).
        let image = counting(5, 5);
        let grow = Affine {
            scale: 2.0,
            ..Affine::IDENTITY
        };
        let mut out = vec![0.0; 25];
        distort_into(&image, 5, 5, &grow, None, 0.0, &mut out);
        assert_eq!(out[2 * 5 + 2], 13.0);
        assert_eq!(out[2 * 5 + 3], 13.5);
    }

    #[test]
    fn constant_field_is_a_shift() {
        let image = counting(6, 5);
        let (rows, cols) = (vec![-1.0; 30], vec![2.0; 30]);
        let mut by_field = vec![0.0; 30];
        distort_into(
            &image,
            6,
            5,
            &Affine::IDENTITY,
            Some((&rows, &cols)),
            0.0,
            &mut by_field,
        );
        let shift = Affine {
            shift_rows: 1.0,
            shift_cols: -2.0,
            ..Affine::IDENTITY
        };
        let mut by_shift = vec![0.0; 30];
        distort_into(&image, 6, 5, &shift, None, 0.0, &mut by_shift);
        assert_eq!(by_field, by_shift);
    }

    #[test]
    fn gaussian_kernel_is_scipys() {
        let g = Gaussian::new(4.0);
        assert_eq!(g.radius(), 16);
        let sum: f32 = g.weights().iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
        assert_eq!(
            g.weights()[16],
            g.weights().iter().copied().fold(0.0, f32::max)
        );
        assert_eq!(Gaussian::new(0.1).radius(), 0);
    }

    #[test]
    fn smoothing_a_point_gives_the_kernel_outer_product() {
        let g = Gaussian::new(1.0); // radius 4
        let (width, height) = (11, 9);
        let mut values = vec![0.0; width * height];
        values[4 * width + 5] = 1.0;
        let mut scratch = vec![0.0; width * height];
        g.smooth(&mut values, width, height, &mut scratch);
        let w = g.weights();
        for r in 0..height {
            for c in 0..width {
                // Offsets from the point (4, 5): weight index offset + radius.
                let tap = |offset: isize| w.get((offset + 4) as usize).copied().unwrap_or(0.0);
                let expected = tap(r as isize - 4) * tap(c as isize - 5);
                assert!((values[r * width + c] - expected).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn small_images_are_smoothed_as_any_image_to_the_bit() {
        // The stack blocks (28×28 and 32×32) against the general path, on odd
        // shapes, with a kernel wider than the image and one narrower.
        for (width, height, sigma) in [
            (28, 28, 4.0),
            (20, 27, 2.0),
            (7, 31, 1.0),
            (32, 5, 0.7),
            (1, 1, 4.0),
        ] {
            let field: Vec<f32> = (0..width * height)
                .map(|i| ((i * 7919 % 1013) as f32 / 1013.0) * 2.0 - 1.0)
                .collect();
            let g = Gaussian::new(sigma);
            let mut scratch = vec![0.0; width * height];
            let (mut block, mut any) = (field.clone(), field);
            g.smooth(&mut block, width, height, &mut scratch);
            g.smooth_any(&mut any, width, height, &mut scratch);
            assert_eq!(block, any, "{width}x{height}, sigma {sigma}");
        }
    }

    #[test]
    fn smoothing_loses_mass_only_at_the_edges() {
        // Zero padding: a constant field keeps its value far from the edges.
        let g = Gaussian::new(1.0);
        let mut values = vec![1.0; 20 * 20];
        let mut scratch = vec![0.0; 400];
        g.smooth(&mut values, 20, 20, &mut scratch);
        assert!((values[10 * 20 + 10] - 1.0).abs() < 1e-6);
        assert!(values[0] < 0.6);
    }
}
