//! Both halves of MNIST, from a directory of IDX files or from two CSV files.

use std::path::{Path, PathBuf};

use crate::idx::{TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, find_in};
use crate::{DataError, Dataset};

/// The MNIST training set (60 000 records) and test set (10 000 records).
#[derive(Debug, Clone)]
pub struct Mnist {
    pub train: Dataset,
    pub test: Dataset,
}

impl Mnist {
    /// Load the four standard IDX files from `dir`, each raw or with `.gz`:
    /// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
    /// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`.
    ///
    /// If any is missing, the error names the directory and every missing file.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Mnist, DataError> {
        let dir = dir.as_ref();
        let [train_images, train_labels, test_images, test_labels] =
            find_all(dir, [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS])?;
        Ok(Mnist {
            train: Dataset::from_idx(train_images, train_labels)?,
            test: Dataset::from_idx(test_images, test_labels)?,
        })
    }

    /// Load only the test set (`t10k-images-idx3-ubyte`,
    /// `t10k-labels-idx1-ubyte`, raw or `.gz`) from `dir`: all that testing a
    /// trained network needs.
    pub fn load_test_dir(dir: impl AsRef<Path>) -> Result<Dataset, DataError> {
        let [images, labels] = find_all(dir.as_ref(), [TEST_IMAGES, TEST_LABELS])?;
        Dataset::from_idx(images, labels)
    }

    /// Load the book's two CSV files (e.g. `mnist_train_100.csv`, `mnist_test_10.csv`).
    pub fn load_csv(
        train_csv: impl AsRef<Path>,
        test_csv: impl AsRef<Path>,
    ) -> Result<Mnist, DataError> {
        Ok(Mnist {
            train: Dataset::from_csv(train_csv)?,
            test: Dataset::from_csv(test_csv)?,
        })
    }
}

/// The files `names` in `dir`, each raw or with `.gz`; if any is missing, an
/// error naming the directory and every missing file.
fn find_all<const N: usize>(dir: &Path, names: [&str; N]) -> Result<[PathBuf; N], DataError> {
    let found = names.map(|name| find_in(dir, name));
    let missing: Vec<String> = names
        .iter()
        .zip(&found)
        .filter(|(_, path)| path.is_none())
        .map(|(name, _)| format!("{name}[.gz]"))
        .collect();
    if !missing.is_empty() {
        let place = match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => "",
            Ok(_) => " (it is not a directory)",
            Err(_) => " (no such directory)",
        };
        return Err(DataError::Missing {
            path: dir.to_path_buf(),
            what: format!(
                "MNIST file{} {}{place}; run `cargo xtask download`",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        });
    }
    Ok(found.map(|path| path.expect("none missing")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::{write_images, write_labels};
    use std::fs::File;

    fn write_pair(dir: &Path, images: &str, labels: &str, count: usize) {
        let pixels: Vec<u8> = (0..count * 784).map(|i| (i % 7) as u8).collect();
        let label_bytes: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
        write_images(File::create(dir.join(images)).unwrap(), 28, 28, &pixels).unwrap();
        write_labels(File::create(dir.join(labels)).unwrap(), &label_bytes).unwrap();
    }

    #[test]
    fn loads_a_directory_of_raw_files() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(dir.path(), TRAIN_IMAGES, TRAIN_LABELS, 6);
        write_pair(dir.path(), TEST_IMAGES, TEST_LABELS, 2);
        let mnist = Mnist::load_dir(dir.path()).unwrap();
        assert_eq!((mnist.train.len(), mnist.test.len()), (6, 2));
        assert_eq!(mnist.train.label(5), 5);
    }

    #[test]
    fn missing_files_are_all_named() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(dir.path(), TRAIN_IMAGES, TRAIN_LABELS, 1);
        let err = Mnist::load_dir(dir.path()).unwrap_err();
        assert!(matches!(&err, DataError::Missing { path, .. } if path == dir.path()));
        assert_eq!(
            err.to_string(),
            format!(
                "{}: missing MNIST files t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]; run `cargo xtask download`",
                dir.path().display()
            )
        );
    }

    #[test]
    fn missing_directory_says_so() {
        let err = Mnist::load_dir("no/such/dir").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("no/such/dir: missing MNIST files train-images-idx3-ubyte[.gz], ")
        );
        assert!(text.contains("(no such directory)"), "{text}");
    }

    #[test]
    fn the_test_set_loads_without_the_training_set() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(dir.path(), TEST_IMAGES, TEST_LABELS, 3);
        assert_eq!(Mnist::load_test_dir(dir.path()).unwrap().len(), 3);
        assert!(Mnist::load_dir(dir.path()).is_err());
    }

    #[test]
    fn a_file_in_place_of_the_directory_says_so() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let text = Mnist::load_test_dir(file.path()).unwrap_err().to_string();
        assert!(text.contains("(it is not a directory)"), "{text}");
    }

    #[test]
    fn load_csv_reads_both_files() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let mnist = Mnist::load_csv(
            data.join("mnist_train_100.csv"),
            data.join("mnist_test_10.csv"),
        )
        .unwrap();
        assert_eq!((mnist.train.len(), mnist.test.len()), (100, 10));
        assert_eq!(mnist.test.label(0), 7);
    }
}
