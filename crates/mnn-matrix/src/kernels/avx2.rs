//! x86-64 kernels with AVX2 and FMA: eight `f32` lanes per register, and a
//! fused multiply-add (`a·b + c`, rounded once) per lane.
//!
//! The functions here may only run on a CPU with AVX2 and FMA; [`detect`]
//! checks the CPU and is the only way out of this module. Every element is
//! computed with a fused multiply-add, in the vector body and in the tail
//! alike, so an element's result never depends on where it sits in a slice.
//!
//! `dot` and `axpy_then_dot` share one summation order: four accumulators
//! over blocks of 32, then blocks of 8 into the first accumulator, then a
//! scalar tail, then the fixed reduction in [`sum_lanes`]. That is what makes
//! the fused kernel's dot product bit for bit equal to [`dot`]'s.

use super::Kernels;
use std::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps, _mm256_add_ps,
    _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
    _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
};

/// `f32` lanes in one AVX register.
const LANES: usize = 8;
/// Independent accumulators, so consecutive FMAs do not wait for each other.
const UNROLL: usize = 4;
/// Elements per turn of the main loop.
const BLOCK: usize = LANES * UNROLL;

/// The AVX2 kernels, if this CPU has AVX2 and FMA.
pub(super) fn detect() -> Option<Kernels> {
    if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
        return None;
    }
    Some(Kernels {
        name: "avx2+fma",
        // SAFETY (all three): the CPU has just been found to support AVX2 and FMA.
        dot: |a, b| unsafe { dot(a, b) },
        axpy: |alpha, x, y| unsafe { axpy(alpha, x, y) },
        axpy_then_dot: |alpha, x, y, z| unsafe { axpy_then_dot(alpha, x, y, z) },
    })
}

/// The first eight values of `s` as a vector.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn load(s: &[f32]) -> __m256 {
    let s: &[f32; LANES] = s[..LANES].try_into().expect("eight values");
    // SAFETY: `s` is eight readable f32; loadu accepts any alignment.
    unsafe { _mm256_loadu_ps(s.as_ptr()) }
}

/// Writes `v` over the first eight values of `s`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn store(s: &mut [f32], v: __m256) {
    let s: &mut [f32; LANES] = (&mut s[..LANES]).try_into().expect("eight values");
    // SAFETY: `s` is eight writable f32; storeu accepts any alignment.
    unsafe { _mm256_storeu_ps(s.as_mut_ptr(), v) }
}

/// `((a0 + a1) + (a2 + a3))`, then the eight lanes pairwise: one fixed order.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn sum_lanes(acc: [__m256; UNROLL]) -> f32 {
    let v = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let four = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let two = _mm_add_ps(four, _mm_movehl_ps(four, four));
    let one = _mm_add_ss(two, _mm_shuffle_ps::<0b01>(two, two));
    _mm_cvtss_f32(one)
}

/// `Σ a[i]·b[i]`. The caller has checked `a.len() == b.len()`.
#[target_feature(enable = "avx2,fma")]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [_mm256_setzero_ps(); UNROLL];
    let (a_blocks, b_blocks) = (a.chunks_exact(BLOCK), b.chunks_exact(BLOCK));
    let (a_rest, b_rest) = (a_blocks.remainder(), b_blocks.remainder());
    for (a, b) in a_blocks.zip(b_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * LANES..;
            *acc = _mm256_fmadd_ps(load(&a[lanes.clone()]), load(&b[lanes]), *acc);
        }
    }
    let (a_vectors, b_vectors) = (a_rest.chunks_exact(LANES), b_rest.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_vectors.remainder(), b_vectors.remainder());
    for (a, b) in a_vectors.zip(b_vectors) {
        acc[0] = _mm256_fmadd_ps(load(a), load(b), acc[0]);
    }
    let mut tail = 0.0f32;
    for (a, b) in a_tail.iter().zip(b_tail) {
        tail = a.mul_add(*b, tail);
    }
    sum_lanes(acc) + tail
}

/// `y += alpha·x`. The caller has checked `x.len() == y.len()`.
#[target_feature(enable = "avx2,fma")]
fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    let a = _mm256_set1_ps(alpha);
    let mut x_vectors = x.chunks_exact(LANES);
    let mut y_vectors = y.chunks_exact_mut(LANES);
    for (x, y) in (&mut x_vectors).zip(&mut y_vectors) {
        store(y, _mm256_fmadd_ps(a, load(x), load(y)));
    }
    for (x, y) in x_vectors.remainder().iter().zip(y_vectors.into_remainder()) {
        *y = alpha.mul_add(*x, *y);
    }
}

/// `y += alpha·x`, then `Σ y[i]·z[i]`, in one pass. The caller has checked
/// that the three lengths agree.
#[target_feature(enable = "avx2,fma")]
fn axpy_then_dot(alpha: f32, x: &[f32], y: &mut [f32], z: &[f32]) -> f32 {
    let a = _mm256_set1_ps(alpha);
    let mut acc = [_mm256_setzero_ps(); UNROLL];
    let (mut x_blocks, mut y_blocks, mut z_blocks) = (
        x.chunks_exact(BLOCK),
        y.chunks_exact_mut(BLOCK),
        z.chunks_exact(BLOCK),
    );
    for ((x, y), z) in (&mut x_blocks).zip(&mut y_blocks).zip(&mut z_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * LANES..;
            let updated = _mm256_fmadd_ps(a, load(&x[lanes.clone()]), load(&y[lanes.clone()]));
            store(&mut y[lanes.clone()], updated);
            *acc = _mm256_fmadd_ps(updated, load(&z[lanes]), *acc);
        }
    }
    let (mut x_vectors, mut y_vectors, mut z_vectors) = (
        x_blocks.remainder().chunks_exact(LANES),
        y_blocks.into_remainder().chunks_exact_mut(LANES),
        z_blocks.remainder().chunks_exact(LANES),
    );
    for ((x, y), z) in (&mut x_vectors).zip(&mut y_vectors).zip(&mut z_vectors) {
        let updated = _mm256_fmadd_ps(a, load(x), load(y));
        store(y, updated);
        acc[0] = _mm256_fmadd_ps(updated, load(z), acc[0]);
    }
    let mut tail = 0.0f32;
    let tails = x_vectors.remainder().iter().zip(y_vectors.into_remainder());
    for ((x, y), z) in tails.zip(z_vectors.remainder()) {
        *y = alpha.mul_add(*x, *y);
        tail = y.mul_add(*z, tail);
    }
    sum_lanes(acc) + tail
}
