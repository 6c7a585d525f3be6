//! The benchmark's report as data: `mnn bench --json` writes one
//! [`BenchReport`] per machine (the table's rows and what identifies the
//! machine), and `mnn bench --compare` reads any number of them back.
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

/// The numbers a report may hold: every time, speed and GFLOP/s is a
/// positive number from 10⁻⁶ to 10¹² (a microsecond per sample ranges over
/// 5 in the reports of docs/bench, from 0.2 for an augmentation to 11,540
/// for an emulated Pi; 10⁻⁶ µs is a femtosecond, 10¹² µs eleven days).
/// Anything else was edited by hand or misread, and is refused naming the
/// field rather than drawn: a chart's logarithmic axis spans at most 18
/// powers of ten.
pub const PLAUSIBLE: std::ops::RangeInclusive<f64> = 1e-6..=1e12;

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
    /// This machine's FMA peak, which the rows' `peak_share` are shares of
    /// (absent in reports written before it was measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak: Option<FmaPeak>,
}

/// The most floating-point operations per second the kernels' instruction
/// set can do here: a register-only loop of fused multiply-adds
/// ([`mnn_matrix::kernels::fma_burst`]), a multiply-add counted as two.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FmaPeak {
    /// Threads of `all_threads_gflops` (the most any row used).
    pub threads: usize,
    pub one_thread_gflops: f64,
    pub all_threads_gflops: f64,
}

impl FmaPeak {
    /// `gflops` as a share of the peak of all the threads (0.5 is half).
    pub fn share(&self, gflops: f64) -> f64 {
        gflops / self.all_threads_gflops
    }
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
    /// `gflops` as a share of the report's `peak` on all threads (0.5 is
    /// half); absent in reports written before the peak was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_share: Option<f64>,
}

