//! The library of the `mnn` program (`main.rs` is its thin front: the
//! command line and the exit codes): each command's flags and what it does,
//! and `mnn serve`'s page and API, which mnn-fuzz's route targets call in
//! process ([`serve::in_process`]).

#![forbid(unsafe_code)]
// The program's insides, documented as they were when they were only the
// binary's: their docs link to the private modules they use.
#![allow(rustdoc::private_intra_doc_links)]

pub mod backquery;
pub mod bench;
mod beyond;
mod chart;
mod confusion;
mod data;
mod files;
mod model_file;
mod pictures;
pub mod query;
mod recipe;
mod report;
pub mod serve;
pub mod show;
pub mod sweep;
pub mod tour;
pub mod train;
pub mod weights;

use clap::{Args, FromArgMatches};
use mnn_train::{RunSettings, Threads};
use std::path::PathBuf;

pub use mnn_train::{MAX_EPOCHS, MAX_HIDDEN};

/// The longest error message mnn gives, in characters: what it prints on
/// stderr and every refusal of `mnn serve` (mnn-fuzz holds every error of
/// every entry point to it).
pub const MAX_MESSAGE_CHARS: usize = 600;

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
    pub fn defaults() -> TrainArgs {
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
pub fn one_line(err: &anyhow::Error) -> String {
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
