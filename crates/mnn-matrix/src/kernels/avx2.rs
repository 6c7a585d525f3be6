//! x86-64 with AVX2 and FMA: eight `f32` lanes per register, and a fused
//! multiply-add (`a·b + c`, rounded once) per lane.
//!
//! This module holds the intrinsics ([`Avx2`]'s [`Simd`] methods) and one
//! `#[target_feature]` function per kernel that compiles `simd.rs`'s body
//! with them. [`detect`] checks the CPU and is the only way to an [`Avx2`],
//! so the kernels it returns only run where AVX2 and FMA do.

use super::gemm::Job;
use super::simd::{self, Simd, WindowSweep};
use super::{Kernels, WINDOW};
use std::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps, _mm256_add_ps,
    _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
    _mm256_set1_ps, _mm256_storeu_ps,
};

/// Proof that this CPU has AVX2 and FMA: made only by [`detect`].
#[derive(Clone, Copy)]
pub(super) struct Avx2(());

/// Independent accumulators of `dot`, so consecutive FMAs do not wait for
/// each other.
const UNROLL: usize = 4;
/// Rows `mul_vec4` works on at once: 3 rows × 4 vectors of accumulators,
/// plus the rows' values, fill the 16 vector registers.
const GROUP: usize = 3;
/// The matrix product's tile: 6 rows × 2 vectors (16 columns), 12
/// accumulators, 2 vectors of `B` and a broadcast of `A`: 15 of the 16
/// vector registers.
const TILE_ROWS: usize = 6;
const TILE_VECTORS: usize = 2;

// SAFETY: an `Avx2` exists only once `detect` has found AVX2 and FMA, which
// is all the intrinsics below need.
unsafe impl Simd for Avx2 {
    type V = __m256;
    const LANES: usize = 8;

    #[inline(always)]
    fn splat(self, x: f32) -> __m256 {
        // SAFETY: the CPU has AVX (see the impl).
        unsafe { _mm256_set1_ps(x) }
    }

    #[inline(always)]
    fn mul_add(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        // SAFETY: the CPU has FMA (see the impl).
        unsafe { _mm256_fmadd_ps(a, b, c) }
    }

    #[inline(always)]
    fn add(self, a: __m256, b: __m256) -> __m256 {
        // SAFETY: the CPU has AVX (see the impl).
        unsafe { _mm256_add_ps(a, b) }
    }

    /// The two halves, then the four lanes pairwise.
    #[inline(always)]
    fn sum(self, v: __m256) -> f32 {
        // SAFETY: the CPU has AVX (see the impl).
        unsafe {
            let four = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let two = _mm_add_ps(four, _mm_movehl_ps(four, four));
            let one = _mm_add_ss(two, _mm_shuffle_ps::<0b01>(two, two));
            _mm_cvtss_f32(one)
        }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> __m256 {
        // SAFETY: the caller's promise; loadu accepts any alignment.
        unsafe { _mm256_loadu_ps(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: __m256) {
        // SAFETY: the caller's promise; storeu accepts any alignment.
        unsafe { _mm256_storeu_ps(p, v) }
    }
}

/// The AVX2 kernels, if this CPU has AVX2 and FMA.
pub(super) fn detect() -> Option<Kernels> {
    if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
        return None;
    }
    // SAFETY (every call below): the CPU has just been found to support AVX2
    // and FMA, which is all the `#[target_feature]` functions ask.
    Some(Kernels {
        name: "avx2+fma",
        dot: |a, b| unsafe { dot(Avx2(()), a, b) },
        axpy: |alpha, x, y| unsafe { axpy(Avx2(()), alpha, x, y) },
        axpy_then_dot: |alpha, x, y, z| unsafe { axpy_then_dot(Avx2(()), alpha, x, y, z) },
        add_outer4_then_mul_vec4: |rows, alphas, x, z, out| unsafe {
            let sweep = WindowSweep(rows, alphas, x, z, out);
            add_outer4_then_mul_vec4(Avx2(()), sweep)
        },
        mul_vec4: |rows, x, out| unsafe { mul_vec4(Avx2(()), rows, x, out) },
        fma_burst: |rounds| unsafe { fma_burst(Avx2(()), rounds) },
        gemm: |job, packed_a, packed_b| unsafe { gemm(Avx2(()), job, packed_a, packed_b) },
    })
}

// The kernels: `simd.rs`'s bodies, compiled with AVX2 and FMA enabled so that
// the intrinsics inline into them.

#[target_feature(enable = "avx2,fma")]
fn dot(isa: Avx2, a: &[f32], b: &[f32]) -> f32 {
    simd::dot::<_, UNROLL>(isa, a, b)
}

#[target_feature(enable = "avx2,fma")]
fn axpy(isa: Avx2, alpha: f32, x: &[f32], y: &mut [f32]) {
    simd::axpy(isa, alpha, x, y)
}

#[target_feature(enable = "avx2,fma")]
fn axpy_then_dot(isa: Avx2, alpha: f32, x: &[f32], y: &mut [f32], z: &[f32]) -> f32 {
    simd::axpy_then_dot::<_, UNROLL>(isa, alpha, x, y, z)
}

#[target_feature(enable = "avx2,fma")]
fn add_outer4_then_mul_vec4(isa: Avx2, sweep: WindowSweep<'_>) {
    simd::add_outer4_then_mul_vec4(isa, sweep)
}

#[target_feature(enable = "avx2,fma")]
fn mul_vec4(isa: Avx2, rows: &[f32], x: [&[f32]; WINDOW], out: &mut [[f32; WINDOW]]) {
    simd::mul_vec4::<_, GROUP>(isa, rows, x, out)
}

#[target_feature(enable = "avx2,fma")]
fn fma_burst(isa: Avx2, rounds: u64) -> (f64, f32) {
    simd::fma_burst(isa, rounds)
}

#[target_feature(enable = "avx2,fma")]
fn gemm(isa: Avx2, job: Job<'_>, packed_a: &mut Vec<f32>, packed_b: &mut Vec<f32>) {
    simd::gemm::<_, TILE_ROWS, TILE_VECTORS>(isa, job, packed_a, packed_b)
}
