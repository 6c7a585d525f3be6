//! What a sweep does: the setting it varies, the settings it holds, and the
//! trainings that follow from them (each a [`RunSettings`]).

use crate::samples::{check_rotation, samples_per_record};
use crate::settings::{RunSettings, check_epochs, check_hidden, check_learning_rate};
use mnn_data::Dataset;

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

/// A sweep varies one setting of a run.
impl RunSettings {
    /// These settings with `parameter` set to `value` (a rotation of 0°:
    /// no rotated copies; hidden nodes: the first hidden layer's).
    pub fn with(&self, parameter: Parameter, value: f64) -> RunSettings {
        let mut s = self.clone();
        match parameter {
            Parameter::Lr => s.learning_rate = value,
            Parameter::Epochs => s.epochs = value as u32,
            Parameter::Hidden => match s.hidden.first_mut() {
                Some(first) => *first = value as u32,
                None => s.hidden.push(value as u32),
            },
            Parameter::Rotate => s.rotate = (value != 0.0).then_some(value as f32),
        }
        s
    }

    /// The value of `parameter` in these settings (0 for no rotation).
    pub fn get(&self, parameter: Parameter) -> f64 {
        match parameter {
            Parameter::Lr => self.learning_rate,
            Parameter::Epochs => f64::from(self.epochs),
            Parameter::Hidden => self.hidden.first().copied().map_or(0.0, f64::from),
            Parameter::Rotate => f64::from(self.rotate.unwrap_or(0.0)),
        }
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

    /// Why `value` cannot be swept, if it cannot: the limit `mnn train`'s
    /// flag for the same setting has, in the same words.
    pub fn check(self, value: f64) -> Result<(), String> {
        match self {
            Parameter::Lr => check_learning_rate(value).map(drop),
            Parameter::Epochs => check_epochs(value, 1).map(drop),
            Parameter::Hidden => check_hidden(value).map(drop),
            // a value beyond an f32 is no angle: infinity is refused
            Parameter::Rotate => check_rotation(value as f32).map(drop),
        }
    }
}

/// One training: its settings (with its seed), tested after each epoch in
/// `test_after`.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub settings: RunSettings,
    /// (index into the swept values, epochs trained when tested), in epoch order.
    pub test_after: Vec<(usize, u32)>,
}

/// A sweep: `parameter` over `values` with the others at `base`, seeds
/// 1..=`seeds`, and the trainings that takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub parameter: Parameter,
    pub values: Vec<f64>,
    /// The settings not swept, the same for every training (its seed and
    /// the swept setting are placeholders); the options beyond the book,
    /// if any, hold for every training.
    pub base: RunSettings,
    pub seeds: u32,
    /// The trainings to do, longest first so that a pool ends together. A
    /// sweep over epochs trains each seed once and tests it after every
    /// epoch asked for (the network after k epochs is the same whether or
    /// not training goes on afterwards).
    pub jobs: Vec<Job>,
}

impl Plan {
    /// The trainings for `parameter` over `values`, with the other settings
    /// at `base`, for seeds 1..=`seeds`.
    pub fn new(parameter: Parameter, values: Vec<f64>, base: RunSettings, seeds: u32) -> Plan {
        let jobs = jobs(parameter, &values, &base, seeds);
        Plan {
            parameter,
            values,
            base,
            seeds,
            jobs,
        }
    }

    /// Training samples in all the trainings on `train`.
    pub fn total_samples(&self, train: &Dataset) -> u64 {
        self.jobs
            .iter()
            .map(|j| {
                j.settings.samples_per_epoch(train.len()) as u64 * u64::from(j.settings.epochs)
            })
            .sum()
    }
}

/// The trainings to do, longest first.
fn jobs(parameter: Parameter, values: &[f64], base: &RunSettings, seeds: u32) -> Vec<Job> {
    let mut jobs = Vec::new();
    for seed in 1..=u64::from(seeds) {
        let base = RunSettings {
            seed,
            ..base.clone()
        };
        if parameter == Parameter::Epochs {
            let mut test_after: Vec<(usize, u32)> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i, v as u32))
                .collect();
            test_after.sort_by_key(|&(_, epochs)| epochs);
            let epochs = test_after.last().map_or(1, |&(_, e)| e);
            jobs.push(Job {
                settings: RunSettings { epochs, ..base },
                test_after,
            });
        } else {
            for (i, &value) in values.iter().enumerate() {
                let settings = base.with(parameter, value);
                jobs.push(Job {
                    test_after: vec![(i, settings.epochs)],
                    settings,
                });
            }
        }
    }
    let cost = |j: &Job| {
        let weights = j
            .settings
            .architecture()
            .layer_sizes
            .windows(2)
            .map(|w| (w[0] * w[1]) as f64)
            .sum::<f64>();
        weights * f64::from(j.settings.epochs) * samples_per_record(j.settings.rotate) as f64
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
        let seeds: Vec<u64> = plan.jobs.iter().map(|j| j.settings.seed).collect();
        assert!(seeds.contains(&1) && seeds.contains(&2));
    }

    #[test]
    fn other_sweeps_train_every_value_for_every_seed_longest_first() {
        let base = Parameter::Hidden.book_base();
        let plan = Plan::new(Parameter::Hidden, vec![5.0, 500.0, 50.0], base, 3);
        assert_eq!(plan.jobs.len(), 9);
        let hidden: Vec<u32> = plan.jobs.iter().map(|j| j.settings.hidden[0]).collect();
        assert_eq!(hidden, [500, 500, 500, 50, 50, 50, 5, 5, 5]);
        assert!(
            plan.jobs
                .iter()
                .all(|j| j.settings.learning_rate == 0.1 && j.settings.epochs == 5)
        );
    }

    #[test]
    fn values_are_checked_for_their_setting() {
        assert!(Parameter::Lr.check(0.0).is_err());
        assert!(Parameter::Lr.check(0.05).is_ok());
        // the limits of `mnn train`'s flags
        assert!(
            Parameter::Lr
                .check(1e39)
                .unwrap_err()
                .contains("at most 3.4e38")
        );
        assert!(Parameter::Lr.check(1e-50).is_err());
        assert!(Parameter::Epochs.check(1000.0).is_ok());
        assert!(
            Parameter::Epochs
                .check(1001.0)
                .unwrap_err()
                .contains("from 1 to 1000")
        );
        assert!(Parameter::Hidden.check(100_001.0).is_err());
        assert!(Parameter::Epochs.check(2.5).is_err());
        assert!(Parameter::Hidden.check(0.0).is_err());
        assert!(Parameter::Hidden.check(7.0).is_ok());
        assert!(Parameter::Rotate.check(0.0).is_ok());
        assert!(Parameter::Rotate.check(200.0).is_err());
    }

    #[test]
    fn zero_rotation_means_no_rotated_copies() {
        let base = Parameter::Rotate.book_base();
        assert_eq!(base.with(Parameter::Rotate, 0.0).rotate, None);
        assert_eq!(base.with(Parameter::Rotate, 15.0).rotate, Some(15.0));
        assert_eq!(
            base.with(Parameter::Rotate, 15.0).get(Parameter::Rotate),
            15.0
        );
    }

    #[test]
    fn a_hidden_sweep_varies_the_first_layer_and_keeps_the_others() {
        let base = RunSettings {
            hidden: vec![500, 150],
            ..Parameter::Hidden.book_base()
        };
        let plan = Plan::new(Parameter::Hidden, vec![50.0], base, 1);
        assert_eq!(plan.jobs[0].settings.hidden, [50, 150]);
        assert_eq!(plan.jobs[0].settings.get(Parameter::Hidden), 50.0);
    }
}
