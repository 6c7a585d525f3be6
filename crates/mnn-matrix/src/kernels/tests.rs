//! Every SIMD kernel against its scalar twin, on lengths that are not
//! multiples of the vector width and on slices that start anywhere.

use super::*;
use proptest::prelude::*;

/// The kernel sets to check: the best this CPU has (whatever `MNN_SIMD`
/// says), unless that is the scalar twin itself.
fn simd_kernels() -> Option<Kernels> {
    let kernels = best();
    (kernels.name != SCALAR.name).then_some(kernels)
}

/// Two vectors of the same random length (0..300), each a sub-slice starting
/// at a random offset (0..8) into a longer buffer, so most are unaligned.
fn unaligned_pair() -> impl Strategy<Value = (Vec<f32>, Vec<f32>, usize)> {
    (0usize..300, 0usize..8).prop_flat_map(|(n, offset)| {
        let v = || prop::collection::vec(-2.0f32..2.0, n + offset);
        (v(), v(), Just(offset))
    })
}

/// The sum of the magnitudes of the terms: the scale of a dot product's
/// rounding error.
fn magnitude(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x * y).abs()).sum::<f32>()
}

#[test]
fn level_names_the_active_kernels() {
    let level = simd_level();
    assert!(["avx2+fma", "neon", "scalar"].contains(&level), "{level}");
    if std::env::var_os("MNN_SIMD").is_some_and(|v| v == "scalar") {
        assert_eq!(level, "scalar");
    } else {
        assert_eq!(level, best().name);
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_is_used_where_the_cpu_has_it() {
    let has_avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
    assert_eq!(best().name == "avx2+fma", has_avx2);
}

#[test]
fn public_entry_points_use_the_active_kernels() {
    let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
    let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
    let k = active();
    assert_eq!(dot(&a, &b).to_bits(), (k.dot)(&a, &b).to_bits());
    let (mut y1, mut y2) = (b.clone(), b.clone());
    axpy(0.3, &a, &mut y1);
    (k.axpy)(0.3, &a, &mut y2);
    assert_eq!(y1, y2);
}

#[test]
#[should_panic(expected = "add_outer4_then_mul_vec4: 6 values for 2 rows of 2, 2 outputs")]
fn add_outer4_then_mul_vec4_checks_shapes() {
    let v = [1.0; 2];
    add_outer4_then_mul_vec4(
        &mut [0.0; 6],
        &[[1.0; 4]; 2],
        [&v; 4],
        [&v; 4],
        &mut [[0.0; 4]; 2],
    );
}

#[test]
fn add_outer4_then_mul_vec4_of_empty_rows_is_zero() {
    let mut out = [[f32::NAN; 4]; 3];
    add_outer4_then_mul_vec4(&mut [], &[[1.0; 4]; 3], [&[]; 4], [&[]; 4], &mut out);
    assert_eq!(out, [[0.0; 4]; 3]);
}

#[test]
#[should_panic(expected = "axpy_then_dot: length mismatch (3, 3, 2)")]
fn axpy_then_dot_checks_lengths() {
    axpy_then_dot(1.0, &[1.0; 3], &mut [1.0; 3], &[1.0; 2]);
}

proptest! {
    #[test]
    fn simd_dot_matches_scalar((a, b, offset) in unaligned_pair()) {
        let Some(simd) = simd_kernels() else { return Ok(()) };
        let (a, b) = (&a[offset..], &b[offset..]);
        let (got, want) = ((simd.dot)(a, b), scalar::dot(a, b));
        let tolerance = 1e-5 * magnitude(a, b).max(1.0);
        prop_assert!((got - want).abs() <= tolerance, "{} vs {} (n = {})", got, want, a.len());
    }

    #[test]
    fn simd_axpy_matches_scalar((x, y, offset) in unaligned_pair(), alpha in -2.0f32..2.0) {
        let Some(simd) = simd_kernels() else { return Ok(()) };
        let x = &x[offset..];
        let (mut got, mut want) = (y.clone(), y.clone());
        (simd.axpy)(alpha, x, &mut got[offset..]);
        scalar::axpy(alpha, x, &mut want[offset..]);
        prop_assert_eq!(&got[..offset], &y[..offset], "wrote before the slice");
        for i in offset..y.len() {
            let tolerance = 1e-6 * (y[i].abs() + (alpha * x[i - offset]).abs()).max(1.0);
            prop_assert!((got[i] - want[i]).abs() <= tolerance, "[{}] {} vs {}", i, got[i], want[i]);
        }
    }

    #[test]
    fn simd_axpy_then_dot_matches_scalar(
        (x, y, offset) in unaligned_pair(),
        z_seed in any::<u32>(),
        alpha in -2.0f32..2.0,
    ) {
        let Some(simd) = simd_kernels() else { return Ok(()) };
        let x = &x[offset..];
        // z: another unaligned vector of the same length, derived from x and a seed
        let z: Vec<f32> = x.iter().enumerate().map(|(i, v)| (v * (i as f32 + z_seed as f32)).sin()).collect();
        let (mut got, mut want) = (y.clone(), y.clone());
        let got_dot = (simd.axpy_then_dot)(alpha, x, &mut got[offset..], &z);
        let want_dot = scalar::axpy_then_dot(alpha, x, &mut want[offset..], &z);
        for i in offset..y.len() {
            let tolerance = 1e-6 * (y[i].abs() + (alpha * x[i - offset]).abs()).max(1.0);
            prop_assert!((got[i] - want[i]).abs() <= tolerance, "[{}] {} vs {}", i, got[i], want[i]);
        }
        let tolerance = 1e-5 * magnitude(&want[offset..], &z).max(1.0);
        prop_assert!((got_dot - want_dot).abs() <= tolerance, "{} vs {}", got_dot, want_dot);
    }

    /// The fused kernel is exactly `axpy` then `dot` of the same kernel set,
    /// bit for bit: training relies on it to match the unfused book order.
    #[test]
    fn axpy_then_dot_is_axpy_then_dot_bit_for_bit(
        (x, y, offset) in unaligned_pair(),
        alpha in -2.0f32..2.0,
    ) {
        let z: Vec<f32> = x.iter().rev().copied().collect();
        for kernels in [Some(SCALAR), simd_kernels()].into_iter().flatten() {
            let (mut fused, mut apart) = (y.clone(), y.clone());
            let fused_dot = (kernels.axpy_then_dot)(alpha, &x[offset..], &mut fused[offset..], &z[offset..]);
            (kernels.axpy)(alpha, &x[offset..], &mut apart[offset..]);
            let apart_dot = (kernels.dot)(&apart[offset..], &z[offset..]);
            prop_assert_eq!(&fused, &apart, "{}", kernels.name);
            prop_assert_eq!(fused_dot.to_bits(), apart_dot.to_bits(), "{}: {} vs {}", kernels.name, fused_dot, apart_dot);
        }
    }

    /// An element's update does not depend on where the slice starts or ends,
    /// so splitting a row between threads changes no result.
    #[test]
    fn axpy_is_elementwise_whatever_the_split((x, y, _) in unaligned_pair(), alpha in -2.0f32..2.0, cut in 0usize..300) {
        for kernels in [Some(SCALAR), simd_kernels()].into_iter().flatten() {
            let cut = cut.min(x.len());
            let (mut whole, mut split) = (y.clone(), y.clone());
            (kernels.axpy)(alpha, &x, &mut whole);
            let (left, right) = split.split_at_mut(cut);
            (kernels.axpy)(alpha, &x[..cut], left);
            (kernels.axpy)(alpha, &x[cut..], right);
            prop_assert_eq!(&whole, &split, "{}", kernels.name);
        }
    }
}

/// A block of `rows` rows of `cols` values, four update vectors `x`, four
/// product vectors `z` and per-row coefficients, all from one seed.
#[derive(Debug, Clone)]
struct Window {
    cols: usize,
    rows: Vec<f32>,
    alphas: Vec<[f32; WINDOW]>,
    x: Vec<Vec<f32>>,
    z: Vec<Vec<f32>>,
}

fn window() -> impl Strategy<Value = Window> {
    (0usize..6, 0usize..80).prop_flat_map(|(rows, cols)| {
        let vectors = || prop::collection::vec(prop::collection::vec(-2.0f32..2.0, cols), WINDOW);
        (
            prop::collection::vec(-2.0f32..2.0, rows * cols),
            prop::collection::vec(prop::array::uniform4(-0.5f32..0.5), rows),
            vectors(),
            vectors(),
        )
            .prop_map(move |(rows, alphas, x, z)| Window {
                cols,
                rows,
                alphas,
                x,
                z,
            })
    })
}

impl Window {
    fn x(&self) -> [&[f32]; WINDOW] {
        std::array::from_fn(|j| &self.x[j][..])
    }
    fn z(&self) -> [&[f32]; WINDOW] {
        std::array::from_fn(|j| &self.z[j][..])
    }
    /// The rows after the sweep and the products, with `kernels`.
    fn sweep(&self, kernels: &Kernels) -> (Vec<f32>, Vec<[f32; WINDOW]>) {
        let mut rows = self.rows.clone();
        let mut out = vec![[f32::NAN; WINDOW]; self.alphas.len()];
        if self.cols == 0 {
            return (rows, vec![[0.0; WINDOW]; self.alphas.len()]);
        }
        (kernels.add_outer4_then_mul_vec4)(&mut rows, &self.alphas, self.x(), self.z(), &mut out);
        (rows, out)
    }
}

proptest! {
    #[test]
    fn simd_add_outer4_then_mul_vec4_matches_scalar(w in window()) {
        let Some(simd) = simd_kernels() else { return Ok(()) };
        let (got_rows, got_out) = w.sweep(&simd);
        let (want_rows, want_out) = w.sweep(&SCALAR);
        for (i, (g, v)) in got_rows.iter().zip(&want_rows).enumerate() {
            prop_assert!((g - v).abs() <= 1e-5 * (1.0 + v.abs()), "row value {}: {} vs {}", i, g, v);
        }
        for (r, (g, v)) in got_out.iter().zip(&want_out).enumerate() {
            let row = &want_rows[r * w.cols..(r + 1) * w.cols];
            for j in 0..WINDOW {
                let tolerance = 1e-5 * magnitude(row, &w.z[j]).max(1.0);
                prop_assert!((g[j] - v[j]).abs() <= tolerance, "out[{}][{}]: {} vs {}", r, j, g[j], v[j]);
            }
        }
    }

    /// A row's result does not depend on the other rows in the block (so
    /// not on how rows are shared between threads), and a zero coefficient
    /// leaves a row exactly as it was.
    #[test]
    fn add_outer4_then_mul_vec4_works_row_by_row(w in window(), unused in 0usize..=WINDOW) {
        let mut w = w;
        for alpha in &mut w.alphas {
            alpha[WINDOW - unused..].fill(0.0);
        }
        for kernels in [Some(SCALAR), simd_kernels()].into_iter().flatten() {
            let (rows, out) = w.sweep(&kernels);
            for r in 0..w.alphas.len() {
                let one = Window {
                    rows: w.rows[r * w.cols..(r + 1) * w.cols].to_vec(),
                    alphas: vec![w.alphas[r]],
                    ..w.clone()
                };
                let (one_row, one_out) = one.sweep(&kernels);
                prop_assert_eq!(&one_row[..], &rows[r * w.cols..(r + 1) * w.cols], "{}", kernels.name);
                prop_assert_eq!(one_out[0].map(f32::to_bits), out[r].map(f32::to_bits), "{}", kernels.name);
                if unused == WINDOW {
                    prop_assert_eq!(&one_row, &one.rows, "{}: zero alphas changed the row", kernels.name);
                }
            }
        }
    }
}

impl Window {
    /// The products of the rows with `z`, with `kernels`.
    fn products(&self, kernels: &Kernels) -> Vec<[f32; WINDOW]> {
        let mut out = vec![[f32::NAN; WINDOW]; self.alphas.len()];
        if self.cols == 0 {
            return vec![[0.0; WINDOW]; self.alphas.len()];
        }
        (kernels.mul_vec4)(&self.rows, self.z(), &mut out);
        out
    }
}

proptest! {
    #[test]
    fn simd_mul_vec4_matches_scalar(w in window()) {
        let Some(simd) = simd_kernels() else { return Ok(()) };
        let (got, want) = (w.products(&simd), w.products(&SCALAR));
        for r in 0..w.alphas.len() {
            let row = &w.rows[r * w.cols..(r + 1) * w.cols];
            for j in 0..WINDOW {
                let tolerance = 1e-5 * magnitude(row, &w.z[j]).max(1.0);
                prop_assert!((got[r][j] - want[r][j]).abs() <= tolerance, "out[{}][{}]: {} vs {}", r, j, got[r][j], want[r][j]);
            }
        }
    }

    /// A row's products do not depend on the other rows in the block, and
    /// are the products the window sweep computes when it updates nothing.
    #[test]
    fn mul_vec4_works_row_by_row_like_the_sweep(w in window()) {
        let mut still = w.clone();
        for alpha in &mut still.alphas {
            *alpha = [0.0; WINDOW];
        }
        for kernels in [Some(SCALAR), simd_kernels()].into_iter().flatten() {
            let out = w.products(&kernels);
            let (_, swept) = still.sweep(&kernels);
            prop_assert_eq!(out.iter().flatten().map(|v| v.to_bits()).collect::<Vec<_>>(), swept.iter().flatten().map(|v| v.to_bits()).collect::<Vec<_>>(), "{}", kernels.name);
            for (r, (alpha, products)) in w.alphas.iter().zip(&out).enumerate() {
                let one = Window {
                    rows: w.rows[r * w.cols..(r + 1) * w.cols].to_vec(),
                    alphas: vec![*alpha],
                    ..w.clone()
                };
                prop_assert_eq!(one.products(&kernels)[0].map(f32::to_bits), products.map(f32::to_bits), "{}", kernels.name);
            }
        }
    }
}

#[test]
#[should_panic(expected = "mul_vec4: 5 values for 2 rows of 2")]
fn mul_vec4_checks_shapes() {
    let v = [1.0; 2];
    mul_vec4(&[0.0; 5], [&v; 4], &mut [[0.0; 4]; 2]);
}

#[test]
fn fma_bursts_count_their_flops_and_compute_the_same_chains() {
    // acc ← acc·a + b from 1 + i: the chains converge towards b/(1 − a) = 0.1,
    // slowly, so after a few rounds each is a little below where it started.
    let mut kernels = vec![SCALAR];
    kernels.extend(simd_kernels());
    for k in kernels {
        let (flops, checksum) = (k.fma_burst)(1000);
        let lanes = flops / (1000.0 * 12.0 * 2.0);
        assert!([4.0, 8.0, 16.0].contains(&lanes), "{}: {flops}", k.name);
        // Σ over 12 chains of (1 + i) = 78 per lane, a little less after 1000 rounds
        let per_lane = checksum / lanes as f32;
        assert!((77.0..78.0).contains(&per_lane), "{}: {per_lane}", k.name);
        assert_eq!((k.fma_burst)(0).0, 0.0);
    }
    assert!(fma_burst(10).flops > 0.0);
}

/// A product to check: `A` (`m × k`) and `B` (`k × n`) each stored row-major
/// or transposed, `C` with a row stride beyond `n`, and what to do with it.
#[derive(Debug, Clone)]
struct Product {
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    a_transposed: bool,
    b: Vec<f32>,
    b_transposed: bool,
    c: Vec<f32>,
    c_stride: usize,
    alpha: f32,
    add: bool,
}

impl Product {
    fn a(&self) -> View<'_> {
        if self.a_transposed {
            View::row_major(&self.a, self.k, self.m).t()
        } else {
            View::row_major(&self.a, self.m, self.k)
        }
    }

    fn b(&self) -> View<'_> {
        if self.b_transposed {
            View::row_major(&self.b, self.n, self.k).t()
        } else {
            View::row_major(&self.b, self.k, self.n)
        }
    }

    fn output(&self) -> Output {
        if self.add {
            Output::Add
        } else {
            Output::Overwrite
        }
    }

    /// C after the product, with these kernels.
    fn with(&self, kernels: &Kernels) -> Vec<f32> {
        let mut c = self.c.clone();
        let job = gemm::Job {
            a: self.a(),
            b: self.b(),
            alpha: self.alpha,
            overwrite: !self.add,
            c: &mut c,
            c_stride: self.c_stride,
        };
        (kernels.gemm)(job, &mut Vec::new(), &mut Vec::new());
        c
    }

    /// C after the product, in f64, and each element's scale of rounding
    /// error (the sum of its terms' magnitudes).
    fn reference(&self) -> (Vec<f64>, Vec<f64>) {
        let (a, b) = (self.a(), self.b());
        let mut c: Vec<f64> = self.c.iter().map(|&v| f64::from(v)).collect();
        let mut scale = vec![0.0; c.len()];
        for i in 0..self.m {
            for j in 0..self.n {
                let at = i * self.c_stride + j;
                let terms = (0..self.k).map(|p| f64::from(a.at(i, p)) * f64::from(b.at(p, j)));
                let sum: f64 = terms.clone().sum();
                let old = if self.add { c[at] } else { 0.0 };
                c[at] = f64::from(self.alpha) * sum + old;
                scale[at] =
                    terms.map(f64::abs).sum::<f64>() * f64::from(self.alpha).abs() + old.abs();
            }
        }
        (c, scale)
    }
}

