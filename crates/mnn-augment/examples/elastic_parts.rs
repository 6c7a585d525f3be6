//! Times the elastic distortion and its parts on one thread, µs per sample:
//! `cargo run --release -p mnn-augment --example elastic_parts [WORD]` (only
//! the parts whose name holds WORD).

use mnn_augment::{
    Affine, Augmenter, ElasticSmoothing, Gaussian, distort_into, draw_field, sample_rng,
};
use std::hint::black_box;
use std::time::Instant;

fn time(what: &str, n: usize, mut f: impl FnMut(usize)) {
    // `elastic_parts WORD` times only the parts whose name holds WORD (for `perf stat`).
    if std::env::args()
        .nth(1)
        .is_some_and(|only| !what.contains(&only))
    {
        return;
    }
    // The fastest of several rounds: other programs share the cores.
    let mut best = f64::INFINITY;
    for _ in 0..60 {
        let started = Instant::now();
        for i in 0..n {
            f(i);
        }
        best = best.min(started.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    println!("{what:<28} {best:7.2} µs (fastest of 60 rounds of {n})");
}

fn main() {
    let n = 500;
    let image: Vec<f32> = (0..784).map(|i| (i % 29) as f32 / 29.0).collect();
    let mut rows = vec![0.0f32; 784];
    let mut cols = vec![0.0f32; 784];
    let mut out = vec![0.0f32; 784];
    let smoothing = ElasticSmoothing::new(&Gaussian::new(4.0), 34.0, 28, 28);
    let mut scratch = smoothing.scratch();
    time("draws (1568 uniform)", n, |i| {
        draw_field(&mut sample_rng(1, 0, i), &mut rows, &mut cols);
        black_box(&rows);
    });
    time("smoothing (two fields)", n, |_| {
        smoothing.apply(&mut rows, &mut cols, &mut scratch);
        black_box(&rows);
    });
    draw_field(&mut sample_rng(1, 0, 0), &mut rows, &mut cols);
    smoothing.apply(&mut rows, &mut cols, &mut scratch);
    time("resampling (bilinear)", n, |_| {
        distort_into(
            &image,
            28,
            28,
            &Affine::IDENTITY,
            Some((&rows, &cols)),
            0.01,
            &mut out,
        );
        black_box(&out);
    });
    let augmenter = Augmenter::new("elastic".parse().unwrap(), 28, 28, 0.01).unwrap();
    let mut s = augmenter.scratch();
    time("augment_into (elastic)", n, |i| {
        augmenter.augment_into(&image, &mut sample_rng(1, 0, i), &mut s, &mut out);
        black_box(&out);
    });
}
