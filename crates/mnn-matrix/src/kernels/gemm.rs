//! The matrix-matrix product `C = alpha·A·B (+ C)` of mini-batch training:
//! what the blocked kernel is given (`Job`, [`View`]), its block sizes,
//! and the packing of `A` and `B` into the strips its microkernel reads.
//!
//! A [`View`] is any matrix in a slice, with a stride between rows and one
//! between columns, so a transpose costs nothing: `W·Xᵀ` for a batch of
//! inputs `X` stored one sample per row is `W` times `X`'s view transposed.
//! Packing copies a block of it, zero-padded to whole strips, into the
//! order the microkernel reads (matrixmultiply's and BLIS's design): the
//! strided reads happen once per block, the microkernel's loads are
//! contiguous.
//!
//! **One summation order.** Each element of `C` is summed over `k` in
//! blocks of `KC` (256): within a block, in order from zero; then
//! `c ← alpha·sum + c` once per block. It does not depend on where the
//! element sits, on `m` or `n`, on the instruction set's width, or on how a
//! caller splits the rows of `A` between threads: rows computed apart are
//! bit for bit the rows computed together (tested).

/// `k` per block: the packed strips of `A` (`MR × KC`) and `B` (`KC × NR`)
/// stay in the first-level caches while a tile is summed.
pub(crate) const KC: usize = 256;
/// Rows of `A` packed per block (a multiple of every `MR`): `MC × KC`
/// values, 144 KiB, in the second-level cache.
pub(crate) const MC: usize = 144;
/// Columns of `B` packed per block (a multiple of every `NR`).
pub(crate) const NC: usize = 2048;

/// A read-only `rows × cols` matrix in a slice: element `(i, j)` at
/// `data[i·row_stride + j·col_stride]`.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> View<'a> {
    /// The matrix whose `(i, j)` is `data[i·row_stride + j·col_stride]`.
    ///
    /// # Panics
    /// If the last element is beyond `data`.
    pub fn new(
        data: &'a [f32],
        (rows, cols): (usize, usize),
        (row_stride, col_stride): (usize, usize),
    ) -> Self {
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * row_stride + (cols - 1) * col_stride;
            assert!(
                last < data.len(),
                "View: a {rows}×{cols} matrix with strides ({row_stride}, {col_stride}) needs {} values, got {}",
                last + 1,
                data.len()
            );
        }
        Self {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// `rows × cols` values one row after another.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self::new(data, (rows, cols), (cols, 1))
    }

    /// The transpose, `(j, i)` for `(i, j)`: the same values, strides swapped.
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The stride between columns (1: each row's values are contiguous).
    pub(crate) fn col_stride(&self) -> usize {
        self.col_stride
    }

    /// The values from `(i, j)` on, and the stride between rows.
    pub(crate) fn rows_from(&self, i: usize, j: usize) -> (&'a [f32], usize) {
        (
            &self.data[i * self.row_stride + j * self.col_stride..],
            self.row_stride,
        )
    }

    /// Element `(i, j)`.
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }

    /// Rows `rows` and columns `cols` into strips of `mr` rows, each strip
    /// column after column (`out[strip][p·mr + i]`), the last strip padded
    /// with zeros: the order a tile reads `A`.
    pub(crate) fn pack_rows(
        &self,
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
        mr: usize,
        out: &mut [f32],
    ) {
        let kc = cols.len();
        for (s, strip) in out[..rows.len().next_multiple_of(mr) * kc]
            .chunks_exact_mut(mr * kc)
            .enumerate()
        {
            let first = rows.start + s * mr;
            let height = mr.min(rows.end - first);
            for (p, column) in strip.chunks_exact_mut(mr).enumerate() {
                let j = cols.start + p;
                for (i, value) in column.iter_mut().enumerate() {
                    *value = if i < height {
                        self.at(first + i, j)
                    } else {
                        0.0
                    };
                }
            }
        }
    }

    /// Rows `rows` and columns `cols` into strips of `nr` columns, each
    /// strip row after row (`out[strip][p·nr + j]`), the last strip padded
    /// with zeros: the order a tile reads `B`.
    pub(crate) fn pack_cols(
        &self,
        rows: std::ops::Range<usize>,
        cols: std::ops::Range<usize>,
        nr: usize,
        out: &mut [f32],
    ) {
        let kc = rows.len();
        for (s, strip) in out[..cols.len().next_multiple_of(nr) * kc]
            .chunks_exact_mut(nr * kc)
            .enumerate()
        {
            let first = cols.start + s * nr;
            let width = nr.min(cols.end - first);
            for (p, row) in strip.chunks_exact_mut(nr).enumerate() {
                let i = rows.start + p;
                if self.col_stride == 1 {
                    let at = i * self.row_stride + first;
                    row[..width].copy_from_slice(&self.data[at..at + width]);
                    row[width..].fill(0.0);
                } else {
                    for (j, value) in row.iter_mut().enumerate() {
                        *value = if j < width {
                            self.at(i, first + j)
                        } else {
                            0.0
                        };
                    }
                }
            }
        }
    }
}

/// One product as the kernels are given it, its shapes checked:
/// `C = alpha·A·B`, plus `C` unless `overwrite`. `C` is `A.rows × B.cols`,
/// row `i` starting at `c[i·c_stride]`.
pub(crate) struct Job<'a> {
    pub(crate) a: View<'a>,
    pub(crate) b: View<'a>,
    pub(crate) alpha: f32,
    pub(crate) overwrite: bool,
    pub(crate) c: &'a mut [f32],
    pub(crate) c_stride: usize,
}
