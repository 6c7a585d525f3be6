//! Fuzz targets over every parser and file entry point of mnn, and the
//! inputs to feed them: arbitrary bytes, and structure-aware mutations of
//! valid files (PNG chunks re-checksummed after a mutation so it reaches the
//! decoder, IDX mutated before being gzipped, header fields set to edge values).
//!
//! A [`Target`] runs one entry point on one input and checks the answer:
//! a value, or an error that is one line of reasonable length, free of Rust
//! debug output. A panic is a failure (the tests and the campaign catch it).
//!
//! The modules: `run` (each target's entry point and the check of its
//! answer), `seeds` (small valid files of each kind), `mutate` (byte-level
//! mutations, and arbitrary bytes) and `inputs` (the structure-aware inputs of
//! the gzip and PNG targets: gzipped after mutating, chunk CRCs made right).
//!
//! ```
//! let png = mnn_fuzz::target("png").unwrap();
//! assert!((png.run)(b"not a png").is_err());
//! for seed in (png.seeds)() {
//!     (png.run)(&seed).unwrap();
//! }
//! ```

#![forbid(unsafe_code)]

mod inputs;
mod mutate;
mod routes;
mod run;
mod seeds;

pub use inputs::{fix_png_crcs, gzip, resize_png_chunk};
pub use mutate::{Mutation, mutated};
pub use seeds::png_seeds;

use inputs::{idx_gzip_inputs, png_inputs};
use mutate::mutated_or_arbitrary;
use run::{run_csv, run_idx_gzip, run_idx_images, run_idx_labels, run_model, run_png};
use seeds::{csv_seeds, idx_images_seeds, idx_labels_seeds, model_seeds};

use proptest::strategy::BoxedStrategy;

/// One entry point under test.
pub struct Target {
    /// Also the folder of its regression files: `regressions/<name>/`.
    pub name: &'static str,
    /// Runs the entry point; `Err` holds the error message (already checked).
    pub run: fn(&[u8]) -> Result<(), String>,
    /// Valid inputs, the start of the structure-aware mutations.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Inputs to try: arbitrary and mutated.
    pub inputs: fn() -> BoxedStrategy<Vec<u8>>,
    /// Whether every seed is accepted (`Ok`): not for a route that refuses
    /// them by design where it is fuzzed (Save and Collect are off; the Train
    /// panel's controls need a run under way).
    pub accepts_seeds: bool,
}

/// The target of `routes::ROUTES[$i]`: its entry point, seeds and inputs as
/// plain functions.
macro_rules! route_target {
    ($i:literal) => {
        Target {
            name: routes::ROUTES[$i].name,
            run: |input| routes::send(&routes::ROUTES[$i], input),
            seeds: || (routes::ROUTES[$i].seeds)(),
            inputs: || mutated_or_arbitrary((routes::ROUTES[$i].seeds)()),
            accepts_seeds: routes::ROUTES[$i].accepts_seeds,
        }
    };
}

/// Every target: the parsers and file entry points, then the web API's routes.
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "idx-images",
            run: run_idx_images,
            seeds: idx_images_seeds,
            inputs: || mutated_or_arbitrary(idx_images_seeds()),
            accepts_seeds: true,
        },
        Target {
            name: "idx-labels",
            run: run_idx_labels,
            seeds: idx_labels_seeds,
            inputs: || mutated_or_arbitrary(idx_labels_seeds()),
            accepts_seeds: true,
        },
        Target {
            name: "idx-gzip",
            run: run_idx_gzip,
            seeds: || idx_images_seeds().iter().map(|s| gzip(s)).collect(),
            inputs: idx_gzip_inputs,
            accepts_seeds: true,
        },
        Target {
            name: "csv",
            run: run_csv,
            seeds: csv_seeds,
            inputs: || mutated_or_arbitrary(csv_seeds()),
            accepts_seeds: true,
        },
        Target {
            name: "png",
            run: run_png,
            seeds: png_seeds,
            inputs: png_inputs,
            accepts_seeds: true,
        },
        Target {
            name: "model",
            run: run_model,
            seeds: model_seeds,
            inputs: || mutated_or_arbitrary(model_seeds()),
            accepts_seeds: true,
        },
        route_target!(0),
        route_target!(1),
        route_target!(2),
        route_target!(3),
        route_target!(4),
        route_target!(5),
        route_target!(6),
        route_target!(7),
        route_target!(8),
        route_target!(9),
        route_target!(10),
        route_target!(11),
        route_target!(12),
        route_target!(13),
        route_target!(14),
        route_target!(15),
        route_target!(16),
        route_target!(17),
        route_target!(18),
        route_target!(19),
    ]
}

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    targets().into_iter().find(|t| t.name == name)
}

/// An input taking longer than this counts as a hang.
pub const HANG: std::time::Duration = std::time::Duration::from_secs(5);

/// The 32 bytes that seed a target's random inputs, from its name: the
/// bounded pass starts from these alone, the campaign mixes in the time.
pub fn seed_bytes(name: &str) -> [u8; 32] {
    let mut seed = [0u8; 32];
    for (i, b) in name.bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    seed
}
