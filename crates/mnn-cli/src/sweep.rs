//! `mnn sweep`: the book's experiments, rerun with one command. Vary one
//! setting (learning rate, epochs, hidden nodes or rotation), train the
//! network afresh for each value and each seed, and draw accuracy against the
//! value beside the book's own figures.
//!
//! Runs are independent, so they go out to a pool of threads, one training
//! per thread; a sweep over epochs trains each seed once and tests it after
//! every epoch asked for (the network after k epochs is the same whether or
//! not training goes on afterwards).

use crate::chart::{self, Chart, format_value, median};
use crate::report::outln;
use crate::train::{evaluate, samples_per_record, train_epoch};
use crate::{DataArgs, UsageError, data};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS};
use mnn_net::NeuralNetwork;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// The setting a sweep varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Parameter {
    /// Learning rate (book: 0.01, 0.1, 0.2, 0.3, 0.6 with 100 hidden nodes, 1 epoch)
    Lr,
    /// Passes over the training set (1..10 with 100 hidden nodes, learning rate 0.1)
    Epochs,
    /// Hidden nodes (5, 10, 50, 100, 200, 500 with learning rate 0.1, 5 epochs)
    Hidden,
    /// Rotated training copies, ±degrees; 0 = none (0..30 with 200 hidden, lr 0.01, 10 epochs)
    Rotate,
}

/// `mnn sweep` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Each value is trained once per seed (seeds 1..N, the seed of the initial weights), \
as many trainings at a time as there are cores. The settings not swept are the ones \
of the book's chart for that sweep unless given: lr: 100 hidden, 1 epoch; epochs: 100 \
hidden, lr 0.1; hidden: lr 0.1, 5 epochs; rotate: 200 hidden, lr 0.01, 10 epochs. \
An epochs sweep trains each seed once and tests it after each number of epochs asked \
for (the same networks as separate trainings would give). Writes DIR/results.csv (a row per run), DIR/chart.svg and DIR/chart.png. The book's \
figures are drawn beside ours when the settings are the book's and the data is the \
full MNIST.")]
pub struct SweepArgs {
    /// The setting to vary
    pub parameter: Parameter,
    /// The values to try, comma-separated [default: the book's]
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "A,B,..",
        allow_negative_numbers = true
    )]
    pub values: Option<Vec<f64>>,
    /// Trainings per value, with seeds 1..=N
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub seeds: u32,
    /// Directory for results.csv, chart.svg and chart.png [default: sweep-PARAMETER]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Hidden nodes, when not swept
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::MAX_HIDDEN)))]
    pub hidden: Option<u32>,
    /// Learning rate, when not swept
    #[arg(long, value_parser = crate::positive_number)]
    pub lr: Option<f64>,
    /// Epochs, when not swept
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub epochs: Option<u32>,
    /// Rotated training copies at ±DEG degrees, when not swept (0 = none)
    #[arg(long, value_name = "DEG", value_parser = crate::rotation_degrees, allow_negative_numbers = true)]
    pub rotate: Option<f32>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Train on the first N training records only
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Trainings at once [default: the number of cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub jobs: Option<u32>,
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
    fn with(self, parameter: Parameter, value: f64) -> Settings {
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
    fn get(self, parameter: Parameter) -> f64 {
        match parameter {
            Parameter::Lr => self.lr,
            Parameter::Epochs => f64::from(self.epochs),
            Parameter::Hidden => f64::from(self.hidden),
            Parameter::Rotate => f64::from(self.rotate),
        }
    }

    /// `--rotate` as `mnn train` takes it: none for 0°.
    fn rotation(self) -> Option<f32> {
        (self.rotate != 0.0).then_some(self.rotate)
    }
}

impl Parameter {
    fn name(self) -> &'static str {
        match self {
            Parameter::Lr => "lr",
            Parameter::Epochs => "epochs",
            Parameter::Hidden => "hidden",
            Parameter::Rotate => "rotate",
        }
    }

    /// The values the book tried.
    fn book_values(self) -> Vec<f64> {
        match self {
            Parameter::Lr => vec![0.01, 0.1, 0.2, 0.3, 0.6],
            Parameter::Epochs => (1..=10).map(f64::from).collect(),
            Parameter::Hidden => vec![5.0, 10.0, 50.0, 100.0, 200.0, 500.0],
            Parameter::Rotate => vec![0.0, 5.0, 10.0, 15.0, 20.0, 30.0],
        }
    }

    /// The settings of the book's chart for this sweep (the swept one is a
    /// placeholder).
    fn book_base(self) -> Settings {
        let s = |hidden, lr, epochs, rotate| Settings {
            hidden,
            lr,
            epochs,
            rotate,
        };
        match self {
            Parameter::Lr => s(100, 0.3, 1, 0.0),
            Parameter::Epochs => s(100, 0.1, 1, 0.0),
            Parameter::Hidden => s(200, 0.1, 5, 0.0),
            Parameter::Rotate => s(200, 0.01, 10, 10.0),
        }
    }

    fn axis_label(self) -> &'static str {
        match self {
            Parameter::Lr => "learning rate",
            Parameter::Epochs => "epochs (passes over the training set)",
            Parameter::Hidden => "hidden nodes (log scale)",
            Parameter::Rotate => "extra training copies rotated by ± this many degrees (0: none)",
        }
    }

    /// Why `value` cannot be swept, if it cannot.
    fn check(self, value: f64) -> Result<(), String> {
        let whole = value.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&value);
        let ok = match self {
            Parameter::Lr => value > 0.0 && value.is_finite(),
            Parameter::Epochs => whole,
            Parameter::Hidden => whole && value <= f64::from(crate::MAX_HIDDEN),
            Parameter::Rotate => value.abs() <= 180.0,
        };
        if ok {
            Ok(())
        } else {
            Err(match self {
                Parameter::Lr => format!("learning rate {value} must be greater than 0"),
                Parameter::Epochs => format!("epochs {value} must be a whole number from 1"),
                Parameter::Hidden => format!(
                    "hidden {value} must be a whole number from 1 to {}",
                    crate::MAX_HIDDEN
                ),
                Parameter::Rotate => format!("rotation {value} must be from -180 to 180 degrees"),
            })
        }
    }
}

