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

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

/// `cargo xtask pi` options.
#[derive(Debug, clap::Args)]
pub struct PiArgs {
    /// Which Raspberry Pi: aarch64 (Pi 3/4/5, Zero 2 W on a 64-bit OS),
    /// armv7 (32-bit Raspberry Pi OS on Pi 2/3/4), armv6 (Pi Zero / Pi 1).
    #[arg(long, value_enum, default_value_t = PiTarget::Aarch64)]
    target: PiTarget,
    /// Also run `cargo test --workspace` for the target under qemu-user
    /// (with PROPTEST_CASES=16 and MNN_EMULATED=1).
    #[arg(long)]
    test: bool,
    /// Also run the built `mnn bench` under qemu-user.
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

/// The Raspberry Pi targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PiTarget {
    Aarch64,
    Armv7,
    Armv6,
}

/// What one target needs: its Rust triple, GNU triple (the cross gcc's
/// prefix and the cross sysroot's folder), Debian architecture and qemu.
#[derive(Debug, Clone, Copy)]
struct Spec {
    target: PiTarget,
    triple: &'static str,
    models: &'static str,
    gnu: &'static str,
    debian_arch: Option<&'static str>,
    qemu_arch: &'static str,
    qemu_cpu: Option<&'static str>,
}

impl PiTarget {
    fn spec(self) -> Spec {
        match self {
            PiTarget::Aarch64 => Spec {
                target: self,
                triple: "aarch64-unknown-linux-gnu",
                models: "Raspberry Pi 3/4/5 and Zero 2 W on a 64-bit OS",
                gnu: "aarch64-linux-gnu",
                debian_arch: Some("arm64"),
                qemu_arch: "aarch64",
                qemu_cpu: None,
            },
            PiTarget::Armv7 => Spec {
                target: self,
                triple: "armv7-unknown-linux-gnueabihf",
                models: "Raspberry Pi 2/3/4 on 32-bit Raspberry Pi OS",
                gnu: "arm-linux-gnueabihf",
                debian_arch: Some("armhf"),
                qemu_arch: "arm",
                qemu_cpu: None,
            },
            PiTarget::Armv6 => Spec {
                target: self,
                triple: "arm-unknown-linux-gnueabihf",
                models: "Raspberry Pi Zero / Zero W / Pi 1",
                gnu: "arm-linux-gnueabihf",
                // Debian's armhf is ARMv7: it has no Rust std for ARMv6.
                debian_arch: None,
                qemu_arch: "arm",
                qemu_cpu: Some("arm1176"),
            },
        }
    }
}

impl Spec {
    fn name(&self) -> &'static str {
        match self.target {
            PiTarget::Aarch64 => "aarch64",
            PiTarget::Armv7 => "armv7",
            PiTarget::Armv6 => "armv6",
        }
    }

    /// `CARGO_TARGET_<TRIPLE>_<what>`, as cargo spells its per-target settings.
    fn cargo_env(&self, what: &str) -> String {
        format!(
            "CARGO_TARGET_{}_{what}",
            self.triple.to_uppercase().replace('-', "_")
        )
    }

    fn linker(&self) -> String {
        format!("{}-gcc", self.gnu)
    }

    fn qemu(&self) -> String {
        format!("qemu-{}", self.qemu_arch)
    }

    /// Debian's packages for the packaged route.
    fn debian_packages(&self) -> Option<Vec<String>> {
        let arch = self.debian_arch?;
        Some(vec![
            "rustc-web".into(),
            "cargo-web".into(),
            format!("libstd-rust-web-dev:{arch}"),
            format!("gcc-{}", self.gnu),
            format!("libc6-dev-{arch}-cross"),
            "qemu-user".into(),
            "qemu-user-binfmt".into(),
        ])
    }

    /// The shell commands that install the Debian route.
    fn debian_install_commands(&self) -> Option<Vec<String>> {
        let arch = self.debian_arch?;
        let packages = self.debian_packages()?.join(" ");
        Some(vec![
            format!("dpkg --add-architecture {arch}"),
            "apt-get update".to_string(),
            format!(
                "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {packages}"
            ),
        ])
    }

    /// The folder qemu-user takes the target's dynamic loader and C library
    /// from. Debian's multiarch `libc6:<arch>` (pulled in by the Debian
    /// route) puts them under `/`, and that copy must be used when present:
    /// mixing its `libc.so.6` with the cross package's loader hangs
    /// `pthread_create`. Without it, the cross sysroot `/usr/<gnu>` is used.
    fn qemu_prefix(&self) -> String {
        qemu_prefix_for(self, Path::new("/"))
    }

    fn runner(&self) -> Vec<String> {
        let mut words = vec![self.qemu()];
        if let Some(cpu) = self.qemu_cpu {
            words.extend(["-cpu".to_string(), cpu.to_string()]);
        }
        words.extend(["-L".to_string(), self.qemu_prefix()]);
        words
    }

    fn binary(&self, root: &Path, profile: &str) -> PathBuf {
        root.join("target/pi")
            .join(self.triple)
            .join(profile)
            .join("mnn")
    }
}

