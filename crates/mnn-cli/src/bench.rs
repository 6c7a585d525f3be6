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

use crate::bench_chart;
use crate::chart;
use crate::data::{self, DEFAULT_DIR};
use crate::files;
use crate::report::outln;
use anyhow::{Context, Result};
use clap::Args;
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS, Mnist};
use mnn_matrix::kernels;
use mnn_net::{NeuralNetwork, Sweep, TrainOptions, available_threads};
use mnn_train::bench::{self, BenchReport, BenchRow, Machine, significant};
use mnn_train::{Cycle, MnistSamples, synthetic_digits};
use std::hint::black_box;
use std::path::{Path, PathBuf};
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
    /// Print the rows and what identifies this machine (CPU, cores, SIMD, OS, board, mnn's
    /// version and commit, date) as JSON instead of the table, for --compare
    #[arg(long)]
    pub json: bool,
    /// A name for this machine in --json's output (e.g. "Pi 4, 32-bit OS")
    #[arg(long, value_name = "NAME", requires = "json")]
    pub label: Option<String>,
    /// Merge reports of `mnn bench --json` into one table, speeds relative to the first, and
    /// chart µs per sample per machine (runs no benchmark)
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["json", "data", "synthetic"])]
    pub compare: Vec<PathBuf>,
    /// Where --compare draws its chart: this SVG file, and a PNG beside it
    #[arg(
        long,
        value_name = "FILE.svg",
        default_value = "bench-compare.svg",
        requires = "compare"
    )]
    pub chart: PathBuf,
    /// Threads of the second row (the first has one) [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(mnn_train::MAX_THREADS)))]
    pub threads: Option<u32>,
}

/// Floating-point operations of one train step of an `i`-`h`-`o` network,
/// counting a multiply-add as two: forward `2(h·i + o·h)`, hidden errors
/// `e_h = W_hoᵀ·e_o` `2·o·h`, and the two updates `2(o·h + h·i)`; together
/// `4·h·i + 6·o·h` (0.64 MFLOP for 784-200-10). Sigmoids and element-wise
/// products are left out.
pub fn train_step_flops(inputs: usize, hidden: usize, outputs: usize) -> f64 {
    (4 * hidden * inputs + 6 * outputs * hidden) as f64
}

pub fn run(args: &BenchArgs) -> Result<()> {
    if !args.compare.is_empty() {
        return compare(&args.compare, &args.chart);
    }
    let threads = crate::threads(args.threads);
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
    let flops = train_step_flops(IMAGE_PIXELS, hidden, DIGITS);
    let mut rows = Vec::new();
    for &t in &thread_counts {
        let query_ms = time_queries(&test, hidden, t) * 1e3;
        for sweep in [Sweep::PerWindow, Sweep::PerSample] {
            let seconds = time_training(&train, samples, hidden, t, sweep);
            let per_sample = seconds / samples as f64;
            rows.push(BenchRow {
                threads: t,
                sweep: sweep_name(sweep).into(),
                us_per_sample: per_sample * 1e6,
                samples_per_second: 1.0 / per_sample,
                seconds_per_epoch: per_sample * EPOCH as f64,
                gflops: flops / per_sample / 1e9,
                query_ms,
            });
        }
    }
    let report = BenchReport {
        schema: bench::SCHEMA,
        machine: this_machine(args.label.clone(), all),
        network: format!("{IMAGE_PIXELS}-{hidden}-{DIGITS}"),
        samples,
        data: source,
        rows,
    };
    if args.json {
        outln!("{}", report.to_json());
    } else {
        print_table(&report, flops);
    }
    Ok(())
}

/// How the table names a way of sweeping `W_ih`.
fn sweep_name(sweep: Sweep) -> &'static str {
    match sweep {
        Sweep::PerWindow => "per 4 samples",
        Sweep::PerSample => "per sample (book order)",
    }
}

