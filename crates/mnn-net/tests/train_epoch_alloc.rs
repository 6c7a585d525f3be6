//! `train_epoch` allocates its working memory once per call, never per
//! sample: an epoch of 400 samples allocates exactly as often as one of 4.

use mnn_net::{NeuralNetwork, Sweep, TrainOptions};
mod counting_allocator;

use counting_allocator::allocations;

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
    };
    let before = allocations();
    net.train_epoch(samples, &options, |_| {});
    allocations() - before
}

#[test]
fn train_epoch_allocates_nothing_per_sample() {
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
