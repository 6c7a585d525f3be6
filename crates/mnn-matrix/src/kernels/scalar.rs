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
