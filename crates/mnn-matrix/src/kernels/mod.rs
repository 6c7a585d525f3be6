//! The inner loops everything else is built from: `dot`, `axpy`, and the
//! fused `axpy_then_dot` of the training sweep; and [`fma_burst`], the
//! register-only loop that measures the arithmetic peak they are held to.
//!
//! `W·x` is a `dot` per row of `W`; `Wᵀ·e` and the rank-1 update
//! `W += a·u·vᵀ` are an `axpy` per row. Each public function here is the one
//! safe entry point to its kernel. The implementation is chosen once, on the
//! first call, from what the CPU offers:
//!
//! | level        | where                                   | module     |
//! |--------------|-----------------------------------------|------------|
//! | `"avx2+fma"` | x86-64 with AVX2 and FMA                | `avx2`     |
//! | `"neon"`     | aarch64 (every 64-bit Raspberry Pi)     | `neon`     |
//! | `"simd128"`  | WebAssembly built with SIMD128          | `wasm`     |
//! | `"simd128+relaxed"` | … and relaxed SIMD's `relaxed_madd` | `wasm`     |
//! | `"scalar"`   | anywhere, or when `MNN_SIMD=scalar`     | [`scalar`] |
//!
//! [`scalar`] is the portable twin that the tests compare every other path
//! against; setting the environment variable `MNN_SIMD=scalar` forces it (for
//! tests, benchmarks and comparisons). Any other value of `MNN_SIMD`, or none,
//! means "the best this CPU has".
//!
//! Each SIMD kernel's loop is written once, in `simd`, generic over a small
//! trait of vector operations (load, store, splat, fused multiply-add, add,
//! the sum of a vector's lanes); `avx2`, `neon` and `wasm` implement that
//! trait with their intrinsics and nothing else, as matrixmultiply has one
//! kernel body per instruction set behind one dispatch. `unsafe` code lives
//! only in those four modules, behind a CPU feature check. `wasm` adds every
//! product in AVX2's order with a fused multiply-add, so a browser tab gets
//! the answers of `mnn` on an x86-64 machine with AVX2, bit for bit.
//!
//! ```
//! use mnn_matrix::kernels;
//!
//! let level = kernels::simd_level(); // "avx2+fma", "neon", "simd128" or "scalar"
//! assert!(["avx2+fma", "neon", "simd128", "scalar"].contains(&level));
//!
//! let (x, next) = ([1.0, 2.0, 3.0], [1.0, 1.0, 0.0]);
//! let mut row = [0.5, 0.5, 0.5];
//! // row += 2·x, then row·next: one pass over `row` instead of two
//! let forward = kernels::axpy_then_dot(2.0, &x, &mut row, &next);
//! assert_eq!(row, [2.5, 4.5, 6.5]);
//! assert_eq!(forward, 7.0);
//! ```

use std::sync::OnceLock;

// The crate denies `unsafe` (lib.rs); these four modules alone may hold it.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod avx2;
pub mod gemm;
#[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
#[allow(unsafe_code)]
mod neon;
pub mod scalar;
#[cfg(any(
    target_arch = "x86_64",
    all(target_arch = "aarch64", target_feature = "neon"),
    all(target_arch = "wasm32", target_feature = "simd128")
))]
#[allow(unsafe_code)]
mod simd;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(unsafe_code)]
mod wasm;

/// Samples per window of [`add_outer4_then_mul_vec4`].
pub const WINDOW: usize = 4;

// The kernels' signatures, without the checks of the public functions.
type Dot = fn(&[f32], &[f32]) -> f32;
type Axpy = fn(f32, &[f32], &mut [f32]);
type AxpyThenDot = fn(f32, &[f32], &mut [f32], &[f32]) -> f32;
type Sweep4 =
    fn(&mut [f32], &[[f32; WINDOW]], [&[f32]; WINDOW], [&[f32]; WINDOW], &mut [[f32; WINDOW]]);
