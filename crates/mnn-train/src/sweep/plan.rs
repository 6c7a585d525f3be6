//! What a sweep does: the setting it varies, the settings it holds, and the
//! trainings that follow from them.

use crate::DeepSettings;
use crate::samples::{is_rotation, samples_per_record};
use crate::training::MAX_HIDDEN;
use mnn_augment::Augmentation;
use mnn_data::Dataset;
use mnn_net::deep::{Activation, Loss};

/// The setting a sweep varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// The learning rate.
    Lr,
    /// Passes over the training set.
    Epochs,
    /// Hidden nodes.
    Hidden,
    /// Degrees of the rotated training copies of every record (0: none).
    Rotate,
}

/// The settings of one training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub hidden: u32,
    pub lr: f64,
    pub epochs: u32,
    /// Degrees of the extra rotated copies of every record; 0 for none.
    pub rotate: f32,
}

impl Settings {
    /// These settings with `parameter` set to `value`.
    pub fn with(self, parameter: Parameter, value: f64) -> Settings {
        let mut s = self;
        match parameter {
            Parameter::Lr => s.lr = value,
            Parameter::Epochs => s.epochs = value as u32,
            Parameter::Hidden => s.hidden = value as u32,
            Parameter::Rotate => s.rotate = value as f32,
        }
        s
    }

    /// The value of `parameter` in these settings.
    pub fn get(self, parameter: Parameter) -> f64 {
        match parameter {
            Parameter::Lr => self.lr,
            Parameter::Epochs => f64::from(self.epochs),
            Parameter::Hidden => f64::from(self.hidden),
            Parameter::Rotate => f64::from(self.rotate),
        }
    }

    /// The rotation as a training takes it: none for 0°.
    pub fn rotation(self) -> Option<f32> {
        (self.rotate != 0.0).then_some(self.rotate)
    }

    /// Training samples in one epoch of these settings on `train`.
    pub fn epoch_samples(self, train: &Dataset) -> u64 {
        (train.len() * samples_per_record(self.rotation())) as u64
    }
}

/// Options beyond the book, the same for every training of a sweep (the
/// swept setting is always one of the book's).
#[derive(Debug, Clone, PartialEq)]
pub struct Beyond {
    /// Hidden layers after the first ([`Settings::hidden`]): `[150]` for a
    /// 784-500-150-10 network.
    pub more_hidden: Vec<u32>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The loss (and with it the output layer and the targets).
    pub loss: Loss,
    /// A bias per node.
    pub bias: bool,
    /// The learning rate is multiplied by this after each epoch (1: constant).
    pub lr_decay: f64,
    /// Random distortions of the training images, drawn afresh every epoch.
    pub augmentation: Augmentation,
}

impl Default for Beyond {
    /// Nothing beyond the book.
    fn default() -> Self {
        Beyond {
            more_hidden: vec![],
            activation: Activation::Sigmoid,
            loss: Loss::Squared,
            bias: false,
            lr_decay: 1.0,
            augmentation: Augmentation::default(),
        }
    }
}

impl Beyond {
    /// The run of one training: `settings` and `seed` with these options.
    pub fn run_settings(&self, settings: Settings, seed: u64) -> DeepSettings {
        DeepSettings {
            hidden: std::iter::once(settings.hidden)
                .chain(self.more_hidden.iter().copied())
                .collect(),
            activation: self.activation,
            loss: self.loss,
            bias: self.bias,
            learning_rate: settings.lr,
            lr_decay: self.lr_decay,
            seed,
            augmentation: self.augmentation,
            rotate: settings.rotation(),
        }
    }

    /// `true` if nothing goes beyond the book.
    pub fn is_book(&self) -> bool {
        *self == Beyond::default()
    }
}

impl Parameter {
    /// Its name in flags and results files: `lr`, `epochs`, `hidden`, `rotate`.
    pub fn name(self) -> &'static str {
        match self {
            Parameter::Lr => "lr",
            Parameter::Epochs => "epochs",
            Parameter::Hidden => "hidden",
            Parameter::Rotate => "rotate",
        }
    }

    /// Why `value` cannot be swept, if it cannot.
    pub fn check(self, value: f64) -> Result<(), String> {
        let whole = value.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&value);
        let ok = match self {
            Parameter::Lr => value > 0.0 && value.is_finite(),
            Parameter::Epochs => whole,
            Parameter::Hidden => whole && value <= f64::from(MAX_HIDDEN),
            Parameter::Rotate => is_rotation(value as f32),
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                Parameter::Lr => format!("learning rate {value} must be greater than 0"),
                Parameter::Epochs => format!("epochs {value} must be a whole number from 1"),
                Parameter::Hidden => {
                    format!("hidden {value} must be a whole number from 1 to {MAX_HIDDEN}")
                }
                Parameter::Rotate => format!("rotation {value} must be from -180 to 180 degrees"),
            })
        }
    }
}

/// One training: a seed and settings, tested after each epoch in `test_after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub seed: u64,
    pub settings: Settings,
    /// (index into the swept values, epochs trained when tested), in epoch order.
    pub test_after: Vec<(usize, u32)>,
}

