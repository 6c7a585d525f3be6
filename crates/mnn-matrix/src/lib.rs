//! A hand-written dense `f32` matrix: the linear algebra of *Make Your Own
//! Neural Network*, and nothing more.
//!
//! The book's network needs four operations on a weight matrix `W`:
//!
//! | book (numpy)                     | here                                  |
//! |----------------------------------|---------------------------------------|
//! | `numpy.dot(W, x)`                | [`Matrix::mul_vec`]                   |
//! | `numpy.dot(W.T, e)`              | [`Matrix::transpose_mul_vec`]         |
//! | `W += a * numpy.dot(u, v.T)`     | [`Matrix::add_outer`] (rank-1 update) |
//! | `W.T`                            | [`Matrix::transpose`]                 |
//!
//! All of them reduce to two inner loops, [`dot`] and [`axpy`], kept in
//! [`kernels`] with a portable scalar twin and explicit SIMD versions (AVX2+FMA
//! on x86-64, NEON on aarch64) chosen once at run time; `MNN_SIMD=scalar`
//! forces the twin. [`axpy_then_dot`] fuses the two for training's single
//! sweep over a weight matrix. Matrices are row-major: row `r`
//! is the `cols` contiguous values starting at `r * cols`, so a row of `W` is
//! the weights of the links into one node of the next layer.
//!
//! ```
//! use mnn_matrix::Matrix;
//!
//! // W: (2 nodes, 3 inputs)
//! let w = Matrix::from_vec(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
//! let mut out = [0.0; 2];
//! w.mul_vec(&[1.0, 0.0, -1.0], &mut out); // out = W·x
//! assert_eq!(out, [-2.0, -2.0]);
//!
//! let mut back = [0.0; 3];
//! w.transpose_mul_vec(&[1.0, 1.0], &mut back); // back = Wᵀ·e
//! assert_eq!(back, [5.0, 7.0, 9.0]);
//! ```
//!
//! Shape mismatches in the arithmetic are programming errors and panic with a
//! message naming the operation and both shapes; building a matrix from data
//! of the wrong length returns a [`MatrixError`].

#![deny(unsafe_code)]

pub mod kernels;

pub use kernels::{
    Output, View, add_outer4_then_mul_vec4, axpy, axpy_then_dot, dot, gemm, mul_vec4,
};

/// What can go wrong when building a matrix from data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// The data does not hold `rows × cols` values.
    #[error("matrix of shape ({rows}, {cols}) needs {} values, got {len}", rows * cols)]
    DataLength {
        rows: usize,
        cols: usize,
        len: usize,
    },
    /// The rows given have different lengths.
    #[error("row {row} has {len} values, expected {cols} like row 0")]
    RaggedRows { row: usize, len: usize, cols: usize },
}

/// A dense row-major matrix of `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f32>,
}

