//! `mnn sweep`: the book's experiments, rerun with one command. Reads the
//! flags, has mnn-train plan and run the trainings (`mnn_train::sweep`), and
//! prints the summary and writes results.csv and the chart beside the book's
//! own figures.

use crate::beyond::BeyondArgs;
use crate::chart::{self, Chart, format_value, median};
use crate::report::{divergence_warning, outln, short_number, stall_warning, thousands};
use crate::{DataArgs, UsageError, data};
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use mnn_train::sweep::{self, Event, Parameter, Plan, Run, Warning, book_points};
use mnn_train::{Need, Origin, RunSettings};
use std::path::PathBuf;

/// The setting a sweep varies, as the flag names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParameterArg {
    /// Learning rate (book: 0.01, 0.1, 0.2, 0.3, 0.6 with 100 hidden nodes, 1 epoch)
    Lr,
    /// Passes over the training set (1..10 with 100 hidden nodes, learning rate 0.1)
    Epochs,
    /// Hidden nodes (5, 10, 50, 100, 200, 500 with learning rate 0.1, 5 epochs)
    Hidden,
    /// Rotated training copies, ±degrees; 0 = none (0..30 with 200 hidden, lr 0.01, 10 epochs)
    Rotate,
}

impl From<ParameterArg> for Parameter {
    fn from(arg: ParameterArg) -> Parameter {
        match arg {
            ParameterArg::Lr => Parameter::Lr,
            ParameterArg::Epochs => Parameter::Epochs,
            ParameterArg::Hidden => Parameter::Hidden,
            ParameterArg::Rotate => Parameter::Rotate,
        }
    }
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
full MNIST. The options beyond the book (several hidden layers, --bias, --activation, \
--loss, --lr-decay, --augment) hold for every training; results.csv then lists every \
hidden layer and has a column `beyond` naming them.")]
pub struct SweepArgs {
    /// The setting to vary
    pub parameter: ParameterArg,
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
    /// Hidden nodes, when not swept; several hidden layers separated by commas (500,150) go beyond the book
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::MAX_HIDDEN)))]
    pub hidden: Option<Vec<u32>>,
    /// Learning rate, when not swept
    #[arg(long, value_parser = crate::learning_rate, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// Epochs, when not swept
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::MAX_EPOCHS)))]
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
    #[command(flatten)]
    pub beyond: BeyondArgs,
}

