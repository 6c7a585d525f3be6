//! The data of a run: full MNIST in a directory, the book's CSV files, or
//! the book's small sample built into the library.

use crate::TrainError;
use mnn_data::idx::{TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, find_in};
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
    /// [`DEFAULT_DIR`] if it holds the MNIST files needed, else the built-in
    /// sample (a missing, empty or half-filled folder, as a failed download
    /// leaves it, does not hide the sample).
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
    /// When [`DataSource::Default`] fell back to the sample: what
    /// [`DEFAULT_DIR`] held instead of the files needed.
    pub fallback: Option<Folder>,
}

/// What an MNIST folder holds of the files a run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Folder {
    /// No such directory.
    Missing,
    /// The directory lacks some of the files: `found` and `missing` name
    /// them as MNIST publishes them (each may also be there as `.gz`).
    Incomplete {
        found: Vec<&'static str>,
        missing: Vec<&'static str>,
    },
    /// Every file needed is there.
    Complete,
}

/// The MNIST files `need` reads, as published (raw or `.gz`).
fn files_needed(need: Need) -> &'static [&'static str] {
    match need {
        Need::TrainAndTest => &[TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS],
        Need::Test => &[TEST_IMAGES, TEST_LABELS],
    }
}

/// Which of the files `need` reads are in `dir`.
///
/// ```
/// use mnn_train::{Folder, Need, examine};
///
/// let empty = std::env::temp_dir().join("mnn-doc-no-such-folder");
/// assert_eq!(examine(&empty, Need::Test), Folder::Missing);
/// ```
pub fn examine(dir: &Path, need: Need) -> Folder {
    if !dir.is_dir() {
        return Folder::Missing;
    }
    let (found, missing): (Vec<&'static str>, Vec<&'static str>) = files_needed(need)
        .iter()
        .partition(|name| find_in(dir, name).is_some());
    if missing.is_empty() {
        Folder::Complete
    } else {
        Folder::Incomplete { found, missing }
    }
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
            fallback: None,
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
            fallback: None,
        }),
        (DataSource::Dir(dir), _) => load_dir(dir, need),
        (DataSource::Default, _) => match examine(Path::new(DEFAULT_DIR), need) {
            Folder::Complete => load_dir(Path::new(DEFAULT_DIR), need),
            folder => Ok(LoadedData {
                fallback: Some(folder),
                ..sample(need)?
            }),
        },
        (DataSource::Sample, _) => sample(need),
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
        fallback: None,
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
        description: "the book's sample, built into mnn (mnist_train_100.csv, mnist_test_10.csv)"
            .into(),
        fallback: None,
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
    fn a_folder_counts_as_mnist_only_with_every_file_needed() {
        let dir = tempfile::tempdir().unwrap();
        let mnist = dir.path().join("mnist");
        assert_eq!(examine(&mnist, Need::Test), Folder::Missing);
        std::fs::create_dir(&mnist).unwrap();
        // Empty, as a failed download may leave it; a temporary file is no MNIST file.
        std::fs::write(mnist.join("t10k-images-idx3-ubyte.gz.part"), b"x").unwrap();
        assert_eq!(
            examine(&mnist, Need::Test),
            Folder::Incomplete {
                found: vec![],
                missing: vec![TEST_IMAGES, TEST_LABELS]
            }
        );
        std::fs::write(mnist.join("t10k-images-idx3-ubyte.gz"), b"x").unwrap();
        std::fs::write(mnist.join("t10k-labels-idx1-ubyte"), b"x").unwrap();
        assert_eq!(examine(&mnist, Need::Test), Folder::Complete);
        assert_eq!(
            examine(&mnist, Need::TrainAndTest),
            Folder::Incomplete {
                found: vec![TEST_IMAGES, TEST_LABELS],
                missing: vec![TRAIN_IMAGES, TRAIN_LABELS]
            }
        );
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let source = DataSource::Dir(PathBuf::from("/no/such/mnist"));
        let err = load(&source, Need::Test).err().unwrap().to_string();
        assert!(err.contains("/no/such/mnist"), "{err}");
    }
}
