//! `mnn bench`: how fast this machine trains and queries the book's final
//! network (784-200-10, one sample per update) and two deeper ones
//! (784-800-10 and 784-500-150-10), and what the random distortions cost, as
//! a markdown table to paste into an issue or into docs/benchmarks.md.
//!
//! It trains on one thread and on all of them: the book's network with the
//! default engine (one sweep over `W_ih` per four samples) and with the
//! book's order (one sweep per sample), the deeper ones with the engine for
//! any depth (mnn-net's `deep`); each row then queries 10,000 images. It
//! uses MNIST when it is there and synthetic digits otherwise: the speed
//! does not depend on what the digits show. `MNN_SIMD=scalar mnn bench`
//! measures the portable kernels. Under an emulator (qemu-user) it times
//! 2,000 samples per row unless told otherwise, and says so.

use crate::chart;
use crate::data::{self, DEFAULT_DIR};
use crate::files;
use crate::report::outln;
use anyhow::{Context, Result};
use clap::Args;
use mnn_data::{DIGITS, Dataset, IMAGE_PIXELS, Mnist};
use mnn_matrix::kernels;
use mnn_net::deep::{Activation, Architecture, Loss, Network};
use mnn_net::{NeuralNetwork, Samples, Sweep, TrainOptions, available_threads};
use mnn_train::bench::{
    self, AugmentRow, BenchReport, BenchRow, Machine, significant, train_step_flops,
};
use mnn_train::{Augmentation, AugmentedSamples, Cycle, MnistSamples, synthetic_digits};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Samples in the epoch the table reports seconds for (MNIST's training set).
const EPOCH: usize = 60_000;
/// Images in the query the table reports milliseconds for (MNIST's test set).
const QUERIES: usize = 10_000;
/// Samples timed per row under an emulator, where 60,000 would take long
/// (qemu-arm runs the portable kernels several hundred times slower than
/// this machine's AVX2 ones).
const EMULATED_SAMPLES: usize = 500;
/// The deeper networks' hidden layers (issue 12's 784-800-10, after Simard
/// et al. 2003, and a two-hidden-layer 784-500-150-10).
const DEEP_HIDDEN: [&[usize]; 2] = [&[800], &[500, 150]];
/// The augmentations whose cost is measured (`none`: reading and scaling).
const AUGMENTATIONS: [&str; 5] = ["none", "shift=2", "rotate=10", "scale=0.1", "elastic"];
/// The sweep of the engine for any depth, as the table names it.
const DEEP_SWEEP: &str = "per sample (any depth)";

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Samples to time per row, and images to query, at most 10,000 (the table still reports
    /// a 60,000-sample epoch and 10,000 queries) [default: 60000; 500 under an emulator]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(100..))]
    pub samples: Option<u32>,
    /// Hidden nodes of the book's network
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::MAX_HIDDEN)))]
    pub hidden: u32,
    /// Time the book's network only: no 784-800-10 and 784-500-150-10 rows, no augmentation costs
    #[arg(long)]
    pub book_only: bool,
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

pub fn run(args: &BenchArgs) -> Result<()> {
    if !args.compare.is_empty() {
        return compare(&args.compare, &args.chart);
    }
    let threads = crate::threads(args.threads);
    let (train, test, source) = bench_data(args)?;
    let hidden = args.hidden as usize;
    let emulated = is_emulated();
    let samples = args
        .samples
        .map_or(if emulated { EMULATED_SAMPLES } else { EPOCH }, |n| {
            n as usize
        });
    let all = match threads.count() {
        0 => available_threads(),
        n => n,
    };
    let mut thread_counts = vec![1];
    if all > 1 {
        thread_counts.push(all);
    }
    let row = |network: &[usize], t: usize, sweep: &str, seconds: f64, query_ms: f64| {
        let per_sample = seconds / samples as f64;
        BenchRow {
            network: network_name(network),
            threads: t,
            sweep: sweep.into(),
            us_per_sample: per_sample * 1e6,
            samples_per_second: 1.0 / per_sample,
            seconds_per_epoch: per_sample * EPOCH as f64,
            gflops: train_step_flops(network) / per_sample / 1e9,
            query_ms,
        }
    };
    let book = [IMAGE_PIXELS, hidden, DIGITS];
    let mut rows = Vec::new();
    for &t in &thread_counts {
        let query_ms = time_queries(&test, samples.min(QUERIES), hidden, t) * 1e3;
        for sweep in [Sweep::PerWindow, Sweep::PerSample] {
            let seconds = time_training(&train, samples, hidden, t, sweep);
            rows.push(row(&book, t, sweep_name(sweep), seconds, query_ms));
        }
    }
    let mut augmentations = Vec::new();
    if !args.book_only {
        for hidden_layers in DEEP_HIDDEN {
            let architecture = deep_architecture(hidden_layers);
            for &t in &thread_counts {
                let (seconds, query_seconds) = time_deep(&train, &test, samples, &architecture, t)?;
                let sizes = &architecture.layer_sizes;
                rows.push(row(sizes, t, DEEP_SWEEP, seconds, query_seconds * 1e3));
            }
        }
        let count = samples.clamp(100, 5_000);
        for name in AUGMENTATIONS {
            augmentations.push(AugmentRow {
                augmentation: name.to_string(),
                us_per_sample: time_augmentation(&train, name, count)? * 1e6,
            });
        }
    }
    let report = BenchReport {
        schema: bench::SCHEMA,
        machine: this_machine(args.label.clone(), all, emulated),
        network: network_name(&book),
        samples,
        data: source,
        rows,
        augmentations,
    };
    if args.json {
        outln!("{}", report.to_json());
    } else {
        print_table(&report, args.samples.is_none());
    }
    Ok(())
}