pub fn run_sweep(args: &SweepArgs) -> Result<()> {
    let parameter = Parameter::from(args.parameter);
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
            .map_err(|e| UsageError(format!("--values {}: {e}", short_number(v))))?;
    }
    let base = base_settings(args)?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("sweep-{}", parameter.name())));

    let mut loaded = data::load(&args.data, Need::TrainAndTest)?;
    if let Some(limit) = args.limit {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        loaded.mnist.train.truncate(limit);
    }
    let (train, test) = (&loaded.mnist.train, &loaded.mnist.test);
    if base.validate > 0 {
        crate::beyond::check_validate(base.validate, train.len())?;
    }
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("{}: cannot create directory", out_dir.display()))?;

    let plan = Plan::new(parameter, values, base, args.seeds);
    let jobs = plan.jobs.len();
    let workers = args
        .jobs
        .map_or_else(mnn_net::available_threads, |j| j as usize)
        .min(jobs)
        .max(1);
    outln!(
        "sweeping {} over {} with {} seed{} each ({}) on {} training records{} of {}: {} training{}, {} at a time",
        parameter.name(),
        plan.values
            .iter()
            .map(|&v| format_value(v))
            .collect::<Vec<_>>()
            .join(", "),
        args.seeds,
        if args.seeds == 1 { "" } else { "s" },
        describe_base(&plan),
        train.len() - plan.base.validate,
        match plan.base.validate {
            0 => String::new(),
            n => format!(" (the last {n} held out to validate on)"),
        },
        loaded.description,
        jobs,
        if jobs == 1 { "" } else { "s" },
        workers,
    );

    let bar = ProgressBar::new(plan.total_samples(train));
    bar.set_style(
        ProgressStyle::with_template(
            "sweep [{bar:40.cyan/blue}] {percent}% of the training · {msg} · eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(format!("0 of {jobs} trainings done"));
    let runs = sweep::run(&plan, train, test, workers, |event| match event {
        Event::Trained { samples } => bar.inc(samples),
        Event::Tested(run) => bar.suspend(|| {
            outln!(
                "{} {} seed {}: accuracy {:.4}{} (trained in {:.1} s)",
                run.parameter,
                format_value(run.value),
                run.seed,
                run.accuracy,
                run.validation_accuracy
                    .map(|v| format!(" · validation accuracy {v:.4}"))
                    .unwrap_or_default(),
                run.train_seconds
            )
        }),
        Event::Finished { done, of } => bar.set_message(format!("{done} of {of} trainings done")),
        Event::Warned {
            value,
            seed,
            warning,
        } => bar.suspend(|| {
            // A warning about the learning rate names the one this training used.
            let lr = plan.base.with(parameter, value).learning_rate;
            eprintln!(
                "warning: {} {} seed {seed}: {}",
                parameter.name(),
                short_number(value),
                match warning {
                    Warning::Diverged(seen) => divergence_warning(&seen, lr),
                    Warning::Stalled(seen) => stall_warning(&seen, lr),
                }
            )
        }),
    })?;
    bar.finish_and_clear();

    // The book's figures are for the full MNIST (and only for the book's
    // network: `book_points` finds none beyond it).
    let book = if loaded.origin != Origin::Sample && args.limit.is_none() {
        book_points(parameter, &plan.base)
    } else {
        vec![]
    };
    for line in summary_lines(&plan, &runs, &book) {
        outln!("{line}");
    }
    let csv_path = out_dir.join("results.csv");
    chart::write_atomically(&csv_path, &sweep::csv_bytes(&runs)?)?;
    let chart = Chart {
        title: format!(
            "Accuracy against {} · {}{}",
            match parameter {
                Parameter::Lr => "learning rate",
                Parameter::Epochs => "epochs",
                Parameter::Hidden => "hidden nodes",
                Parameter::Rotate => "rotation",
            },
            describe_base(&plan),
            records_if_not_full(train.len())
        ),
        x_label: axis_label(parameter).into(),
        y_label: format!("accuracy on the {} test records", thousands(test.len())),
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

/// The settings not swept: the book's chart's, overridden by flags (a flag
/// for the swept setting itself is a usage error), with the options beyond
/// the book, the same for every training.
fn base_settings(args: &SweepArgs) -> Result<RunSettings> {
    let parameter = Parameter::from(args.parameter);
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
    let mut settings = RunSettings {
        hidden: args.hidden.clone().unwrap_or_else(|| book.hidden.clone()),
        learning_rate: args.lr.unwrap_or(book.learning_rate),
        epochs: args.epochs.unwrap_or(book.epochs),
        ..book
    };
    if let Some(degrees) = args.rotate {
        settings = settings.with(Parameter::Rotate, f64::from(degrees));
    }
    args.beyond.settings(settings)
}

/// What the chart's x axis shows.
fn axis_label(parameter: Parameter) -> &'static str {
    match parameter {
        Parameter::Lr => "learning rate",
        Parameter::Epochs => "epochs (passes over the training set)",
        Parameter::Hidden => "hidden nodes (log scale)",
        Parameter::Rotate => "extra training copies rotated by ± this many degrees (0: none)",
    }
}

/// The settings held fixed, for people: "784-100-10, 1 epoch", and the
/// options beyond the book if any.
fn describe_base(plan: &Plan) -> String {
    let (parameter, base) = (plan.parameter, &plan.base);
    let mut parts = vec![];
    if parameter != Parameter::Hidden {
        parts.push(base.sizes());
    }
    if parameter != Parameter::Lr {
        parts.push(format!("lr {}", format_value(base.learning_rate)));
    }
    if parameter != Parameter::Epochs {
        let s = if base.epochs == 1 { "" } else { "s" };
        parts.push(format!("{} epoch{s}", base.epochs));
    }
    if let (false, Some(degrees)) = (parameter == Parameter::Rotate, base.rotate) {
        parts.push(format!("rotated ±{degrees}°"));
    }
    parts.extend(base.beyond_description());
    parts.join(", ")
}

/// Training records in MNIST's training set, on which the book's charts are.
const FULL_TRAINING_SET: usize = 60_000;

/// For a title: `, 10,000 training records` when the sweep trained on other
/// than MNIST's full training set, else nothing.
fn records_if_not_full(records: usize) -> String {
    if records == FULL_TRAINING_SET {
        String::new()
    } else {
        format!(", {} training records", thousands(records))
    }
}

/// The table printed at the end: per value, the median and range of our
/// accuracies and the book's figure where it gives one.
fn summary_lines(plan: &Plan, runs: &[Run], book: &[(f64, f64)]) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<8} {:>7} {:>15} {:>7}",
        plan.parameter.name(),
        "median",
        "min–max",
        "book"
    )];
    for (i, &value) in plan.values.iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_net::deep::{Activation, Loss};

    #[test]
    fn titles_name_the_records_unless_the_full_training_set() {
        assert_eq!(records_if_not_full(60_000), "");
        assert_eq!(records_if_not_full(10_000), ", 10,000 training records");
        assert_eq!(records_if_not_full(100), ", 100 training records");
    }

    #[test]
    fn the_summary_has_the_median_and_range_of_each_value_and_the_books_figure() {
        let plan = Plan::new(Parameter::Lr, vec![0.3, 0.6], Parameter::Lr.book_base(), 2);
        let run = |value_index, seed, accuracy| Run {
            parameter: "lr",
            value_index,
            value: plan.values[value_index],
            seed,
            hidden: vec![100],
            lr: plan.values[value_index],
            epochs: 1,
            rotate: 0.0,
            accuracy,
            validation_accuracy: None,
            train_seconds: 1.0,
            beyond: None,
        };
        let runs = [run(0, 1, 0.94), run(0, 2, 0.96), run(1, 1, 0.9)];
        let lines = summary_lines(&plan, &runs, &[(0.3, 0.9473)]);
        assert_eq!(lines.len(), 3);
        let row: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(row, ["0.3", "0.9500", "0.9400–0.9600", "0.9473"]);
        let row: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(row, ["0.6", "0.9000", "0.9000–0.9000"]);
        assert_eq!(describe_base(&plan), "784-100-10, 1 epoch");
    }

    #[test]
    fn the_options_beyond_the_book_are_described_with_the_base() {
        let base = RunSettings {
            hidden: vec![500, 150],
            activation: Activation::Tanh,
            loss: Loss::CrossEntropy,
            bias: true,
            lr_decay: 0.5,
            augmentation: "shift=2".parse().unwrap(),
            ..Parameter::Lr.book_base()
        };
        let plan = Plan::new(Parameter::Lr, vec![0.1], base, 1);
        assert_eq!(
            describe_base(&plan),
            "784-500-150-10, 1 epoch, tanh, cross-entropy, biases, lr decay 0.5, augment shift=2"
        );
    }
}
