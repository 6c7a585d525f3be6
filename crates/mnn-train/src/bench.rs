//! The benchmark as data: `mnn bench --json` writes one [`BenchReport`] per
//! machine (the table's rows and what identifies the machine), and
//! `mnn bench --compare` merges any number of them into one markdown table,
//! each row's speed relative to the first report's.
//!
//! `mnn bench` (in mnn-cli) times the rows and reads the machine; this module
//! holds the format, the comparison and the parsing of what `/proc` says, so
//! that a program of your own can read, write and merge the same reports.
//!
//! ```text
//! {"schema":1,"machine":{"cpu":"Intel(R) Xeon(R) Processor","arch":"x86_64","simd":"avx2+fma",...},
//!  "network":"784-200-10","samples":60000,"data":"MNIST (data/mnist)",
//!  "rows":[{"network":"784-200-10","threads":1,"sweep":"per 4 samples","us_per_sample":10.2,...},...],
//!  "augmentations":[{"augmentation":"elastic","us_per_sample":21.5},...]}
//! ```
//!
//! Reports written before the deep networks' rows and the augmentations
//! were added read as they were: their rows are the report's `network`.

use crate::TrainError;
use serde::{Deserialize, Serialize};

/// The version of the format, written in every report; a reader refuses
/// others rather than misreading them.
pub const SCHEMA: u32 = 1;

/// One run of `mnn bench` on one machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    pub machine: Machine,
    /// The book's network timed, `inputs-hidden-outputs` (e.g. `784-200-10`);
    /// rows of other networks name theirs.
    pub network: String,
    /// Samples timed per row (each row reports a 60,000-sample epoch).
    pub samples: usize,
    /// What was trained on: `MNIST (data/mnist)` or `synthetic digits`.
    pub data: String,
    /// One row per network, thread count and sweep, in the order the table
    /// prints.
    pub rows: Vec<BenchRow>,
    /// What preparing one training sample costs with each augmentation
    /// (the first, `none`, is reading and scaling alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub augmentations: Vec<AugmentRow>,
}

/// What identifies the machine a report was made on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// A name given with `mnn bench --label` (e.g. `my Pi 4`), shown instead
    /// of the CPU's when comparing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The CPU's name (`model name` in `/proc/cpuinfo`, or the board's).
    pub cpu: String,
    /// `/proc/device-tree/model` where there is one (a Raspberry Pi's board).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_model: Option<String>,
    /// Cores the system offers.
    pub cores: usize,
    /// The most threads any row used.
    pub cores_used: usize,
    /// The kernels that ran (`avx2+fma`, `neon`, `scalar (...)`).
    pub simd: String,
    /// The operating system (`PRETTY_NAME` of `/etc/os-release`, else its kind).
    pub os: String,
    /// The architecture the binary was built for (`x86_64`, `aarch64`, `arm`).
    pub arch: String,
    /// Run under an emulator (qemu-user): its times say nothing of real
    /// hardware, only how the builds compare with each other.
    #[serde(default)]
    pub emulated: bool,
    /// `mnn --version`'s number.
    pub mnn_version: String,
    /// The git commit `mnn` was built from (`unknown` outside a checkout).
    pub commit: String,
    /// When the benchmark ran, UTC (`2026-12-02T06:30:00Z`).
    pub date: String,
}

/// One row of the table: one network, one thread count, one way of
/// sweeping the first layer's weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRow {
    /// The network trained, layer sizes joined by `-` (`784-500-150-10`);
    /// empty in older reports, where it is the report's `network`.
    #[serde(default)]
    pub network: String,
    pub threads: usize,
    /// `per 4 samples` (the book network's default engine), `per sample
    /// (book order)`, or `per sample (any depth)` (the deep engine).
    pub sweep: String,
    pub us_per_sample: f64,
    pub samples_per_second: f64,
    /// Seconds for a 60,000-sample epoch at this speed.
    pub seconds_per_epoch: f64,
    pub gflops: f64,
    /// Milliseconds to query 10,000 images.
    pub query_ms: f64,
}

/// The cost of one augmentation: microseconds to prepare one training sample
/// with it (read, scale to 0.01..1.00, distort), on one thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentRow {
    /// As `--augment` names it (`none`, `shift=2`, `elastic,sigma=4,alpha=34`).
    pub augmentation: String,
    pub us_per_sample: f64,
}

