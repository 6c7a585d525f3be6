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
    let Some(field_of) = field else {
        for (row, out_row) in out.chunks_exact_mut(width).enumerate() {
            for (col, pixel) in out_row.iter_mut().enumerate() {
                let (source_row, source_col) = map.source(row, col);
                *pixel = bilinear(image, width, height, source_row, source_col).unwrap_or(fill);
            }
        }
        return;
    };
    let (rows, cols) = field_of;
    if width * height < PADDED {
        let mut padded = [0.0; PADDED];
        let (copy, rest) = padded.split_at_mut(image.len());
        copy.copy_from_slice(image);
        rest.fill(fill);
        resample_small(&padded, width, height, &map, (rows, cols), out);
        return;
    }
    // Larger images: the same arithmetic in f64, one output row at a time.
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

/// Images of fewer pixels than this (MNIST's 784) are resampled with a
/// field by [`resample_small`], from a copy followed by `fill`s.
const PADDED: usize = 1024;

/// Output pixels whose source points are found at once.
const CHUNK: usize = 32;

/// [`distort_into`] with a field, for an image of fewer than [`PADDED`]
/// pixels held in `padded` (the image, then `fill`): the source points in
/// f32 (a field's displacements are f32 already; the error, a few
/// millionths of a pixel, is far inside the golden tests' tolerance), a
/// chunk of a row at a time: first where each point reads (a loop the
/// compiler vectorises), then the blends, along the two rows around the
/// point and then between them. A point outside the image reads the
/// `fill` after it with weights 0, so the blend is `fill` exactly, with no
/// branch.
fn resample_small(
    padded: &[f32; PADDED],
    width: usize,
    height: usize,
    map: &AffineMap,
    (rows, cols): (&[f32], &[f32]),
    out: &mut [f32],
) {
    let m = map.m.map(|row| row.map(|v| v as f32));
    let offset = map.offset.map(|v| v as f32);
    let (last_row, last_col) = ((height - 1) as f32, (width - 1) as f32);
    let width_f = width as f32;
    let outside = (width * height) as u32;
    // Per point of a chunk: the pixel above and left of it, the steps right
    // and down (0 on the last column or row, where their weight is 0), and
    // the fractions of the way to them.
    let mut at = [0u32; CHUNK];
    let mut step_right = [0u32; CHUNK];
    let mut step_down = [0u32; CHUNK];
    let mut right = [0.0f32; CHUNK];
    let mut down = [0.0f32; CHUNK];
    for (row, ((out_row, rows), cols)) in out
        .chunks_exact_mut(width)
        .zip(rows.chunks_exact(width))
        .zip(cols.chunks_exact(width))
        .enumerate()
    {
        let r = row as f32;
        let start = [m[0][0] * r + offset[0], m[1][0] * r + offset[1]];
        let chunks = out_row
            .chunks_mut(CHUNK)
            .zip(rows.chunks(CHUNK).zip(cols.chunks(CHUNK)));
        for (k, (out, (rows, cols))) in chunks.enumerate() {
            let n = out.len();
            for j in 0..n {
                let c = (k * CHUNK + j) as f32;
                // source = M·output + offset + d(output)
                let source_row = m[0][1] * c + start[0] + rows[j];
                let source_col = m[1][1] * c + start[1] + cols[j];
                let inside = (0.0..=last_row).contains(&source_row)
                    && (0.0..=last_col).contains(&source_col);
                // Clamped into the image, where `floor_small` holds.
                let (row, col) = (
                    source_row.clamp(0.0, last_row),
                    source_col.clamp(0.0, last_col),
                );
                let (top, left) = (floor_small(row), floor_small(col));
                at[j] = if inside {
                    small_index(top * width_f + left)
                } else {
                    outside
                };
                step_right[j] = u32::from(inside && left < last_col);
                step_down[j] = if inside && top < last_row {
                    width as u32
                } else {
                    0
                };
                right[j] = if inside { col - left } else { 0.0 };
                down[j] = if inside { row - top } else { 0.0 };
            }
            for j in 0..n {
                // Indices below PADDED: masking says so to the compiler.
                let pixel = |i: u32| padded[i as usize % PADDED];
                let (upper, lower) = (at[j], at[j] + step_down[j]);
                let a = pixel(upper) + (pixel(upper + step_right[j]) - pixel(upper)) * right[j];
                let b = pixel(lower) + (pixel(lower + step_right[j]) - pixel(lower)) * right[j];
                out[j] = a + (b - a) * down[j];
            }
        }
    }
}

