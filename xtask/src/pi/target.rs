//! The Raspberry Pi targets and what each needs: Rust and GNU triples,
//! Debian architecture and packages, and how qemu-user runs its programs.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

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
pub(super) struct Spec {
    pub(super) target: PiTarget,
    pub(super) triple: &'static str,
    pub(super) models: &'static str,
    pub(super) gnu: &'static str,
    pub(super) debian_arch: Option<&'static str>,
    pub(super) qemu_arch: &'static str,
    pub(super) qemu_cpu: Option<&'static str>,
}

impl PiTarget {
    pub(super) fn spec(self) -> Spec {
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
    pub(super) fn name(&self) -> &'static str {
        match self.target {
            PiTarget::Aarch64 => "aarch64",
            PiTarget::Armv7 => "armv7",
            PiTarget::Armv6 => "armv6",
        }
    }

    /// `CARGO_TARGET_<TRIPLE>_<what>`, as cargo spells its per-target settings.
    pub(super) fn cargo_env(&self, what: &str) -> String {
        format!(
            "CARGO_TARGET_{}_{what}",
            self.triple.to_uppercase().replace('-', "_")
        )
    }

    pub(super) fn linker(&self) -> String {
        format!("{}-gcc", self.gnu)
    }

    pub(super) fn qemu(&self) -> String {
        format!("qemu-{}", self.qemu_arch)
    }

    /// Debian's packages for the packaged route.
    pub(super) fn debian_packages(&self) -> Option<Vec<String>> {
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
    pub(super) fn debian_install_commands(&self) -> Option<Vec<String>> {
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
    /// route: `libstd-rust-web-1.96:<arch>` depends on it) puts them under
    /// `/`, and that copy must be used when present. With `-L /usr/<gnu>`,
    /// qemu takes the loader from the cross package (`libc6-<arch>-cross`,
    /// 2.36-8cross1) but, finding no `/usr/<gnu>/lib/<gnu>/libc.so.6`, falls
    /// back to the host's `/lib/<gnu>/libc.so.6` (`libc6:<arch>`,
    /// 2.36-9+deb12u14): a loader and a C library of two builds, which hangs
    /// `pthread_create` on aarch64 and crashes (SIGSEGV) the first thread
    /// start on armv7 (`LD_DEBUG=libs` shows the mix). Without the multiarch
    /// copy, the cross sysroot `/usr/<gnu>` is used.
    pub(super) fn qemu_prefix(&self) -> String {
        qemu_prefix_for(self, Path::new("/"))
    }

    pub(super) fn runner(&self) -> Vec<String> {
        let mut words = vec![self.qemu()];
        if let Some(cpu) = self.qemu_cpu {
            words.extend(["-cpu".to_string(), cpu.to_string()]);
        }
        words.extend(["-L".to_string(), self.qemu_prefix()]);
        words
    }

    pub(super) fn binary(&self, root: &Path, profile: &str) -> PathBuf {
        root.join("target/pi")
            .join(self.triple)
            .join(profile)
            .join("mnn")
    }
}

pub(super) fn qemu_prefix_for(spec: &Spec, root: &Path) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    pub(super) fn targets_map_to_their_triples_linkers_and_cargo_settings() {
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
    pub(super) fn debian_route_names_the_packages_for_the_architecture() {
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
    pub(super) fn qemu_takes_the_multiarch_libc_when_there_is_one() {
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
}
