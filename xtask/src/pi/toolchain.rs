//! Toolchain discovery: rustup's, or Debian's packaged `rustc-web`, with
//! whatever is missing named together with the command that installs it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

use super::target::{PiTarget, Spec};
use crate::shell::{capture, find_in_path};

/// A way to build for the target: which cargo, with which environment.
pub(super) struct Toolchain {
    pub(super) route: String,
    pub(super) cargo: PathBuf,
    pub(super) env: Vec<(String, String)>,
    /// Arguments every cargo command gets (e.g. `--ignore-rust-version`).
    pub(super) args: Vec<String>,
    pub(super) notes: Vec<String>,
}

impl Toolchain {
    pub(super) fn cargo(&self, spec: &Spec, root: &Path, subcommand: &str) -> Command {
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

pub(super) fn find_toolchain(spec: &Spec, needs_qemu: bool, root: &Path) -> Result<Toolchain> {
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
pub(super) fn find_rustup(spec: &Spec) -> Result<Toolchain, Vec<String>> {
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
pub(super) fn find_debian(spec: &Spec, root: &Path) -> Result<Toolchain, Vec<String>> {
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

pub(super) fn debian_has_std(rustc: &Path, triple: &str) -> bool {
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
pub(super) fn accepted_features<'a>(rustc: &Path, candidates: &[&'a str]) -> Vec<&'a str> {
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

/// `(major, minor)` from `rustc 1.85.0 (...)` or `cargo 1.85.0 (...)`.
pub(super) fn parse_version(text: &str) -> Option<(u32, u32)> {
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// `rust-version = "1.88"` of the `[workspace.package]` table.
pub(super) fn workspace_rust_version(manifest: &str) -> Option<(u32, u32)> {
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
    pub(super) fn versions_are_read_from_tool_output_and_the_manifest() {
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
}
