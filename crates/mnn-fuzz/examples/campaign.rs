//! The fuzz campaign, run by `cargo xtask fuzz --minutes N` (or
//! `cargo run -p mnn-fuzz --example campaign -- N`): fresh random inputs for
//! N minutes (1 if not given), split over the targets. Prints one line per
//! target; inputs that panic or hang are saved under
//! `target/fuzz-findings/<target>/`, and the exit status is 1 if there were
//! any.
//!
//! A program rather than an ignored test: `cargo test -- --include-ignored`
//! (CI) must not start a randomly seeded minute of fuzzing, whose silenced
//! panic hook would also hide the messages of the tests running beside it.

#![forbid(unsafe_code)]

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mnn_fuzz::{HANG, seed_bytes, targets};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

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

fn main() -> ExitCode {
    let minutes: f64 = match std::env::args().nth(1) {
        None => 1.0,
        Some(arg) => match arg.parse() {
            Ok(minutes) if minutes > 0.0 => minutes,
            _ => {
                eprintln!("error: the campaign's length is a number of minutes, not {arg:?}");
                return ExitCode::from(2);
            }
        },
    };
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
        "{:<18} {:>9} {:>9} {:>7} {:>6} {:>12} {:>13}",
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
            "{:<18} {inputs:>9} {accepted:>9} {panics:>7} {hangs:>6} {:>10.1}ms {peak:>13}",
            target.name,
            slowest.as_secs_f64() * 1000.0
        );
        total_inputs += inputs;
        total_panics += panics;
        total_hangs += hangs;
    }
    let _ = std::panic::take_hook();
    println!("total: {total_inputs} inputs, {total_panics} panics, {total_hangs} hangs");
    if (total_panics, total_hangs) == (0, 0) {
        ExitCode::SUCCESS
    } else {
        eprintln!("the failing inputs are in {}", findings.display());
        ExitCode::FAILURE
    }
}
