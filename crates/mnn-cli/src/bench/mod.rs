//! `mnn bench`: how fast this machine trains and queries the book's final
//! network and two deeper ones, and what the random distortions cost, as a
//! markdown table to paste into an issue or into docs/benchmarks.md
//! (mnn-train's `bench` measures; this module reads the flags and renders).
//!
//! It uses MNIST when it is there and synthetic digits otherwise: the speed
//! does not depend on what the digits show. `MNN_SIMD=scalar mnn bench`
//! measures the portable kernels.
//!
//! - [`table`]: one machine's table, and the number format of every bench
//!   table and chart;
//! - [`compare`]: `--compare`, reports merged into one table and a chart.

mod compare;
pub mod table;

use crate::data::{self, DEFAULT_DIR};
use crate::report::outln;
use anyhow::Result;
use clap::Args;
use mnn_train::bench::{self, BenchData, BenchSettings, Program};
use std::path::PathBuf;

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
        return compare::compare(&args.compare, &args.chart);
    }
    let settings = BenchSettings {
        samples: args.samples.map(|n| n as usize),
        hidden: args.hidden as usize,
        book_only: args.book_only,
        threads: crate::threads(args.threads),
        label: args.label.clone(),
        program: Program {
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: option_env!("MNN_COMMIT").unwrap_or("unknown").to_string(),
        },
    };
    let report = bench::run(&bench_data(args)?, &settings)?;
    if args.json {
        outln!("{}", report.to_json());
    } else {
        for line in table::machine_table(&report, args.samples.is_none()) {
            outln!("{line}");
        }
    }
    Ok(())
}

/// Training and query data: MNIST if asked for or present, else synthetic.
fn bench_data(args: &BenchArgs) -> Result<BenchData> {
    let dir = args
        .data
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    if !args.synthetic && (args.data.is_some() || dir.is_dir()) {
        if args.data.is_some() {
            data::check_dir(&dir)?;
        }
        return Ok(BenchData::mnist(&dir)?);
    }
    Ok(BenchData::synthetic())
}
