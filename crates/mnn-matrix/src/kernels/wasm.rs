//! WebAssembly with SIMD128: the page's network in a browser tab, giving the
//! same answers, bit for bit, as `mnn` on an x86-64 machine with AVX2.
//!
//! Two things make that so:
//!
//! - **Eight lanes, in AVX2's order.** A [`Wasm8`] vector is two 128-bit
//!   registers holding eight `f32`, and its lanes are summed as
//!   `avx2.rs` sums them (the two halves, then pairs). With the same
//!   accumulator and row counts as AVX2, `simd.rs`'s bodies then add every
//!   product in the same order on both.
//! - **A fused multiply-add, rounded once.** SIMD128 has none (relaxed
//!   SIMD's `relaxed_madd` may or may not fuse, depending on the machine),
//!   so [`fma`] computes `a·b + c` exactly in `f64` lanes and rounds once:
//!   `a·b` is exact in `f64` (24 + 24 bits of significand fit in 53), the sum
//!   `s = a·b + c` is rounded to `f64` and its rounding error `e` recovered
//!   exactly (Knuth's TwoSum), and when `e ≠ 0` the last bit of `s` is forced
//!   to 1 ("round to odd"). Rounding that to `f32` gives the correctly rounded
//!   `a·b + c` (Boldo and Melquiond, "Emulation of FMA and correctly rounded
//!   sums: proved algorithms using rounding to odd", IEEE TC 2008: `f64` has
//!   more than 24 + 2 bits), which is what `vfmadd` and `f32::mul_add` give.
//!
//! The emulation costs about a dozen instructions per lane where AVX2 needs
//! one: exact answers first, speed second. So the page is also built with
//! relaxed SIMD (`target-feature=+relaxed-simd`, the module `cargo xtask web`
//! writes as `mnn-relaxed.wasm`), where `mul_add` is `f32x4.relaxed_madd`,
//! one instruction, fused on a machine with FMA (Chromium and Firefox on
//! x86-64 with FMA3, and on aarch64) and not fused elsewhere. The page's
//! worker uses that module only after checking, on the visitor's machine,
//! that it fuses (`kernels::axpy` on a case where the fused and the unfused
//! results differ); otherwise it uses this module's exact emulation.

use super::Kernels;
use super::WINDOW;
use super::simd::{self, Simd, WindowSweep};
use core::arch::wasm32::{
    f32x4_add, f32x4_demote_f64x2_zero, f32x4_extract_lane, f32x4_splat, f64x2_abs, f64x2_add,
    f64x2_lt, f64x2_mul, f64x2_ne, f64x2_promote_low_f32x4, f64x2_splat, f64x2_sub, i32x4_shuffle,
    i64x2_add, i64x2_eq, i64x2_shr, i64x2_splat, v128, v128_and, v128_load, v128_or, v128_store,
    v128_xor,
};

/// Proof that the module was built with SIMD128 (the target feature this
/// module is compiled under), which every browser of the last years runs.
#[derive(Clone, Copy)]
pub(super) struct Wasm8(());

/// As `avx2.rs`: independent accumulators of `dot`.
const UNROLL: usize = 4;
/// As `avx2.rs`: rows `mul_vec4` works on at once.
const GROUP: usize = 3;
/// As `avx2.rs`: the matrix product's tile, 6 rows × 2 vectors.
const TILE_ROWS: usize = 6;
const TILE_VECTORS: usize = 2;

/// `a·b + c` in four lanes: relaxed SIMD's, where the module is built with it.
#[cfg(target_feature = "relaxed-simd")]
#[inline(always)]
fn madd(a: v128, b: v128, c: v128) -> v128 {
    core::arch::wasm32::f32x4_relaxed_madd(a, b, c)
}

/// `a·b + c` in four lanes: the exact emulation.
#[cfg(not(target_feature = "relaxed-simd"))]
#[inline(always)]
fn madd(a: v128, b: v128, c: v128) -> v128 {
    fma(a, b, c)
}

/// `a·b + c` in each of four `f32` lanes, rounded once (see the module).
#[cfg_attr(target_feature = "relaxed-simd", allow(dead_code))]
#[inline(always)]
fn fma(a: v128, b: v128, c: v128) -> v128 {
    let high = |v: v128| i32x4_shuffle::<2, 3, 2, 3>(v, v);
    let low = fma_f64(
        f64x2_promote_low_f32x4(a),
        f64x2_promote_low_f32x4(b),
        f64x2_promote_low_f32x4(c),
    );
    let high = fma_f64(
        f64x2_promote_low_f32x4(high(a)),
        f64x2_promote_low_f32x4(high(b)),
        f64x2_promote_low_f32x4(high(c)),
    );
    i32x4_shuffle::<0, 1, 4, 5>(f32x4_demote_f64x2_zero(low), f32x4_demote_f64x2_zero(high))
}