/// `784-500-150-10`.
fn network_name(layer_sizes: &[usize]) -> String {
    let sizes: Vec<String> = layer_sizes.iter().map(usize::to_string).collect();
    sizes.join("-")
}

/// The deeper networks as the 99% recipe trains them (docs/results.md):
/// ReLU hidden layers, softmax with cross-entropy, biases.
fn deep_architecture(hidden_layers: &[usize]) -> Architecture {
    let mut layer_sizes = vec![IMAGE_PIXELS];
    layer_sizes.extend_from_slice(hidden_layers);
    layer_sizes.push(DIGITS);
    Architecture {
        layer_sizes,
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        bias: true,
    }
}

/// Whether this `mnn` runs under an emulator: `MNN_EMULATED=1` (set by
/// `cargo xtask pi`), or an ARM build seeing an x86 host's `/proc/cpuinfo`.
fn is_emulated() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    std::env::var_os("MNN_EMULATED").is_some_and(|v| v == "1")
        || bench::looks_emulated(std::env::consts::ARCH, &cpuinfo)
}

/// How the table names a way of sweeping `W_ih`.
fn sweep_name(sweep: Sweep) -> &'static str {
    match sweep {
        Sweep::PerWindow => "per 4 samples",
        Sweep::PerSample => "per sample (book order)",
    }
}

/// The markdown tables of one machine, to paste into an issue.
/// `default_samples`: the sample count was not given (so say why it is
/// smaller under an emulator).
fn print_table(report: &BenchReport, default_samples: bool) {
    outln!(
        "mnn bench: one sample per update, {} samples of {} per row, \
         µs/sample scaled to a {EPOCH}-sample epoch; query: {} images, scaled to {QUERIES}",
        report.samples,
        report.data,
        report.samples.min(QUERIES)
    );
    let machine = &report.machine;
    if machine.emulated && default_samples {
        outln!(
            "(emulated: {EMULATED_SAMPLES} samples per row instead of {EPOCH}, to keep it quick; --samples N to change)"
        );
    }
    outln!("");
    outln!(
        "| CPU | SIMD | network | threads | sweep over W_1 | µs/sample | samples/s | s/epoch (60,000) | GFLOP/s | query 10,000 (ms) |"
    );
    outln!("|---|---|---|---|---|---:|---:|---:|---:|---:|");
    for row in &report.rows {
        outln!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.0} | {:.2} | {} | {:.1} |",
            machine.cpu,
            machine.simd,
            row.network,
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
        "GFLOP/s counts a multiply-add as two: per layer, the forward product and the update, and for every \
         layer above the first the errors passed back (4·h·i + 6·o·h = {:.3} MFLOP per step for {}).",
        train_step_flops(&[IMAGE_PIXELS, 200, DIGITS]) / 1e6,
        network_name(&[IMAGE_PIXELS, 200, DIGITS])
    );
    if report.rows.iter().any(|r| r.sweep == DEEP_SWEEP) {
        outln!(
            "{} and {}: ReLU hidden layers, softmax with cross-entropy, biases (the 99% recipe's kind), \
             mnn-net's engine for any depth.",
            network_name(&deep_architecture(DEEP_HIDDEN[0]).layer_sizes),
            network_name(&deep_architecture(DEEP_HIDDEN[1]).layer_sizes)
        );
    }
    if let Some(none) = report.augmentations.first() {
        outln!("");
        outln!(
            "| augmentation (--augment) | µs per training sample (read, scale, distort; 1 thread) | cost of the distortion |"
        );
        outln!("|---|---:|---:|");
        for row in &report.augmentations {
            outln!(
                "| {} | {} | {} |",
                row.augmentation,
                significant(row.us_per_sample),
                significant((row.us_per_sample - none.us_per_sample).max(0.0))
            );
        }
    }
    if machine.emulated {
        outln!("");
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
    net.train_epoch(&cycle(warm_up(samples)), &options, |_| {});
    let mut net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, 0.1, 1).expect("valid network");
    let started = Instant::now();
    net.train_epoch(&cycle(samples), &options, |_| {});
    let seconds = started.elapsed().as_secs_f64();
    black_box(&net);
    seconds
}