/// The cost of one augmentation: microseconds to prepare one training sample
/// with it (read, scale to 0.01..1.00, distort), on one thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentRow {
    /// As `--augment` names it (`none`, `shift=2`, `elastic,sigma=4,alpha=34`).
    pub augmentation: String,
    pub us_per_sample: f64,
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
        // serde quotes a value of the wrong type whole: cut to one short line.
        let json_error = |e: serde_json::Error| not_a_report(mnn_net::shortened(&e.to_string()));
        let version: Version = serde_json::from_str(text).map_err(json_error)?;
        if version.schema != SCHEMA {
            return Err(not_a_report(format!(
                "written in report format {}; this mnn reads format {SCHEMA} \
                 (rerun `mnn bench --json` with it)",
                version.schema
            )));
        }
        let mut report: BenchReport = serde_json::from_str(text).map_err(json_error)?;
        for row in report.rows.iter_mut().filter(|r| r.network.is_empty()) {
            row.network.clone_from(&report.network);
        }
        if report.rows.is_empty() {
            return Err(not_a_report("it has no rows".into()));
        }
        report.check().map_err(not_a_report)?;
        Ok(report)
    }

    /// Every number a table or chart is drawn from is plausible
    /// ([`PLAUSIBLE`]), every count at least 1 and threads at most
    /// [`MAX_THREADS`](crate::MAX_THREADS): else the field at fault and why.
    fn check(&self) -> Result<(), String> {
        let threads = 1..=crate::MAX_THREADS as usize;
        let counts = [
            ("machine.cores", self.machine.cores, 1..=usize::MAX),
            (
                "machine.cores_used",
                self.machine.cores_used,
                threads.clone(),
            ),
            ("samples", self.samples, 1..=usize::MAX),
        ];
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| (format!("rows[{i}].threads"), row.threads, threads.clone()))
            .chain(
                self.peak
                    .map(|peak| ("peak.threads".to_string(), peak.threads, threads.clone())),
            );
        let counts = counts
            .into_iter()
            .map(|(field, n, range)| (field.to_string(), n, range))
            .chain(rows);
        for (field, n, range) in counts {
            if !range.contains(&n) {
                let most = match *range.end() {
                    usize::MAX => String::new(),
                    most => format!(" to {most}"),
                };
                return Err(format!("{field} = {n} is not a count from 1{most}"));
            }
        }
        let numbers = self.rows.iter().enumerate().flat_map(|(i, row)| {
            [
                ("us_per_sample", row.us_per_sample),
                ("samples_per_second", row.samples_per_second),
                ("seconds_per_epoch", row.seconds_per_epoch),
                ("gflops", row.gflops),
                ("query_ms", row.query_ms),
            ]
            .map(|(name, x)| (format!("rows[{i}].{name}"), x))
        });
        let augmentations = self.augmentations.iter().enumerate().map(|(i, row)| {
            (
                format!("augmentations[{i}].us_per_sample"),
                row.us_per_sample,
            )
        });
        let shares = self.rows.iter().enumerate().filter_map(|(i, row)| {
            row.peak_share
                .map(|share| (format!("rows[{i}].peak_share"), share))
        });
        let peak = self.peak.iter().flat_map(|peak| {
            [
                ("peak.one_thread_gflops", peak.one_thread_gflops),
                ("peak.all_threads_gflops", peak.all_threads_gflops),
            ]
            .map(|(field, x)| (field.to_string(), x))
        });
        for (field, x) in numbers.chain(augmentations).chain(shares).chain(peak) {
            if !PLAUSIBLE.contains(&x) {
                return Err(format!(
                    "{field} = {x:e} is not a plausible measurement (a number from {:e} to {:e})",
                    PLAUSIBLE.start(),
                    PLAUSIBLE.end()
                ));
            }
        }
        Ok(())
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
            peak_share: None,
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
            peak: None,
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
        assert!(err(&negative.to_json()).contains("rows[0].us_per_sample = -1e0"));
    }

    #[test]
    fn every_number_outside_the_plausible_range_is_refused_naming_its_field() {
        let good = report(
            "X",
            vec![row(1, "per 4 samples", 10.0), row(2, "per 4 samples", 6.0)],
        );
        let bad_numbers = [1.7e308, 5e-324, 0.0, -1.0, 1e13, 1e-7];
        let fields = [
            "us_per_sample",
            "samples_per_second",
            "seconds_per_epoch",
            "gflops",
            "query_ms",
        ];
        for field in fields {
            for x in bad_numbers {
                let mut text: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
                text["rows"][1][field] = serde_json::json!(x);
                let err = BenchReport::from_json(&text.to_string())
                    .unwrap_err()
                    .to_string();
                assert!(
                    err.contains(&format!("rows[1].{field} = {x:e} ")),
                    "{field} {x}: {err}"
                );
                assert!(err.len() < 200, "{err}");
            }
        }
        // a value of the wrong type is quoted cut short
        let long = good.to_json().replace(
            "\"threads\": 2",
            &format!("\"threads\": \"{}\"", "x".repeat(10_000)),
        );
        let err = BenchReport::from_json(&long).unwrap_err().to_string();
        assert!(err.len() < 300 && err.contains("bytes in all"), "{err}");
        // NaN and infinity are not JSON numbers: serde refuses them as text.
        let text = good
            .to_json()
            .replace("\"gflops\": ", "\"gflops\": 1e999, \"x\": ");
        assert!(BenchReport::from_json(&text).is_err());
        let mut augmented = good.clone();
        augmented.augmentations = vec![AugmentRow {
            augmentation: "none".into(),
            us_per_sample: 1e300,
        }];
        let err = BenchReport::from_json(&augmented.to_json())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("augmentations[0].us_per_sample = 1e300"),
            "{err}"
        );
        for (edit, field) in [
            ("\"threads\": 2", "rows[1].threads = 0"),
            ("\"cores_used\": 4", "machine.cores_used = 0"),
            ("\"samples\": 2000", "samples = 0"),
        ] {
            let text = good.to_json().replace(
                edit,
                &edit.replace(char::is_numeric, "").replace(": ", ": 0"),
            );
            let err = BenchReport::from_json(&text).unwrap_err().to_string();
            assert!(err.contains(field), "{edit}: {err}");
        }
        let many = good
            .to_json()
            .replace("\"threads\": 2", "\"threads\": 100000");
        assert!(
            BenchReport::from_json(&many)
                .unwrap_err()
                .to_string()
                .contains("rows[1].threads = 100000 is not a count from 1 to 256")
        );
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
        assert_eq!(read.peak, None);
    }

    #[test]
    fn the_peak_and_the_rows_shares_of_it_read_back_and_are_checked() {
        let mut with_peak = report("X", vec![row(2, "per 4 samples", 5.0)]);
        let peak = FmaPeak {
            threads: 2,
            one_thread_gflops: 130.0,
            all_threads_gflops: 260.0,
        };
        with_peak.peak = Some(peak);
        with_peak.rows[0].peak_share = Some(peak.share(with_peak.rows[0].gflops));
        let read = BenchReport::from_json(&with_peak.to_json()).unwrap();
        assert_eq!(read, with_peak);
        assert!((read.rows[0].peak_share.unwrap() - 127.84 / 260.0).abs() < 1e-9);
        let mut bad = with_peak.clone();
        bad.peak.as_mut().unwrap().all_threads_gflops = 0.0;
        let err = BenchReport::from_json(&bad.to_json())
            .unwrap_err()
            .to_string();
        assert!(err.contains("peak.all_threads_gflops = 0e0"), "{err}");
        let mut bad = with_peak;
        bad.rows[0].peak_share = Some(-0.5);
        let err = BenchReport::from_json(&bad.to_json())
            .unwrap_err()
            .to_string();
        assert!(err.contains("rows[0].peak_share = -5e-1"), "{err}");
    }

    #[test]
    fn the_reports_in_docs_bench_read() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/bench");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).unwrap();
                let report = BenchReport::from_json(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(report.matching_row(&report.rows[0]).is_some());
                read += 1;
            }
        }
        assert!(read >= 4, "{read} reports in {dir}");
    }

    #[test]
    fn rows_match_rows_of_the_same_network_sweep_and_threads() {
        let first = report(
            "A",
            vec![
                row(1, "per 4 samples", 10.0),
                row(2, "per 4 samples", 6.0),
                row(4, "per 4 samples", 5.0),
            ],
        );
        assert_eq!(
            first.matching_row(&row(1, "per 4 samples", 1.0)),
            Some(&first.rows[0])
        );
        // several threads: the first report's row with the most
        assert_eq!(
            first.matching_row(&row(8, "per 4 samples", 1.0)),
            Some(&first.rows[2])
        );
        assert_eq!(
            first.matching_row(&row(1, "per sample (book order)", 1.0)),
            None
        );
        let mut other_net = row(1, "per 4 samples", 1.0);
        other_net.network = "784-100-10".into();
        assert_eq!(first.matching_row(&other_net), None);
    }

    #[test]
    fn machines_are_named_by_label_board_and_cpu() {
        let mut machine = report("Cortex-A72", vec![]).machine;
        assert_eq!(machine.name(), "Cortex-A72");
        machine.device_model = Some("Raspberry Pi 4 Model B".into());
        machine.emulated = true;
        assert_eq!(
            machine.name(),
            "Raspberry Pi 4 Model B (Cortex-A72) (emulated)"
        );
        machine.label = Some("my Pi".into());
        assert_eq!(machine.name(), "my Pi (emulated)");
    }
}
