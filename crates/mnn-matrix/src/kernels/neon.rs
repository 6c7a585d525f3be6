//! aarch64 with NEON (Advanced SIMD): four `f32` lanes per register and a
//! fused multiply-add per lane. Every 64-bit Raspberry Pi (3, 4, 5) runs
//! these.
//!
//! This module holds the intrinsics ([`Neon`]'s [`Simd`] methods); the
//! kernels are `simd.rs`'s bodies driven by them. NEON is part of the
//! aarch64 baseline, so this module is compiled only when the target has it
//! and [`detect`] always succeeds.

// Older compilers (Debian's 1.85, used for the Pi cross-check) require
// `unsafe` around every NEON intrinsic; newer ones call the arithmetic ones
// safe on aarch64. Allowing `unused_unsafe` keeps both quiet.
#![allow(unused_unsafe)]

use super::Kernels;
use super::simd::{self, Simd, WindowSweep};
use std::arch::aarch64::{
    float32x4_t, vaddq_f32, vaddvq_f32, vdupq_n_f32, vfmaq_f32, vld1q_f32, vst1q_f32,
};

/// Proof that this CPU has NEON: made only by [`detect`].
#[derive(Clone, Copy)]
pub(super) struct Neon(());

/// Independent accumulators of `dot`: the Cortex-A72 of a Pi 4 needs many
/// FMAs in flight.
const UNROLL: usize = 8;
/// Rows `mul_vec4` works on at once: 4 rows × 4 vectors of accumulators,
/// plus the rows' values, fill the vector registers.
const GROUP: usize = 4;
/// The matrix product's tile: 6 rows × 2 vectors (8 columns), 12
/// accumulators of the 32 vector registers.
const TILE_ROWS: usize = 6;
const TILE_VECTORS: usize = 2;

// SAFETY: NEON is part of the aarch64 baseline this module is built for.
unsafe impl Simd for Neon {
    type V = float32x4_t;
    const LANES: usize = 4;

    #[inline(always)]
    fn splat(self, x: f32) -> float32x4_t {
        // SAFETY: NEON is there (see the impl).
        unsafe { vdupq_n_f32(x) }
    }

    #[inline(always)]
    fn mul_add(self, a: float32x4_t, b: float32x4_t, c: float32x4_t) -> float32x4_t {
        // SAFETY: NEON is there (see the impl).
        unsafe { vfmaq_f32(c, a, b) }
    }

    #[inline(always)]
    fn add(self, a: float32x4_t, b: float32x4_t) -> float32x4_t {
        // SAFETY: NEON is there (see the impl).
        unsafe { vaddq_f32(a, b) }
    }

    /// The four lanes pairwise.
    #[inline(always)]
    fn sum(self, v: float32x4_t) -> f32 {
        // SAFETY: NEON is there (see the impl).
        unsafe { vaddvq_f32(v) }
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> float32x4_t {
        // SAFETY: the caller's promise; vld1q accepts any f32 alignment.
        unsafe { vld1q_f32(p) }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: float32x4_t) {
        // SAFETY: the caller's promise; vst1q accepts any f32 alignment.
        unsafe { vst1q_f32(p, v) }
    }
}

/// The NEON kernels (always there on aarch64).
pub(super) fn detect() -> Option<Kernels> {
    Some(Kernels {
        name: "neon",
        dot: |a, b| simd::dot::<_, UNROLL>(Neon(()), a, b),
        axpy: |alpha, x, y| simd::axpy(Neon(()), alpha, x, y),
        axpy_then_dot: |alpha, x, y, z| simd::axpy_then_dot::<_, UNROLL>(Neon(()), alpha, x, y, z),
        add_outer4_then_mul_vec4: |rows, alphas, x, z, out| {
            let sweep = WindowSweep(rows, alphas, x, z, out);
            simd::add_outer4_then_mul_vec4(Neon(()), sweep)
        },
        mul_vec4: |rows, x, out| simd::mul_vec4::<_, GROUP>(Neon(()), rows, x, out),
        fma_burst: |rounds| simd::fma_burst(Neon(()), rounds),
        gemm: |job, packed_a, packed_b| {
            simd::gemm::<_, TILE_ROWS, TILE_VECTORS>(Neon(()), job, packed_a, packed_b)
        },
    })
}
