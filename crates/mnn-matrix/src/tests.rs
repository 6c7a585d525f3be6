//! Every operation against a naive `f64` reference.

// Index loops read most like the maths in a reference check.
#![allow(clippy::needless_range_loop)]

use super::*;
use proptest::prelude::*;

/// A matrix shape and its values, small enough to enumerate, including
/// empty shapes and lengths that are not multiples of the SIMD width.
fn matrix() -> impl Strategy<Value = Matrix> {
    (0usize..20, 0usize..40).prop_flat_map(|(rows, cols)| {
        prop::collection::vec(-2.0f32..2.0, rows * cols)
            .prop_map(move |data| Matrix::from_vec(rows, cols, data).unwrap())
    })
}

fn vector(len: usize) -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(-2.0f32..2.0, len)
}

/// f32 against f64: relative to the size of the terms summed.
fn close(got: f32, want: f64, scale: f64) -> bool {
    (got as f64 - want).abs() <= 1e-5 * scale.max(1.0)
}

fn naive_dot(a: &[f32], b: &[f32]) -> (f64, f64) {
    let sum = a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum();
    let scale = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 * y as f64).abs())
        .sum();
    (sum, scale)
}

proptest! {
    #[test]
    fn dot_matches_reference((a, b) in (0usize..300).prop_flat_map(|n| (vector(n), vector(n)))) {
        let (want, scale) = naive_dot(&a, &b);
        prop_assert!(close(dot(&a, &b), want, scale), "{} vs {}", dot(&a, &b), want);
    }

    #[test]
    fn axpy_matches_reference((alpha, x, y) in (0usize..300).prop_flat_map(|n| (-2.0f32..2.0, vector(n), vector(n)))) {
        let mut got = y.clone();
        axpy(alpha, &x, &mut got);
        for i in 0..x.len() {
            let want = y[i] as f64 + alpha as f64 * x[i] as f64;
            prop_assert!(close(got[i], want, 4.0));
        }
    }

    #[test]
    fn mul_vec_matches_reference((w, x) in matrix().prop_flat_map(|w| { let c = w.cols(); (Just(w), vector(c)) })) {
        let mut out = vec![f32::NAN; w.rows()];
        w.mul_vec(&x, &mut out);
        for r in 0..w.rows() {
            let (want, scale) = naive_dot(w.row(r), &x);
            prop_assert!(close(out[r], want, scale));
        }
    }

    #[test]
    fn transpose_mul_vec_matches_reference((w, e) in matrix().prop_flat_map(|w| { let r = w.rows(); (Just(w), vector(r)) })) {
        let mut out = vec![f32::NAN; w.cols()];
        w.transpose_mul_vec(&e, &mut out);
        for c in 0..w.cols() {
            let column: Vec<f32> = (0..w.rows()).map(|r| w.get(r, c)).collect();
            let (want, scale) = naive_dot(&column, &e);
            prop_assert!(close(out[c], want, scale));
        }
    }

    #[test]
    fn add_outer_matches_reference(
        (w, alpha, u, v) in matrix().prop_flat_map(|w| {
            let (r, c) = w.shape();
            (Just(w), -1.0f32..1.0, vector(r), vector(c))
        })
    ) {
        let mut got = w.clone();
        got.add_outer(alpha, &u, &v);
        for r in 0..w.rows() {
            for c in 0..w.cols() {
                let want = w.get(r, c) as f64 + alpha as f64 * u[r] as f64 * v[c] as f64;
                prop_assert!(close(got.get(r, c), want, 8.0));
            }
        }
    }

    #[test]
    fn transpose_swaps_indices(w in matrix()) {
        let t = w.transpose();
        prop_assert_eq!(t.shape(), (w.cols(), w.rows()));
        for r in 0..w.rows() {
            for c in 0..w.cols() {
                prop_assert_eq!(t.get(c, r), w.get(r, c));
            }
        }
        prop_assert_eq!(t.transpose(), w);
    }

    #[test]
    fn transpose_mul_vec_equals_mul_vec_of_transpose((w, e) in matrix().prop_flat_map(|w| { let r = w.rows(); (Just(w), vector(r)) })) {
        let mut via_kernel = vec![0.0; w.cols()];
        let mut via_transpose = vec![0.0; w.cols()];
        w.transpose_mul_vec(&e, &mut via_kernel);
        w.transpose().mul_vec(&e, &mut via_transpose);
        for (a, b) in via_kernel.iter().zip(&via_transpose) {
            prop_assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()));
        }
    }
}

#[test]
fn from_vec_rejects_wrong_length() {
    let err = Matrix::from_vec(2, 3, vec![0.0; 5]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "matrix of shape (2, 3) needs 6 values, got 5"
    );
}

#[test]
fn from_rows_rejects_ragged_rows() {
    let err = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
    assert_eq!(err.to_string(), "row 1 has 1 values, expected 2 like row 0");
}

#[test]
fn from_rows_and_from_fn_agree() {
    let a = Matrix::from_rows(&[[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]).unwrap();
    let b = Matrix::from_fn(2, 3, |r, c| (10 * r + c) as f32);
    assert_eq!(a, b);
}

#[test]
#[should_panic(expected = "mul_vec: W is (2, 3) but x has 2 values")]
fn mul_vec_shape_mismatch_panics_with_message() {
    Matrix::zeros(2, 3).mul_vec(&[1.0, 2.0], &mut [0.0; 2]);
}

#[test]
#[should_panic(expected = "add_outer: W is (2, 3) but u has 3 values")]
fn add_outer_shape_mismatch_panics_with_message() {
    Matrix::zeros(2, 3).add_outer(1.0, &[1.0; 3], &[1.0; 3]);
}

#[test]
fn map_applies_function_to_every_element() {
    let m = Matrix::from_fn(3, 4, |r, c| (r * 4 + c) as f32);
    let doubled = m.map(|v| 2.0 * v);
    for (a, b) in m.as_slice().iter().zip(doubled.as_slice()) {
        assert_eq!(2.0 * a, *b);
    }
}