fn qemu_prefix_for(spec: &Spec, root: &Path) -> String {
    let loader = match spec.qemu_arch {
        "aarch64" => "lib/ld-linux-aarch64.so.1",
        _ => "lib/ld-linux-armhf.so.3",
    };
    if root.join(loader).exists() {
        root.display().to_string()
    } else {
        format!("/usr/{}", spec.gnu)
    }
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
        test.args([
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "mnn-benches",
        ])
        .env(spec.cargo_env("RUNNER"), spec.runner().join(" "))
        .env("PROPTEST_CASES", "16")
        .env("MNN_EMULATED", "1");
        if !args.test_args.is_empty() {
            test.arg("--").args(&args.test_args);
        }
        run_command(&mut test).context("the tests failed under qemu")?;
    }

    if args.bench {
        let runner = spec.runner();
        let mut bench = Command::new(&runner[0]);
        bench
            .args(&runner[1..])
            .arg(&binary)
            .arg("bench")
            .current_dir(&root);
        run_command(&mut bench).context(
            "`mnn bench` failed under qemu (does the CLI have a `bench` subcommand yet?)",
        )?;
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

/// A way to build for the target: which cargo, with which environment.
struct Toolchain {
    route: String,
    cargo: PathBuf,
    env: Vec<(String, String)>,
    /// Arguments every cargo command gets (e.g. `--ignore-rust-version`).
    args: Vec<String>,
    notes: Vec<String>,
}

impl Toolchain {
    fn cargo(&self, spec: &Spec, root: &Path, subcommand: &str) -> Command {
        let mut command = Command::new(&self.cargo);
        command
            .current_dir(root)
            .arg(subcommand)
            .args(&self.args)
            .args(["--target", spec.triple])
            .arg("--target-dir")
            .arg(root.join("target/pi"))
            .env(spec.cargo_env("LINKER"), spec.linker());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }
}

fn find_toolchain(spec: &Spec, needs_qemu: bool, root: &Path) -> Result<Toolchain> {
    let mut qemu_missing = Vec::new();
    if needs_qemu && find_in_path(&spec.qemu()).is_none() {
        qemu_missing.push(format!("{} (package qemu-user)", spec.qemu()));
    }
    let rustup_missing = match find_rustup(spec) {
        Ok(toolchain) if qemu_missing.is_empty() => return Ok(toolchain),
        Ok(_) => qemu_missing.clone(),
        Err(missing) => [missing, qemu_missing.clone()].concat(),
    };
    let debian_missing = match find_debian(spec, root) {
        Ok(toolchain) if qemu_missing.is_empty() => return Ok(toolchain),
        Ok(_) => qemu_missing,
        Err(missing) => [missing, qemu_missing].concat(),
    };
    let mut message = format!(
        "no toolchain can build for {} ({}).\n",
        spec.triple, spec.models
    );
    message.push_str("rustup route, missing:\n");
    for item in &rustup_missing {
        message.push_str(&format!("  - {item}\n"));
    }
    message.push_str("Debian route, missing:\n");
    for item in &debian_missing {
        message.push_str(&format!("  - {item}\n"));
    }
    if let Some(commands) = spec.debian_install_commands() {
        message.push_str(&format!(
            "Install the Debian route (as root): cargo xtask pi --install-deps --target {}\nwhich runs:\n",
            spec.name()
        ));
        for command in commands {
            message.push_str(&format!("  {command}\n"));
        }
    }
    bail!(message.trim_end().to_string())
}

/// rustup's toolchain, if it has the target's standard library and the
/// cross linker is on PATH.
fn find_rustup(spec: &Spec) -> Result<Toolchain, Vec<String>> {
    let mut missing = Vec::new();
    match capture("rustup", &["target", "list", "--installed"]) {
        Ok(installed) if installed.lines().any(|l| l.trim() == spec.triple) => {}
        Ok(_) => missing.push(format!(
            "the Rust standard library for {0}: rustup target add {0} \
             (downloads from static.rust-lang.org)",
            spec.triple
        )),
        Err(e) => missing.push(format!("rustup ({e})")),
    }
    if find_in_path(&spec.linker()).is_none() {
        missing.push(format!(
            "the linker {} (package gcc-{})",
            spec.linker(),
            spec.gnu
        ));
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut notes = Vec::new();
    if spec.target == PiTarget::Armv6 {
        notes.push(format!(
            "{} links with the C start-up files and libc of its own sysroot: if those are \
             ARMv7 (as Debian's are), the binary dies with `Illegal instruction` on a Pi Zero/1; \
             use an ARMv6 toolchain such as the Raspberry Pi one",
            spec.linker()
        ));
    }
    Ok(Toolchain {
        route: "rustup's toolchain".to_string(),
        cargo: env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from),
        env: Vec::new(),
        args: Vec::new(),
        notes,
    })
}

/// Features stabilised after Rust 1.85 (Debian 12's `rustc-web`) that the
/// workspace may use, all present as unstable features in 1.85 and known to
/// `#![no_std]` crates. Only those this rustc accepts are enabled.
const NEWER_FEATURES: [&str; 10] = [
    "let_chains",
    "trait_upcasting",
    "precise_capturing_in_traits",
    "unsigned_is_multiple_of",
    "integer_sign_cast",
    "unbounded_shifts",
    "num_midpoint_signed",
    "float_next_up_down",
    "slice_as_chunks",
    "cell_update",
];

/// Debian's packaged compiler, if it and everything around it is installed.
fn find_debian(spec: &Spec, root: &Path) -> Result<Toolchain, Vec<String>> {
    let Some(arch) = spec.debian_arch else {
        return Err(vec![format!(
            "Debian packages no Rust standard library for {} (its armhf is ARMv7)",
            spec.triple
        )]);
    };
    let rustc = Path::new("/usr/bin/rustc");
    let cargo = Path::new("/usr/bin/cargo");
    let mut missing = Vec::new();
    let rustc_version = capture(rustc, &["--version"]).ok();
    if rustc_version.is_none() {
        missing.push("/usr/bin/rustc (package rustc-web)".to_string());
    }
    match capture(cargo, &["--version"])
        .ok()
        .and_then(|v| parse_version(&v))
    {
        None => missing.push("/usr/bin/cargo (package cargo-web)".to_string()),
        // Cargo.lock is version 4, which cargo reads from 1.78 on.
        Some(version) if version < (1, 78) => missing.push(format!(
            "a cargo that reads Cargo.lock version 4 (1.78 or newer; /usr/bin/cargo is {}.{})",
            version.0, version.1
        )),
        Some(_) => {}
    }
    if rustc_version.is_some() && !debian_has_std(rustc, spec.triple) {
        missing.push(format!(
            "the Rust standard library for {} (package libstd-rust-web-dev:{arch})",
            spec.triple
        ));
    }
    if find_in_path(&spec.linker()).is_none() {
        missing.push(format!(
            "the linker {} (package gcc-{})",
            spec.linker(),
            spec.gnu
        ));
    }
    if !Path::new("/usr").join(spec.gnu).join("lib/crt1.o").exists() {
        missing.push(format!(
            "the cross C library in /usr/{} (package libc6-dev-{arch}-cross)",
            spec.gnu
        ));
    }
    if !missing.is_empty() {
        return Err(missing);
    }

    let rustc_version = rustc_version.unwrap_or_default();
    let mut toolchain = Toolchain {
        route: format!("Debian's {}", rustc_version.trim()),
        cargo: cargo.to_path_buf(),
        env: vec![
            ("RUSTC".into(), rustc.display().to_string()),
            ("RUSTDOC".into(), "/usr/bin/rustdoc".into()),
        ],
        args: Vec::new(),
        notes: Vec::new(),
    };
    let ours = parse_version(&rustc_version);
    let wanted = fs::read_to_string(root.join("Cargo.toml"))
        .ok()
        .and_then(|manifest| workspace_rust_version(&manifest));
    if let (Some(ours), Some(wanted)) = (ours, wanted)
        && ours < wanted
    {
        let features = accepted_features(rustc, &NEWER_FEATURES);
        let rustflags = env::var("RUSTFLAGS").unwrap_or_default();
        let rustflags = features
            .iter()
            .map(|f| format!("-Zcrate-attr=feature({f})"))
            .fold(rustflags, |flags, flag| format!("{flags} {flag}"));
        toolchain.args.push("--ignore-rust-version".into());
        toolchain.env.push(("RUSTC_BOOTSTRAP".into(), "1".into()));
        toolchain
            .env
            .push(("RUSTFLAGS".into(), rustflags.trim().to_string()));
        toolchain.notes.push(format!(
            "rustc {}.{} is older than the workspace's rust-version {}.{}: building with \
             --ignore-rust-version, and with RUSTC_BOOTSTRAP=1 enabling the later-stabilised \
             features {}",
            ours.0,
            ours.1,
            wanted.0,
            wanted.1,
            features.join(", ")
        ));
    }
    Ok(toolchain)
}

fn debian_has_std(rustc: &Path, triple: &str) -> bool {
    let Ok(sysroot) = capture(rustc, &["--print", "sysroot"]) else {
        return false;
    };
    let lib = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(triple)
        .join("lib");
    fs::read_dir(lib).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    })
}

