//! `--data`, `--train-csv`, `--test-csv`: where the MNIST data comes from,
//! read from the flags and loaded by mnn-train.

use crate::{DataArgs, UsageError};
use anyhow::Result;
use mnn_data::Dataset;
use mnn_train::{DataSource, LoadedData, Origin};
use std::path::Path;

pub use mnn_train::{DEFAULT_DIR, Need};

/// The data `need` asks for: the book's CSV files (`--train-csv`,
/// `--test-csv`), the MNIST directory from `--data` / `MNN_DATA` (which must
/// exist), or `data/mnist`; when none was asked for and `data/mnist` is
/// missing, the built-in sample, with a note.
pub fn load(args: &DataArgs, need: Need) -> Result<LoadedData> {
    let source = match (&args.train_csv, &args.test_csv, need) {
        (train, Some(test), Need::Test) | (train @ Some(_), Some(test), Need::TrainAndTest) => {
            DataSource::Csv {
                train: train.clone(),
                test: test.clone(),
            }
        }
        (Some(_), None, _) => {
            return Err(UsageError("--train-csv needs --test-csv too".into()).into());
        }
        (None, Some(_), Need::TrainAndTest) => {
            return Err(UsageError("--test-csv needs --train-csv too".into()).into());
        }
        (None, None, _) => match &args.data {
            Some(dir) => {
                check_dir(dir)?;
                DataSource::Dir(dir.clone())
            }
            None => DataSource::Default,
        },
    };
    let loaded = mnn_train::load(&source, need)?;
    if source == DataSource::Default && loaded.origin == Origin::Sample {
        eprintln!(
            "note: {DEFAULT_DIR} not found, so this runs on the book's sample of 100 training and \
             10 test records; for the full MNIST run `cargo xtask download` first"
        );
    }
    Ok(loaded)
}

/// A usage error (exit status 2) unless `dir`, given with `--data` or
/// `MNN_DATA`, is a directory.
pub fn check_dir(dir: &Path) -> Result<()> {
    let problem = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => "is a file, not a directory",
        Err(_) => "no such directory",
    };
    Err(UsageError(format!(
        "{} {}: {problem} (get MNIST with `cargo xtask download`)",
        data_option(),
        dir.display()
    ))
    .into())
}

/// How the data directory was given: `--data` on the command line, else the
/// `MNN_DATA` environment variable.
fn data_option() -> &'static str {
    let on_command_line = std::env::args_os().any(|arg| {
        let arg = arg.to_string_lossy();
        arg == "--data" || arg.starts_with("--data=")
    });
    if on_command_line {
        "--data"
    } else {
        "MNN_DATA"
    }
}

/// A usage error (exit status 2) unless `--index` `index` is a record of
/// `set`, the `name` set ("test", "training") of `loaded`.
pub fn check_index(index: usize, set: &Dataset, name: &str, loaded: &LoadedData) -> Result<()> {
    if index < set.len() {
        return Ok(());
    }
    Err(UsageError(format!(
        "--index {index}: the {name} set of {} has {} records (0..={})",
        loaded.description,
        set.len(),
        set.len().saturating_sub(1)
    ))
    .into())
}