/// Floating-point operations of one train step (one sample, one update) of a
/// network with these layer sizes (inputs first), counting a multiply-add as
/// two: for each weight matrix `W_l` (`n_l × n_(l−1)`) the forward product
/// `2·n_l·n_(l−1)` and the update `2·n_l·n_(l−1)`, and for every layer but
/// the first the errors passed back, `e_(l−1) = W_lᵀ·e_l`, `2·n_l·n_(l−1)`.
/// For the book's `i`-`h`-`o` that is `4·h·i + 6·o·h` (0.64 MFLOP for
/// 784-200-10). Activations, biases and element-wise products are left out.
pub fn train_step_flops(layer_sizes: &[usize]) -> f64 {
    layer_sizes
        .windows(2)
        .enumerate()
        .map(|(l, pair)| {
            let links = (pair[0] * pair[1]) as f64;
            if l == 0 { 4.0 * links } else { 6.0 * links }
        })
        .sum()
}

impl BenchReport {
    /// Reads and checks a report written by [`BenchReport::to_json`]: a
    /// [`TrainError::NotAReport`] says what is wrong with any other text.
    pub fn from_json(text: &str) -> Result<BenchReport, TrainError> {
        #[derive(Deserialize)]
        struct Version {
            schema: u32,
        }
        let not_a_report = |reason: String| TrainError::NotAReport(reason);
        let version: Version =
            serde_json::from_str(text).map_err(|e| not_a_report(e.to_string()))?;
        if version.schema != SCHEMA {
            return Err(not_a_report(format!(
                "written in report format {}; this mnn reads format {SCHEMA} \
                 (rerun `mnn bench --json` with it)",
                version.schema
            )));
        }
        let mut report: BenchReport =
            serde_json::from_str(text).map_err(|e| not_a_report(e.to_string()))?;
        for row in report.rows.iter_mut().filter(|r| r.network.is_empty()) {
            row.network.clone_from(&report.network);
        }
        if report.rows.is_empty() {
            return Err(not_a_report("it has no rows".into()));
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if let Some(row) = report
            .rows
            .iter()
            .position(|r| !positive(r.us_per_sample) || !positive(r.query_ms) || r.threads == 0)
        {
            return Err(not_a_report(format!(
                "row {} has a time that is not a positive number",
                row + 1
            )));
        }
        Ok(report)
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report is plain data")
    }

    /// The row with `row`'s network and sweep and, for one thread, one
    /// thread; else the row with the most threads: the row of another report
    /// that `row` compares with.
    pub fn matching_row(&self, row: &BenchRow) -> Option<&BenchRow> {
        let same_sweep = self
            .rows
            .iter()
            .filter(|r| r.sweep == row.sweep && r.network == row.network);
        if row.threads == 1 {
            same_sweep.into_iter().find(|r| r.threads == 1)
        } else {
            same_sweep
                .filter(|r| r.threads > 1)
                .max_by_key(|r| r.threads)
        }
    }
}

impl Machine {
    /// How a comparison names the machine: the label, else the board and the
    /// CPU, marked `(emulated)` when it was.
    pub fn name(&self) -> String {
        let mut name = match (&self.label, &self.device_model) {
            (Some(label), _) => label.clone(),
            (None, Some(board)) => format!("{board} ({})", self.cpu),
            (None, None) => self.cpu.clone(),
        };
        if self.emulated {
            name.push_str(" (emulated)");
        }
        name
    }
}

/// The header of [`compare_table`].
const COMPARE_HEADER: &str = "| machine | arch | SIMD | network | threads | sweep over W_1 | µs/sample | s/epoch (60,000) | GFLOP/s | query 10,000 (ms) | training speed vs first |\n|---|---|---|---|---:|---|---:|---:|---:|---:|---:|";

/// One markdown table of all the reports' rows, each with its training speed
/// relative to the first report's row with the same network, sweep and (one
/// or several) threads: `2.00×` is twice as fast as the first machine.
pub fn compare_table(reports: &[BenchReport]) -> String {
    let mut table = String::from(COMPARE_HEADER);
    let Some(first) = reports.first() else {
        return table;
    };
    for report in reports {
        let machine = &report.machine;
        for row in &report.rows {
            let relative = first.matching_row(row).map_or_else(
                || "–".to_string(),
                |base| format!("{}×", significant(base.us_per_sample / row.us_per_sample)),
            );
            table.push_str(&format!(
                "\n| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {relative} |",
                cell(&machine.name()),
                cell(&machine.arch),
                cell(&machine.simd),
                cell(&row.network),
                row.threads,
                cell(&row.sweep),
                significant(row.us_per_sample),
                significant(row.seconds_per_epoch),
                significant(row.gflops),
                significant(row.query_ms),
            ));
        }
    }
    table
}

/// One markdown table of what each augmentation costs per training sample
/// on each machine (one thread), or `None` if no report measured any:
/// a column per augmentation, in the order the first report lists them.
pub fn compare_augmentations(reports: &[BenchReport]) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for row in reports.iter().flat_map(|r| &r.augmentations) {
        if !names.contains(&row.augmentation.as_str()) {
            names.push(&row.augmentation);
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut table = format!(
        "| machine | {} |\n|---|{}",
        names
            .iter()
            .map(|n| format!("{} (µs/sample)", cell(n)))
            .collect::<Vec<_>>()
            .join(" | "),
        "---:|".repeat(names.len())
    );
    for report in reports.iter().filter(|r| !r.augmentations.is_empty()) {
        let cells: Vec<String> = names
            .iter()
            .map(|name| {
                report
                    .augmentations
                    .iter()
                    .find(|a| a.augmentation == *name)
                    .map_or_else(|| "–".to_string(), |a| significant(a.us_per_sample))
            })
            .collect();
        table.push_str(&format!(
            "\n| {} | {} |",
            cell(&report.machine.name()),
            cells.join(" | ")
        ));
    }
    Some(table)
}

/// The identity lines under a comparison: each machine's OS, cores, mnn
/// version and date, so that a pasted table says where it came from.
pub fn compare_sources(reports: &[BenchReport]) -> Vec<String> {
    reports
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let m = &r.machine;
            format!(
                "{}. {}: {}, {} of {} cores, {} samples of {} per row, mnn {} ({}), {}",
                i + 1,
                m.name(),
                m.os,
                m.cores_used,
                m.cores,
                r.samples,
                r.data,
                m.mnn_version,
                m.commit,
                m.date
            )
        })
        .collect()
}

