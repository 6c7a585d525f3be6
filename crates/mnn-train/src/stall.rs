//! Noticing that a run learned nothing: after enough samples its test
//! accuracy is still near chance (one digit in ten), or its mean training
//! error is no lower than in its first epoch. Both are what too large a
//! learning rate for the network does when it does not blow up to the stuck
//! outputs [`divergence`](crate::divergence) looks for (784-500-150-10, tanh
//! and cross-entropy at the book's 0.1 ends 20,000 records at 0.21; at 0.01 it
//! reaches 0.93), and what a learning rate far too small does.

use crate::run::Epoch;

/// Samples a run must have trained on before its accuracy is judged: the
/// book's network has 0.8 to 0.9 of the test set right after 3,000 MNIST
/// samples at any of the book's learning rates, and a few hundred (the
/// built-in sample of 100 records) say too little to judge.
pub const JUDGED_AFTER_SAMPLES: usize = 3000;

/// A test accuracy below this after [`JUDGED_AFTER_SAMPLES`] is near chance:
/// guessing is right one time in ten, and a network that learns is far
/// above a quarter by then.
pub const NEAR_CHANCE: f64 = 0.25;

/// How a run was seen to learn nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stall {
    /// After `epoch` (and `samples` samples in all), the test accuracy was
    /// still `accuracy`, below [`NEAR_CHANCE`].
    NearChance {
        epoch: u32,
        samples: usize,
        accuracy: f64,
    },
    /// The mean training error of `epoch` (`error`) is no lower than the
    /// first epoch's (`first`), or not a number.
    ErrorNotFalling { epoch: u32, first: f64, error: f64 },
}

/// The first way `epochs` (a run's epochs so far, in order) show that the
/// run learns nothing, if they do.
pub fn stall(epochs: &[Epoch]) -> Option<Stall> {
    let mut samples = 0;
    let first = epochs.first()?.mean_error;
    for epoch in epochs {
        samples += epoch.samples;
        if let Some(accuracy) = epoch.accuracy
            && samples >= JUDGED_AFTER_SAMPLES
            && accuracy < NEAR_CHANCE
        {
            return Some(Stall::NearChance {
                epoch: epoch.number,
                samples,
                accuracy,
            });
        }
        let not_falling = epoch.number > 1 && epoch.mean_error >= first;
        if not_falling || !epoch.mean_error.is_finite() {
            return Some(Stall::ErrorNotFalling {
                epoch: epoch.number,
                first,
                error: epoch.mean_error,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunSettings, Tests, Threads, train};
    use mnn_data::{DIGITS, Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS};
    use mnn_net::deep::{Activation, Loss};

    /// `count` learnable digits: each label its own pattern of ink (a
    /// fifth of the pixels), one pixel in ten flipped at random; the same
    /// for the same `seed`.
    fn learnable_digits(count: usize, seed: u64) -> Dataset {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut data = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
        let mut image = [0u8; IMAGE_PIXELS];
        for _ in 0..count {
            let label = next() % DIGITS as u64;
            for (p, pixel) in image.iter_mut().enumerate() {
                let ink = (p as u64 * 2_654_435_761 + label * 40_503).is_multiple_of(5);
                let flipped = next().is_multiple_of(10);
                *pixel = if ink != flipped { 255 } else { 0 };
            }
            data.push(label as u8, &image);
        }
        data
    }

    fn epoch(number: u32, samples: usize, mean_error: f64, accuracy: Option<f64>) -> Epoch {
        Epoch {
            number,
            samples,
            mean_error,
            learning_rate: 0.1,
            seconds: 1.0,
            accuracy,
            validation_accuracy: None,
        }
    }

    #[test]
    fn near_chance_is_judged_only_after_enough_samples() {
        assert_eq!(stall(&[]), None);
        // the built-in sample: 100 records, 0.2 after an epoch is too little to judge
        assert_eq!(stall(&[epoch(1, 100, 0.09, Some(0.2))]), None);
        assert_eq!(
            stall(&[epoch(1, 20_000, 0.09, Some(0.2093))]),
            Some(Stall::NearChance {
                epoch: 1,
                samples: 20_000,
                accuracy: 0.2093
            })
        );
        // over several epochs, the samples add up
        let small = [
            epoch(1, 2000, 0.09, Some(0.5)),
            epoch(2, 2000, 0.08, Some(0.1)),
        ];
        assert!(matches!(
            stall(&small),
            Some(Stall::NearChance {
                epoch: 2,
                samples: 4000,
                ..
            })
        ));
        assert_eq!(stall(&[epoch(1, 60_000, 0.01, Some(0.95))]), None);
        assert_eq!(stall(&[epoch(1, 60_000, 0.01, None)]), None);
    }

    #[test]
    fn an_error_no_lower_than_the_first_epochs_is_a_stall() {
        let falling = [
            epoch(1, 100, 0.05, None),
            epoch(2, 100, 0.03, None),
            epoch(3, 100, 0.031, None),
        ];
        assert_eq!(stall(&falling), None);
        let flat = [epoch(1, 100, 0.09, None), epoch(2, 100, 0.09, None)];
        assert!(matches!(
            stall(&flat),
            Some(Stall::ErrorNotFalling { epoch: 2, .. })
        ));
        let nan = [epoch(1, 100, f64::NAN, None)];
        assert!(matches!(
            stall(&nan),
            Some(Stall::ErrorNotFalling { epoch: 1, .. })
        ));
    }

    /// A run of `settings` on 3,000 synthetic digits (tested on 300), as
    /// `mnn train` runs it: what its own check says.
    fn checked(settings: RunSettings) -> (Option<Stall>, f64) {
        let (data, test) = (learnable_digits(3000, 7), learnable_digits(300, 8));
        let trained = train(
            &settings,
            &data,
            &test,
            Threads::given(1),
            &Tests::EveryEpoch,
            |_| {},
        )
        .unwrap();
        (trained.stalled, trained.evaluation.accuracy())
    }

    #[test]
    fn healthy_runs_are_not_stalled() {
        for settings in [
            RunSettings {
                epochs: 1,
                ..RunSettings::default()
            },
            RunSettings {
                hidden: vec![100],
                learning_rate: 0.3,
                epochs: 2,
                ..RunSettings::default()
            },
            RunSettings {
                hidden: vec![50, 20],
                activation: Activation::Tanh,
                loss: Loss::CrossEntropy,
                bias: true,
                learning_rate: 0.01,
                epochs: 2,
                ..RunSettings::default()
            },
        ] {
            let (stalled, accuracy) = checked(settings.clone());
            assert_eq!(stalled, None, "{settings:?}: {accuracy}");
        }
    }

    #[test]
    fn a_learning_rate_too_large_for_the_network_is_seen_to_stall() {
        let settings = RunSettings {
            hidden: vec![50, 20],
            activation: Activation::Tanh,
            loss: Loss::CrossEntropy,
            bias: true,
            learning_rate: 10.0,
            epochs: 2,
            ..RunSettings::default()
        };
        let (stalled, accuracy) = checked(settings);
        assert!(stalled.is_some(), "{accuracy}");
    }
}
