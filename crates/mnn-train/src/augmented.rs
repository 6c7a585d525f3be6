//! Training samples beyond the book: the book's samples, each training
//! image distorted at random ([`mnn_augment`]), drawn afresh every epoch,
//! with the targets of the loss trained (softmax and cross-entropy want 0
//! and 1).

use crate::TrainError;
use crate::samples::MnistSamples;
use mnn_augment::{Augmentation, Augmenter, BOOK_FILL, Scratch, sample_rng};
use mnn_data::{Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, TARGET_OFF, TARGET_ON};
use mnn_net::Samples;
use mnn_net::deep::Loss;
use std::sync::Mutex;

/// MNIST records as training samples for one epoch: the book's
/// ([`MnistSamples`], with its rotated copies if asked for), each distorted
/// at random (its own draw for every record and epoch: [`sample_rng`]),
/// with targets for the loss (0.01/0.99 for squared error, 0/1 for
/// cross-entropy). Without distortions and with squared error, the book's
/// samples exactly.
pub struct AugmentedSamples<'a> {
    book: MnistSamples<'a>,
    augmenter: Augmenter,
    seed: u64,
    epoch: usize,
    targets: (f32, f32),
    /// Working memory for the distortions, one set per thread in use: a
    /// thread takes one, uses it and gives it back, so nothing is allocated
    /// per sample.
    scratch: Mutex<Vec<Scratch>>,
}

impl<'a> AugmentedSamples<'a> {
    /// Epoch `epoch` (from 0) of a run seeded with `seed`.
    pub fn new(
        data: &'a Dataset,
        augmentation: Augmentation,
        rotate: Option<f32>,
        loss: Loss,
        seed: u64,
        epoch: usize,
    ) -> Result<Self, TrainError> {
        let augmenter = Augmenter::new(augmentation, IMAGE_COLS, IMAGE_ROWS, BOOK_FILL)
            .map_err(|e| TrainError::Augment(e.to_string()))?;
        Ok(Self {
            book: MnistSamples::new(data, rotate),
            augmenter,
            seed,
            epoch,
            targets: loss.targets(),
            scratch: Mutex::new(Vec::new()),
        })
    }

    /// The book's samples: no distortions, the book's targets.
    pub fn book(data: &'a Dataset, rotate: Option<f32>) -> Self {
        Self::new(data, Augmentation::default(), rotate, Loss::Squared, 0, 0)
            .expect("no distortions can always be drawn")
    }

    /// Goes on to the next epoch's distortions.
    pub fn next_epoch(&mut self) {
        self.epoch += 1;
    }
}

impl Samples for AugmentedSamples<'_> {
    fn len(&self) -> usize {
        self.book.len()
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        if self.augmenter.augmentation().is_none() {
            self.book.fill(index, inputs, targets);
        } else {
            let mut plain = [0.0; IMAGE_PIXELS];
            self.book.fill(index, &mut plain, targets);
            let taken = self
                .scratch
                .lock()
                .map(|mut pool| pool.pop())
                .unwrap_or(None);
            let mut scratch = taken.unwrap_or_else(|| self.augmenter.scratch());
            let mut rng = sample_rng(self.seed, self.epoch, index);
            self.augmenter
                .augment_into(&plain, &mut rng, &mut scratch, inputs);
            if let Ok(mut pool) = self.scratch.lock() {
                pool.push(scratch);
            }
        }
        // The book's samples carry the book's targets; other losses want others.
        if self.targets != (TARGET_OFF, TARGET_ON) {
            let (off, on) = self.targets;
            targets.fill(off);
            targets[self.book.label(index)] = on;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_data::DIGITS;

    #[test]
    fn samples_are_distorted_per_epoch_and_the_same_on_every_read() {
        let data = crate::synthetic_digits(4, 7);
        let augmentation: Augmentation = "elastic,shift=1".parse().unwrap();
        let loss = Loss::CrossEntropy;
        let epoch0 = AugmentedSamples::new(&data, augmentation, None, loss, 1, 0).unwrap();
        let epoch1 = AugmentedSamples::new(&data, augmentation, None, loss, 1, 1).unwrap();
        let read = |samples: &AugmentedSamples, i| {
            let (mut x, mut t) = (vec![0.0; IMAGE_PIXELS], vec![0.0; DIGITS]);
            samples.fill(i, &mut x, &mut t);
            (x, t)
        };
        let (x, t) = read(&epoch0, 2);
        assert_eq!(read(&epoch0, 2), (x.clone(), t.clone()));
        assert_ne!(read(&epoch1, 2).0, x);
        // Cross-entropy's targets: 1 at the label, 0 elsewhere.
        let mut one_hot = [0.0; DIGITS];
        one_hot[usize::from(data.label(2))] = 1.0;
        assert_eq!(t, one_hot);
        let plain = AugmentedSamples::new(
            &data,
            Augmentation::default(),
            Some(10.0),
            Loss::Squared,
            1,
            0,
        )
        .unwrap();
        assert_eq!(plain.len(), 12);
        let book = MnistSamples::new(&data, Some(10.0));
        for i in 0..12 {
            let (mut x, mut t) = (vec![0.0; IMAGE_PIXELS], vec![0.0; DIGITS]);
            book.fill(i, &mut x, &mut t);
            assert_eq!(read(&plain, i), (x, t), "sample {i}");
        }
    }
}