/// A table cell: `|` would end the cell, so it is escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `value` with three significant figures, and one decimal from 10 up:
/// `65.6`, `3.47`, `0.214`, `1234.5`, so that a Pi Zero and a desktop read
/// alike.
pub fn significant(value: f64) -> String {
    let decimals = match value.abs() {
        v if v >= 10.0 => 1,
        v if v >= 1.0 => 2,
        v if v >= 0.1 || v == 0.0 => 3,
        v => (-v.log10().floor()) as usize + 2,
    };
    format!("{value:.decimals$}")
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

    fn row(threads: usize, sweep: &str, us: f64) -> BenchRow {
        BenchRow {
            network: "784-200-10".into(),
            threads,
            sweep: sweep.into(),
            us_per_sample: us,
            samples_per_second: 1e6 / us,
            seconds_per_epoch: us * 0.06,
            gflops: 0.6392 / us * 1e3,
            query_ms: us * 5.0,
        }
    }

    fn report(cpu: &str, rows: Vec<BenchRow>) -> BenchReport {
        BenchReport {
            schema: SCHEMA,
            machine: Machine {
                label: None,
                cpu: cpu.into(),
                device_model: None,
                cores: 4,
                cores_used: 4,
                simd: "neon".into(),
                os: "Debian GNU/Linux 12 (bookworm)".into(),
                arch: "aarch64".into(),
                emulated: false,
                mnn_version: "0.1.0".into(),
                commit: "abc1234".into(),
                date: "2026-12-02T06:30:00Z".into(),
            },
            network: "784-200-10".into(),
            samples: 2000,
            data: "synthetic digits".into(),
            rows,
            augmentations: Vec::new(),
        }
    }

    #[test]
    fn a_report_reads_back_as_written_and_bad_ones_say_why() {
        let written = report("X", vec![row(1, "per 4 samples", 10.0)]);
        assert_eq!(BenchReport::from_json(&written.to_json()).unwrap(), written);

        let err = |text: &str| BenchReport::from_json(text).unwrap_err().to_string();
        assert!(err("{").contains("not a report"), "{}", err("{"));
        let other = written.to_json().replace("\"schema\": 1", "\"schema\": 9");
        assert!(err(&other).contains("format 9"), "{}", err(&other));
        let mut empty = written.clone();
        empty.rows.clear();
        assert!(err(&empty.to_json()).contains("no rows"));
        let mut negative = written.clone();
        negative.rows[0].us_per_sample = -1.0;
        assert!(err(&negative.to_json()).contains("row 1"));
    }

    #[test]
    fn the_comparison_is_relative_to_the_first_reports_matching_row() {
        let desktop = report(
            "Desktop",
            vec![
                row(1, "per 4 samples", 10.0),
                row(2, "per 4 samples", 5.0),
                row(1, "per sample (book order)", 20.0),
            ],
        );
        let mut pi = report(
            "Cortex-A72",
            vec![
                row(1, "per 4 samples", 40.0),
                row(4, "per 4 samples", 4.0),
                row(4, "per sample (book order)", 16.0),
            ],
        );
        pi.machine.device_model = Some("Raspberry Pi 4 Model B".into());
        pi.machine.emulated = true;
        let table = compare_table(&[desktop, pi]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2 + 6, "{table}");
        assert!(lines[2].starts_with("| Desktop |") && lines[2].ends_with("| 1.00× |"));
        // 1 thread: 10 / 40; all threads: 2 threads' 5 µs / 4 threads' 4 µs
        assert!(lines[5].contains("Raspberry Pi 4 Model B (Cortex-A72) (emulated)"));
        assert!(lines[5].ends_with("| 0.250× |"), "{}", lines[5]);
        assert!(lines[6].ends_with("| 1.25× |"), "{}", lines[6]);
        // no several-thread row of the book's order on the first machine
        assert!(lines[7].ends_with("| – |"), "{}", lines[7]);
        for line in &lines[2..] {
            assert_eq!(line.matches('|').count(), 12, "{line}");
        }
    }

    #[test]
    fn rows_compare_only_with_rows_of_the_same_network() {
        let mut deep = row(1, "per sample (any depth)", 40.0);
        deep.network = "784-800-10".into();
        let first = report("A", vec![row(1, "per 4 samples", 10.0), deep.clone()]);
        let mut slower = deep.clone();
        slower.us_per_sample = 80.0;
        let mut other_net = slower.clone();
        other_net.network = "784-500-150-10".into();
        let table = compare_table(&[first, report("B", vec![slower, other_net])]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[4].contains("| 784-800-10 |") && lines[4].ends_with("| 0.500× |"),
            "{table}"
        );
        assert!(lines[5].ends_with("| – |"), "{table}");
    }

    #[test]
    fn reports_without_row_networks_or_augmentations_still_read() {
        let mut old = report("Old", vec![row(1, "per 4 samples", 10.0)]);
        old.network = "784-100-10".into();
        let text = old.to_json().replace("\"network\": \"784-200-10\",", "");
        assert!(!text.contains("784-200-10"), "{text}");
        let read = BenchReport::from_json(&text).unwrap();
        assert_eq!(read.rows[0].network, "784-100-10");
        assert!(read.augmentations.is_empty());
        assert_eq!(compare_augmentations(&[read]), None);
    }

    #[test]
    fn augmentation_costs_line_up_by_name() {
        let cost = |augmentation: &str, us| AugmentRow {
            augmentation: augmentation.into(),
            us_per_sample: us,
        };
        let mut a = report("A", vec![row(1, "per 4 samples", 10.0)]);
        a.augmentations = vec![cost("none", 1.0), cost("elastic", 25.0)];
        let mut b = report("B", vec![row(1, "per 4 samples", 10.0)]);
        b.augmentations = vec![cost("elastic", 250.0), cost("shift=2", 4.0)];
        let table = compare_augmentations(&[a, b]).unwrap();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| machine | none (µs/sample) | elastic (µs/sample) | shift=2 (µs/sample) |"
        );
        assert_eq!(lines[1], "|---|---:|---:|---:|");
        assert_eq!(lines[2], "| A | 1.00 | 25.0 | – |");
        assert_eq!(lines[3], "| B | – | 250.0 | 4.00 |");
    }

    #[test]
    fn train_step_flops_count_every_layer() {
        // the book's 4·h·i + 6·o·h
        assert_eq!(train_step_flops(&[784, 200, 10]), 639_200.0);
        assert_eq!(
            train_step_flops(&[784, 800, 10]),
            (4 * 800 * 784 + 6 * 10 * 800) as f64
        );
        // 784-500-150-10: layer 1 without errors passed back, the others with
        assert_eq!(
            train_step_flops(&[784, 500, 150, 10]),
            (4 * 500 * 784 + 6 * 150 * 500 + 6 * 10 * 150) as f64
        );
    }

    #[test]
    fn numbers_keep_three_significant_figures() {
        assert_eq!(significant(65.64), "65.6");
        assert_eq!(significant(3.4712), "3.47");
        assert_eq!(significant(0.2144), "0.214");
        assert_eq!(significant(0.01234), "0.0123");
        assert_eq!(significant(1234.56), "1234.6");
        assert_eq!(significant(0.0), "0.000");
    }

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
}
