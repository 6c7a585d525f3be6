//! `mnn bench`: how fast this machine trains and queries the book's final
//! network (784-200-10, one sample per update), as a markdown table to paste
//! into an issue or into docs/benchmarks.md.
//!
//! It trains one epoch per row, on one thread and on all of them, with the
//! default engine (one sweep over `W_ih` per four samples) and with the
//! book's order (one sweep per sample), then queries 10,000 images. It uses
//! MNIST when it is there and synthetic digits otherwise: the speed does not
//! depend on what the digits show. `MNN_SIMD=scalar mnn bench` measures the
//! portable kernels.

use crate::data::{self, DEFAULT_DIR};
use crate::report::outln;
use anyhow::Result;
use clap::Args;
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS, Mnist};
use mnn_matrix::kernels;
use mnn_net::{NeuralNetwork, Sweep, TrainOptions, available_threads};
use mnn_train::{Cycle, MnistSamples, Threads, synthetic_digits};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// Samples in the epoch the table reports seconds for (MNIST's training set).
const EPOCH: usize = 60_000;
/// Images in the query the table reports milliseconds for (MNIST's test set).
const QUERIES: usize = 10_000;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Samples to time per row (the table still reports a 60,000-sample epoch)
    #[arg(long, value_name = "N", default_value_t = EPOCH as u32, value_parser = clap::value_parser!(u32).range(1000..))]
    pub samples: u32,
    /// Hidden nodes
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::MAX_HIDDEN)))]
    pub hidden: u32,
    /// MNIST directory [default: data/mnist if it is there, else synthetic digits]
    #[arg(long, value_name = "DIR", conflicts_with = "synthetic")]
    pub data: Option<PathBuf>,
    /// Use synthetic digits even when MNIST is there
    #[arg(long)]
    pub synthetic: bool,
}

/// Floating-point operations of one train step of an `i`-`h`-`o` network,
/// counting a multiply-add as two: forward `2(h·i + o·h)`, hidden errors
/// `e_h = W_hoᵀ·e_o` `2·o·h`, and the two updates `2(o·h + h·i)`; together
/// `4·h·i + 6·o·h` (0.64 MFLOP for 784-200-10). Sigmoids and element-wise
/// products are left out.
pub fn train_step_flops(inputs: usize, hidden: usize, outputs: usize) -> f64 {
    (4 * hidden * inputs + 6 * outputs * hidden) as f64
}

pub fn run(args: &BenchArgs, threads: Threads) -> Result<()> {
    let (train, test, source) = bench_data(args)?;
    let hidden = args.hidden as usize;
    let samples = args.samples as usize;
    let all = match threads.count() {
        0 => available_threads(),
        n => n,
    };
    let mut thread_counts = vec![1];
    if all > 1 {
        thread_counts.push(all);
    }
    outln!(
        "mnn bench: {IMAGE_PIXELS}-{hidden}-{DIGITS}, one sample per update, {samples} samples of {source} per row, \
         µs/sample scaled to a {EPOCH}-sample epoch; query: {QUERIES} images"
    );
    outln!("");
    outln!(
        "| CPU | SIMD | threads | sweep over W_ih | µs/sample | samples/s | s/epoch (60,000) | GFLOP/s | query 10,000 (ms) |"
    );
    outln!("|---|---|---|---|---:|---:|---:|---:|---:|");
    let cpu = cpu_model();
    let flops = train_step_flops(IMAGE_PIXELS, hidden, DIGITS);
    for &t in &thread_counts {
        let query_ms = time_queries(&test, hidden, t) * 1e3;
        for (sweep, sweep_name) in [
            (Sweep::PerWindow, "per 4 samples"),
            (Sweep::PerSample, "per sample (book order)"),
        ] {
            let seconds = time_training(&train, samples, hidden, t, sweep);
            let per_sample = seconds / samples as f64;
            outln!(
                "| {cpu} | {} | {t} | {sweep_name} | {:.1} | {:.0} | {:.2} | {} | {query_ms:.1} |",
                kernels::simd_level(),
                per_sample * 1e6,
                1.0 / per_sample,
                per_sample * EPOCH as f64,
                three_figures(flops / per_sample / 1e9),
            );
        }
    }
    outln!("");
    outln!(
        "GFLOP/s counts 4·h·i + 6·o·h = {:.3} MFLOP per train step (forward, hidden errors, both updates).",
        flops / 1e6
    );
    Ok(())
}

