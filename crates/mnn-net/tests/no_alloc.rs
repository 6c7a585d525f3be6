//! `train` and `forward` run once per sample, millions of times: they must
//! not touch the allocator. A counting global allocator checks it.

use mnn_net::NeuralNetwork;
mod counting_allocator;

use counting_allocator::allocations;

#[test]
fn train_and_forward_allocate_nothing() {
    let mut net = NeuralNetwork::new(784, 50, 10, 0.1, 1).unwrap();
    let inputs: Vec<f32> = (0..784).map(|i| (i % 255) as f32 / 255.0).collect();
    let mut targets = vec![0.01; 10];
    targets[3] = 0.99;
    let mut activations = net.activations();
    net.train(&inputs, &targets); // warm-up: lazy one-time set-up may allocate

    let before = allocations();
    for _ in 0..10 {
        net.train(&inputs, &targets);
        net.forward(&inputs, &mut activations);
    }
    let after = allocations();
    assert_eq!(
        after - before,
        0,
        "train/forward allocated {} times",
        after - before
    );
    assert!(activations.outputs[3] > activations.outputs[0]);
}
