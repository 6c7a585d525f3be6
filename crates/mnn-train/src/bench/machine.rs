//! What identifies the machine a benchmark runs on, read from the system:
//! the CPU (`/proc/cpuinfo`), the board (`/proc/device-tree/model`), the OS
//! (`/etc/os-release`), the kernels mnn-matrix picked, whether an emulator
//! runs us, and the date. The parsing takes text, so it is tested on the
//! text of other machines.

use super::report::Machine;
use mnn_matrix::kernels;
use mnn_net::available_threads;

/// The program that measures: its version and the git commit it was built
/// from (`unknown` outside a checkout), as it knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    pub version: String,
    pub commit: String,
}

/// What identifies this machine, for a report: `label` if one was given,
/// `cores_used` the most threads a row used.
pub fn this_machine(
    label: Option<String>,
    cores_used: usize,
    emulated: bool,
    program: &Program,
) -> Machine {
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
        .and_then(|release| os_from_release(&release))
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
        mnn_version: program.version.clone(),
        commit: program.commit.clone(),
        date: iso_utc(now),
    }
}

/// Whether this program runs under an emulator: `MNN_EMULATED=1` (set by
/// `cargo xtask pi`), or an ARM build seeing an x86 host's `/proc/cpuinfo`.
pub fn is_emulated() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    std::env::var_os("MNN_EMULATED").is_some_and(|v| v == "1")
        || looks_emulated(std::env::consts::ARCH, &cpuinfo)
}

/// The CPU's name: "model name" on x86, the board's "Model" (a Raspberry
/// Pi's) or "Hardware" on ARM, else the architecture.
pub fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    cpu_from_cpuinfo(&info).unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// The kernels mnn runs here, as the SIMD column says it. On 32-bit ARM,
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

/// The model name of the CPU in `/proc/cpuinfo` text: `model name` on x86,
/// the board's `Model` (a Raspberry Pi's) or `Hardware` on ARM.
pub fn cpu_from_cpuinfo(info: &str) -> Option<String> {
    ["model name", "Model", "Hardware"].iter().find_map(|key| {
        info.lines()
            .find_map(|line| {
                let (k, v) = line.split_once(':')?;
                (k.trim() == *key).then(|| v.trim().to_string())
            })
            .filter(|v| !v.is_empty())
    })
}

/// Whether an ARM program sees an x86 host's `/proc/cpuinfo`, as it does
/// under qemu-user (which passes the host's through).
pub fn looks_emulated(arch: &str, cpuinfo: &str) -> bool {
    let x86_host = cpuinfo.lines().any(|line| {
        line.split_once(':').is_some_and(|(k, v)| {
            k.trim() == "vendor_id" && ["GenuineIntel", "AuthenticAMD"].contains(&v.trim())
        })
    });
    !arch.starts_with("x86") && x86_host
}

/// `PRETTY_NAME` of `/etc/os-release` text, unquoted.
pub fn os_from_release(release: &str) -> Option<String> {
    release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim().trim_matches('"').to_string())
    })
}

/// `seconds` since 1970 as an ISO 8601 UTC time, `2026-12-02T06:30:00Z`.
pub fn iso_utc(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_is_read_from_procfs_text() {
        let x86 =
            "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n";
        let pi = "processor\t: 0\nBogoMIPS\t: 108.00\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n";
        assert_eq!(
            cpu_from_cpuinfo(x86).as_deref(),
            Some("Intel(R) Xeon(R) Processor")
        );
        assert_eq!(
            cpu_from_cpuinfo(pi).as_deref(),
            Some("Raspberry Pi 4 Model B Rev 1.4")
        );
        assert_eq!(cpu_from_cpuinfo("processor : 0\n"), None);
        assert!(looks_emulated("aarch64", x86));
        assert!(!looks_emulated("x86_64", x86));
        assert!(!looks_emulated("arm", pi));
        let release = "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            os_from_release(release).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    #[test]
    fn dates_are_iso_8601_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day of a century leap year) 12:34:56
        assert_eq!(iso_utc(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(iso_utc(1_798_761_599), "2026-12-31T23:59:59Z");
    }
    #[test]
    fn this_machine_has_a_cpu_kernels_and_the_programs_identity() {
        assert!(!cpu_model().is_empty());
        let program = Program {
            version: "1.2.3".into(),
            commit: "abc".into(),
        };
        let machine = this_machine(Some("here".into()), 1, false, &program);
        assert_eq!(machine.name(), "here");
        assert_eq!(
            (machine.mnn_version.as_str(), machine.commit.as_str()),
            ("1.2.3", "abc")
        );
        assert!(!machine.simd.is_empty() && machine.cores >= 1);
        assert_eq!(machine.date.len(), "2026-12-02T06:30:00Z".len());
    }
}