/// A result the book reports, with the settings it was measured at.
pub struct BookFigure {
    pub settings: Settings,
    pub accuracy: f64,
}

/// The book's figures for its network on the full MNIST (Part 2, "Some
/// Improvements" and "Rotating images"); see docs/results.md for sources.
pub const BOOK_FIGURES: [BookFigure; 8] = {
    const fn at(hidden: u32, lr: f64, epochs: u32, rotate: f32, accuracy: f64) -> BookFigure {
        BookFigure {
            settings: Settings {
                hidden,
                lr,
                epochs,
                rotate,
            },
            accuracy,
        }
    }
    [
        at(100, 0.3, 1, 0.0, 0.9473),
        at(100, 0.6, 1, 0.0, 0.9047),
        at(100, 0.1, 1, 0.0, 0.9523),
        at(100, 0.2, 1, 0.0, 0.9537),
        at(5, 0.1, 5, 0.0, 0.70),
        at(200, 0.1, 5, 0.0, 0.9751),
        at(500, 0.1, 5, 0.0, 0.976),
        at(200, 0.01, 10, 10.0, 0.9787),
    ]
};

/// The book's figures measured at `base` with only `parameter` varied, as
/// (value, accuracy).
fn book_points(parameter: Parameter, base: Settings) -> Vec<(f64, f64)> {
    BOOK_FIGURES
        .iter()
        .filter(|f| f.settings.with(parameter, base.get(parameter)) == base)
        .map(|f| (f.settings.get(parameter), f.accuracy))
        .collect()
}

/// One training: a seed and settings, tested after each epoch in `test_after`.
struct Job {
    seed: u64,
    settings: Settings,
    /// (index into the swept values, epochs trained when tested), in epoch order.
    test_after: Vec<(usize, u32)>,
}

/// One row of results.csv: a network trained and tested.
#[derive(Debug, Clone, Serialize)]
struct Run {
    parameter: &'static str,
    #[serde(skip)]
    value_index: usize,
    value: f64,
    seed: u64,
    hidden: u32,
    lr: f64,
    epochs: u32,
    rotate: f32,
    accuracy: f64,
    train_seconds: f64,
}