/// Shapes from empty to a few tiles and blocks: `k` up to past two blocks
/// of `KC`, every layout, `C`'s rows with room between them.
fn product() -> impl Strategy<Value = Product> {
    (
        0usize..20,
        prop_oneof![0usize..40, 250usize..600],
        0usize..40,
        0usize..5,
    )
        .prop_flat_map(|(m, k, n, gap)| {
            let values = |len| prop::collection::vec(-2.0f32..2.0, len);
            let c_stride = n + gap;
            (
                values(m * k),
                any::<bool>(),
                values(k * n),
                any::<bool>(),
                values(m.saturating_sub(1) * c_stride + n),
                -2.0f32..2.0,
                any::<bool>(),
            )
                .prop_map(move |(a, a_transposed, b, b_transposed, c, alpha, add)| {
                    Product {
                        m,
                        k,
                        n,
                        a,
                        a_transposed,
                        b,
                        b_transposed,
                        c,
                        c_stride,
                        alpha,
                        add,
                    }
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn gemm_is_the_naive_product(p in product()) {
        let (want, scale) = p.reference();
        let mut kernels = vec![SCALAR];
        kernels.extend(simd_kernels());
        for k in &kernels {
            let got = if p.m == 0 || p.n == 0 || p.k == 0 {
                // the public entry handles what the kernels are never given
                let mut c = p.c.clone();
                gemm(p.alpha, p.a(), p.b(), p.output(), &mut c, p.c_stride.max(1));
                c
            } else {
                p.with(k)
            };
            for (i, (g, (w, s))) in got.iter().zip(want.iter().zip(&scale)).enumerate() {
                let tolerance = 1e-5 * (s + 1.0);
                prop_assert!((f64::from(*g) - w).abs() <= tolerance, "{}: C[{}] = {} vs {}", k.name, i, g, w);
            }
        }
    }

    #[test]
    fn gemm_rows_split_anywhere_are_the_rows_computed_together(p in product(), cut in 0usize..20) {
        prop_assume!(p.m > 0 && p.n > 0 && p.k > 0);
        let cut = cut.min(p.m);
        let mut kernels = vec![SCALAR];
        kernels.extend(simd_kernels());
        for k in &kernels {
            let whole = p.with(k);
            // rows 0..cut and cut..m as two products, as two threads would
            let mut split = p.c.clone();
            let (top, bottom) = split.split_at_mut((cut * p.c_stride).min(p.c.len()));
            for (rows, c) in [(0..cut, top), (cut..p.m, bottom)] {
                if rows.is_empty() {
                    continue;
                }
                let a: Vec<f32> = rows.clone().flat_map(|i| (0..p.k).map(move |q| (i, q))).map(|(i, q)| p.a().at(i, q)).collect();
                let job = gemm::Job {
                    a: View::row_major(&a, rows.len(), p.k),
                    b: p.b(),
                    alpha: p.alpha,
                    overwrite: !p.add,
                    c,
                    c_stride: p.c_stride,
                };
                (k.gemm)(job, &mut Vec::new(), &mut Vec::new());
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            prop_assert_eq!(bits(&whole), bits(&split), "{}", k.name);
        }
    }
}

#[test]
fn gemm_uses_the_active_kernels_and_leaves_the_gaps_between_rows() {
    // 2×3 · 3×2, C's rows 3 apart: the third value of each row is not C's
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let mut c = [10.0, 20.0, -7.0, 30.0, 40.0];
    gemm(
        2.0,
        View::row_major(&a, 2, 3),
        View::row_major(&b, 3, 2),
        Output::Add,
        &mut c,
        3,
    );
    // A·B = [[4, 5], [10, 11]]
    assert_eq!(c, [18.0, 30.0, -7.0, 50.0, 62.0]);
    gemm(
        1.0,
        View::row_major(&b, 3, 2).t(),
        View::row_major(&a, 2, 3).t(),
        Output::Overwrite,
        &mut c,
        2,
    );
    // (A·B)ᵀ = [[4, 10], [5, 11]]
    assert_eq!(c, [4.0, 10.0, 5.0, 11.0, 62.0]);
}

#[test]
#[should_panic(expected = "gemm: A is 2×3 but B is 2×2")]
fn gemm_checks_shapes() {
    let v = [1.0; 6];
    gemm(
        1.0,
        View::row_major(&v, 2, 3),
        View::row_major(&v[..4], 2, 2),
        Output::Add,
        &mut [0.0; 4],
        2,
    );
}

#[test]
#[should_panic(expected = "gemm: C of 2×2 with rows 2 apart needs 4 values, got 3")]
fn gemm_checks_the_output() {
    let v = [1.0; 4];
    gemm(
        1.0,
        View::row_major(&v, 2, 2),
        View::row_major(&v, 2, 2),
        Output::Add,
        &mut [0.0; 3],
        2,
    );
}
