//! One run of the benchmark: every row timed on this machine, into a
//! [`BenchReport`]. The book's network on one thread and on all of them,
//! with both sweeps of the engine; then (unless only the book's is asked
//! for) the deeper networks and the augmentations' costs.

use super::machine::{Program, is_emulated, this_machine};
use super::networks::{
    BATCH_SWEEP, DEEP_BATCH, DEEP_HIDDEN, DEEP_SWEEP, book_layers, deep_architecture, network_name,
    sweep_name, train_step_flops,
};
use super::peak::measure_peak;
use super::report::{AugmentRow, BenchReport, BenchRow, SCHEMA};
use super::timing::{EPOCH, QUERIES, time_augmentation, time_deep, time_queries, time_training};
use crate::{Threads, TrainError, synthetic_digits};
use mnn_data::{Dataset, Mnist};
use mnn_net::{Sweep, available_threads};
use std::path::Path;

/// Samples timed per row under an emulator, where 60,000 would take long
/// (qemu-arm runs the portable kernels several hundred times slower than
/// this machine's AVX2 ones).
pub const EMULATED_SAMPLES: usize = 500;

/// The augmentations whose cost is always measured (`none`: reading and
/// scaling); [`augmentations`] adds the recipes'.
pub const AUGMENTATIONS: [&str; 5] = ["none", "shift=2", "rotate=10", "scale=0.1", "elastic"];

/// The augmentations `mnn bench` times, as `--augment` reads them:
/// [`AUGMENTATIONS`], then each named recipe's distortions not among them.
pub fn augmentations() -> Vec<String> {
    let mut names: Vec<String> = AUGMENTATIONS.iter().map(|s| s.to_string()).collect();
    for recipe in crate::recipes() {
        let augmentation = recipe.settings.augmentation;
        let listed = names
            .iter()
            .any(|n| n.parse::<crate::Augmentation>().ok() == Some(augmentation));
        if !listed {
            names.push(augmentation.to_string());
        }
    }
    names
}

/// Samples of each augmentation timed: the row's samples, within these.
const AUGMENTATION_SAMPLES: std::ops::RangeInclusive<usize> = 100..=5_000;

/// What to train and query on: the speed does not depend on what the
/// digits show.
pub struct BenchData {
    pub train: Dataset,
    pub test: Dataset,
    /// As the report names it: `MNIST (data/mnist)`, `synthetic digits`.
    pub name: String,
}

impl BenchData {
    /// MNIST from `dir` (the four standard files).
    pub fn mnist(dir: &Path) -> Result<BenchData, TrainError> {
        let mnist = Mnist::load_dir(dir)?;
        Ok(BenchData {
            train: mnist.train,
            test: mnist.test,
            name: format!("MNIST ({})", dir.display()),
        })
    }

    /// Synthetic digits, as many as MNIST has.
    pub fn synthetic() -> BenchData {
        BenchData {
            train: synthetic_digits(EPOCH, 1),
            test: synthetic_digits(QUERIES, 2),
            name: "synthetic digits".into(),
        }
    }
}

/// What a run times, and how it names itself.
#[derive(Debug, Clone)]
pub struct BenchSettings {
    /// Samples per row [default: [`EPOCH`], [`EMULATED_SAMPLES`] under an
    /// emulator]; the images queried are as many, at most [`QUERIES`].
    pub samples: Option<usize>,
    /// Hidden nodes of the book's network.
    pub hidden: usize,
    /// The book's network only: no deeper networks, no augmentations.
    pub book_only: bool,
    /// The second row's threads (the first has one).
    pub threads: Threads,
    /// A name for this machine (`--label`).
    pub label: Option<String>,
    /// The program that measures.
    pub program: Program,
}

