//! `train_epoch` allocates its working memory once per call, never per
//! sample: an epoch of 400 samples allocates exactly as often as one of 4.

use mnn_net::{NeuralNetwork, Sweep, TrainOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

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
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    net.train_epoch(samples, &options, |_| {});
    ALLOCATIONS.load(Ordering::SeqCst) - before
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
            let for_few = allocations_for_epoch(&mut net, &few, threads, sweep);
            let for_many = allocations_for_epoch(&mut net, &many, threads, sweep);
            assert_eq!(
                for_few, for_many,
                "{sweep:?}, {threads} threads: {for_few} allocations for 4 samples, {for_many} for 400"
            );
        }
    }
}
