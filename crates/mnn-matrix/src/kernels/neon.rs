//! aarch64 kernels with NEON (Advanced SIMD): four `f32` lanes per register
//! and a fused multiply-add per lane. Every 64-bit Raspberry Pi (3, 4, 5)
//! runs these.
//!
//! NEON is part of the aarch64 baseline, so this module is compiled only when
//! the target has it and [`detect`] always succeeds. Every element is computed
//! with a fused multiply-add, in the vector body and in the tail alike.
//!
//! `dot` and `axpy_then_dot` share one summation order: eight accumulators
//! over blocks of 32 (the Cortex-A72 of a Pi 4 needs many FMAs in flight),
//! then blocks of 4 into the first accumulator, then a scalar tail, then the
//! fixed reduction in [`sum_lanes`]. That is what makes the fused kernel's
//! dot product bit for bit equal to [`dot`]'s.

// Older compilers (Debian's 1.85, used for the Pi cross-check) require
// `unsafe` around every NEON intrinsic; newer ones call the arithmetic ones
// safe on aarch64. Allowing `unused_unsafe` keeps both quiet.
#![allow(unused_unsafe)]

use super::Kernels;
use std::arch::aarch64::{
    float32x4_t, vaddq_f32, vaddvq_f32, vdupq_n_f32, vfmaq_f32, vld1q_f32, vst1q_f32,
};

/// `f32` lanes in one NEON register.
const LANES: usize = 4;
/// Independent accumulators, so consecutive FMAs do not wait for each other.
const UNROLL: usize = 8;
/// Elements per turn of the main loop.
const BLOCK: usize = LANES * UNROLL;

/// The NEON kernels (always there on aarch64).
pub(super) fn detect() -> Option<Kernels> {
    Some(Kernels {
        name: "neon",
        dot,
        axpy,
        axpy_then_dot,
    })
}

/// The first four values of `s` as a vector.
#[inline]
fn load(s: &[f32]) -> float32x4_t {
    let s: &[f32; LANES] = s[..LANES].try_into().expect("four values");
    // SAFETY: `s` is four readable f32; vld1q accepts any f32 alignment.
    unsafe { vld1q_f32(s.as_ptr()) }
}

/// Writes `v` over the first four values of `s`.
#[inline]
fn store(s: &mut [f32], v: float32x4_t) {
    let s: &mut [f32; LANES] = (&mut s[..LANES]).try_into().expect("four values");
    // SAFETY: `s` is four writable f32; vst1q accepts any f32 alignment.
    unsafe { vst1q_f32(s.as_mut_ptr(), v) }
}

/// `acc + a·b` in every lane, rounded once.
#[inline]
fn fma(acc: float32x4_t, a: float32x4_t, b: float32x4_t) -> float32x4_t {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    unsafe { vfmaq_f32(acc, a, b) }
}

/// The accumulators summed pairwise as a tree, then the four lanes.
#[inline]
fn sum_lanes(acc: [float32x4_t; UNROLL]) -> f32 {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    unsafe {
        let q0 = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
        let q1 = vaddq_f32(vaddq_f32(acc[4], acc[5]), vaddq_f32(acc[6], acc[7]));
        vaddvq_f32(vaddq_f32(q0, q1))
    }
}

/// Zero in every lane.
#[inline]
fn zeros() -> [float32x4_t; UNROLL] {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    [unsafe { vdupq_n_f32(0.0) }; UNROLL]
}

/// `Σ a[i]·b[i]`. The caller has checked `a.len() == b.len()`.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = zeros();
    let (a_blocks, b_blocks) = (a.chunks_exact(BLOCK), b.chunks_exact(BLOCK));
    let (a_rest, b_rest) = (a_blocks.remainder(), b_blocks.remainder());
    for (a, b) in a_blocks.zip(b_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * LANES..;
            *acc = fma(*acc, load(&a[lanes.clone()]), load(&b[lanes]));
        }
    }
    let (a_vectors, b_vectors) = (a_rest.chunks_exact(LANES), b_rest.chunks_exact(LANES));
    let (a_tail, b_tail) = (a_vectors.remainder(), b_vectors.remainder());
    for (a, b) in a_vectors.zip(b_vectors) {
        acc[0] = fma(acc[0], load(a), load(b));
    }
    let mut tail = 0.0f32;
    for (a, b) in a_tail.iter().zip(b_tail) {
        tail = a.mul_add(*b, tail);
    }
    sum_lanes(acc) + tail
}

/// `y += alpha·x`. The caller has checked `x.len() == y.len()`.
fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    let a = unsafe { vdupq_n_f32(alpha) };
    let mut x_vectors = x.chunks_exact(LANES);
    let mut y_vectors = y.chunks_exact_mut(LANES);
    for (x, y) in (&mut x_vectors).zip(&mut y_vectors) {
        store(y, fma(load(y), a, load(x)));
    }
    for (x, y) in x_vectors.remainder().iter().zip(y_vectors.into_remainder()) {
        *y = alpha.mul_add(*x, *y);
    }
}

/// `y += alpha·x`, then `Σ y[i]·z[i]`, in one pass. The caller has checked
/// that the three lengths agree.
fn axpy_then_dot(alpha: f32, x: &[f32], y: &mut [f32], z: &[f32]) -> f32 {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    let a = unsafe { vdupq_n_f32(alpha) };
    let mut acc = zeros();
    let (mut x_blocks, mut y_blocks, mut z_blocks) = (
        x.chunks_exact(BLOCK),
        y.chunks_exact_mut(BLOCK),
        z.chunks_exact(BLOCK),
    );
    for ((x, y), z) in (&mut x_blocks).zip(&mut y_blocks).zip(&mut z_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * LANES..;
            let updated = fma(load(&y[lanes.clone()]), a, load(&x[lanes.clone()]));
            store(&mut y[lanes.clone()], updated);
            *acc = fma(*acc, updated, load(&z[lanes]));
        }
    }
    let (mut x_vectors, mut y_vectors, mut z_vectors) = (
        x_blocks.remainder().chunks_exact(LANES),
        y_blocks.into_remainder().chunks_exact_mut(LANES),
        z_blocks.remainder().chunks_exact(LANES),
    );
    for ((x, y), z) in (&mut x_vectors).zip(&mut y_vectors).zip(&mut z_vectors) {
        let updated = fma(load(y), a, load(x));
        store(y, updated);
        acc[0] = fma(acc[0], updated, load(z));
    }
    let mut tail = 0.0f32;
    let tails = x_vectors.remainder().iter().zip(y_vectors.into_remainder());
    for ((x, y), z) in tails.zip(z_vectors.remainder()) {
        *y = alpha.mul_add(*x, *y);
        tail = y.mul_add(*z, tail);
    }
    sum_lanes(acc) + tail
}
