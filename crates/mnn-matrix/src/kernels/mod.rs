//! The two inner loops everything else is built from: `dot` and `axpy`.
//!
//! `W·x` is a `dot` per row of `W`; `Wᵀ·e` and the rank-1 update
//! `W += a·u·vᵀ` are an `axpy` per row. Each public function here is the one
//! safe entry point to its kernel; [`scalar`] is the portable twin that the
//! tests compare every other path against.

pub mod scalar;

/// `Σ a[i]·b[i]`.
///
/// # Panics
/// If `a` and `b` have different lengths.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(
        a.len(),
        b.len(),
        "dot: length mismatch ({} vs {})",
        a.len(),
        b.len()
    );
    scalar::dot(a, b)
}

/// `y += alpha·x`.
///
/// # Panics
/// If `x` and `y` have different lengths.
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(
        x.len(),
        y.len(),
        "axpy: length mismatch ({} vs {})",
        x.len(),
        y.len()
    );
    scalar::axpy(alpha, x, y)
}
