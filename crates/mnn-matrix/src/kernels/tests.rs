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
