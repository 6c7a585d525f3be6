//! Properties of the random distortions, and a check against a naive reference.

use mnn_augment::{Affine, Augmentation, Augmenter, Elastic, Gaussian, distort_into, sample_rng};
use proptest::prelude::*;

/// A random image: `(width, height, pixels)`.
fn image() -> impl Strategy<Value = (usize, usize, Vec<f32>)> {
    (1usize..12, 1usize..12).prop_flat_map(|(width, height)| {
        (
            Just(width),
            Just(height),
            prop::collection::vec(-10.0f32..10.0, width * height),
        )
    })
}

/// Naive 2-D Gaussian smoothing with zeros beyond the edges: the full double
/// sum over the separable kernel, in f64.
fn naive_smooth(values: &[f32], width: usize, height: usize, kernel: &[f32]) -> Vec<f32> {
    let radius = (kernel.len() / 2) as isize;
    let mut out = vec![0.0; values.len()];
    for r in 0..height as isize {
        for c in 0..width as isize {
            let mut total = 0.0f64;
            for dr in -radius..=radius {
                for dc in -radius..=radius {
                    let (sr, sc) = (r + dr, c + dc);
                    if (0..height as isize).contains(&sr) && (0..width as isize).contains(&sc) {
                        let w = f64::from(kernel[(dr + radius) as usize])
                            * f64::from(kernel[(dc + radius) as usize]);
                        total += w * f64::from(values[(sr * width as isize + sc) as usize]);
                    }
                }
            }
            out[(r * width as isize + c) as usize] = total as f32;
        }
    }
    out
}

proptest! {
    #[test]
    fn smoothing_matches_the_naive_double_sum((width, height, pixels) in image(), sigma in 0.3f32..3.0) {
        let gaussian = Gaussian::new(sigma);
        let expected = naive_smooth(&pixels, width, height, gaussian.weights());
        let mut got = pixels.clone();
        let mut scratch = vec![0.0; pixels.len()];
        gaussian.smooth(&mut got, width, height, &mut scratch);
        for (g, e) in got.iter().zip(&expected) {
            prop_assert!((g - e).abs() <= 1e-4, "{g} vs {e}");
        }
    }

    #[test]
    fn output_stays_between_input_and_fill(
        (width, height, pixels) in image(),
        degrees in -45.0f32..45.0,
        scale in 0.5f32..1.5,
        shift_rows in -3.0f32..3.0,
        shift_cols in -3.0f32..3.0,
        fill in -20.0f32..20.0,
        seed in any::<u64>(),
    ) {
        // Bilinear resampling is a convex combination of input pixels (or the fill).
        let affine = Affine { degrees, scale, shift_rows, shift_cols };
        let n = width * height;
        let mut rng_values = sample_rng(seed, 0, 0);
        let rows: Vec<f32> = (0..n).map(|_| rand::RngExt::random_range(&mut rng_values, -3.0..3.0)).collect();
        let cols: Vec<f32> = (0..n).map(|_| rand::RngExt::random_range(&mut rng_values, -3.0..3.0)).collect();
        let low = pixels.iter().copied().fold(fill, f32::min);
        let high = pixels.iter().copied().fold(fill, f32::max);
        let mut out = vec![f32::NAN; n];
        distort_into(&pixels, width, height, &affine, Some((&rows, &cols)), fill, &mut out);
        for v in out {
            prop_assert!(v >= low - 1e-4 && v <= high + 1e-4, "{v} outside [{low}, {high}]");
        }
    }

    #[test]
    fn whole_pixel_shifts_move_pixels_exactly((width, height, pixels) in image(), dr in -4i32..=4, dc in -4i32..=4) {
        let shift = Affine { shift_rows: dr as f32, shift_cols: dc as f32, ..Affine::IDENTITY };
        let mut out = vec![0.0; pixels.len()];
        distort_into(&pixels, width, height, &shift, None, 99.0, &mut out);
        for r in 0..height as i32 {
            for c in 0..width as i32 {
                let (sr, sc) = (r - dr, c - dc);
                let expected = if (0..height as i32).contains(&sr) && (0..width as i32).contains(&sc) {
                    pixels[(sr * width as i32 + sc) as usize]
                } else {
                    99.0
                };
                prop_assert_eq!(out[(r * width as i32 + c) as usize], expected);
            }
        }
    }

    #[test]
    fn random_distortions_are_reproducible_and_keep_a_blank_image_blank(
        seed in any::<u64>(), epoch in 0usize..100, index in 0usize..60_000,
        shift in 0u32..4, rotate in 0.0f32..20.0, scale in 0.0f32..0.2, alpha in 0.0f32..40.0,
    ) {
        let augmentation = Augmentation { shift, rotate, scale, elastic: Some(Elastic { sigma: 4.0, alpha }) };
        let augmenter = Augmenter::new(augmentation, 28, 28, 0.01).unwrap();
        let mut scratch = augmenter.scratch();
        let digit: Vec<f32> = (0..784).map(|i| if (300..500).contains(&i) { 0.99 } else { 0.01 }).collect();
        let mut first = vec![0.0; 784];
        let mut again = vec![0.0; 784];
        augmenter.augment_into(&digit, &mut sample_rng(seed, epoch, index), &mut scratch, &mut first);
        augmenter.augment_into(&digit, &mut sample_rng(seed, epoch, index), &mut scratch, &mut again);
        prop_assert_eq!(&first, &again);
        // A blank image (all fill) stays blank, whatever the draw.
        let blank = vec![0.01; 784];
        augmenter.augment_into(&blank, &mut sample_rng(seed, epoch, index), &mut scratch, &mut first);
        for v in first {
            prop_assert!((v - 0.01).abs() < 1e-6);
        }
    }
}
