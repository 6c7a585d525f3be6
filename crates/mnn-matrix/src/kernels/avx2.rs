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

use super::{Kernels, WINDOW};
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
        dot2: |a, b0, b1| unsafe { dot2(a, b0, b1) },
        axpy: |alpha, x, y| unsafe { axpy(alpha, x, y) },
        axpy_then_dot: |alpha, x, y, z| unsafe { axpy_then_dot(alpha, x, y, z) },
        add_outer4_then_mul_vec4: |rows, alphas, x, z, out| unsafe {
            add_outer4_then_mul_vec4(rows, alphas, x, z, out)
        },
        mul_vec4: |rows, x, out| unsafe { mul_vec4(rows, x, out) },
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

/// `[dot(a, b0), dot(a, b1)]`, bit for bit (the same order of summation for
/// each), reading `a` once. The caller has checked the lengths.
#[target_feature(enable = "avx2,fma")]
fn dot2(a: &[f32], b0: &[f32], b1: &[f32]) -> [f32; 2] {
    let mut acc0 = [_mm256_setzero_ps(); UNROLL];
    let mut acc1 = [_mm256_setzero_ps(); UNROLL];
    let (mut a_blocks, mut b0_blocks, mut b1_blocks) = (
        a.chunks_exact(BLOCK),
        b0.chunks_exact(BLOCK),
        b1.chunks_exact(BLOCK),
    );
    for ((a, b0), b1) in (&mut a_blocks).zip(&mut b0_blocks).zip(&mut b1_blocks) {
        for u in 0..UNROLL {
            let lanes = u * LANES..;
            let a = load(&a[lanes.clone()]);
            acc0[u] = _mm256_fmadd_ps(a, load(&b0[lanes.clone()]), acc0[u]);
            acc1[u] = _mm256_fmadd_ps(a, load(&b1[lanes]), acc1[u]);
        }
    }
    let (mut a_vectors, mut b0_vectors, mut b1_vectors) = (
        a_blocks.remainder().chunks_exact(LANES),
        b0_blocks.remainder().chunks_exact(LANES),
        b1_blocks.remainder().chunks_exact(LANES),
    );
    for ((a, b0), b1) in (&mut a_vectors).zip(&mut b0_vectors).zip(&mut b1_vectors) {
        let a = load(a);
        acc0[0] = _mm256_fmadd_ps(a, load(b0), acc0[0]);
        acc1[0] = _mm256_fmadd_ps(a, load(b1), acc1[0]);
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

/// The eight lanes of one accumulator, in the same pairwise order as [`sum_lanes`].
#[inline]
#[target_feature(enable = "avx2,fma")]
fn sum_one(v: __m256) -> f32 {
    let zero = _mm256_setzero_ps();
    sum_lanes([v, zero, zero, zero])
}

/// [`super::add_outer4_then_mul_vec4`]. The caller has checked the shapes
/// and that the rows are not empty. Rows go through two at a time, sharing
/// the loads of `x` and `z`; a row's arithmetic is the same alone or paired.
#[target_feature(enable = "avx2,fma")]
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
#[target_feature(enable = "avx2,fma")]
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
    let mut acc = [[_mm256_setzero_ps(); WINDOW]; R];
    {
        let w_at = rows.each_mut().map(|r| r.as_mut_ptr());
        let (x_at, z_at) = (x.map(<[f32]>::as_ptr), z.map(<[f32]>::as_ptr));
        for i in (0..body).step_by(LANES) {
            // SAFETY: i + LANES <= body <= cols, and every row and vector
            // holds cols values (asserted above); loadu/storeu accept any
            // alignment; the rows are distinct &mut slices.
            unsafe {
                let mut w: [__m256; R] = std::array::from_fn(|r| _mm256_loadu_ps(w_at[r].add(i)));
                for j in 0..WINDOW {
                    let xj = _mm256_loadu_ps(x_at[j].add(i));
                    for r in 0..R {
                        w[r] = _mm256_fmadd_ps(_mm256_set1_ps(alphas[r][j]), xj, w[r]);
                    }
                }
                for r in 0..R {
                    _mm256_storeu_ps(w_at[r].add(i), w[r]);
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

/// Rows worked on at once by [`mul_vec4`]: 3 rows × 4 vectors of
/// accumulators, plus the rows' values, fill the vector registers.
const GROUP: usize = 3;

/// [`super::mul_vec4`]. The caller has checked the shapes and that the rows
/// are not empty. Rows go through 3 at a time, sharing the loads of `x`;
/// a row's arithmetic is the same whatever its group.
#[target_feature(enable = "avx2,fma")]
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
#[target_feature(enable = "avx2,fma")]
fn products<const R: usize>(rows: [&[f32]; R], x: [&[f32]; WINDOW]) -> [[f32; WINDOW]; R] {
    let cols = x[0].len();
    assert!(
        rows.iter().chain(&x).all(|v| v.len() == cols),
        "products: every row and vector must have {cols} values"
    );
    let body = cols - cols % LANES;
    let mut acc = [[_mm256_setzero_ps(); WINDOW]; R];
    let (w_at, x_at) = (rows.map(<[f32]>::as_ptr), x.map(<[f32]>::as_ptr));
    for i in (0..body).step_by(LANES) {
        // SAFETY: i + LANES <= body <= cols, and every row and vector
        // holds cols values (asserted above); loadu accepts any alignment.
        unsafe {
            let w: [__m256; R] = std::array::from_fn(|r| _mm256_loadu_ps(w_at[r].add(i)));
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
#[target_feature(enable = "avx2,fma")]
unsafe fn accumulate_products<const R: usize>(
    acc: &mut [[__m256; WINDOW]; R],
    w: &[__m256; R],
    z_at: &[*const f32; WINDOW],
    i: usize,
) {
    for j in 0..WINDOW {
        // SAFETY: the caller's promise; loadu accepts any alignment.
        let zj = unsafe { _mm256_loadu_ps(z_at[j].add(i)) };
        for r in 0..R {
            acc[r][j] = _mm256_fmadd_ps(w[r], zj, acc[r][j]);
        }
    }
}

/// The products' totals: each accumulator's lanes summed, plus its tail.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn finish_products<const R: usize>(
    acc: &[[__m256; WINDOW]; R],
    tails: &[[f32; WINDOW]; R],
) -> [[f32; WINDOW]; R] {
    std::array::from_fn(|r| std::array::from_fn(|j| sum_one(acc[r][j]) + tails[r][j]))
}
