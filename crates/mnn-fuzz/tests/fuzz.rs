//! The fuzz suite: a bounded pass over every target (part of `cargo test`),
//! the regression files, and the campaign (`cargo xtask fuzz --minutes N`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mnn_fuzz::{Target, targets};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Inputs per target in the bounded pass: a few seconds in all.
const BOUNDED_CASES: u32 = 1000;

/// An input taking longer than this counts as a hang.
const HANG: Duration = Duration::from_secs(5);

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
            if let Err(e) = (target.run)(&seed) {
                panic!("{}: a seed is refused: {e}", target.name);
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

fn seed_bytes(name: &str) -> [u8; 32] {
    let mut seed = [0u8; 32];
    for (i, b) in name.bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    seed
}

/// Peak resident memory of this process so far (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Start counting peak memory afresh (Linux: writing 5 to clear_refs).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The campaign: `cargo xtask fuzz --minutes N` sets `MNN_FUZZ_MINUTES`; the
/// time is split over the targets. Prints one line per target; inputs that
/// panic or hang are saved under `target/fuzz-findings/<target>/`.
#[test]
#[ignore = "long: run with `cargo xtask fuzz --minutes N`"]
fn campaign() {
    let minutes: f64 = std::env::var("MNN_FUZZ_MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1.0);
    let all = targets();
    let budget = Duration::from_secs_f64(minutes * 60.0 / all.len() as f64);
    let findings = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-findings");
    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|_| {}));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    println!(
        "fuzz campaign: {minutes} min over {} targets, seed {seed}",
        all.len()
    );
    println!(
        "{:<11} {:>9} {:>9} {:>7} {:>6} {:>12} {:>13}",
        "target", "inputs", "accepted", "panics", "hangs", "slowest", "peak RSS"
    );
    let (mut total_inputs, mut total_panics, mut total_hangs) = (0u64, 0u64, 0u64);
    for target in &all {
        let mut seed_bytes = seed_bytes(target.name);
        seed_bytes[..16].copy_from_slice(&seed.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let strategy = (target.inputs)();
        reset_peak_rss();
        let start = Instant::now();
        let (mut inputs, mut accepted, mut panics, mut hangs) = (0u64, 0u64, 0u64, 0u64);
        let mut slowest = Duration::ZERO;
        while start.elapsed() < budget {
            let input = strategy.new_tree(&mut runner).unwrap().current();
            let began = Instant::now();
            let outcome = std::panic::catch_unwind(|| (target.run)(&input));
            let took = began.elapsed();
            slowest = slowest.max(took);
            inputs += 1;
            let kept = match outcome {
                Ok(Ok(())) => {
                    accepted += 1;
                    took >= HANG
                }
                Ok(Err(_)) => took >= HANG,
                Err(_) => {
                    panics += 1;
                    true
                }
            };
            if took >= HANG {
                hangs += 1;
            }
            if kept {
                let dir = findings.join(target.name);
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join(format!("{inputs}.bin")), &input);
            }
        }
        let peak = peak_rss().map_or("?".into(), |b| format!("{:.0} MB", b as f64 / 1e6));
        println!(
            "{:<11} {inputs:>9} {accepted:>9} {panics:>7} {hangs:>6} {:>10.1}ms {peak:>13}",
            target.name,
            slowest.as_secs_f64() * 1000.0
        );
        total_inputs += inputs;
        total_panics += panics;
        total_hangs += hangs;
    }
    let _ = std::panic::take_hook();
    println!("total: {total_inputs} inputs, {total_panics} panics, {total_hangs} hangs");
    assert_eq!(
        (total_panics, total_hangs),
        (0, 0),
        "see {}",
        findings.display()
    );
}