/// The features of `candidates` that `rustc` knows as unstable or stable
/// (an unknown feature name is an error, so each is tried on an empty crate).
fn accepted_features<'a>(rustc: &Path, candidates: &[&'a str]) -> Vec<&'a str> {
    let Ok(dir) = tempfile::tempdir() else {
        return Vec::new();
    };
    let source = dir.path().join("probe.rs");
    if fs::write(&source, "#![no_std]\n").is_err() {
        return Vec::new();
    }
    candidates
        .iter()
        .copied()
        .filter(|feature| {
            Command::new(rustc)
                .env("RUSTC_BOOTSTRAP", "1")
                .args([
                    "--edition",
                    "2024",
                    "--crate-type",
                    "lib",
                    "--emit",
                    "metadata",
                ])
                .arg(format!("-Zcrate-attr=feature({feature})"))
                .arg("--out-dir")
                .arg(dir.path())
                .arg(&source)
                .output()
                .is_ok_and(|out| out.status.success())
        })
        .collect()
}

/// Installs the Debian route for `spec` (needs root; uses sudo otherwise).
fn install_deps(spec: &Spec) -> Result<()> {
    let (Some(arch), Some(packages)) = (spec.debian_arch, spec.debian_packages()) else {
        bail!(armv6_instructions(spec));
    };
    let sudo = !is_root();
    let as_root = |program: &str| {
        if sudo {
            let mut command = Command::new("sudo");
            command.arg(program);
            command
        } else {
            Command::new(program)
        }
    };
    run_command(as_root("dpkg").args(["--add-architecture", arch]))?;
    if let Err(e) = run_command(as_root("apt-get").arg("update")) {
        // One stale index (a mirror mid-sync) need not stop the install.
        eprintln!("pi: warning: {e:#}; going on with the package lists there are");
    }
    run_command(
        as_root("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&packages),
    )?;
    ensure_binfmt(spec)?;
    println!("pi: installed the Debian route for {}", spec.triple);
    Ok(())
}

/// Tests start the `mnn` binary themselves; the kernel can run a Pi binary
/// only through a binfmt_misc entry for qemu. Registers Debian's entry
/// (`qemu-user-binfmt`) when it is missing; there is no systemd here to do it.
fn ensure_binfmt(spec: &Spec) -> Result<()> {
    let binfmt = Path::new("/proc/sys/fs/binfmt_misc");
    let entry = binfmt.join(format!("qemu-{}", spec.qemu_arch));
    if fs::read_to_string(&entry).is_ok_and(|s| s.starts_with("enabled")) {
        return Ok(());
    }
    let conf = PathBuf::from(format!("/usr/lib/binfmt.d/qemu-{}.conf", spec.qemu_arch));
    let fix = format!(
        "tests that start the mnn binary need the kernel to run {} programs through qemu: \
         install qemu-user-binfmt and, as root, register it: \
         `mount -t binfmt_misc binfmt_misc {} ; cat {} > {}/register` \
         (cargo xtask pi --install-deps --target {} does this)",
        spec.name(),
        binfmt.display(),
        conf.display(),
        binfmt.display(),
        spec.name()
    );
    if !conf.exists() || !is_root() {
        bail!(fix);
    }
    if !binfmt.join("register").exists() {
        run_command(
            Command::new("mount")
                .args(["-t", "binfmt_misc", "binfmt_misc"])
                .arg(binfmt),
        )
        .with_context(|| fix.clone())?;
    }
    let line = fs::read_to_string(&conf).with_context(|| fix.clone())?;
    fs::write(binfmt.join("register"), line.trim_end())
        .with_context(|| format!("registering {}: {fix}", conf.display()))?;
    println!("pi: registered {} with binfmt_misc", conf.display());
    Ok(())
}

fn armv6_instructions(spec: &Spec) -> String {
    format!(
        "no toolchain for {triple} ({models}).\n\
         Debian packages no Rust standard library for ARMv6 (its armhf is ARMv7), so there is \
         no packaged route. To build for it:\n  \
         1. rustup target add {triple}   (downloads from static.rust-lang.org)\n  \
         2. an ARMv6 hard-float cross linker and sysroot, e.g. the Raspberry Pi cross toolchain \
         (arm-linux-gnueabihf-gcc built for -march=armv6 -mfpu=vfp), on PATH as {linker}.\n     \
         Debian's gcc-arm-linux-gnueabihf links too, but its start-up files and libc are \
         ARMv7/Thumb-2: the binary then dies with `Illegal instruction` on a Pi Zero/1.\n  \
         3. cargo xtask pi --target armv6\n\
         Or build on the Pi itself: cargo build --release -p mnn-cli (slow on a Pi Zero).",
        triple = spec.triple,
        models = spec.models,
        linker = spec.linker(),
    )
}

fn is_root() -> bool {
    capture("id", &["-u"]).is_ok_and(|uid| uid.trim() == "0")
}

/// Prints the command like a shell would show it, runs it, and fails on a
/// non-zero exit.
fn run_command(command: &mut Command) -> Result<()> {
    let shown = show(command);
    println!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

fn show(command: &Command) -> String {
    let mut words: Vec<String> = command
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, quote(v?.to_str()?))))
        .collect();
    words.push(command.get_program().to_string_lossy().into_owned());
    words.extend(command.get_args().map(|a| quote(&a.to_string_lossy())));
    words.join(" ")
}

fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Stdout of a command that must succeed.
fn capture(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<String> {
    let program = program.as_ref();
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("{} not found", program.to_string_lossy()))?;
    if !out.status.success() {
        bail!("{} {} failed", program.to_string_lossy(), args.join(" "));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// `(major, minor)` from `rustc 1.85.0 (...)` or `cargo 1.85.0 (...)`.
fn parse_version(text: &str) -> Option<(u32, u32)> {
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// `rust-version = "1.88"` of the `[workspace.package]` table.
fn workspace_rust_version(manifest: &str) -> Option<(u32, u32)> {
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version"))?;
    let value = line.split_once('=')?.1.trim().trim_matches('"');
    parse_version(&format!("rust-version {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_tool_output_and_the_manifest() {
        assert_eq!(
            parse_version("rustc 1.85.0 (4d91de4e4 2025-02-17) (built from a source tarball)"),
            Some((1, 85))
        );
        assert_eq!(
            parse_version("cargo 1.95.0-nightly (abc 2026-01-01)"),
            Some((1, 95))
        );
        assert_eq!(parse_version("rustc"), None);
        let manifest = "[workspace.package]\nedition = \"2024\"\nrust-version = \"1.88\"\n";
        assert_eq!(workspace_rust_version(manifest), Some((1, 88)));
        assert_eq!(workspace_rust_version("[package]\nname = \"x\"\n"), None);
    }

    #[test]
    fn targets_map_to_their_triples_linkers_and_cargo_settings() {
        let aarch64 = PiTarget::Aarch64.spec();
        assert_eq!(aarch64.linker(), "aarch64-linux-gnu-gcc");
        assert_eq!(
            aarch64.cargo_env("RUNNER"),
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"
        );
        let armv7 = PiTarget::Armv7.spec();
        assert_eq!(
            armv7.cargo_env("LINKER"),
            "CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER"
        );
        assert_eq!(armv7.qemu(), "qemu-arm");
        let armv6 = PiTarget::Armv6.spec();
        assert_eq!(armv6.triple, "arm-unknown-linux-gnueabihf");
        assert!(armv6.debian_packages().is_none());
        assert!(armv6.runner().contains(&"arm1176".to_string()));
    }

    #[test]
    fn debian_route_names_the_packages_for_the_architecture() {
        let packages = PiTarget::Armv7.spec().debian_packages().unwrap();
        for wanted in [
            "libstd-rust-web-dev:armhf",
            "gcc-arm-linux-gnueabihf",
            "libc6-dev-armhf-cross",
        ] {
            assert!(packages.iter().any(|p| p == wanted), "{packages:?}");
        }
        let commands = PiTarget::Aarch64.spec().debian_install_commands().unwrap();
        assert_eq!(commands[0], "dpkg --add-architecture arm64");
        assert!(
            commands[2].contains("libstd-rust-web-dev:arm64"),
            "{commands:?}"
        );
    }

    #[test]
    fn qemu_takes_the_multiarch_libc_when_there_is_one() {
        let spec = PiTarget::Aarch64.spec();
        let root = tempfile::tempdir().unwrap();
        assert_eq!(
            qemu_prefix_for(&spec, root.path()),
            "/usr/aarch64-linux-gnu"
        );
        fs::create_dir_all(root.path().join("lib")).unwrap();
        fs::write(root.path().join("lib/ld-linux-aarch64.so.1"), b"").unwrap();
        assert_eq!(
            qemu_prefix_for(&spec, root.path()),
            root.path().display().to_string()
        );
    }

    #[test]
    fn commands_are_shown_as_a_shell_would_take_them() {
        let mut command = Command::new("cargo");
        command.env("RUNNER", "qemu-aarch64 -L /").args([
            "build",
            "--target",
            "aarch64-unknown-linux-gnu",
            "it's",
        ]);
        assert_eq!(
            show(&command),
            r"RUNNER='qemu-aarch64 -L /' cargo build --target aarch64-unknown-linux-gnu 'it'\''s'"
        );
    }

    #[test]
    fn armv6_instructions_say_what_to_install() {
        let text = armv6_instructions(&PiTarget::Armv6.spec());
        assert!(
            text.contains("rustup target add arm-unknown-linux-gnueabihf"),
            "{text}"
        );
        assert!(text.contains("Illegal instruction"), "{text}");
    }
}