/// A sweep: `parameter` over `values` with the others at `base`, seeds
/// 1..=`seeds`, and the trainings that takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub parameter: Parameter,
    pub values: Vec<f64>,
    pub base: Settings,
    /// Options beyond the book, for every training.
    pub beyond: Beyond,
    pub seeds: u32,
    /// The trainings to do, longest first so that a pool ends together. A
    /// sweep over epochs trains each seed once and tests it after every
    /// epoch asked for (the network after k epochs is the same whether or
    /// not training goes on afterwards).
    pub jobs: Vec<Job>,
}

impl Plan {
    /// The trainings for `parameter` over `values`, with the other settings
    /// at `base`, for seeds 1..=`seeds`: the book's network.
    pub fn new(parameter: Parameter, values: Vec<f64>, base: Settings, seeds: u32) -> Plan {
        Plan::beyond(parameter, values, base, Beyond::default(), seeds)
    }

    /// [`Plan::new`] with options beyond the book for every training.
    pub fn beyond(
        parameter: Parameter,
        values: Vec<f64>,
        base: Settings,
        beyond: Beyond,
        seeds: u32,
    ) -> Plan {
        let jobs = jobs(parameter, &values, base, &beyond, seeds);
        Plan {
            parameter,
            values,
            base,
            beyond,
            seeds,
            jobs,
        }
    }

    /// Training samples in all the trainings on `train`.
    pub fn total_samples(&self, train: &Dataset) -> u64 {
        self.jobs
            .iter()
            .map(|j| j.settings.epoch_samples(train) * u64::from(j.settings.epochs))
            .sum()
    }
}

/// The trainings to do, longest first.
fn jobs(
    parameter: Parameter,
    values: &[f64],
    base: Settings,
    beyond: &Beyond,
    seeds: u32,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for seed in 1..=u64::from(seeds) {
        if parameter == Parameter::Epochs {
            let mut test_after: Vec<(usize, u32)> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i, v as u32))
                .collect();
            test_after.sort_by_key(|&(_, epochs)| epochs);
            let epochs = test_after.last().map_or(1, |&(_, e)| e);
            jobs.push(Job {
                seed,
                settings: Settings { epochs, ..base },
                test_after,
            });
        } else {
            for (i, &value) in values.iter().enumerate() {
                let settings = base.with(parameter, value);
                jobs.push(Job {
                    seed,
                    settings,
                    test_after: vec![(i, settings.epochs)],
                });
            }
        }
    }
    let cost = |j: &Job| {
        let weights = beyond
            .run_settings(j.settings, j.seed)
            .architecture()
            .layer_sizes
            .windows(2)
            .map(|w| (w[0] * w[1]) as f64)
            .sum::<f64>();
        weights * f64::from(j.settings.epochs) * samples_per_record(j.settings.rotation()) as f64
    };
    jobs.sort_by(|a, b| cost(b).total_cmp(&cost(a)));
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epochs_sweep_trains_each_seed_once_and_tests_on_the_way() {
        let base = Parameter::Epochs.book_base();
        let plan = Plan::new(Parameter::Epochs, vec![3.0, 1.0, 2.0], base, 2);
        assert_eq!(plan.jobs.len(), 2);
        for job in &plan.jobs {
            assert_eq!(job.settings.epochs, 3);
            assert_eq!(job.test_after, [(1, 1), (2, 2), (0, 3)]);
        }
        let seeds: Vec<u64> = plan.jobs.iter().map(|j| j.seed).collect();
        assert!(seeds.contains(&1) && seeds.contains(&2));
    }

    #[test]
    fn other_sweeps_train_every_value_for_every_seed_longest_first() {
        let base = Parameter::Hidden.book_base();
        let plan = Plan::new(Parameter::Hidden, vec![5.0, 500.0, 50.0], base, 3);
        assert_eq!(plan.jobs.len(), 9);
        let hidden: Vec<u32> = plan.jobs.iter().map(|j| j.settings.hidden).collect();
        assert_eq!(hidden, [500, 500, 500, 50, 50, 50, 5, 5, 5]);
        assert!(
            plan.jobs
                .iter()
                .all(|j| j.settings.lr == 0.1 && j.settings.epochs == 5)
        );
    }

    #[test]
    fn values_are_checked_for_their_setting() {
        assert!(Parameter::Lr.check(0.0).is_err());
        assert!(Parameter::Lr.check(0.05).is_ok());
        assert!(Parameter::Epochs.check(2.5).is_err());
        assert!(Parameter::Hidden.check(0.0).is_err());
        assert!(Parameter::Hidden.check(7.0).is_ok());
        assert!(Parameter::Rotate.check(0.0).is_ok());
        assert!(Parameter::Rotate.check(200.0).is_err());
    }

    #[test]
    fn zero_rotation_means_no_rotated_copies() {
        let base = Parameter::Rotate.book_base();
        assert_eq!(base.with(Parameter::Rotate, 0.0).rotation(), None);
        assert_eq!(base.with(Parameter::Rotate, 15.0).rotation(), Some(15.0));
    }
}
