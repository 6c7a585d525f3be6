//! Loads the full MNIST dataset from `data/mnist` of this workspace (or from
//! the folder `MNN_DATA` names, as for `mnn`). Ignored by default: run it
//! with `cargo test -- --include-ignored` (as CI does) after
//! `cargo xtask download`; a missing dataset is then a failure.

use std::path::{Path, PathBuf};

use mnn_data::{DataError, Mnist};

/// `MNN_DATA` if set, else this workspace's `data/mnist`: never a path of
/// another checkout.
fn mnist_dir() -> PathBuf {
    std::env::var_os("MNN_DATA").map_or_else(
        || {
            // The workspace is two folders up from crates/mnn-data; named
            // without `..`, so the message for a missing dataset shows a
            // plain path.
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2);
            workspace
                .expect("crates/mnn-data lies in a workspace")
                .join("data/mnist")
        },
        PathBuf::from,
    )
}

#[test]
#[ignore = "needs full MNIST in data/mnist (cargo xtask download)"]
fn full_mnist_loads_with_the_published_counts() {
    let mnist = match Mnist::load_dir(mnist_dir()) {
        Ok(mnist) => mnist,
        Err(err @ DataError::Missing { .. }) => {
            panic!("this test needs full MNIST: {err}")
        }
        Err(err) => panic!("{err}"),
    };
    assert_eq!(mnist.train.len(), 60_000);
    assert_eq!(mnist.test.len(), 10_000);
    assert_eq!(mnist.train.pixels_per_image(), 784);

    // The published per-digit counts of MNIST.
    let train_counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
    let test_counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
    assert_eq!(mnist.train.label_counts(), train_counts);
    assert_eq!(mnist.test.label_counts(), test_counts);
    assert_eq!(mnist.train.label_counts().iter().sum::<usize>(), 60_000);
    assert_eq!(mnist.test.label_counts().iter().sum::<usize>(), 10_000);

    // The first records, as in the book's CSV excerpts.
    assert_eq!(mnist.train.label(0), 5);
    assert_eq!(mnist.test.label(0), 7);
    let sample = mnn_data::Dataset::from_csv(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist_test_10.csv"),
    )
    .unwrap();
    for i in 0..sample.len() {
        assert_eq!(mnist.test.label(i), sample.label(i));
        assert_eq!(mnist.test.image(i), sample.image(i));
    }
}
