//! Shared pieces of the criterion benchmarks in `benches/`: synthetic
//! MNIST-shaped samples (speed does not depend on what the digits show).
//!
//! Run them with `cargo bench -p mnn-benches`; `MNN_SIMD=scalar cargo bench`
//! measures the portable kernels everywhere.

#![forbid(unsafe_code)]

use mnn_data::{Dataset, fill_targets};
use mnn_net::Samples;

/// The book's final network: 784 inputs, 200 hidden nodes, 10 outputs.
pub const SHAPE: (usize, usize, usize) = (784, 200, 10);

/// `count` samples cycling through `distinct` synthetic 28×28 digits
/// ([`mnn_train::synthetic_digits`]), scaled like the book's (0.01..1.0) and
/// with one-hot 0.01/0.99 targets.
pub struct SyntheticDigits {
    count: usize,
    digits: Dataset,
}

impl SyntheticDigits {
    pub fn new(count: usize, distinct: usize) -> Self {
        Self {
            count,
            digits: mnn_train::synthetic_digits(distinct, 1),
        }
    }
}

impl Samples for SyntheticDigits {
    fn len(&self) -> usize {
        self.count
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        let image = index % self.digits.len();
        self.digits.scaled_input(image, inputs);
        fill_targets(self.digits.label(image), targets);
    }
}
