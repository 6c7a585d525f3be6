//! MNIST-shaped stand-ins for benchmarks, where the speed does not depend on
//! what the digits show: synthetic digits, and samples cycled to any length.

use mnn_data::{DIGITS, Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS};
use mnn_net::Samples;

/// `count` pseudo-random 28×28 images, about four pixels in five blank as in
/// MNIST, with pseudo-random labels; the same for the same `seed`.
pub fn synthetic_digits(count: usize, seed: u64) -> Dataset {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut data = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
    let mut image = [0u8; IMAGE_PIXELS];
    for _ in 0..count {
        for p in &mut image {
            let r = next();
            *p = if r % 5 == 0 { (r >> 8) as u8 } else { 0 };
        }
        data.push((next() % DIGITS as u64) as u8, &image);
    }
    data
}

/// `len` samples cycling through `samples`: sample `i` is `samples`'s
/// `i mod samples.len()`.
pub struct Cycle<S> {
    pub samples: S,
    pub len: usize,
}

impl<S: Samples> Samples for Cycle<S> {
    fn len(&self) -> usize {
        self.len
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        self.samples
            .fill(index % self.samples.len(), inputs, targets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MnistSamples;

    #[test]
    fn synthetic_digits_look_like_mnist_records() {
        let data = synthetic_digits(500, 1);
        assert_eq!((data.len(), data.rows(), data.cols()), (500, 28, 28));
        assert!(data.labels().iter().all(|&l| usize::from(l) < DIGITS));
        assert!(
            data.label_counts().iter().all(|&n| n > 20),
            "{:?}",
            data.label_counts()
        );
        let blank = (0..data.len())
            .flat_map(|i| data.image(i))
            .filter(|&&p| p == 0)
            .count();
        let share = blank as f64 / (500 * IMAGE_PIXELS) as f64;
        assert!(
            (0.75..0.85).contains(&share),
            "{share} of the pixels are blank"
        );
        assert_ne!(
            synthetic_digits(1, 1).image(0),
            synthetic_digits(1, 2).image(0)
        );
    }

    #[test]
    fn a_cycle_repeats_its_samples() {
        let data = synthetic_digits(3, 1);
        let cycle = Cycle {
            samples: MnistSamples::new(&data, None),
            len: 7,
        };
        assert_eq!(cycle.len(), 7);
        let fill = |i| {
            let (mut x, mut t) = (vec![0.0; IMAGE_PIXELS], vec![0.0; DIGITS]);
            cycle.fill(i, &mut x, &mut t);
            (x, t)
        };
        assert_eq!(fill(1), fill(4));
        assert_ne!(fill(1), fill(2));
    }
}