/// Times every row and reads what identifies this machine.
pub fn run(data: &BenchData, settings: &BenchSettings) -> Result<BenchReport, TrainError> {
    let emulated = is_emulated();
    let samples = settings
        .samples
        .unwrap_or(if emulated { EMULATED_SAMPLES } else { EPOCH });
    let all = match settings.threads.count() {
        0 => available_threads(),
        n => n,
    };
    let mut thread_counts = vec![1];
    if all > 1 {
        thread_counts.push(all);
    }
    // Measured first, before the rows warm the machine up.
    let peak = measure_peak(all);
    let row = |network: &[usize], threads: usize, sweep: &str, seconds: f64, query_ms: f64| {
        let per_sample = seconds / samples as f64;
        let gflops = train_step_flops(network) / per_sample / 1e9;
        BenchRow {
            network: network_name(network),
            threads,
            sweep: sweep.into(),
            us_per_sample: per_sample * 1e6,
            samples_per_second: 1.0 / per_sample,
            seconds_per_epoch: per_sample * EPOCH as f64,
            gflops,
            query_ms,
            peak_share: Some(peak.share(gflops)),
        }
    };
    let (train, test) = (&data.train, &data.test);
    let book = book_layers(settings.hidden);
    let mut rows = Vec::new();
    for &t in &thread_counts {
        let query_ms = time_queries(test, samples.min(QUERIES), settings.hidden, t)? * 1e3;
        for sweep in [Sweep::PerWindow, Sweep::PerSample] {
            let seconds = time_training(train, samples, settings.hidden, t, sweep)?;
            rows.push(row(&book, t, sweep_name(sweep), seconds, query_ms));
        }
    }
    let mut augmentations = Vec::new();
    if !settings.book_only {
        for hidden_layers in DEEP_HIDDEN {
            let architecture = deep_architecture(hidden_layers);
            for (batch, sweep) in [(1, DEEP_SWEEP), (DEEP_BATCH, BATCH_SWEEP)] {
                for &t in &thread_counts {
                    let (seconds, query_seconds) =
                        time_deep(train, test, samples, &architecture, (t, batch))?;
                    let sizes = &architecture.layer_sizes;
                    rows.push(row(sizes, t, sweep, seconds, query_seconds * 1e3));
                }
            }
        }
        let count = samples.clamp(*AUGMENTATION_SAMPLES.start(), *AUGMENTATION_SAMPLES.end());
        for name in self::augmentations() {
            augmentations.push(AugmentRow {
                us_per_sample: time_augmentation(train, &name, count)? * 1e6,
                augmentation: name,
            });
        }
    }
    Ok(BenchReport {
        schema: SCHEMA,
        machine: this_machine(settings.label.clone(), all, emulated, &settings.program),
        network: network_name(&book),
        samples,
        data: data.name.clone(),
        rows,
        augmentations,
        peak: Some(peak),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipes_distortions_are_timed_once() {
        let names = augmentations();
        assert_eq!(names[..AUGMENTATIONS.len()], AUGMENTATIONS);
        let parsed: Vec<crate::Augmentation> = names.iter().map(|n| n.parse().unwrap()).collect();
        for recipe in crate::recipes() {
            let augmentation = recipe.settings.augmentation;
            let times = parsed.iter().filter(|a| **a == augmentation).count();
            assert_eq!(times, 1, "{}: {augmentation}", recipe.name);
        }
        assert!(names.len() > AUGMENTATIONS.len(), "{names:?}");
    }

    #[test]
    fn a_run_on_one_thread_has_the_books_rows_and_reads_back() {
        let data = BenchData {
            train: synthetic_digits(300, 1),
            test: synthetic_digits(100, 2),
            name: "synthetic digits".into(),
        };
        let settings = BenchSettings {
            samples: Some(100),
            hidden: 20,
            book_only: true,
            threads: Threads::given(1),
            label: Some("test".into()),
            program: Program {
                version: "0.0.0".into(),
                commit: "unknown".into(),
            },
        };
        let report = run(&data, &settings).unwrap();
        let rows: Vec<(&str, usize, &str)> = report
            .rows
            .iter()
            .map(|r| (r.network.as_str(), r.threads, r.sweep.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("784-20-10", 1, "per 4 samples"),
                ("784-20-10", 1, "per sample (book order)")
            ]
        );
        assert!(report.augmentations.is_empty());
        assert_eq!((report.samples, report.machine.cores_used), (100, 1));
        let row = &report.rows[0];
        assert!((row.samples_per_second * row.us_per_sample / 1e6 - 1.0).abs() < 1e-9);
        let peak = report.peak.expect("a measured peak");
        assert_eq!(peak.threads, 1);
        assert_eq!(row.peak_share, Some(row.gflops / peak.all_threads_gflops));
        let read = BenchReport::from_json(&report.to_json()).unwrap();
        assert_eq!((read.machine, read.rows.len()), (report.machine, 2));
    }
}