/// `2²³`: a number from 0 to `2²²` plus this is rounded to a whole number.
const WHOLE: f32 = 8_388_608.0;

/// `⌊x⌋` for `0 ≤ x < 2²²`, from additions and a comparison only: no
/// float-to-integer conversion, which SSE2 cannot do many at once with
/// Rust's saturating `as`, so the loop around it stays in vectors. Equal to
/// `x.floor()` there (tested).
#[inline(always)]
fn floor_small(x: f32) -> f32 {
    // x rounded to the nearest whole number, ties to even
    let nearest = (x + WHOLE) - WHOLE;
    if nearest > x { nearest - 1.0 } else { nearest }
}

/// A whole number `0 ≤ n < 2²²` held in an `f32`, as a `u32`: its bits
/// once added to `2²³` (the same conversion-free route as [`floor_small`]).
#[inline(always)]
fn small_index(n: f32) -> u32 {
    (n + WHOLE).to_bits() - WHOLE.to_bits()
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
/// `alpha` (Simard et al. 2003, section 2), through [`ElasticSmoothing`]
/// (made afresh: keep one to distort many images without allocating).
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
    check_len("scratch buffer", scratch.len(), width, height);
    let smoothing = ElasticSmoothing::new(gaussian, alpha, width, height);
    let mut work = smoothing.scratch();
    smoothing.apply(rows, cols, &mut work);
}

/// Images up to this many pixels a side have their elastic fields smoothed
/// as two matrix products ([`ElasticSmoothing`]); larger ones by
/// [`Gaussian::smooth`], whose work grows with the kernel, not the side.
const MATRIX_SIDE: usize = 64;

/// The smoothing of elastic fields for one image size, set up once: the
/// Gaussian with zeros beyond the edges is a banded matrix, so smoothing a
/// `height × width` field `F` along its rows and down its columns is
/// `α·G_h · F · G_wᵀ`, two matrix products that run on mnn-matrix's blocked
/// kernel ([`mnn_matrix::gemm()`]): the rows of both fields in one product
/// (`[F_rows; F_cols]·G_wᵀ`), then each field's columns. The band holds the
/// same weights as scipy's kernel and `α` is folded into `G_h`, so the result
/// is `α·gaussian_filter(F, σ, mode='constant')` summed in another order
/// (equal to `f32` rounding: the golden tests).
#[derive(Debug, Clone)]
pub struct ElasticSmoothing {
    width: usize,
    height: usize,
    /// `G_wᵀ`, `width × padded` (columns from `width` on are zero, so
    /// every row of the products is a whole number of vectors).
    across: Vec<f32>,
    /// `α·G_h`, `height × height`.
    down: Vec<f32>,
    /// `width` rounded up to whole vectors.
    padded: usize,
    /// Larger images: the kernel and `α`, applied by [`Gaussian::smooth`].
    general: Option<(Gaussian, f32)>,
}

impl ElasticSmoothing {
    /// Smoothing by `gaussian`, scaled by `alpha`, for `width × height` fields.
    pub fn new(gaussian: &Gaussian, alpha: f32, width: usize, height: usize) -> Self {
        let padded = width.next_multiple_of(16);
        let weight = |offset: usize, other: usize| {
            // G[i][j] = w(j − i) within the kernel's reach, else 0
            let radius = gaussian.radius();
            let k = (other + radius).checked_sub(offset);
            k.and_then(|k| gaussian.weights().get(k))
                .copied()
                .unwrap_or(0.0)
        };
        if width.max(height) > MATRIX_SIDE {
            return Self {
                width,
                height,
                across: Vec::new(),
                down: Vec::new(),
                padded,
                general: Some((gaussian.clone(), alpha)),
            };
        }
        // across[j][c] = G_w[c][j]: the weight of column j in output column c
        let mut across = vec![0.0; width * padded];
        for (j, row) in across.chunks_exact_mut(padded).enumerate() {
            for (c, value) in row.iter_mut().enumerate().take(width) {
                *value = weight(c, j);
            }
        }
        let mut down = vec![0.0; height * height];
        for (r, row) in down.chunks_exact_mut(height.max(1)).enumerate() {
            for (i, value) in row.iter_mut().enumerate() {
                *value = alpha * weight(r, i);
            }
        }
        Self {
            width,
            height,
            across,
            down,
            padded,
            general: None,
        }
    }

