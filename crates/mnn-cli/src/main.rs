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

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use mnn_cli::{
    TestArgs, TrainArgs, UsageError, backquery, bench, one_line, query, serve, show, sweep, tour,
    train, weights,
};
use std::process::ExitCode;

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

/// The ids of the arguments `matches` took from the command line (not
/// defaults, not the environment).
fn given_on_command_line(matches: &ArgMatches) -> Vec<String> {
    matches
        .ids()
        .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
        .map(|id| id.to_string())
        .collect()
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