/// Seconds to train a fresh deep network on `samples` samples after a short
/// warm-up, and seconds to query 10,000 images with it (the best of three).
fn time_deep(
    train: &Dataset,
    test: &Dataset,
    samples: usize,
    architecture: &Architecture,
    threads: usize,
) -> Result<(f64, f64)> {
    let options = TrainOptions::with_threads(threads);
    let cycle = |data, len| Cycle {
        samples: MnistSamples::new(data, None),
        len,
    };
    // The recipe's learning rate (docs/results.md).
    let fresh = || Network::new(architecture.clone(), 0.01, 1);
    fresh()?.train_epoch(&cycle(train, warm_up(samples)), &options, |_| {});
    let mut net = fresh()?;
    let started = Instant::now();
    net.train_epoch(&cycle(train, samples), &options, |_| {});
    let seconds = started.elapsed().as_secs_f64();
    let images = cycle(test, samples.min(QUERIES));
    let query = query_seconds(&images, |images| black_box(net.query_all(images, &options)));
    Ok((seconds, query))
}

/// Seconds to prepare one training sample with `augmentation` (as
/// `mnn train --augment` reads it) on one thread: read, scaled and distorted
/// as training does, `count` samples after a warm-up of a tenth as many.
fn time_augmentation(train: &Dataset, augmentation: &str, count: usize) -> Result<f64> {
    let parsed: Augmentation = augmentation.parse()?;
    let samples = AugmentedSamples::new(train, parsed, None, Loss::CrossEntropy, 1, 0)?;
    let (mut inputs, mut targets) = ([0.0; IMAGE_PIXELS], [0.0; DIGITS]);
    let len = samples.len();
    for k in 0..count / 10 {
        samples.fill(k % len, &mut inputs, &mut targets);
    }
    let started = Instant::now();
    for k in 0..count {
        samples.fill(k % len, &mut inputs, &mut targets);
        black_box(&inputs);
    }
    Ok(started.elapsed().as_secs_f64() / count as f64)
}

/// Samples of the warm-up before a timed row: a tenth of a second natively,
/// and a little of the emulator's translating of the code.
fn warm_up(samples: usize) -> usize {
    (samples / 5).clamp(100, 2_000)
}

/// Seconds to query `samples` images with `query` (the best of three),
/// scaled to 10,000 images.
fn query_seconds<S: Samples>(images: &S, query: impl Fn(&S) -> mnn_matrix::Matrix) -> f64 {
    let best = (0..3)
        .map(|_| {
            let started = Instant::now();
            black_box(query(images));
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    best * QUERIES as f64 / images.len() as f64
}

/// Seconds to query 10,000 images (timing `count` of them, cycling through
/// `test`, the best of three).
fn time_queries(test: &Dataset, count: usize, hidden: usize, threads: usize) -> f64 {
    let net = NeuralNetwork::new(IMAGE_PIXELS, hidden, DIGITS, 0.1, 1).expect("valid network");
    let images = Cycle {
        samples: MnistSamples::new(test, None),
        len: count,
    };
    let options = TrainOptions::with_threads(threads);
    query_seconds(&images, |images| net.query_all(images, &options))
}

/// The CPU's name: "model name" on x86, the board's "Model" (a Raspberry
/// Pi's) or "Hardware" on ARM, else the architecture.
pub fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    bench::cpu_from_cpuinfo(&info).unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// The kernels `mnn` runs here, as the SIMD column says it. On 32-bit ARM,
/// stable Rust has no NEON intrinsics, so the portable kernels run, on the
/// VFP unit: built with `-C target-feature=+neon` too, since LLVM does not
/// vectorise their float arithmetic with 32-bit NEON (docs/raspberry-pi.md
/// measures it; and stable rustc reports no ARM target features to `cfg!`,
/// so a build could not tell either way).
pub fn simd_description() -> String {
    let level = kernels::simd_level();
    if level != "scalar" {
        level.to_string()
    } else if cfg!(target_arch = "arm") {
        "scalar (armv7: portable kernels, VFP, no NEON)".into()
    } else if std::env::var_os("MNN_SIMD").is_some_and(|v| v == "scalar") {
        "scalar (MNN_SIMD=scalar)".into()
    } else {
        "scalar (portable kernels)".into()
    }
}

/// What identifies this machine, for `--json`.
fn this_machine(label: Option<String>, cores_used: usize, emulated: bool) -> Machine {
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
        emulated,
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
    if let Some(table) = bench::compare_augmentations(&reports) {
        outln!("");
        outln!(
            "What preparing one training sample costs with each augmentation (read, scale, distort; 1 thread):"
        );
        outln!("");
        outln!("{table}");
    }
    let chart = chart::bench::BenchChart::new(&reports);
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
        assert_eq!(train_step_flops(&[784, 200, 10]), by_hand as f64);
    }

    #[test]
    fn the_deep_rows_name_their_networks() {
        let names: Vec<String> = DEEP_HIDDEN
            .iter()
            .map(|h| network_name(&deep_architecture(h).layer_sizes))
            .collect();
        assert_eq!(names, ["784-800-10", "784-500-150-10"]);
    }

    #[test]
    fn the_cpu_has_a_name() {
        assert!(!cpu_model().is_empty());
    }
}