    /// Working memory for [`apply`](Self::apply).
    pub fn scratch(&self) -> Vec<f32> {
        if self.general.is_some() {
            vec![0.0; self.width * self.height]
        } else {
            vec![0.0; 3 * self.height * self.padded]
        }
    }

    /// Smooths `rows` and `cols` (raw numbers, `width × height` each) into
    /// the displacement fields, in place. Allocates nothing.
    ///
    /// # Panics
    ///
    /// If a field does not hold `width × height` values, or `scratch` is
    /// not what [`scratch`](Self::scratch) makes.
    pub fn apply(&self, rows: &mut [f32], cols: &mut [f32], scratch: &mut [f32]) {
        use mnn_matrix::{Output, View, gemm};
        let (width, height, padded) = (self.width, self.height, self.padded);
        check_len("row displacement field", rows.len(), width, height);
        check_len("column displacement field", cols.len(), width, height);
        if let Some((gaussian, alpha)) = &self.general {
            for field in [rows, cols] {
                gaussian.smooth(field, width, height, scratch);
                field.iter_mut().for_each(|d| *d *= alpha);
            }
            return;
        }
        if rows.is_empty() {
            return;
        }
        let (along, out) = scratch.split_at_mut(2 * height * padded);
        // Along the rows: [F_rows; F_cols]·G_wᵀ, (2·height × padded).
        let (top, bottom) = along.split_at_mut(height * padded);
        let across = View::row_major(&self.across, width, padded);
        for (field, along) in [(&*rows, top), (&*cols, bottom)] {
            let field = View::row_major(field, height, width);
            gemm(1.0, field, across, Output::Overwrite, along, padded);
        }
        // Down the columns: α·G_h·(each field), then its first `width` columns.
        let down = View::row_major(&self.down, height, height);
        for (field, along) in [
            (rows, &along[..height * padded]),
            (cols, &along[height * padded..]),
        ] {
            let along = View::row_major(along, height, padded);
            gemm(1.0, down, along, Output::Overwrite, out, padded);
            for (field_row, out_row) in field.chunks_exact_mut(width).zip(out.chunks_exact(padded))
            {
                field_row.copy_from_slice(&out_row[..width]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::counting;

    #[test]
    fn floor_small_is_floor_and_small_index_the_whole_number() {
        // Every f32 step near the whole numbers, and a sweep between them.
        let mut values: Vec<f32> = (0..=64)
            .flat_map(|n| {
                let n = n as f32;
                [
                    n,
                    n.next_down().max(0.0),
                    n.next_up(),
                    n + 0.5,
                    n + 0.999_999,
                ]
            })
            .collect();
        values.extend((0..100_000).map(|i| i as f32 * 0.000_997));
        values.push(((1 << 22) - 1) as f32 + 0.5);
        for x in values {
            assert_eq!(
                floor_small(x).to_bits(),
                x.floor().to_bits(),
                "floor of {x}"
            );
            assert_eq!(small_index(x.floor()), x.floor() as u32, "index of {x}");
        }
    }

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
    fn elastic_smoothing_by_matrices_is_the_gaussian_filter_times_alpha() {
        for (width, height, sigma) in [
            (28, 28, 4.0),
            (20, 27, 2.0),
            (7, 31, 1.0),
            (1, 1, 4.0),
            (70, 3, 1.5),
        ] {
            let raw = |seed: usize| -> Vec<f32> {
                (0..width * height)
                    .map(|i| (((i + seed) * 7919 % 1013) as f32 / 1013.0) * 2.0 - 1.0)
                    .collect()
            };
            let g = Gaussian::new(sigma);
            let smoothing = ElasticSmoothing::new(&g, 34.0, width, height);
            let (mut rows, mut cols) = (raw(0), raw(5));
            smoothing.apply(&mut rows, &mut cols, &mut smoothing.scratch());
            let mut scratch = vec![0.0; width * height];
            for (got, seed) in [(rows, 0), (cols, 5)] {
                let mut want = raw(seed);
                g.smooth(&mut want, width, height, &mut scratch);
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    let w = 34.0 * w;
                    assert!(
                        (g - w).abs() <= 1e-5 * (1.0 + w.abs()),
                        "{width}x{height} [{i}]: {g} vs {w}"
                    );
                }
            }
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
