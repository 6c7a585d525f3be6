//! The data of a run: full MNIST in a directory, the book's CSV files, or
//! the book's small sample built into the library.

use crate::TrainError;
use mnn_data::{Dataset, IMAGE_COLS, IMAGE_ROWS, Mnist, mnist_csv};
use std::path::{Path, PathBuf};

/// Where MNIST is looked for when no place is given.
pub const DEFAULT_DIR: &str = "data/mnist";

/// The book's samples (`data/mnist_train_100.csv`, `data/mnist_test_10.csv`),
/// built in so that a run works anywhere, even before any download.
const SAMPLE_TRAIN: &[u8] = include_bytes!("../../../data/mnist_train_100.csv");
const SAMPLE_TEST: &[u8] = include_bytes!("../../../data/mnist_test_10.csv");

/// Where a run's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A directory with the four MNIST IDX files (raw or .gz).
    Dir(PathBuf),
    /// The book's CSV files (`label,p0..p783` per line); the training file
    /// may be left out when only the test set is needed.
    Csv {
        train: Option<PathBuf>,
        test: PathBuf,
    },
    /// [`DEFAULT_DIR`] if it is there, else the built-in sample.
    Default,
    /// The book's sample of 100 training and 10 test records, built in.
    Sample,
}

/// Which halves of the data a run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Training and test sets.
    TrainAndTest,
    /// The test set only: the training set is neither asked for nor read,
    /// and left empty.
    Test,
}

/// What kind of data was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// IDX files.
    Mnist,
    /// The book's CSV files.
    Csv,
    /// The built-in sample.
    Sample,
}

impl Origin {
    /// `"mnist"`, `"csv"` or `"sample"`, as results files name it.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Mnist => "mnist",
            Origin::Csv => "csv",
            Origin::Sample => "sample",
        }
    }
}

/// The loaded data, and where it came from.
pub struct LoadedData {
    pub mnist: Mnist,
    pub origin: Origin,
    /// Where it came from, for people: "MNIST from data/mnist".
    pub description: String,
}

/// Loads what `need` asks for from `source`. With [`Need::Test`] the
/// training set is left empty.
///
/// ```
/// use mnn_train::{DataSource, Need, Origin, load};
///
/// let sample = load(&DataSource::Sample, Need::TrainAndTest).unwrap();
/// assert_eq!(sample.origin, Origin::Sample);
/// assert_eq!((sample.mnist.train.len(), sample.mnist.test.len()), (100, 10));
/// ```
pub fn load(source: &DataSource, need: Need) -> Result<LoadedData, TrainError> {
    let empty = || Dataset::new(IMAGE_ROWS, IMAGE_COLS);
    match (source, need) {
        (DataSource::Csv { test, .. }, Need::Test) => Ok(LoadedData {
            mnist: Mnist {
                train: empty(),
                test: Dataset::from_csv(test)?,
            },
            origin: Origin::Csv,
            description: test.display().to_string(),
        }),
        (DataSource::Csv { train: None, .. }, Need::TrainAndTest) => {
            Err(TrainError::NoTrainingFile)
        }
        (
            DataSource::Csv {
                train: Some(train),
                test,
            },
            Need::TrainAndTest,
        ) => Ok(LoadedData {
            mnist: Mnist::load_csv(train, test)?,
            origin: Origin::Csv,
            description: format!("{} and {}", train.display(), test.display()),
        }),
        (DataSource::Dir(dir), _) => load_dir(dir, need),
        (DataSource::Default, _) if Path::new(DEFAULT_DIR).is_dir() => {
            load_dir(Path::new(DEFAULT_DIR), need)
        }
        (DataSource::Default | DataSource::Sample, _) => sample(need),
    }
}

fn load_dir(dir: &Path, need: Need) -> Result<LoadedData, TrainError> {
    let mnist = match need {
        Need::TrainAndTest => Mnist::load_dir(dir)?,
        Need::Test => Mnist {
            train: Dataset::new(IMAGE_ROWS, IMAGE_COLS),
            test: Mnist::load_test_dir(dir)?,
        },
    };
    Ok(LoadedData {
        mnist,
        origin: Origin::Mnist,
        description: format!("MNIST from {}", dir.display()),
    })
}

/// The book's sample of 100 training and 10 test records, built in.
fn sample(need: Need) -> Result<LoadedData, TrainError> {
    let train = match need {
        Need::TrainAndTest => {
            mnist_csv::read_from(SAMPLE_TRAIN, Path::new("data/mnist_train_100.csv"))?
        }
        Need::Test => Dataset::new(IMAGE_ROWS, IMAGE_COLS),
    };
    let test = mnist_csv::read_from(SAMPLE_TEST, Path::new("data/mnist_test_10.csv"))?;
    Ok(LoadedData {
        mnist: Mnist { train, test },
        origin: Origin::Sample,
        description: "the book's sample (data/mnist_train_100.csv, data/mnist_test_10.csv)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_set_alone_leaves_training_empty() {
        let sample = load(&DataSource::Sample, Need::Test).unwrap();
        assert_eq!((sample.mnist.train.len(), sample.mnist.test.len()), (0, 10));
        assert_eq!(sample.origin.name(), "sample");
    }

    #[test]
    fn training_from_csv_needs_a_training_file() {
        let source = DataSource::Csv {
            train: None,
            test: PathBuf::from("t.csv"),
        };
        assert!(matches!(
            load(&source, Need::TrainAndTest),
            Err(TrainError::NoTrainingFile)
        ));
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let source = DataSource::Dir(PathBuf::from("/no/such/mnist"));
        let err = load(&source, Need::Test).err().unwrap().to_string();
        assert!(err.contains("/no/such/mnist"), "{err}");
    }
}
