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
