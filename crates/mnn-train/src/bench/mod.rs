//! `mnn bench` as a library: how fast this machine trains and queries the
//! book's final network (784-200-10, one sample per update) and two deeper
//! ones (784-800-10 and 784-500-150-10), and what the random distortions
//! cost; and the report of it that `mnn bench --json` writes and
//! `mnn bench --compare` reads back.
//!
//! It trains on one thread and on all of them: the book's network with the
//! default engine (one sweep over `W_ih` per four samples) and with the
//! book's order (one sweep per sample), the deeper ones with the engine for
//! any depth (mnn-net's `deep`), one sample per update and in mini-batches
//! of 64 (beyond the book); each row then queries 10,000 images. Under
//! an emulator (qemu-user) it times [`EMULATED_SAMPLES`] samples per row
//! unless told otherwise.
//!
//! One job per module:
//!
//! - [`run`](mod@run): one run, every row into a [`BenchReport`]
//!   ([`BenchSettings`], [`BenchData`]);
//! - [`timing`]: the stopwatch (training, queries, augmentations);
//! - [`networks`]: what is timed, how the table names it, and the work of a
//!   train step;
//! - [`peak`]: the machine's FMA peak, which every row's GFLOP/s is a
//!   share of;
//! - [`machine`]: what identifies this machine, read from the system;
//! - [`report`]: the report's format, read and written as JSON.
//!
//! Rendering the reports (tables, charts) is the program's: mnn-cli's
//! `bench` module.

pub mod machine;
pub mod networks;
pub mod peak;
pub mod report;
pub mod run;
pub mod timing;

pub use machine::{Program, this_machine};
pub use networks::{
    BATCH_SWEEP, DEEP_BATCH, DEEP_HIDDEN, DEEP_SWEEP, book_layers, deep_architecture, network_name,
    sweep_name, train_step_flops,
};
pub use peak::measure_peak;
pub use report::{AugmentRow, BenchReport, BenchRow, FmaPeak, Machine, PLAUSIBLE, SCHEMA};
pub use run::{AUGMENTATIONS, BenchData, BenchSettings, EMULATED_SAMPLES, augmentations, run};
pub use timing::{EPOCH, QUERIES, time_augmentation, time_deep, time_queries, time_training};
