#![doc = include_str!("../README.md")]
//!
//! ## The pieces
//!
//! - [`load`]: a run's data ([`DataSource`]: a MNIST directory, the book's
//!   CSV files, or its built-in sample);
//! - [`MnistSamples`]: MNIST records as the training engine's samples, with
//!   the book's rotated copies;
//! - [`RunSettings`]: everything a run needs besides its data, the book's
//!   final experiment by default, and how a run is described;
//! - [`train`]: one training run — a fresh network from its settings, trained
//!   epoch by epoch on [`Threads`], tested, checked for divergence and for
//!   learning nothing ([`stall`](mod@stall)) — with its
//!   progress as [`Event`]s and its result as [`Trained`] (the network as a
//!   [`mnn_net::Model`]);
//! - [`Training`]: the same network an epoch at a time, whichever kind it is
//!   (a [`mnn_net::Model`]), on [`AugmentedSamples`] (beyond the book, distorted
//!   afresh every epoch, with a learning-rate schedule);
//! - [`evaluate`]: accuracy, confusion matrix and mistakes from one query per
//!   test record ([`Evaluation`]);
//! - [`sweep`]: the book's experiments, planned, run on a pool of threads,
//!   and written as CSV;
//! - [`synthetic_digits`] and [`Cycle`]: stand-ins for benchmarks;
//! - [`bench`](mod@bench): `mnn bench`'s measurements of this machine's
//!   speed, and the reports `--json` writes and `--compare` reads.
//!
//! Nothing here prints or exits: progress arrives through callbacks, and
//! errors as a [`TrainError`].

#![forbid(unsafe_code)]

mod augmented;
pub mod bench;
mod data;
mod divergence;
mod evaluate;
mod network;
mod recipes;
mod run;
mod samples;
mod settings;
pub mod stall;
pub mod sweep;
mod synthetic;
mod threads;
mod training;

pub use augmented::AugmentedSamples;
pub use data::{DEFAULT_DIR, DataSource, Folder, LoadedData, Need, Origin, examine, load};
pub use divergence::{Divergence, divergence};
pub use evaluate::{Evaluation, Mistake, evaluate};
pub use mnn_augment::{AugmentError, Augmentation};
pub use network::check_digit_network;
pub use recipes::{Recipe, recipe, recipes};
pub use run::{Epoch, Event, Tests, Trained, train};
pub use samples::{MAX_ROTATION, MnistSamples, check_rotation, is_rotation, samples_per_record};
pub use settings::{
    MAX_BATCH, MAX_EPOCHS, MAX_HIDDEN, RunSettings, check_epochs, check_hidden,
    check_learning_rate, is_learning_rate, learning_rate,
};
pub use stall::Stall;
pub use synthetic::{Cycle, synthetic_digits};
pub use threads::{MAX_THREADS, Threads};
pub use training::Training;

use mnn_data::{DIGITS, DataError, IMAGE_PIXELS};
use mnn_net::NetError;

/// What can go wrong in a training run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The data could not be read (the error names the file).
    #[error(transparent)]
    Data(#[from] DataError),
    /// The network could not be built.
    #[error(transparent)]
    Net(#[from] NetError),
    /// Training from the book's CSV files needs a training file.
    #[error("training from CSV files needs a training file as well as a test file")]
    NoTrainingFile,
    /// A network that does not read MNIST digits.
    #[error(
        "the network is {sizes}, but MNIST digits need {IMAGE_PIXELS} inputs and {DIGITS} outputs"
    )]
    NotForDigits {
        /// Its layer sizes, `784-200-10`.
        sizes: String,
    },
    /// A file that is not a report of `mnn bench --json` (the reason says why).
    #[error("not a report of `mnn bench --json`: {0}")]
    NotAReport(String),
    /// Distortions that cannot be drawn.
    #[error("{0}")]
    Augment(String),
    /// More training records held out for validation than leave any to train on.
    #[error(
        "validation would hold out {held} of the {records} training records, leaving none to train on"
    )]
    Validation {
        /// Records asked to be held out.
        held: usize,
        /// Training records there are.
        records: usize,
    },
    /// Results that could not be written as CSV.
    #[error("cannot write the results as CSV: {0}")]
    Csv(String),
}

impl TrainError {
    fn csv(err: impl std::fmt::Display) -> Self {
        TrainError::Csv(err.to_string())
    }
}
