//! Project tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask download [--from DIR_OR_URL]`: fetch MNIST into `data/mnist/`,
//!   each file verified by the SHA-256 of its decompressed content.
//! - `cargo xtask fuzz [--minutes N]`: a fuzzing campaign over every parser
//!   and every route of `mnn serve` (crates/mnn-fuzz; `cargo test` runs a
//!   short bounded pass of the same).
//! - `cargo xtask pi [--target aarch64|armv7|armv6] [--test] [--bench]`:
//!   cross-build `mnn` for a Raspberry Pi (and run the tests or the
//!   benchmark under qemu-user); `--install-deps` installs Debian's route.
//! - `cargo xtask web [--out DIR] [--model PATH] [--records N]`: the drawing
//!   page as a static site, with mnn in WebAssembly (docs/web.md).
//!
//! The tasks are plain Rust so that they run wherever `cargo` does, with no
//! shell scripts or extra tools to install.

#![forbid(unsafe_code)]

mod download;
mod pi;
mod shell;
mod web;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Project tasks for mnn"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Download MNIST into data/mnist/ and verify each file's SHA-256.
    Download {
        /// Take the files from this folder (relative to the current
        /// directory) or http(s):// URL base instead of the public mirrors.
        #[arg(long, value_name = "DIR_OR_URL")]
        from: Option<String>,
    },
    /// Fuzz every parser, entry point and web route for N minutes (the long mode of the
    /// bounded fuzz tests that `cargo test` runs); prints the campaign's figures.
    Fuzz {
        /// How long the campaign runs, in minutes (split over the targets).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
        minutes: u64,
    },
    /// Cross-build mnn for a Raspberry Pi into target/pi/ (release by default).
    Pi(pi::PiArgs),
    /// Build the drawing page as a static site in target/web/: the page, mnn
    /// in WebAssembly, a trained network and MNIST records to train on in the tab.
    Web(web::WebArgs),
}

/// The workspace root: the parent of this crate's folder, wherever cargo was
/// started from.
pub fn project_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// `cargo xtask fuzz --minutes N`: the fuzz campaign (mnn-fuzz's
/// `examples/campaign.rs`), run by cargo in the dev profile (the parsers are
/// optimised there already).
fn fuzz(minutes: u64) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(project_root())
        .args(["run", "-p", "mnn-fuzz", "--example", "campaign", "--"])
        .arg(minutes.to_string())
        .status()?;
    anyhow::ensure!(status.success(), "the fuzz campaign failed ({status})");
    Ok(())
}

/// Runs [`download::on_interrupt`] on a watcher thread when SIGINT or SIGTERM
/// arrives. Without the watcher (it could not be set up), the signal stops the
/// process as usual and the next run removes the stale temporary.
fn watch_interrupts() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                download::on_interrupt();
            }
        });
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.task {
        Task::Download { from } => {
            // Ctrl-C (or a kill) removes the partial download before stopping.
            watch_interrupts();
            download::run(from.as_deref())
        }
        Task::Fuzz { minutes } => fuzz(*minutes),
        Task::Pi(args) => pi::run(args),
        Task::Web(args) => web::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