/// `value` with three significant figures, and one decimal from 10 up:
/// `65.6`, `3.47`, `0.214`, so that a Pi Zero's GFLOP/s still reads as a
/// number.
fn three_figures(value: f64) -> String {
    let decimals = match value.abs() {
        v if v >= 10.0 => 1,
        v if v >= 1.0 => 2,
        _ => 3,
    };
    format!("{value:.decimals$}")
}

/// Training and query data: MNIST if asked for or present, else synthetic.
fn bench_data(args: &BenchArgs) -> Result<(Dataset, Dataset, String)> {
    let dir = args
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    if !args.synthetic && (args.data.is_some() || dir.is_dir()) {
        if args.data.is_some() {
            data::check_dir(&dir)?;
        }
        let mnist = Mnist::load_dir(&dir)?;
        return Ok((
            mnist.train,
            mnist.test,
            format!("MNIST ({})", dir.display()),
        ));
    }
    Ok((
        synthetic_digits(EPOCH, 1),
        synthetic_digits(QUERIES, 2),
        "synthetic digits".into(),
    ))
}

/// Seconds to train a fresh network on `samples` samples, after a short
/// warm-up.
fn time_training(
    train: &Dataset,
    samples: usize,
    hidden: usize,
    threads: usize,
    sweep: Sweep,
) -> f64 {
    let options = TrainOptions {
        threads,
        sweep,
        ..TrainOptions::default()
    };
    let cycle = |len| Cycle {
        samples: MnistSamples::new(train, None),
        len,
    };
    let mut net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, 0.1, 1).expect("valid network");
    net.train_epoch(&cycle(2_000), &options, |_| {});
    let mut net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, 0.1, 1).expect("valid network");
    let started = Instant::now();
    net.train_epoch(&cycle(samples), &options, |_| {});
    let seconds = started.elapsed().as_secs_f64();
    black_box(&net);
    seconds
}

/// Seconds to query 10,000 images (cycling through `test`), the best of three.
fn time_queries(test: &Dataset, hidden: usize, threads: usize) -> f64 {
    let net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, 0.1, 1).expect("valid network");
    let images = Cycle {
        samples: MnistSamples::new(test, None),
        len: QUERIES,
    };
    let options = TrainOptions::with_threads(threads);
    (0..3)
        .map(|_| {
            let started = Instant::now();
            black_box(net.query_all(&images, &options));
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The CPU's name: "model name" on x86, the board's "Model" (a Raspberry
/// Pi's) or "Hardware" on ARM, else the architecture.
pub fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    for key in ["model name", "Model", "Hardware"] {
        let value = info.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        });
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            return value;
        }
    }
    std::env::consts::ARCH.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_train_step_of_the_books_network_is_064_mflop() {
        // forward 2·(200·784 + 10·200), e_h 2·10·200, updates 2·(10·200 + 200·784)
        let by_hand = 2 * (200 * 784 + 10 * 200) + 2 * 10 * 200 + 2 * (10 * 200 + 200 * 784);
        assert_eq!(train_step_flops(784, 200, 10), by_hand as f64);
        assert_eq!(train_step_flops(784, 200, 10), 639_200.0);
    }

    #[test]
    fn gflops_keep_three_figures_however_slow_the_machine() {
        assert_eq!(three_figures(65.64), "65.6");
        assert_eq!(three_figures(3.4712), "3.47");
        assert_eq!(three_figures(0.2144), "0.214");
        assert_eq!(three_figures(0.0), "0.000");
    }

    #[test]
    fn the_cpu_has_a_name() {
        assert!(!cpu_model().is_empty());
    }
}
