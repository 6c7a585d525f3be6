//! End to end: MNIST digits drawn as a person would (dark ink on a big sheet of white
//! paper, at another scale and position), saved as PNG, loaded and prepared, come
//! back close to the MNIST originals.

use std::path::PathBuf;

use mnn_data::{Dataset, GrayImage, IMAGE_COLS, IMAGE_PIXELS, load_png_gray, prepare_digit_pixels};

fn sample_digits() -> Dataset {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist_test_10.csv");
    Dataset::from_csv(path).unwrap()
}

/// Dark-on-white sheet, the digit scaled up `zoom` times (nearest) at (left, top).
fn on_paper(digit: &[u8], zoom: usize, left: usize, top: usize) -> GrayImage {
    let (width, height) = (28 * zoom + left + 17, 28 * zoom + top + 23);
    let mut pixels = vec![255u8; width * height];
    for y in 0..28 * zoom {
        for x in 0..28 * zoom {
            pixels[(top + y) * width + left + x] = 255 - digit[(y / zoom) * IMAGE_COLS + x / zoom];
        }
    }
    GrayImage::new(width, height, pixels)
}

fn correlation(a: &[u8], b: &[u8]) -> f64 {
    let mean = |v: &[u8]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (f64::from(x) - ma, f64::from(y) - mb);
        ab += dx * dy;
        aa += dx * dx;
        bb += dy * dy;
    }
    ab / (aa * bb).sqrt()
}

#[test]
fn mnist_digits_on_paper_come_back_like_mnist() {
    let digits = sample_digits();
    let dir = tempfile::tempdir().unwrap();
    for (i, (label, digit)) in digits.iter().enumerate() {
        let path = dir.path().join(format!("{i}-{label}.png"));
        let sheet = on_paper(digit, 3 + i % 3, 11 * i, 40 - 3 * i);
        sheet.save_png(&path).unwrap();
        let prepared = prepare_digit_pixels(&load_png_gray(&path).unwrap()).unwrap();
        assert_eq!(prepared.len(), IMAGE_PIXELS);
        let r = correlation(&prepared, digit);
        assert!(r > 0.95, "record {i} (a {label}): correlation {r:.3}");
    }
}
