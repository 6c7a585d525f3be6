//! `train_epoch` allocates its working memory once per call, never per
//! sample: an epoch of 400 samples allocates exactly as often as one of 4.

use mnn_net::deep::{Activation, Architecture, Loss, Network};
use mnn_net::{NeuralNetwork, Sweep, TrainOptions};
mod counting_allocator;

use counting_allocator::allocations;

/// The allocation counter is global: the tests here count one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn allocations_for_epoch(
    net: &mut NeuralNetwork,
    samples: &[(Vec<f32>, Vec<f32>)],
    threads: usize,
    sweep: Sweep,
) -> usize {
    let options = TrainOptions {
        threads,
        progress_interval: 1,
        sweep,
        batch: 1,
    };
    let before = allocations();
    net.train_epoch(samples, &options, |_| {});
    allocations() - before
}

#[test]
fn train_epoch_allocates_nothing_per_sample() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sample = |i: usize| {
        let inputs: Vec<f32> = (0..784)
            .map(|p| ((p + i) % 255) as f32 / 255.0 + 0.01)
            .collect();
        let mut targets = vec![0.01; 10];
        targets[i % 10] = 0.99;
        (inputs, targets)
    };
    let few: Vec<_> = (0..4).map(sample).collect();
    let many: Vec<_> = (0..400).map(sample).collect();
    for sweep in [Sweep::PerSample, Sweep::PerWindow] {
        for threads in [1, 2] {
            let mut net = NeuralNetwork::new(784, 40, 10, 0.1, 1).unwrap();
            // warm-up: lazy one-time set-up may allocate
            allocations_for_epoch(&mut net, &few, threads, sweep);
            // The counter is global: the test harness's own threads may
            // allocate during a measurement on a busy machine, which only
            // adds. The fewest of three runs is the epoch's own count.
            let mut fewest = |samples: &[(Vec<f32>, Vec<f32>)]| {
                (0..3)
                    .map(|_| allocations_for_epoch(&mut net, samples, threads, sweep))
                    .min()
                    .expect("three runs")
            };
            let for_few = fewest(&few);
            let for_many = fewest(&many);
            assert_eq!(
                for_few, for_many,
                "{sweep:?}, {threads} threads: {for_few} allocations for 4 samples, {for_many} for 400"
            );
        }
    }
}

#[test]
fn mini_batches_allocate_nothing_per_batch() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let sample = |i: usize| {
        let inputs: Vec<f32> = (0..784)
            .map(|p| ((p * 3 + i) % 255) as f32 / 255.0)
            .collect();
        let mut targets = vec![0.0; 10];
        targets[i % 10] = 1.0;
        (inputs, targets)
    };
    let few: Vec<_> = (0..8).map(sample).collect();
    let many: Vec<_> = (0..400).map(sample).collect();
    let architecture = Architecture {
        layer_sizes: vec![784, 40, 20, 10],
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        bias: true,
    };
    for threads in [1, 2] {
        let mut net = Network::new(architecture.clone(), 0.01, 1).unwrap();
        let options = TrainOptions {
            threads,
            progress_interval: 1,
            batch: 8,
            ..TrainOptions::default()
        };
        #[allow(clippy::ptr_arg)] // a Vec, not a slice: a sized `Samples`
        let mut epoch = |samples: &Vec<(Vec<f32>, Vec<f32>)>| {
            (0..3)
                .map(|_| {
                    let before = allocations();
                    net.train_epoch(samples, &options, &mut |_| {});
                    allocations() - before
                })
                .min()
                .expect("three runs")
        };
        let for_few = epoch(&few);
        let for_many = epoch(&many);
        assert_eq!(
            for_few, for_many,
            "{threads} threads: {for_few} allocations for 8 samples, {for_many} for 400"
        );
    }
}
