//! Portable kernels: the reference every SIMD path is tested against.
//!
//! Written so the compiler can vectorise them on any target: the dot product
//! keeps eight independent accumulators over fixed-size chunks, so no
//! floating-point dependency chain serialises the loop.

/// Width of the chunks the scalar dot product works on (eight f32 lanes).
const LANES: usize = 8;

/// `Σ a[i]·b[i]` with eight independent partial sums.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; LANES];
    let a_chunks = a.chunks_exact(LANES);
    let b_chunks = b.chunks_exact(LANES);
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in a_chunks.zip(b_chunks) {
        for lane in 0..LANES {
            sums[lane] += ca[lane] * cb[lane];
        }
    }
    // Pairwise reduction of the lanes keeps the rounding error small.
    let s4 = [
        sums[0] + sums[4],
        sums[1] + sums[5],
        sums[2] + sums[6],
        sums[3] + sums[7],
    ];
    (s4[0] + s4[2]) + (s4[1] + s4[3]) + tail
}

/// `y += alpha·x`, element by element (BLAS's "axpy").
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// `y += alpha·x`, then `Σ y[i]·z[i]`: [`axpy`] and [`dot`] one after the other,
/// the reference for the fused SIMD kernels.
pub fn axpy_then_dot(alpha: f32, x: &[f32], y: &mut [f32], z: &[f32]) -> f32 {
    axpy(alpha, x, y);
    dot(y, z)
}

/// For each row of `rows`: four `axpy` updates in the order 0..4, then four
/// `dot` products with the updated row.
pub fn add_outer4_then_mul_vec4(
    rows: &mut [f32],
    alphas: &[[f32; 4]],
    x: [&[f32]; 4],
    z: [&[f32]; 4],
    out: &mut [[f32; 4]],
) {
    let cols = x[0].len();
    if cols == 0 {
        out.fill([0.0; 4]);
        return;
    }
    for ((row, alpha), out) in rows.chunks_exact_mut(cols).zip(alphas).zip(out) {
        for (a, x) in alpha.iter().zip(x) {
            axpy(*a, x, row);
        }
        *out = z.map(|z| dot(row, z));
    }
}

/// For each row of `rows`: four `dot` products.
pub fn mul_vec4(rows: &[f32], x: [&[f32]; 4], out: &mut [[f32; 4]]) {
    let cols = x[0].len();
    if cols == 0 {
        out.fill([0.0; 4]);
        return;
    }
    for (row, out) in rows.chunks_exact(cols).zip(out) {
        *out = x.map(|x| dot(row, x));
    }
}

/// Chains of eight lanes in [`fma_burst`], as the SIMD kernels' peak
/// measurement has twelve vectors.
const BURST_CHAINS: usize = 12;

/// `rounds` rounds of `BURST_CHAINS × 8` independent multiply-adds,
/// `acc = acc·a + b` (a multiply, then an add), on no memory; the flops done
/// (two per multiply-add) and a checksum of every chain.
pub fn fma_burst(rounds: u64) -> (f64, f32) {
    let a = std::hint::black_box(0.999_999f32);
    let b = std::hint::black_box(1e-7f32);
    let mut acc: [[f32; LANES]; BURST_CHAINS] =
        std::array::from_fn(|i| [std::hint::black_box(1.0 + i as f32); LANES]);
    for _ in 0..rounds {
        for chain in &mut acc {
            for x in chain.iter_mut() {
                *x = *x * a + b;
            }
        }
    }
    let flops = rounds as f64 * (BURST_CHAINS * LANES * 2) as f64;
    (flops, acc.iter().flatten().sum())
}

/// `C = alpha·A·B (+ C)` element by element, each element summed over `k`
/// in blocks of `KC` in order, then `c ← alpha·sum + c` per block: the
/// SIMD kernel's order (a multiply and an add where it fuses them).
/// `sums` is the caller's working memory (kept between calls, so a call
/// allocates nothing once it has grown to `B`'s width).
pub(super) fn gemm(job: super::gemm::Job<'_>, sums: &mut Vec<f32>) {
    use super::gemm::KC;
    let super::gemm::Job {
        a,
        b,
        alpha,
        overwrite,
        c,
        c_stride,
    } = job;
    let (k, n) = (a.cols(), b.cols());
    // One row of sums at a time, so the loop over j runs along B's rows.
    sums.clear();
    sums.resize(n, 0.0);
    for (i, c_row) in c.chunks_mut(c_stride).take(a.rows()).enumerate() {
        let c_row = &mut c_row[..n];
        if overwrite {
            c_row.fill(0.0);
        }
        for p0 in (0..k).step_by(KC) {
            sums.fill(0.0);
            for p in p0..(p0 + KC).min(k) {
                let a_ip = a.at(i, p);
                for (j, sum) in sums.iter_mut().enumerate() {
                    *sum += a_ip * b.at(p, j);
                }
            }
            for (c, sum) in c_row.iter_mut().zip(sums.iter()) {
                *c += alpha * sum;
            }
        }
    }
}