impl Matrix {
    /// A `rows × cols` matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// A matrix over row-major `data`, which must hold `rows × cols` values.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self, MatrixError> {
        if data.len() != rows * cols {
            return Err(MatrixError::DataLength {
                rows,
                cols,
                len: data.len(),
            });
        }
        Ok(Self { rows, cols, data })
    }

    /// A matrix whose element `(r, c)` is `f(r, c)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let data = (0..rows * cols).map(|i| f(i / cols, i % cols)).collect();
        Self { rows, cols, data }
    }

    /// A matrix from a list of equally long rows.
    pub fn from_rows<R: AsRef<[f32]>>(rows: &[R]) -> Result<Self, MatrixError> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (row, values) in rows.iter().enumerate() {
            let values = values.as_ref();
            if values.len() != cols {
                return Err(MatrixError::RaggedRows {
                    row,
                    len: values.len(),
                    cols,
                });
            }
            data.extend_from_slice(values);
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows (nodes of the next layer, for a weight matrix).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (nodes of the previous layer, for a weight matrix).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// All values, row after row.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// All values, row after row, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// The values, row after row, by value.
    pub fn into_vec(self) -> Vec<f32> {
        self.data
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Row `r`, mutable.
    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Iterator over the rows.
    pub fn row_iter(&self) -> impl Iterator<Item = &[f32]> {
        (0..self.rows).map(|r| self.row(r))
    }

    /// Element `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> f32 {
        assert!(
            r < self.rows && c < self.cols,
            "get: ({r}, {c}) outside {:?}",
            self.shape()
        );
        self.data[r * self.cols + c]
    }

    /// Sets element `(r, c)`.
    pub fn set(&mut self, r: usize, c: usize, value: f32) {
        assert!(
            r < self.rows && c < self.cols,
            "set: ({r}, {c}) outside {:?}",
            self.shape()
        );
        self.data[r * self.cols + c] = value;
    }

    /// `out = W·x`: each output is the dot product of a row with `x`.
    ///
    /// # Panics
    /// If `x.len() != cols` or `out.len() != rows`.
    pub fn mul_vec(&self, x: &[f32], out: &mut [f32]) {
        assert_eq!(
            x.len(),
            self.cols,
            "mul_vec: W is {:?} but x has {} values",
            self.shape(),
            x.len()
        );
        assert_eq!(
            out.len(),
            self.rows,
            "mul_vec: W is {:?} but out has {} values",
            self.shape(),
            out.len()
        );
        for (o, row) in out.iter_mut().zip(self.row_iter()) {
            *o = dot(row, x);
        }
    }

    /// `out = Wᵀ·e`, without building `Wᵀ`: the sum of the rows of `W`, each
    /// weighted by its `e` (this is how the book splits errors backwards).
    ///
    /// # Panics
    /// If `e.len() != rows` or `out.len() != cols`.
    pub fn transpose_mul_vec(&self, e: &[f32], out: &mut [f32]) {
        assert_eq!(
            e.len(),
            self.rows,
            "transpose_mul_vec: W is {:?} but e has {} values",
            self.shape(),
            e.len()
        );
        assert_eq!(
            out.len(),
            self.cols,
            "transpose_mul_vec: W is {:?} but out has {} values",
            self.shape(),
            out.len()
        );
        out.fill(0.0);
        for (&ei, row) in e.iter().zip(self.row_iter()) {
            axpy(ei, row, out);
        }
    }

    /// The rank-1 update `W += alpha·u·vᵀ`: row `r` gains `alpha·u[r]·v`.
    ///
    /// # Panics
    /// If `u.len() != rows` or `v.len() != cols`.
    pub fn add_outer(&mut self, alpha: f32, u: &[f32], v: &[f32]) {
        assert_eq!(
            u.len(),
            self.rows,
            "add_outer: W is {:?} but u has {} values",
            self.shape(),
            u.len()
        );
        assert_eq!(
            v.len(),
            self.cols,
            "add_outer: W is {:?} but v has {} values",
            self.shape(),
            v.len()
        );
        for (r, &ui) in u.iter().enumerate() {
            axpy(alpha * ui, v, self.row_mut(r));
        }
    }

    /// `Wᵀ`, built tile by tile so both matrices are walked cache-friendly.
    pub fn transpose(&self) -> Matrix {
        const TILE: usize = 32;
        let mut t = Matrix::zeros(self.cols, self.rows);
        for r0 in (0..self.rows).step_by(TILE) {
            for c0 in (0..self.cols).step_by(TILE) {
                for r in r0..(r0 + TILE).min(self.rows) {
                    for c in c0..(c0 + TILE).min(self.cols) {
                        t.data[c * self.rows + r] = self.data[r * self.cols + c];
                    }
                }
            }
        }
        t
    }

    /// Applies `f` to every element in place.
    pub fn map_inplace(&mut self, f: impl Fn(f32) -> f32) {
        self.data.iter_mut().for_each(|v| *v = f(*v));
    }

    /// A new matrix with `f` applied to every element.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Matrix {
        let mut m = self.clone();
        m.map_inplace(f);
        m
    }
}

#[cfg(test)]
mod tests;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
