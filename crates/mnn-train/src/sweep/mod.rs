//! The book's experiments as sweeps: vary one setting (learning rate,
//! epochs, hidden nodes or rotation), train the network afresh for each
//! value and each seed, and score each; the options beyond the book (more
//! hidden layers, biases, activation, loss, a learning-rate schedule,
//! distortions: the plan's base [`RunSettings`](crate::RunSettings)) hold
//! for every training.
//!
//! - [`plan`]: the settings and the trainings to do ([`Plan`]), each a
//!   training run ([`crate::train`]);
//! - [`book`]: the book's own figures, to compare with;
//! - [`run`](mod@run): the trainings, on a pool of threads ([`run()`]);
//! - [`report`]: the results file.
//!
//! ```
//! use mnn_train::sweep::{Event, Parameter, Plan, run};
//! use mnn_train::{DataSource, Need, load};
//!
//! let data = load(&DataSource::Sample, Need::TrainAndTest).unwrap();
//! let base = Parameter::Lr.book_base();
//! let plan = Plan::new(Parameter::Lr, vec![0.1, 0.3], base, 1);
//! let runs = run(&plan, &data.mnist.train, &data.mnist.test, 2, |_: Event| {}).unwrap();
//! assert_eq!(runs.len(), 2);
//! assert!(runs.iter().all(|r| (0.0..=1.0).contains(&r.accuracy)));
//! ```

pub mod book;
pub mod plan;
pub mod report;
pub mod run;

pub use book::{BOOK_FIGURES, BookFigure, book_points};
pub use plan::{Job, Parameter, Plan};
pub use report::csv_bytes;
pub use run::{Event, Run, Warning, run};
