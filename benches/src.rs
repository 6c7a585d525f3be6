//! Shared pieces of the criterion benchmarks in `benches/`: synthetic
//! MNIST-shaped samples (speed does not depend on what the digits show).
//!
//! Run them with `cargo bench -p mnn-benches`; `MNN_SIMD=scalar cargo bench`
//! measures the portable kernels everywhere.

use mnn_net::Samples;

/// The book's final network: 784 inputs, 200 hidden nodes, 10 outputs.
pub const SHAPE: (usize, usize, usize) = (784, 200, 10);

/// `count` samples cycling through `distinct` pseudo-random 28×28 images,
/// scaled like the book's (0.01..1.0) and with one-hot 0.01/0.99 targets.
pub struct SyntheticDigits {
    count: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl SyntheticDigits {
    pub fn new(count: usize, distinct: usize) -> Self {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // About four pixels in five are background, like MNIST's.
        let pixels = (0..distinct * SHAPE.0)
            .map(|_| {
                let r = next();
                if r % 5 == 0 { (r >> 8) as u8 } else { 0 }
            })
            .collect();
        let labels = (0..distinct).map(|_| (next() % 10) as u8).collect();
        Self {
            count,
            pixels,
            labels,
        }
    }
}

impl Samples for SyntheticDigits {
    fn len(&self) -> usize {
        self.count
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        let image = index % self.labels.len();
        let pixels = &self.pixels[image * SHAPE.0..(image + 1) * SHAPE.0];
        for (x, &p) in inputs.iter_mut().zip(pixels) {
            *x = f32::from(p) / 255.0 * 0.99 + 0.01;
        }
        targets.fill(0.01);
        targets[usize::from(self.labels[image])] = 0.99;
    }
}
