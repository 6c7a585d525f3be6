//! `cargo xtask pi`: cross-build `mnn` for a Raspberry Pi, and optionally run
//! the workspace tests and `mnn bench` under qemu-user.
//!
//! Two ways to build are looked for, in this order:
//!
//! - **rustup**: the Rust standard library for the target installed with
//!   `rustup target add`, plus the cross C linker (`gcc-<triple>`).
//! - **Debian**: Debian's packaged compiler (`rustc-web`, `cargo-web`, in
//!   `/usr/bin`) with its standard library for the Pi's architecture
//!   (`libstd-rust-web-dev:arm64` or `:armhf`), the cross linker and the
//!   cross C library. `cargo xtask pi --install-deps` installs this route.
//!
//! Whatever is missing is named, with the command that installs it.
//!
//! The modules: [`target`] (what each Pi needs), [`toolchain`] (finding a
//! compiler for it), [`setup`] (apt and binfmt_misc), [`crate::shell`] (running
//! commands); this file builds and tests.

mod setup;
mod target;
mod toolchain;

use std::process::Command;

/// How long one test binary may run under qemu before it counts as hung
/// (the whole suite takes a few minutes there).
const EMULATED_TEST_LIMIT: &str = "600s";

use anyhow::{Context, Result, bail};

use crate::shell::run_command;
use setup::{armv6_instructions, ensure_binfmt, install_deps};
pub use target::PiTarget;
use toolchain::{find_rustup, find_toolchain};

/// `cargo xtask pi` options.
#[derive(Debug, clap::Args)]
pub struct PiArgs {
    /// Which Raspberry Pi: aarch64 (Pi 3/4/5, Zero 2 W on a 64-bit OS),
    /// armv7 (32-bit Raspberry Pi OS on Pi 2/3/4), armv6 (Pi Zero / Pi 1).
    #[arg(long, value_enum, default_value_t = PiTarget::Aarch64)]
    target: PiTarget,
    /// Also run `cargo test --workspace` for the target under qemu-user
    /// (with PROPTEST_CASES=16 and MNN_EMULATED=1; the tests ignored by
    /// default, on full MNIST or in a browser, stay ignored).
    #[arg(long)]
    test: bool,
    /// Also run the built `mnn bench` under qemu-user (its rows marked
    /// emulated: they compare builds, not the Pi's speed).
    #[arg(long)]
    bench: bool,
    /// Build `mnn` with the release profile (the default).
    #[arg(long, conflicts_with = "debug")]
    release: bool,
    /// Build `mnn` with the dev profile instead of release.
    #[arg(long)]
    debug: bool,
    /// Install Debian's cross route for the target (as root, non-interactive:
    /// dpkg --add-architecture, apt-get update, apt-get install -y, and a
    /// binfmt_misc entry for qemu), then exit.
    #[arg(long)]
    install_deps: bool,
    /// Extra arguments for the test binaries, after `--` (e.g. `-- --skip slow`).
    #[arg(last = true)]
    test_args: Vec<String>,
}

/// `cargo xtask pi ...`.
pub fn run(args: &PiArgs) -> Result<()> {
    let spec = args.target.spec();
    if spec.target == PiTarget::Armv6 && (args.install_deps || find_rustup(&spec).is_err()) {
        bail!(armv6_instructions(&spec));
    }
    if args.install_deps {
        return install_deps(&spec);
    }
    let root = crate::project_root();
    let needs_qemu = args.test || args.bench;
    let toolchain = find_toolchain(&spec, needs_qemu, &root)?;
    println!(
        "pi: {} ({}) with {}",
        spec.triple, spec.models, toolchain.route
    );
    for note in &toolchain.notes {
        println!("pi: note: {note}");
    }

    let profile = if args.debug { "debug" } else { "release" };
    let mut build = toolchain.cargo(&spec, &root, "build");
    build.args(["--package", "mnn-cli", "--bin", "mnn"]);
    if profile == "release" {
        build.arg("--release");
    }
    run_command(&mut build).context("building mnn for the Pi failed")?;
    let binary = spec.binary(&root, profile);

    if args.test {
        ensure_binfmt(&spec)?;
        let mut test = toolchain.cargo(&spec, &root, "test");
        // qemu-user can deadlock when a multithreaded program forks (the
        // child stops in a futex before it reaches exec; seen once in the
        // armv7 stage, in a test that runs `mnn`): each test binary gets
        // `EMULATED_TEST_LIMIT` and a hung run is repeated once.
        let runner = format!(
            "timeout --kill-after=10s {EMULATED_TEST_LIMIT} {}",
            spec.runner().join(" ")
        );
        test.args([
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "mnn-benches",
        ])
        .env(spec.cargo_env("RUNNER"), runner)
        .env("PROPTEST_CASES", "16")
        .env("MNN_EMULATED", "1");
        if !args.test_args.is_empty() {
            test.arg("--").args(&args.test_args);
        }
        if let Err(first) = run_command(&mut test) {
            println!(
                "pi: {first:#}\npi: running the tests once more (a test binary that outlives \
                 {EMULATED_TEST_LIMIT} under qemu-user has hung, most likely in a fork)"
            );
            run_command(&mut test).context("the tests failed under qemu, twice")?;
        }
    }

    if args.bench {
        let runner = spec.runner();
        let mut bench = Command::new(&runner[0]);
        bench
            .args(&runner[1..])
            .arg(&binary)
            .arg("bench")
            .env("MNN_EMULATED", "1")
            .current_dir(&root);
        run_command(&mut bench).context("`mnn bench` failed under qemu")?;
    }

    let shown = binary.strip_prefix(&root).unwrap_or(&binary).display();
    println!("pi: built {shown} for {}", spec.models);
    println!("pi: copy it to a Pi:  scp {shown} pi@raspberrypi.local:");
    println!(
        "pi: it links against this machine's glibc for the target, so the Pi needs that \
         version or newer (Debian 12's 2.36: Raspberry Pi OS 'bookworm' or later)"
    );
    println!(
        "pi: run it here under emulation:  {} {shown} train --limit 2000 --epochs 1",
        spec.runner().join(" ")
    );
    Ok(())
}
