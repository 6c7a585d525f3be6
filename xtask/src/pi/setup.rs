//! System set-up: installing Debian's cross route with apt, registering
//! qemu with binfmt_misc, and what to do for armv6, which has no packages.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::target::Spec;
use crate::shell::{is_root, run_command};

/// apt waits up to ten minutes for another apt or dpkg (an unattended
/// upgrade, another install) to release its lock instead of failing at once.
const APT_WAIT: [&str; 2] = ["-o", "DPkg::Lock::Timeout=600"];

/// Installs the Debian route for `spec` (needs root; uses sudo otherwise).
pub(super) fn install_deps(spec: &Spec) -> Result<()> {
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
    if let Err(e) = run_command(as_root("apt-get").args(APT_WAIT).arg("update")) {
        // One stale index (a mirror mid-sync) need not stop the install.
        eprintln!("pi: warning: {e:#}; going on with the package lists there are");
    }
    run_command(
        as_root("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(APT_WAIT)
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
pub(super) fn ensure_binfmt(spec: &Spec) -> Result<()> {
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

pub(super) fn armv6_instructions(spec: &Spec) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pi::target::PiTarget;

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