pub fn run_sweep(args: &SweepArgs) -> Result<()> {
    let parameter = args.parameter;
    let values = args
        .values
        .clone()
        .unwrap_or_else(|| parameter.book_values());
    if values.is_empty() {
        return Err(UsageError("--values: give at least one value".into()).into());
    }
    for &v in &values {
        parameter
            .check(v)
            .map_err(|e| UsageError(format!("--values: {e}")))?;
    }
    let base = base_settings(args)?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("sweep-{}", parameter.name())));

    let mut loaded = data::load(&args.data, data::Need::TrainAndTest)?;
    if let Some(limit) = args.limit {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        loaded.mnist.train.truncate(limit);
    }
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("{}: cannot create directory", out_dir.display()))?;

    let jobs = plan(parameter, &values, base, args.seeds);
    let workers = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| j as usize,
    );
    let workers = workers.min(jobs.len()).max(1);
    outln!(
        "sweeping {} over {} with {} seed{} each ({}) on {} training records of {}: {} training{}, {} at a time",
        parameter.name(),
        values
            .iter()
            .map(|&v| format_value(v))
            .collect::<Vec<_>>()
            .join(", "),
        args.seeds,
        if args.seeds == 1 { "" } else { "s" },
        describe_base(parameter, base),
        train.len(),
        loaded.description,
        jobs.len(),
        if jobs.len() == 1 { "" } else { "s" },
        workers,
    );

    let total_samples: u64 = jobs
        .iter()
        .map(|j| epoch_samples(train, j.settings) * u64::from(j.settings.epochs))
        .sum();
    let bar = ProgressBar::new(total_samples);
    bar.set_style(
        ProgressStyle::with_template(
            "sweep [{bar:40.cyan/blue}] {percent}% of the training · {msg} · eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let mut runs = run_jobs(parameter, &values, &jobs, train, test, workers, &bar)?;
    bar.finish_and_clear();
    runs.sort_by_key(|r| (r.value_index, r.seed));

    let show_book = loaded.source != "sample" && args.limit.is_none();
    let book = if show_book {
        book_points(parameter, base)
    } else {
        vec![]
    };
    for line in summary_lines(parameter, &values, &runs, &book) {
        outln!("{line}");
    }
    let csv_path = out_dir.join("results.csv");
    write_csv(&csv_path, &runs)?;
    let chart = Chart {
        title: format!(
            "Accuracy against {} · {}",
            match parameter {
                Parameter::Lr => "learning rate",
                Parameter::Epochs => "epochs",
                Parameter::Hidden => "hidden nodes",
                Parameter::Rotate => "rotation",
            },
            describe_base(parameter, base)
        ),
        x_label: parameter.axis_label().into(),
        y_label: format!(
            "accuracy on the {} test records",
            group_thousands(test.len())
        ),
        log_x: parameter == Parameter::Hidden,
        runs: runs.iter().map(|r| (r.value, r.accuracy)).collect(),
        runs_label: format!(
            "mnn: {} seed{} per value (line through the median)",
            args.seeds,
            if args.seeds == 1 { "" } else { "s" }
        ),
        book,
        book_label: "the book's figures".into(),
    };
    let svg_path = out_dir.join("chart.svg");
    let png_path = out_dir.join("chart.png");
    chart::write_svg(&svg_path, &chart)?;
    chart::write_png(&png_path, &chart)?;
    outln!(
        "wrote {} ({} runs), {} and {}",
        csv_path.display(),
        runs.len(),
        svg_path.display(),
        png_path.display()
    );
    Ok(())
}

/// The settings not swept: the book's chart's, overridden by flags; a flag
/// for the swept setting itself is a usage error.
fn base_settings(args: &SweepArgs) -> Result<Settings> {
    let parameter = args.parameter;
    let given = [
        (Parameter::Hidden, args.hidden.is_some()),
        (Parameter::Lr, args.lr.is_some()),
        (Parameter::Epochs, args.epochs.is_some()),
        (Parameter::Rotate, args.rotate.is_some()),
    ];
    if given.iter().any(|&(p, set)| p == parameter && set) {
        return Err(UsageError(format!(
            "--{0} is what this sweep varies: give its values with --values",
            parameter.name()
        ))
        .into());
    }
    let book = parameter.book_base();
    Ok(Settings {
        hidden: args.hidden.unwrap_or(book.hidden),
        lr: args.lr.unwrap_or(book.lr),
        epochs: args.epochs.unwrap_or(book.epochs),
        rotate: args.rotate.unwrap_or(book.rotate),
    })
}

/// The settings held fixed, for people: "784-100-10, 1 epoch".
fn describe_base(parameter: Parameter, base: Settings) -> String {
    let mut parts = vec![];
    if parameter != Parameter::Hidden {
        parts.push(format!("784-{}-10", base.hidden));
    }
    if parameter != Parameter::Lr {
        parts.push(format!("lr {}", format_value(base.lr)));
    }
    if parameter != Parameter::Epochs {
        let s = if base.epochs == 1 { "" } else { "s" };
        parts.push(format!("{} epoch{s}", base.epochs));
    }
    if parameter != Parameter::Rotate && base.rotate != 0.0 {
        parts.push(format!("rotated ±{}°", base.rotate));
    }
    parts.join(", ")
}

/// The trainings to do, longest first so that the pool ends together.
fn plan(parameter: Parameter, values: &[f64], base: Settings, seeds: u32) -> Vec<Job> {
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
        f64::from(j.settings.hidden)
            * f64::from(j.settings.epochs)
            * samples_per_record(j.settings.rotation()) as f64
    };
    jobs.sort_by(|a, b| cost(b).total_cmp(&cost(a)));
    jobs
}

