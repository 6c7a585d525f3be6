//! `mnn`: train and explore the neural network of *Make Your Own Neural
//! Network* on MNIST.
//!
//! ```text
//! mnn                      # the book's final experiment: 200 hidden, lr 0.1, 5 epochs
//! mnn train --hidden 100 --lr 0.3 --epochs 1 --save model.safetensors
//! mnn test --model model.safetensors
//! mnn query --model model.safetensors my-digit.png   # your own handwriting
//! mnn backquery --model model.safetensors --out brain/
//! mnn show --index 0 --test
//! mnn weights --model model.safetensors --out w/   # what each hidden node looks for
//! mnn tour                 # the book's worked examples, computed by mnn
//! mnn serve --model model.safetensors   # draw digits in a browser
//! ```
//!
//! This is the only crate that prints, reads flags or exits: errors from the
//! libraries arrive here and become one line on stderr and an exit code
//! (2 for a wrong flag or a missing data directory, 1 for everything else).

#![forbid(unsafe_code)]

mod backquery;
mod bench;
mod beyond;
mod chart;
mod confusion;
mod data;
mod files;
mod model_file;
mod pictures;
mod query;
mod recipe;
mod report;
mod serve;
mod show;
mod sweep;
mod tour;
mod train;
mod weights;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use mnn_train::{RunSettings, Threads};
use std::path::PathBuf;
use std::process::ExitCode;

pub use mnn_train::{MAX_EPOCHS, MAX_HIDDEN};

/// Train and explore the neural network of "Make Your Own Neural Network".
///
/// With no command, runs `mnn train` with its defaults: the book's final experiment (784-200-10,
/// lr 0.1, 5 epochs) on MNIST in data/mnist, or on the small sample of the book when the full set
/// has not been downloaded. `mnn COMMAND --help` lists a command's flags.
#[derive(Debug, Parser)]
#[command(name = "mnn", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train a network on the training set, then measure its accuracy on the test set.
    Train(TrainArgs),
    /// Measure a saved network's accuracy on the test set.
    Test(TestArgs),
    /// Ask a saved network which digit each PNG image shows (your own handwriting).
    Query(query::QueryArgs),
    /// Draw what a saved network imagines for each digit (the book's backquery).
    Backquery(backquery::BackqueryArgs),
    /// Show one MNIST record: its label, and the digit in the terminal or as a PNG.
    Show(show::ShowArgs),
    /// Rerun one of the book's experiments: vary a setting over several seeds, chart the accuracy.
    Sweep(sweep::SweepArgs),
    /// Measure how fast this machine trains and queries; prints a markdown table to paste.
    Bench(bench::BenchArgs),
    /// The book's worked examples, step by step, computed by mnn's own code.
    Tour(tour::TourArgs),
    /// Draw what each hidden node of a saved network looks for: its incoming weights as 28×28 pictures.
    Weights(weights::WeightsArgs),
    /// Open a web page to draw digits on and watch the network answer, see, imagine and learn.
    Serve(serve::ServeArgs),
}

/// Where the MNIST data comes from.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory with the four MNIST IDX files (raw or .gz) [default: data/mnist, or the
    /// built-in sample of the book when that is missing]
    #[arg(long, env = "MNN_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The book's CSV training file (label,p0..p783 per line) instead of --data
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub train_csv: Option<PathBuf>,
    /// The book's CSV test file, with --train-csv (alone for `mnn test`)
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub test_csv: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// A named run (book, book-first, mnist-99, simard) standing for its flags; any flag given
    /// beside it replaces the recipe's. `--recipe list` shows each with its flags and figures
    #[arg(long, value_name = "NAME")]
    pub recipe: Option<String>,
    /// The ids of the flags given on the command line (clap's `value_source`),
    /// so that they, and only they, replace a recipe's settings.
    #[arg(skip)]
    pub given: Vec<String>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Hidden nodes; several hidden layers separated by commas (500,150) go beyond the book
    #[arg(long, default_values_t = RunSettings::default().hidden, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HIDDEN)))]
    pub hidden: Vec<u32>,
    /// Learning rate (> 0)
    #[arg(long, default_value_t = RunSettings::default().learning_rate, value_parser = learning_rate, allow_negative_numbers = true)]
    pub lr: f64,
    /// Passes over the training set (0: no training; test, and with --save keep, the initial weights)
    #[arg(long, default_value_t = RunSettings::default().epochs, value_parser = clap::value_parser!(u32).range(0..=i64::from(mnn_train::MAX_EPOCHS)))]
    pub epochs: u32,
    /// Seed of the initial weights (and nothing else: training order is the data's order)
    #[arg(long, default_value_t = RunSettings::default().seed)]
    pub seed: u64,
    /// Train on the first N training records only
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Also train on copies of every record rotated by +DEG and -DEG degrees (the book uses 10)
    #[arg(long, value_name = "DEG", value_parser = rotation_degrees, allow_negative_numbers = true)]
    pub rotate: Option<f32>,
    /// Save the trained network to this safetensors file
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
    /// Draw the learning curve (each epoch's mean training error and test accuracy) to this .png or .svg
    #[arg(long, value_name = "FILE")]
    pub curve: Option<PathBuf>,
    /// Print one JSON object with the results as the last line of stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub beyond: beyond::BeyondArgs,
    /// Threads for training and testing [default: one per core, and one after an epoch in which
    /// the threads mostly waited for each other because other programs kept the cores busy]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(mnn_train::MAX_THREADS)))]
    pub threads: Option<u32>,
}

