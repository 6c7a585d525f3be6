//! Training the book's final network, 784-200-10, one sample per update:
//! one `train` step (the book's order), and a whole epoch with the engine
//! (`train_epoch`, one sweep over W_ih per sample or per window of four) on
//! one thread and on all cores; `query_all` over the same samples.

#![forbid(unsafe_code)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mnn_benches::{SHAPE, SyntheticDigits};
use mnn_matrix::kernels;
use mnn_net::{NeuralNetwork, Samples, Sweep, TrainOptions, available_threads};
use std::hint::black_box;
use std::time::Duration;

/// Samples in the benchmarked epoch: a tenth of MNIST's 60,000, so one
/// iteration takes well under a second; multiply by 10 for a full epoch.
const EPOCH: usize = 6_000;

fn network() -> NeuralNetwork {
    let (i, h, o) = SHAPE;
    NeuralNetwork::new(i, h, o, 0.1, 1).unwrap()
}

fn train_step(c: &mut Criterion) {
    let data = SyntheticDigits::new(1, 1);
    let (mut inputs, mut targets) = (vec![0.0; SHAPE.0], vec![0.0; SHAPE.2]);
    data.fill(0, &mut inputs, &mut targets);
    let mut net = network();
    let mut group = c.benchmark_group(format!("784-200-10 ({})", kernels::simd_level()));
    group.throughput(Throughput::Elements(1));
    group.bench_function("train step (book order)", |bench| {
        bench.iter(|| net.train(black_box(&inputs), black_box(&targets)))
    });
    let mut activations = net.activations();
    group.bench_function("query", |bench| {
        bench.iter(|| net.forward(black_box(&inputs), &mut activations))
    });
    group.finish();
}

fn epoch(c: &mut Criterion) {
    let data = SyntheticDigits::new(EPOCH, 1000);
    let mut group = c.benchmark_group(format!(
        "epoch of {EPOCH} samples, 784-200-10 ({})",
        kernels::simd_level()
    ));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(EPOCH as u64));
    let mut threads = vec![1];
    if available_threads() > 1 {
        threads.push(available_threads());
    }
    for t in threads {
        for sweep in [Sweep::PerWindow, Sweep::PerSample] {
            let mut net = network();
            let options = TrainOptions {
                sweep,
                ..TrainOptions::with_threads(t)
            };
            group.bench_function(format!("train_epoch {sweep:?}, {t} thread(s)"), |bench| {
                bench.iter(|| net.train_epoch(&data, &options, |_| {}))
            });
        }
        let net = network();
        let options = TrainOptions::with_threads(t);
        group.bench_function(format!("query_all, {t} thread(s)"), |bench| {
            bench.iter(|| net.query_all(&data, &options))
        });
    }
    group.finish();
}

criterion_group!(benches, train_step, epoch);
criterion_main!(benches);