/// Training samples in one epoch of `settings` on `train`.
fn epoch_samples(train: &Dataset, settings: Settings) -> u64 {
    (train.len() * samples_per_record(settings.rotation())) as u64
}

/// Runs every job on `workers` threads, one training per thread, and
/// returns every run; the first error stops the sweep.
fn run_jobs(
    parameter: Parameter,
    values: &[f64],
    jobs: &[Job],
    train: &Dataset,
    test: &Dataset,
    workers: usize,
    bar: &ProgressBar,
) -> Result<Vec<Run>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let runs = Mutex::new(Vec::new());
    let first_error = Mutex::new(None);
    let done = AtomicUsize::new(0);
    bar.set_message(format!("0 of {} trainings done", jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    match run_job(parameter, values, job, train, test, bar) {
                        Ok(job_runs) => {
                            runs.lock().expect("no panics").extend(job_runs);
                            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                            bar.set_message(format!("{n} of {} trainings done", jobs.len()));
                        }
                        Err(err) => {
                            failed.store(true, Ordering::Relaxed);
                            first_error.lock().expect("no panics").get_or_insert(err);
                        }
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("no panics") {
        Some(err) => Err(err),
        None => Ok(runs.into_inner().expect("no panics")),
    }
}

/// Trains one network from its seed and tests it after each epoch the job
/// asks for.
fn run_job(
    parameter: Parameter,
    values: &[f64],
    job: &Job,
    train: &Dataset,
    test: &Dataset,
    bar: &ProgressBar,
) -> Result<Vec<Run>> {
    let s = job.settings;
    let mut net = NeuralNetwork::new(
        IMAGE_PIXELS,
        s.hidden as usize,
        DIGITS,
        s.lr as f32,
        job.seed,
    )?;
    let mut runs = Vec::with_capacity(job.test_after.len());
    let mut train_seconds = 0.0;
    let quiet = ProgressBar::hidden();
    for epoch in 1..=s.epochs {
        let started = Instant::now();
        train_epoch(&mut net, train, s.rotation(), &quiet);
        train_seconds += started.elapsed().as_secs_f64();
        bar.inc(epoch_samples(train, s));
        for &(value_index, _) in job.test_after.iter().filter(|&&(_, e)| e == epoch) {
            let score = evaluate(&net, test);
            let value = values[value_index];
            let run = Run {
                parameter: parameter.name(),
                value_index,
                value,
                seed: job.seed,
                hidden: s.hidden,
                lr: s.lr,
                epochs: epoch,
                rotate: s.rotate,
                accuracy: score.accuracy(),
                train_seconds,
            };
            bar.suspend(|| {
                outln!(
                    "{} {} seed {}: accuracy {:.4} (trained in {:.1} s)",
                    parameter.name(),
                    format_value(value),
                    job.seed,
                    run.accuracy,
                    run.train_seconds
                )
            });
            runs.push(run);
        }
    }
    Ok(runs)
}

/// The table printed at the end: per value, the median and range of our
/// accuracies and the book's figure where it gives one.
fn summary_lines(
    parameter: Parameter,
    values: &[f64],
    runs: &[Run],
    book: &[(f64, f64)],
) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<8} {:>7} {:>15} {:>7}",
        parameter.name(),
        "median",
        "min–max",
        "book"
    )];
    for (i, &value) in values.iter().enumerate() {
        let acc: Vec<f64> = runs
            .iter()
            .filter(|r| r.value_index == i)
            .map(|r| r.accuracy)
            .collect();
        let min = acc.iter().copied().fold(f64::INFINITY, f64::min);
        let max = acc.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let book = book
            .iter()
            .find(|&&(x, _)| x == value)
            .map_or(String::new(), |&(_, y)| format!("{y:.4}"));
        lines.push(format!(
            "{:<8} {:>7.4} {:>15} {:>7}",
            format_value(value),
            median(&acc),
            format!("{min:.4}–{max:.4}"),
            book
        ));
    }
    lines
}

