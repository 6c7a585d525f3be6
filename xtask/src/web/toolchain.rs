//! A compiler for `wasm32-unknown-unknown`, found as `xtask pi` finds its
//! cross compilers, and the build of crates/mnn-web with it.
//!
//! - **rustup's**, where `rustup target add wasm32-unknown-unknown` has put
//!   the target's standard library in place.
//! - **Debian's**: `rustc-web`/`cargo-web` (1.96 on Debian 12) with
//!   `rust-web-src`, building the standard library from source
//!   (`RUSTC_BOOTSTRAP=1 … -Zbuild-std=std,panic_abort`), linked by the rustup
//!   toolchain's own `rust-lld`. This is the route on machines that reach
//!   only the package registries (rustup cannot download the target there).
//!
//! Both build with SIMD128 (every browser of the last years runs it), once
//! more with relaxed SIMD too ([`Flavour`]), and with getrandom's
//! "unsupported" backend: mnn never asks for entropy.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

use crate::shell::{capture, run_command};

const TARGET: &str = "wasm32-unknown-unknown";
const RUSTFLAGS: &str = "-C target-feature=+simd128 --cfg getrandom_backend=\"unsupported\"";

/// The two modules: SIMD128 with the exact fused multiply-add, and with
/// relaxed SIMD's (used where the visitor's machine fuses it).
#[derive(Debug, Clone, Copy)]
pub enum Flavour {
    Exact,
    Relaxed,
}

impl Flavour {
    fn rustflags(self) -> String {
        match self {
            Flavour::Exact => RUSTFLAGS.to_string(),
            Flavour::Relaxed => format!("{RUSTFLAGS} -C target-feature=+relaxed-simd"),
        }
    }

    fn dir(self) -> &'static str {
        match self {
            Flavour::Exact => "exact",
            Flavour::Relaxed => "relaxed",
        }
    }
}
/// Debian's source of the standard library (package rust-web-src).
const DEBIAN_STD_SOURCE: &str = "/usr/lib/rustlib/src/rust/library";

pub struct Toolchain {
    pub route: String,
    cargo: PathBuf,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

/// rustup's toolchain if it has the target, else Debian's, else an error
/// naming what each route lacks.
pub fn find() -> Result<Toolchain> {
    let rustup = match find_rustup() {
        Ok(toolchain) => return Ok(toolchain),
        Err(missing) => missing,
    };
    let debian = match find_debian() {
        Ok(toolchain) => return Ok(toolchain),
        Err(missing) => missing,
    };
    bail!(
        "no toolchain can build for {TARGET}.\nrustup route, missing:\n  - {}\nDebian route, missing:\n  - {}\n\
         Install one: `rustup target add {TARGET}`, or (as root) `apt-get install rustc-web cargo-web rust-web-src`",
        rustup.join("\n  - "),
        debian.join("\n  - ")
    )
}

fn host_rustc() -> PathBuf {
    // The rustup proxy (or whatever rustc cargo was started with), not Debian's /usr/bin/rustc.
    std::env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from)
}

fn find_rustup() -> Result<Toolchain, Vec<String>> {
    let libdir = capture(
        host_rustc(),
        &["--print", "target-libdir", "--target", TARGET],
    )
    .map_err(|e| vec![format!("rustc ({e})")])?;
    let has_std = std::fs::read_dir(libdir.trim())
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
        })
        .unwrap_or(false);
    if !has_std {
        return Err(vec![format!(
            "the Rust standard library for {TARGET}: rustup target add {TARGET} (downloads from static.rust-lang.org)"
        )]);
    }
    Ok(Toolchain {
        route: "rustup's toolchain".into(),
        cargo: std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from),
        env: Vec::new(),
        args: Vec::new(),
    })
}

fn find_debian() -> Result<Toolchain, Vec<String>> {
    let (rustc, cargo) = (Path::new("/usr/bin/rustc"), Path::new("/usr/bin/cargo"));
    let mut missing = Vec::new();
    let version = capture(rustc, &["--version"]).ok();
    if version.is_none() {
        missing.push("/usr/bin/rustc (package rustc-web)".to_string());
    }
    if capture(cargo, &["--version"]).is_err() {
        missing.push("/usr/bin/cargo (package cargo-web)".to_string());
    }
    if !Path::new(DEBIAN_STD_SOURCE).is_dir() {
        missing.push(format!(
            "the standard library's source in {DEBIAN_STD_SOURCE} (package rust-web-src)"
        ));
    }
    let lld = rust_lld();
    if lld.is_none() {
        missing.push(
            "rust-lld (rustup's toolchain ships it: lib/rustlib/<host>/bin/rust-lld)".to_string(),
        );
    }
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(Toolchain {
        route: format!(
            "Debian's {} building the standard library from rust-web-src (-Zbuild-std), linked by {}",
            version.unwrap_or_default().trim(),
            lld.as_ref().expect("checked").display()
        ),
        cargo: cargo.to_path_buf(),
        env: vec![
            ("RUSTC".into(), rustc.display().to_string()),
            ("RUSTC_BOOTSTRAP".into(), "1".into()),
            (
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER".into(),
                lld.expect("checked").display().to_string(),
            ),
        ],
        args: vec!["-Zbuild-std=std,panic_abort".into()],
    })
}

/// The rustup toolchain's `rust-lld`.
fn rust_lld() -> Option<PathBuf> {
    let sysroot = capture(host_rustc(), &["--print", "sysroot"]).ok()?;
    let host = capture(host_rustc(), &["-vV"])
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))?;
    let lld = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/rust-lld");
    lld.exists().then_some(lld)
}

impl Toolchain {
    /// Builds crates/mnn-web as a `cdylib` of `flavour` (each in its own
    /// target folder, so neither rebuilds the other) and returns its path.
    ///
    /// Size first (`opt-level = "s"`, LTO, one codegen unit, no symbol
    /// names) except for the crates with the hot loops (mnn-matrix, mnn-net:
    /// `opt-level = 3`).
    pub fn build(&self, root: &Path, flavour: Flavour) -> Result<PathBuf> {
        let target_dir = root.join("target/web-build").join(flavour.dir());
        let mut command = Command::new(&self.cargo);
        command
            .current_dir(root)
            .args([
                "rustc",
                "--release",
                "-p",
                "mnn-web",
                "--lib",
                "--crate-type",
                "cdylib",
                "--target",
                TARGET,
            ])
            .args(&self.args)
            .arg("--target-dir")
            .arg(&target_dir)
            .args(["--config", "profile.release.lto=true"])
            .args(["--config", "profile.release.codegen-units=1"])
            .args(["--config", "profile.release.opt-level=\"s\""])
            .args(["--config", "profile.release.strip=true"])
            .args(["--config", "profile.release.package.mnn-matrix.opt-level=3"])
            .args(["--config", "profile.release.package.mnn-net.opt-level=3"])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                flavour.rustflags(),
            );
        for (key, value) in &self.env {
            command.env(key, value);
        }
        run_command(&mut command)?;
        Ok(target_dir.join(TARGET).join("release/mnn_web.wasm"))
    }
}
