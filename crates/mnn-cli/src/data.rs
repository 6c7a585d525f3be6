//! Finding the data: full MNIST in a directory, or the book's small sample.

use crate::{DataArgs, UsageError};
use anyhow::Result;
use mnn_data::{Dataset, IMAGE_COLS, IMAGE_ROWS, Mnist, mnist_csv};
use std::path::{Path, PathBuf};

/// Where `mnn` looks for MNIST when `--data` is not given.
pub const DEFAULT_DIR: &str = "data/mnist";

/// The book's samples (`data/mnist_train_100.csv`, `data/mnist_test_10.csv`),
/// built into the program so it runs anywhere, even before any download.
const SAMPLE_TRAIN: &[u8] = include_bytes!("../../../data/mnist_train_100.csv");
const SAMPLE_TEST: &[u8] = include_bytes!("../../../data/mnist_test_10.csv");

/// The loaded data and a name for where it came from.
pub struct Loaded {
    pub mnist: Mnist,
    /// `"mnist"` for IDX files, `"csv"` for the book's CSV files, `"sample"`
    /// for the book's small sample.
    pub source: &'static str,
    pub description: String,
}

/// Which halves of the data a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Training and test sets (`train`, `sweep`, `show`).
    TrainAndTest,
    /// The test set only (`test`, `show --test`): the training set is
    /// neither asked for nor read.
    Test,
}

/// The data `need` asks for: the book's CSV files (`--train-csv`,
/// `--test-csv`), the MNIST directory from `--data` / `MNN_DATA` (which must
/// exist), or `data/mnist`; when none was asked for and `data/mnist` is
/// missing, the built-in sample. With [`Need::Test`] the training set is
/// left empty.
pub fn load(args: &DataArgs, need: Need) -> Result<Loaded> {
    match (&args.train_csv, &args.test_csv, need) {
        (Some(train), Some(test), Need::TrainAndTest) => {
            return Ok(Loaded {
                mnist: Mnist::load_csv(train, test)?,
                source: "csv",
                description: format!("{} and {}", train.display(), test.display()),
            });
        }
        (_, Some(test), Need::Test) => {
            return Ok(Loaded {
                mnist: Mnist {
                    train: Dataset::new(IMAGE_ROWS, IMAGE_COLS),
                    test: Dataset::from_csv(test)?,
                },
                source: "csv",
                description: test.display().to_string(),
            });
        }
        (Some(_), None, _) => {
            return Err(UsageError("--train-csv needs --test-csv too".into()).into());
        }
        (None, Some(_), Need::TrainAndTest) => {
            return Err(UsageError("--test-csv needs --train-csv too".into()).into());
        }
        (None, None, _) => {}
    }
    let dir = match &args.data {
        Some(dir) => {
            check_dir(dir)?;
            dir.clone()
        }
        None if Path::new(DEFAULT_DIR).is_dir() => PathBuf::from(DEFAULT_DIR),
        None => return load_sample(need),
    };
    let mnist = match need {
        Need::TrainAndTest => Mnist::load_dir(&dir)?,
        Need::Test => Mnist {
            train: Dataset::new(IMAGE_ROWS, IMAGE_COLS),
            test: Mnist::load_test_dir(&dir)?,
        },
    };
    Ok(Loaded {
        mnist,
        source: "mnist",
        description: format!("MNIST from {}", dir.display()),
    })
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

fn load_sample(need: Need) -> Result<Loaded> {
    eprintln!(
        "note: {DEFAULT_DIR} not found, so this runs on the book's sample of 100 training and \
         10 test records; for the full MNIST run `cargo xtask download` first"
    );
    let train = match need {
        Need::TrainAndTest => {
            mnist_csv::read_from(SAMPLE_TRAIN, Path::new("data/mnist_train_100.csv"))?
        }
        Need::Test => Dataset::new(IMAGE_ROWS, IMAGE_COLS),
    };
    let test: Dataset = mnist_csv::read_from(SAMPLE_TEST, Path::new("data/mnist_test_10.csv"))?;
    Ok(Loaded {
        mnist: Mnist { train, test },
        source: "sample",
        description: "the book's sample (data/mnist_train_100.csv, data/mnist_test_10.csv)".into(),
    })
}