/// `a·b + c` for two lanes of `f32` values held as `f64`, rounded to odd.
#[cfg_attr(target_feature = "relaxed-simd", allow(dead_code))]
#[inline(always)]
fn fma_f64(a: v128, b: v128, c: v128) -> v128 {
    let product = f64x2_mul(a, b); // exact: 24 + 24 bits
    let sum = f64x2_add(product, c);
    // TwoSum: product + c = sum + error, exactly.
    let c_part = f64x2_sub(sum, product);
    let product_part = f64x2_sub(sum, c_part);
    let error = f64x2_add(f64x2_sub(product, product_part), f64x2_sub(c, c_part));
    // Round to odd: an inexact sum with an even last bit moves one unit
    // towards the exact value (up in magnitude if the error has the sum's
    // sign, down otherwise). Infinities and NaN are left as they are.
    let inexact = f64x2_ne(error, f64x2_splat(0.0));
    let one = i64x2_splat(1);
    let even = i64x2_eq(v128_and(sum, one), i64x2_splat(0));
    let finite = f64x2_lt(f64x2_abs(sum), f64x2_splat(f64::INFINITY));
    let move_it = v128_and(v128_and(inexact, even), finite);
    let opposite = i64x2_shr(v128_xor(sum, error), 63); // all ones where the signs differ
    let step = v128_or(opposite, one); // -1 or +1
    i64x2_add(sum, v128_and(step, move_it))
}

// SAFETY: this module is compiled only with the `simd128` target feature,
// which is all the intrinsics below need.
unsafe impl Simd for Wasm8 {
    type V = [v128; 2];
    const LANES: usize = 8;

    #[inline(always)]
    fn splat(self, x: f32) -> [v128; 2] {
        [f32x4_splat(x); 2]
    }

    #[inline(always)]
    fn mul_add(self, a: [v128; 2], b: [v128; 2], c: [v128; 2]) -> [v128; 2] {
        [madd(a[0], b[0], c[0]), madd(a[1], b[1], c[1])]
    }

    #[inline(always)]
    fn add(self, a: [v128; 2], b: [v128; 2]) -> [v128; 2] {
        [f32x4_add(a[0], b[0]), f32x4_add(a[1], b[1])]
    }

    /// AVX2's order: the two halves, then the four lanes pairwise.
    #[inline(always)]
    fn sum(self, v: [v128; 2]) -> f32 {
        let four = f32x4_add(v[0], v[1]);
        let two = f32x4_add(four, i32x4_shuffle::<2, 3, 2, 3>(four, four));
        f32x4_extract_lane::<0>(two) + f32x4_extract_lane::<1>(two)
    }

    #[inline(always)]
    unsafe fn load(self, p: *const f32) -> [v128; 2] {
        // SAFETY: the caller's promise of eight readable f32; v128_load
        // accepts any alignment.
        unsafe { [v128_load(p.cast()), v128_load(p.add(4).cast())] }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut f32, v: [v128; 2]) {
        // SAFETY: the caller's promise of eight writable f32; v128_store
        // accepts any alignment.
        unsafe {
            v128_store(p.cast(), v[0]);
            v128_store(p.add(4).cast(), v[1]);
        }
    }
}

/// The SIMD128 kernels (always there: the module is built with SIMD128).
pub(super) fn detect() -> Option<Kernels> {
    Some(Kernels {
        name: if cfg!(target_feature = "relaxed-simd") {
            "simd128+relaxed"
        } else {
            "simd128"
        },
        dot: |a, b| simd::dot::<_, UNROLL>(Wasm8(()), a, b),
        axpy: |alpha, x, y| simd::axpy(Wasm8(()), alpha, x, y),
        axpy_then_dot: |alpha, x, y, z| simd::axpy_then_dot::<_, UNROLL>(Wasm8(()), alpha, x, y, z),
        add_outer4_then_mul_vec4: |rows, alphas, x, z, out| {
            let sweep = WindowSweep(rows, alphas, x, z, out);
            simd::add_outer4_then_mul_vec4(Wasm8(()), sweep)
        },
        mul_vec4: |rows, x, out: &mut [[f32; WINDOW]]| {
            simd::mul_vec4::<_, GROUP>(Wasm8(()), rows, x, out)
        },
        fma_burst: |rounds| simd::fma_burst(Wasm8(()), rounds),
        gemm: |job, packed_a, packed_b| {
            simd::gemm::<_, TILE_ROWS, TILE_VECTORS>(Wasm8(()), job, packed_a, packed_b)
        },
    })
}