impl TrainArgs {
    /// `mnn train` with every flag at its default (`MNN_DATA` still counts):
    /// what `mnn` alone runs.
    fn defaults() -> TrainArgs {
        let command = TrainArgs::augment_args(clap::Command::new("mnn"));
        let matches = command.get_matches_from(["mnn"]);
        TrainArgs::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
    }
}

#[derive(Debug, Clone, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// The saved network (a .safetensors file written by `mnn train --save`)
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// Print one JSON object with the results as the last line of stdout
    #[arg(long)]
    pub json: bool,
    /// Also print the confusion matrix (rows: true digit, columns: answer) and each digit's accuracy
    #[arg(long)]
    pub confusion: bool,
    /// Write the misclassified test digits, worst first, labelled "true → predicted", to this PNG
    #[arg(long, value_name = "PNG")]
    pub mistakes: Option<PathBuf>,
    /// At most N digits in --mistakes
    #[arg(long, value_name = "N", default_value_t = 100, requires = "mistakes", value_parser = clap::value_parser!(u32).range(1..))]
    pub mistakes_shown: u32,
    /// Threads for testing [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(mnn_train::MAX_THREADS)))]
    pub threads: Option<u32>,
}

/// The ids of the arguments `matches` took from the command line (not
/// defaults, not the environment).
fn given_on_command_line(matches: &ArgMatches) -> Vec<String> {
    matches
        .ids()
        .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
}

/// The `--threads` flag as the libraries take it.
pub fn threads(flag: Option<u32>) -> Threads {
    Threads::from_option(flag.map(|n| n as usize))
}

fn learning_rate(s: &str) -> Result<f64, String> {
    checked_number(s, mnn_train::check_learning_rate)
}

fn rotation_degrees(s: &str) -> Result<f32, String> {
    checked_number(s, mnn_train::check_rotation)
}

/// A flag's number, if `check` takes it; else why not (the limit in the
/// library's words, and what was given).
pub fn checked_number<T: std::str::FromStr>(
    s: &str,
    check: impl Fn(T) -> Result<T, String>,
) -> Result<T, String> {
    let v: T = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    check(v).map_err(|why| format!("{why}, got {s}"))
}

/// A mistake in how `mnn` was called, rather than in what it read: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The error and its causes on one line, `error: cause: cause`, each reason
/// once: many errors already end with their source's message, so a cause
/// whose text the line holds already is left out.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    if let (Some(Command::Train(args)), Some(("train", train))) =
        (&mut cli.command, matches.subcommand())
    {
        args.given = given_on_command_line(train);
    }
    let result = match cli.command {
        None => train::run_train(&TrainArgs::defaults()),
        Some(Command::Train(args)) => train::run_train(&args),
        Some(Command::Test(args)) => train::run_test(&args),
        Some(Command::Query(args)) => query::run_query(&args),
        Some(Command::Backquery(args)) => backquery::run_backquery(&args),
        Some(Command::Show(args)) => show::run_show(&args),
        Some(Command::Sweep(args)) => sweep::run_sweep(&args),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::Tour(args)) => tour::run_tour(&args),
        Some(Command::Weights(args)) => weights::run_weights(&args),
        Some(Command::Serve(args)) => serve::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