/// The markdown table of one machine, to paste into an issue.
fn print_table(report: &BenchReport, flops: f64) {
    outln!(
        "mnn bench: {}, one sample per update, {} samples of {} per row, \
         µs/sample scaled to a {EPOCH}-sample epoch; query: {QUERIES} images",
        report.network,
        report.samples,
        report.data
    );
    outln!("");
    outln!(
        "| CPU | SIMD | threads | sweep over W_ih | µs/sample | samples/s | s/epoch (60,000) | GFLOP/s | query 10,000 (ms) |"
    );
    outln!("|---|---|---|---|---:|---:|---:|---:|---:|");
    let machine = &report.machine;
    for row in &report.rows {
        outln!(
            "| {} | {} | {} | {} | {:.1} | {:.0} | {:.2} | {} | {:.1} |",
            machine.cpu,
            machine.simd,
            row.threads,
            row.sweep,
            row.us_per_sample,
            row.samples_per_second,
            row.seconds_per_epoch,
            significant(row.gflops),
            row.query_ms,
        );
    }
    outln!("");
    outln!(
        "GFLOP/s counts 4·h·i + 6·o·h = {:.3} MFLOP per train step (forward, hidden errors, both updates).",
        flops / 1e6
    );
    if machine.emulated {
        outln!(
            "Emulated ({} code under qemu-user on this machine's CPU): these times compare builds, not machines.",
            machine.arch
        );
    }
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
    bench::cpu_from_cpuinfo(&info).unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// The kernels `mnn` runs here, as the SIMD column says it. On 32-bit ARM,
/// stable Rust has no NEON intrinsics, so the portable kernels run; the
/// column says whether the build let the compiler use NEON for them
/// (`RUSTFLAGS=-C target-feature=+neon`) or only the VFP unit.
pub fn simd_description() -> String {
    let level = kernels::simd_level();
    if level != "scalar" {
        level.to_string()
    } else if cfg!(all(target_arch = "arm", target_feature = "neon")) {
        "scalar (armv7: portable kernels, built with +neon)".into()
    } else if cfg!(target_arch = "arm") {
        "scalar (armv7: portable kernels, VFP, no NEON)".into()
    } else if std::env::var_os("MNN_SIMD").is_some_and(|v| v == "scalar") {
        "scalar (MNN_SIMD=scalar)".into()
    } else {
        "scalar (portable kernels)".into()
    }
}

/// What identifies this machine, for `--json`.
fn this_machine(label: Option<String>, cores_used: usize) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let arch = std::env::consts::ARCH;
    let device_model = std::fs::read("/proc/device-tree/model")
        .ok()
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .trim_end_matches('\0')
                .trim()
                .to_string()
        })
        .filter(|model| !model.is_empty());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| bench::os_from_release(&release))
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Machine {
        label,
        cpu: cpu_model(),
        device_model,
        cores: available_threads(),
        cores_used,
        simd: simd_description(),
        os,
        arch: arch.to_string(),
        emulated: std::env::var_os("MNN_EMULATED").is_some_and(|v| v == "1")
            || bench::looks_emulated(arch, &cpuinfo),
        mnn_version: env!("CARGO_PKG_VERSION").to_string(),
        commit: option_env!("MNN_COMMIT").unwrap_or("unknown").to_string(),
        date: bench::iso_utc(now),
    }
}

/// `mnn bench --compare`: merges reports into one table and a chart.
fn compare(files: &[PathBuf], svg_path: &Path) -> Result<()> {
    let png_path = svg_path.with_extension("png");
    if svg_path == png_path {
        return Err(crate::UsageError(format!(
            "--chart {}: give the SVG file's name (the PNG goes beside it)",
            svg_path.display()
        ))
        .into());
    }
    files::check_writable(svg_path)?;
    let reports = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            BenchReport::from_json(&text).with_context(|| path.display().to_string())
        })
        .collect::<Result<Vec<_>>>()?;
    outln!(
        "mnn bench --compare: {} reports, training speed relative to the first ({})",
        reports.len(),
        reports[0].machine.name()
    );
    outln!("");
    outln!("{}", bench::compare_table(&reports));
    outln!("");
    for line in bench::compare_sources(&reports) {
        outln!("{line}");
    }
    let chart = bench_chart::BenchChart::new(&reports);
    chart::write_svg(svg_path, &chart)?;
    chart::write_png(&png_path, &chart)?;
    outln!("");
    outln!("chart: {} and {}", svg_path.display(), png_path.display());
    Ok(())
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
    fn the_cpu_has_a_name() {
        assert!(!cpu_model().is_empty());
    }
}
