//! Finding the data: full MNIST in a directory, or the book's small sample.

use crate::{DataArgs, UsageError};
use anyhow::Result;
use mnn_data::{Dataset, Mnist, mnist_csv};
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

/// The full MNIST from `--data` (which must exist) or `data/mnist`; when
/// neither was asked for and `data/mnist` is missing, the built-in sample.
pub fn load(args: &DataArgs) -> Result<Loaded> {
    if let (Some(train), Some(test)) = (&args.train_csv, &args.test_csv) {
        return Ok(Loaded {
            mnist: Mnist::load_csv(train, test)?,
            source: "csv",
            description: format!("{} and {}", train.display(), test.display()),
        });
    }
    let (dir, explicit) = match &args.data {
        Some(dir) => (dir.clone(), true),
        None => (PathBuf::from(DEFAULT_DIR), false),
    };
    if !dir.is_dir() {
        if explicit {
            return Err(UsageError(format!(
                "--data {}: no such directory (get MNIST with `cargo xtask download`)",
                dir.display()
            ))
            .into());
        }
        return load_sample();
    }
    Ok(Loaded {
        mnist: Mnist::load_dir(&dir)?,
        source: "mnist",
        description: format!("MNIST from {}", dir.display()),
    })
}

fn load_sample() -> Result<Loaded> {
    eprintln!(
        "note: {DEFAULT_DIR} not found, so this runs on the book's sample of 100 training and \
         10 test records; for the full MNIST run `cargo xtask download` first"
    );
    let train = mnist_csv::read_from(SAMPLE_TRAIN, Path::new("data/mnist_train_100.csv"))?;
    let test: Dataset = mnist_csv::read_from(SAMPLE_TEST, Path::new("data/mnist_test_10.csv"))?;
    Ok(Loaded {
        mnist: Mnist { train, test },
        source: "sample",
        description: "the book's sample (data/mnist_train_100.csv, data/mnist_test_10.csv)".into(),
    })
}
