//! The fuzz suite: a bounded pass over every target (part of `cargo test`)
//! and the regression files. The campaign (`cargo xtask fuzz --minutes N`) is
//! `examples/campaign.rs`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mnn_fuzz::{HANG, Target, seed_bytes, targets};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Inputs per target in the bounded pass: a few seconds in all.
const BOUNDED_CASES: u32 = 1000;

fn regressions_dir(target: &Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target.name)
}

/// Runs `target` on `input`, failing on a panic (proptest catches it and
/// shrinks the input) or on a hang.
fn run_one(target: &Target, input: &[u8]) {
    let start = Instant::now();
    let _ = (target.run)(input);
    let took = start.elapsed();
    assert!(took < HANG, "{}: an input took {took:?}", target.name);
}

#[test]
fn seeds_are_valid_inputs() {
    for target in targets() {
        for seed in (target.seeds)() {
            // Every seed is answered (a panic fails the test); most are accepted.
            match (target.run)(&seed) {
                Err(e) if target.accepts_seeds => {
                    panic!("{}: a seed is refused: {e}", target.name)
                }
                _ => {}
            }
        }
    }
}

#[test]
fn bounded_fuzz_of_every_target() {
    for target in targets() {
        let config = Config {
            cases: BOUNDED_CASES,
            failure_persistence: None,
            ..Config::default()
        };
        // A fixed seed per target: the same inputs on every run.
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(target.name));
        let mut runner = TestRunner::new_with_rng(config, rng);
        let result = runner.run(&(target.inputs)(), |input| {
            run_one(&target, &input);
            Ok(())
        });
        if let Err(e) = result {
            panic!(
                "{}: {e}\n(add the input to regressions/{}/ with the fix)",
                target.name, target.name
            );
        }
    }
}

#[test]
fn every_regression_file_is_answered() {
    let mut tried = 0;
    for target in targets() {
        let Ok(entries) = std::fs::read_dir(regressions_dir(&target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let start = Instant::now();
            let answer = (target.run)(&bytes);
            assert!(start.elapsed() < HANG, "{}: took too long", path.display());
            // Each was a crash, a hang or a bomb: each is now refused.
            assert!(answer.is_err(), "{}: accepted", path.display());
            tried += 1;
        }
    }
    assert!(tried >= 8, "only {tried} regression files found");
}