type MulVec4 = fn(&[f32], [&[f32]; WINDOW], &mut [[f32; WINDOW]]);
type Burst = fn(u64) -> (f64, f32);
type Gemm = fn(gemm::Job<'_>, &mut Vec<f32>, &mut Vec<f32>);

/// One complete set of kernels for one instruction set.
#[derive(Clone, Copy)]
struct Kernels {
    /// What [`simd_level`] reports.
    name: &'static str,
    dot: Dot,
    axpy: Axpy,
    axpy_then_dot: AxpyThenDot,
    add_outer4_then_mul_vec4: Sweep4,
    mul_vec4: MulVec4,
    fma_burst: Burst,
    gemm: Gemm,
}

/// The portable kernels.
const SCALAR: Kernels = Kernels {
    name: "scalar",
    dot: scalar::dot,
    axpy: scalar::axpy,
    axpy_then_dot: scalar::axpy_then_dot,
    add_outer4_then_mul_vec4: scalar::add_outer4_then_mul_vec4,
    mul_vec4: scalar::mul_vec4,
    fma_burst: scalar::fma_burst,
    gemm: |job, sums, _| scalar::gemm(job, sums),
};

/// The fastest kernels this CPU can run, ignoring `MNN_SIMD`.
fn best() -> Kernels {
    #[cfg(target_arch = "x86_64")]
    if let Some(kernels) = avx2::detect() {
        return kernels;
    }
    #[cfg(all(target_arch = "aarch64", target_feature = "neon"))]
    if let Some(kernels) = neon::detect() {
        return kernels;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let Some(kernels) = wasm::detect() {
        return kernels;
    }
    SCALAR
}

/// The kernels in use, chosen on first use and kept for the whole run.
#[inline]
fn active() -> &'static Kernels {
    static ACTIVE: OnceLock<Kernels> = OnceLock::new();
    ACTIVE.get_or_init(|| {
        if std::env::var_os("MNN_SIMD").is_some_and(|v| v == "scalar") {
            SCALAR
        } else {
            best()
        }
    })
}

/// The instruction set the kernels use: `"avx2+fma"`, `"neon"`, `"simd128"`,
/// `"simd128+relaxed"` or `"scalar"`.
pub fn simd_level() -> &'static str {
    active().name
}

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
    (active().dot)(a, b)
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
    (active().axpy)(alpha, x, y)
}

/// `y += alpha·x`, then `Σ y[i]·z[i]` with the updated `y`, in one pass over `y`.
///
/// Training uses it to update a row of `W_ih` for one sample and compute
/// that row's signal for the next sample while the row is in registers. The
/// result is bit for bit `axpy(alpha, x, y)` followed by `dot(y, z)`.
///
/// # Panics
/// If `x`, `y` and `z` do not all have the same length.
#[inline]
pub fn axpy_then_dot(alpha: f32, x: &[f32], y: &mut [f32], z: &[f32]) -> f32 {
    assert!(
        x.len() == y.len() && y.len() == z.len(),
        "axpy_then_dot: length mismatch ({}, {}, {})",
        x.len(),
        y.len(),
        z.len()
    );
    (active().axpy_then_dot)(alpha, x, y, z)
}

/// Four rank-1 updates of a block of rows, then four products of the updated
/// rows with four vectors, in one pass over the rows.
///
/// `rows` holds `alphas.len()` rows of `cols = x[0].len()` values one after
/// another. For each row `r`:
///
/// ```text
/// row_r    += alphas[r][0]·x[0] + alphas[r][1]·x[1] + alphas[r][2]·x[2] + alphas[r][3]·x[3]
/// out[r][j] = row_r · z[j]                       (j = 0..4, with the updated row)
/// ```
///
/// The four updates are added to each element one after another, in the
/// order `j = 0, 1, 2, 3`. A zero `alpha` leaves the row exactly as it was,
/// so fewer than four updates (or products) are fine: pass zeros and any
/// vector of the right length, and ignore the unused products. Each row's
/// result depends only on that row, not on the others in the block.
///
/// Training uses it to apply four samples' updates to `W_ih` and compute
/// `W_ih·x` for the next four samples in one sweep over the matrix.
///
/// # Panics
/// If the vectors' lengths differ, or `rows` and `out` do not hold one row
/// per entry of `alphas`.
#[inline]
pub fn add_outer4_then_mul_vec4(
    rows: &mut [f32],
    alphas: &[[f32; WINDOW]],
    x: [&[f32]; WINDOW],
    z: [&[f32]; WINDOW],
    out: &mut [[f32; WINDOW]],
) {
    let cols = x[0].len();
    assert!(
        x.iter().chain(&z).all(|v| v.len() == cols),
        "add_outer4_then_mul_vec4: vectors of different lengths ({:?}, {:?})",
        x.map(<[f32]>::len),
        z.map(<[f32]>::len)
    );
    assert!(
        rows.len() == alphas.len() * cols && out.len() == alphas.len(),
        "add_outer4_then_mul_vec4: {} values for {} rows of {cols}, {} outputs",
        rows.len(),
        alphas.len(),
        out.len()
    );
    if cols == 0 {
        out.fill([0.0; WINDOW]);
        return;
    }
    (active().add_outer4_then_mul_vec4)(rows, alphas, x, z, out)
}

