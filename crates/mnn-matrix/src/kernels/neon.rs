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

use super::{Kernels, WINDOW};
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
        dot2,
        axpy,
        axpy_then_dot,
        add_outer4_then_mul_vec4,
        mul_vec4,
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

/// `[dot(a, b0), dot(a, b1)]`, bit for bit (the same order of summation for
/// each), reading `a` once. The caller has checked the lengths.
fn dot2(a: &[f32], b0: &[f32], b1: &[f32]) -> [f32; 2] {
    let (mut acc0, mut acc1) = (zeros(), zeros());
    let (mut a_blocks, mut b0_blocks, mut b1_blocks) = (
        a.chunks_exact(BLOCK),
        b0.chunks_exact(BLOCK),
        b1.chunks_exact(BLOCK),
    );
    for ((a, b0), b1) in (&mut a_blocks).zip(&mut b0_blocks).zip(&mut b1_blocks) {
        for u in 0..UNROLL {
            let lanes = u * LANES..;
            let a = load(&a[lanes.clone()]);
            acc0[u] = fma(acc0[u], a, load(&b0[lanes.clone()]));
            acc1[u] = fma(acc1[u], a, load(&b1[lanes]));
        }
    }
    let (mut a_vectors, mut b0_vectors, mut b1_vectors) = (
        a_blocks.remainder().chunks_exact(LANES),
        b0_blocks.remainder().chunks_exact(LANES),
        b1_blocks.remainder().chunks_exact(LANES),
    );
    for ((a, b0), b1) in (&mut a_vectors).zip(&mut b0_vectors).zip(&mut b1_vectors) {
        let a = load(a);
        acc0[0] = fma(acc0[0], a, load(b0));
        acc1[0] = fma(acc1[0], a, load(b1));
    }
    let (mut tail0, mut tail1) = (0.0f32, 0.0f32);
    let tails = a_vectors.remainder().iter().zip(b0_vectors.remainder());
    for ((a, b0), b1) in tails.zip(b1_vectors.remainder()) {
        tail0 = a.mul_add(*b0, tail0);
        tail1 = a.mul_add(*b1, tail1);
    }
    [sum_lanes(acc0) + tail0, sum_lanes(acc1) + tail1]
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

/// The four lanes of one accumulator.
#[inline]
fn sum_one(v: float32x4_t) -> f32 {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    unsafe { vaddvq_f32(v) }
}

/// `alpha` in every lane.
#[inline]
fn splat(alpha: f32) -> float32x4_t {
    // SAFETY: NEON is part of the aarch64 baseline this module is built for.
    unsafe { vdupq_n_f32(alpha) }
}

/// [`super::add_outer4_then_mul_vec4`]. The caller has checked the shapes
/// and that the rows are not empty. Rows go through two at a time, sharing
/// the loads of `x` and `z`; a row's arithmetic is the same alone or paired.
fn add_outer4_then_mul_vec4(
    rows: &mut [f32],
    alphas: &[[f32; WINDOW]],
    x: [&[f32]; WINDOW],
    z: [&[f32]; WINDOW],
    out: &mut [[f32; WINDOW]],
) {
    let cols = x[0].len();
    let mut pairs = rows.chunks_exact_mut(2 * cols);
    let (mut alpha_pairs, mut out_pairs) = (alphas.chunks_exact(2), out.chunks_exact_mut(2));
    for ((pair, alpha), out) in (&mut pairs).zip(&mut alpha_pairs).zip(&mut out_pairs) {
        let (first, second) = pair.split_at_mut(cols);
        let [o0, o1] = sweep_rows([first, second], [alpha[0], alpha[1]], x, z);
        out[0] = o0;
        out[1] = o1;
    }
    let last = pairs.into_remainder();
    if let ([alpha], [out]) = (alpha_pairs.remainder(), out_pairs.into_remainder()) {
        [*out] = sweep_rows([last], [*alpha], x, z);
    }
}

/// The window sweep for `R` rows at once.
#[inline]
fn sweep_rows<const R: usize>(
    mut rows: [&mut [f32]; R],
    alphas: [[f32; WINDOW]; R],
    x: [&[f32]; WINDOW],
    z: [&[f32]; WINDOW],
) -> [[f32; WINDOW]; R] {
    let cols = x[0].len();
    assert!(
        rows.iter().all(|r| r.len() == cols) && x.iter().chain(&z).all(|v| v.len() == cols),
        "sweep_rows: every row and vector must have {cols} values"
    );
    let body = cols - cols % LANES;
    let splats: [[float32x4_t; WINDOW]; R] = alphas.map(|a| a.map(splat));
    let mut acc = [[splat(0.0); WINDOW]; R];
    {
        let w_at = rows.each_mut().map(|r| r.as_mut_ptr());
        let (x_at, z_at) = (x.map(<[f32]>::as_ptr), z.map(<[f32]>::as_ptr));
        for i in (0..body).step_by(LANES) {
            // SAFETY: i + LANES <= body <= cols, and every row and vector
            // holds cols values (asserted above); vld1q/vst1q accept any f32
            // alignment; the rows are distinct &mut slices. NEON is part of
            // the aarch64 baseline this module is built for.
            unsafe {
                let mut w: [float32x4_t; R] = std::array::from_fn(|r| vld1q_f32(w_at[r].add(i)));
                for j in 0..WINDOW {
                    let xj = vld1q_f32(x_at[j].add(i));
                    for r in 0..R {
                        w[r] = vfmaq_f32(w[r], splats[r][j], xj);
                    }
                }
                for r in 0..R {
                    vst1q_f32(w_at[r].add(i), w[r]);
                }
                accumulate_products(&mut acc, &w, &z_at, i);
            }
        }
    }
    let mut tails = [[0.0f32; WINDOW]; R];
    for i in body..cols {
        for r in 0..R {
            let mut w = rows[r][i];
            for j in 0..WINDOW {
                w = alphas[r][j].mul_add(x[j][i], w);
            }
            rows[r][i] = w;
            for j in 0..WINDOW {
                tails[r][j] = w.mul_add(z[j][i], tails[r][j]);
            }
        }
    }
    finish_products(&acc, &tails)
}

/// Rows worked on at once by [`mul_vec4`]: 4 rows × 4 vectors of
/// accumulators, plus the rows' values, fill the vector registers.
const GROUP: usize = 4;

/// [`super::mul_vec4`]. The caller has checked the shapes and that the rows
/// are not empty. Rows go through 4 at a time, sharing the loads of `x`;
/// a row's arithmetic is the same whatever its group.
fn mul_vec4(rows: &[f32], x: [&[f32]; WINDOW], out: &mut [[f32; WINDOW]]) {
    let cols = x[0].len();
    let mut groups = rows.chunks_exact(GROUP * cols);
    let mut out_groups = out.chunks_exact_mut(GROUP);
    for (group, out) in (&mut groups).zip(&mut out_groups) {
        let rows: [&[f32]; GROUP] = std::array::from_fn(|r| &group[r * cols..(r + 1) * cols]);
        out.copy_from_slice(&products(rows, x));
    }
    let rest = groups.remainder().chunks_exact(cols);
    for (row, out) in rest.zip(out_groups.into_remainder()) {
        [*out] = products([row], x);
    }
}

/// `row_r · x[j]` for `R` rows and four vectors: one accumulator per product,
/// then the scalar tail.
#[inline]
fn products<const R: usize>(rows: [&[f32]; R], x: [&[f32]; WINDOW]) -> [[f32; WINDOW]; R] {
    let cols = x[0].len();
    assert!(
        rows.iter().chain(&x).all(|v| v.len() == cols),
        "products: every row and vector must have {cols} values"
    );
    let body = cols - cols % LANES;
    let mut acc = [[splat(0.0); WINDOW]; R];
    let (w_at, x_at) = (rows.map(<[f32]>::as_ptr), x.map(<[f32]>::as_ptr));
    for i in (0..body).step_by(LANES) {
        // SAFETY: i + LANES <= body <= cols, and every row and vector
        // holds cols values (asserted above); vld1q accepts any f32
        // alignment. NEON is part of the aarch64 baseline this module is
        // built for.
        unsafe {
            let w: [float32x4_t; R] = std::array::from_fn(|r| vld1q_f32(w_at[r].add(i)));
            accumulate_products(&mut acc, &w, &x_at, i);
        }
    }
    let mut tails = [[0.0f32; WINDOW]; R];
    for i in body..cols {
        for r in 0..R {
            for j in 0..WINDOW {
                tails[r][j] = rows[r][i].mul_add(x[j][i], tails[r][j]);
            }
        }
    }
    finish_products(&acc, &tails)
}

/// One step of the products `row_r · z[j]` that the window sweep and
/// [`mul_vec4`] both compute: lanes `i..i + LANES` of every row (in `w`)
/// times the same lanes of every vector, into `acc`. One code path, so the
/// two kernels' products agree bit for bit.
///
/// # Safety
/// Every `z_at[j]` points to at least `i + LANES` readable values.
#[inline]
unsafe fn accumulate_products<const R: usize>(
    acc: &mut [[float32x4_t; WINDOW]; R],
    w: &[float32x4_t; R],
    z_at: &[*const f32; WINDOW],
    i: usize,
) {
    for j in 0..WINDOW {
        // SAFETY: the caller's promise; vld1q accepts any f32 alignment.
        let zj = unsafe { vld1q_f32(z_at[j].add(i)) };
        for r in 0..R {
            acc[r][j] = unsafe { vfmaq_f32(acc[r][j], w[r], zj) };
        }
    }
}

/// The products' totals: each accumulator's lanes summed, plus its tail.
#[inline]
fn finish_products<const R: usize>(
    acc: &[[float32x4_t; WINDOW]; R],
    tails: &[[f32; WINDOW]; R],
) -> [[f32; WINDOW]; R] {
    std::array::from_fn(|r| std::array::from_fn(|j| sum_one(acc[r][j]) + tails[r][j]))
}