/// 10000 as "10,000".
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn write_csv(path: &Path, runs: &[Run]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for run in runs {
        writer.serialize(run)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    chart::write_atomically(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_figures_appear_on_the_charts_of_their_settings() {
        let lr = book_points(Parameter::Lr, Parameter::Lr.book_base());
        assert_eq!(lr.len(), 4);
        assert!(lr.contains(&(0.3, 0.9473)));
        let hidden = book_points(Parameter::Hidden, Parameter::Hidden.book_base());
        assert_eq!(hidden, [(5.0, 0.70), (200.0, 0.9751), (500.0, 0.976)]);
        let rotate = book_points(Parameter::Rotate, Parameter::Rotate.book_base());
        assert_eq!(rotate, [(10.0, 0.9787)]);
        // Other settings than the book's: nothing to compare with.
        let other = Settings {
            hidden: 50,
            ..Parameter::Lr.book_base()
        };
        assert!(book_points(Parameter::Lr, other).is_empty());
        // An epochs sweep at 200 hidden meets the book's 5-epoch figure.
        let epochs_200 = Settings {
            hidden: 200,
            ..Parameter::Epochs.book_base()
        };
        assert_eq!(book_points(Parameter::Epochs, epochs_200), [(5.0, 0.9751)]);
    }

    #[test]
    fn an_epochs_sweep_trains_each_seed_once_and_tests_on_the_way() {
        let base = Parameter::Epochs.book_base();
        let jobs = plan(Parameter::Epochs, &[3.0, 1.0, 2.0], base, 2);
        assert_eq!(jobs.len(), 2);
        for job in &jobs {
            assert_eq!(job.settings.epochs, 3);
            assert_eq!(job.test_after, [(1, 1), (2, 2), (0, 3)]);
        }
        let seeds: Vec<u64> = jobs.iter().map(|j| j.seed).collect();
        assert!(seeds.contains(&1) && seeds.contains(&2));
    }

    #[test]
    fn other_sweeps_train_every_value_for_every_seed_longest_first() {
        let base = Parameter::Hidden.book_base();
        let jobs = plan(Parameter::Hidden, &[5.0, 500.0, 50.0], base, 3);
        assert_eq!(jobs.len(), 9);
        let hidden: Vec<u32> = jobs.iter().map(|j| j.settings.hidden).collect();
        assert_eq!(hidden, [500, 500, 500, 50, 50, 50, 5, 5, 5]);
        assert!(
            jobs.iter()
                .all(|j| j.settings.lr == 0.1 && j.settings.epochs == 5)
        );
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(group_thousands(10), "10");
        assert_eq!(group_thousands(10000), "10,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
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