/// Four matrix-vector products in one pass over a block of rows: for each
/// row `r` of `rows` (`out.len()` rows of `cols = x[0].len()` values, one
/// after another), `out[r][j] = row_r · x[j]`.
///
/// Each row is read once for the four products, and several rows are worked
/// on at once, so the arithmetic units, not the memory, set the pace: a
/// query of four inputs at a time. Each product is summed in one order that
/// depends only on `cols` (not on the other rows or vectors), the same as the
/// products of [`add_outer4_then_mul_vec4`], but not the same as [`dot`]'s,
/// so results can differ from `dot` in the last bits.
///
/// # Panics
/// If the vectors' lengths differ, or `rows` does not hold one row per entry
/// of `out`.
#[inline]
pub fn mul_vec4(rows: &[f32], x: [&[f32]; WINDOW], out: &mut [[f32; WINDOW]]) {
    let cols = x[0].len();
    assert!(
        x.iter().all(|v| v.len() == cols),
        "mul_vec4: vectors of different lengths ({:?})",
        x.map(<[f32]>::len)
    );
    assert!(
        rows.len() == out.len() * cols,
        "mul_vec4: {} values for {} rows of {cols}",
        rows.len(),
        out.len()
    );
    if cols == 0 {
        out.fill([0.0; WINDOW]);
        return;
    }
    (active().mul_vec4)(rows, x, out)
}

pub use gemm::View;

/// What [`gemm()`] does with the `C` it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `C = alpha·A·B`: `C`'s values are not read.
    Overwrite,
    /// `C += alpha·A·B`.
    Add,
}

/// The matrix product `C = alpha·A·B`, or `C += alpha·A·B`: mini-batch
/// training's forward pass (`W·Xᵀ`), errors passed back (`Wᵀ·Δ`) and
/// update (`W += lr·Δ·X`). `A` (`m × k`) and `B` (`k × n`) are [`View`]s,
/// so either may be a transpose; `C` is `m × n`, row `i` starting at
/// `c[i·c_stride]` (the values between rows are left alone).
///
/// Blocked and packed as BLIS and matrixmultiply do it (see
/// [`gemm`](mod@gemm)); each element is summed in one order that depends
/// on nothing but `k`, so rows of `A` split between threads give bit for
/// bit the rows computed together. Working memory is kept per thread, so a
/// call allocates nothing after the first of its size.
///
/// # Panics
/// If `A`'s columns are not `B`'s rows, or `c` does not hold the `m` rows.
pub fn gemm(alpha: f32, a: View<'_>, b: View<'_>, output: Output, c: &mut [f32], c_stride: usize) {
    let (m, k, n) = (a.rows(), a.cols(), b.cols());
    assert_eq!(k, b.rows(), "gemm: A is {m}×{k} but B is {}×{n}", b.rows());
    if m == 0 || n == 0 {
        return;
    }
    assert!(
        c_stride >= n && c.len() >= (m - 1) * c_stride + n,
        "gemm: C of {m}×{n} with rows {c_stride} apart needs {} values, got {}",
        (m - 1) * c_stride + n,
        c.len()
    );
    let overwrite = output == Output::Overwrite;
    if k == 0 {
        if overwrite {
            c.chunks_mut(c_stride)
                .take(m)
                .for_each(|row| row[..n].fill(0.0));
        }
        return;
    }
    let job = gemm::Job {
        a,
        b,
        alpha,
        overwrite,
        c,
        c_stride,
    };
    thread_local! {
        /// The packed blocks of A and B, per thread.
        static PACKED: std::cell::RefCell<(Vec<f32>, Vec<f32>)> = const {
            std::cell::RefCell::new((Vec::new(), Vec::new()))
        };
    }
    PACKED.with_borrow_mut(|(packed_a, packed_b)| (active().gemm)(job, packed_a, packed_b));
}

/// What one [`fma_burst`] did: the floating-point operations (a
/// multiply-add counted as two, as `mnn bench` counts a train step's) and a
/// checksum of the results, which keeps the work from being optimised away.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FmaBurst {
    pub flops: f64,
    pub checksum: f32,
}

/// The machine's arithmetic peak, as the kernels in use can reach it:
/// `rounds` rounds of a dozen independent chains of fused multiply-adds
/// (vectors of the active instruction set: 8 lanes with AVX2, 4 with NEON;
/// plain multiply-then-add with the scalar kernels), on registers only, so
/// no memory sets the pace. Timing it on one thread and on every core gives
/// the FMA peak that `mnn bench` compares its training rows with.
pub fn fma_burst(rounds: u64) -> FmaBurst {
    let (flops, checksum) = (active().fma_burst)(rounds);
    FmaBurst { flops, checksum }
}

#[cfg(test)]
mod tests;
