//! The markdown of one machine's run, as `mnn bench` prints it to paste
//! into an issue or into docs/benchmarks.md, and the number format every
//! bench table and chart shares.

use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_train::bench::{
    BATCH_SWEEP, BenchReport, DEEP_BATCH, DEEP_HIDDEN, DEEP_SWEEP, EMULATED_SAMPLES, EPOCH,
    QUERIES, deep_architecture, network_name, train_step_flops,
};

/// The lines of one machine's tables. `default_samples`: the sample count
/// was not given (so say why it is smaller under an emulator).
pub fn machine_table(report: &BenchReport, default_samples: bool) -> Vec<String> {
    let mut lines = vec![format!(
        "mnn bench: one sample per update, {} samples of {} per row, \
         µs/sample scaled to a {EPOCH}-sample epoch; query: {} images, scaled to {QUERIES}",
        report.samples,
        report.data,
        report.samples.min(QUERIES)
    )];
    let machine = &report.machine;
    if machine.emulated && default_samples {
        lines.push(format!(
            "(emulated: {EMULATED_SAMPLES} samples per row instead of {EPOCH}, to keep it quick; --samples N to change)"
        ));
    }
    if let Some(peak) = &report.peak {
        lines.push(format!(
            "FMA peak ({}, a register-only loop of fused multiply-adds): {} GFLOP/s on 1 thread, {} on {}",
            machine.simd,
            significant(peak.one_thread_gflops),
            significant(peak.all_threads_gflops),
            peak.threads
        ));
    }
    lines.push(String::new());
    lines.push(
        "| CPU | SIMD | network | threads | sweep over W_1 | µs/sample | samples/s | s/epoch (60,000) | GFLOP/s | % of peak | query 10,000 (ms) |"
            .into(),
    );
    lines.push("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|".into());
    for row in &report.rows {
        let share = row
            .peak_share
            .map_or_else(|| "–".to_string(), |s| format!("{:.0} %", s * 100.0));
        lines.push(format!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.0} | {:.2} | {} | {share} | {:.1} |",
            machine.cpu,
            machine.simd,
            row.network,
            row.threads,
            row.sweep,
            row.us_per_sample,
            row.samples_per_second,
            row.seconds_per_epoch,
            significant(row.gflops),
            row.query_ms,
        ));
    }
    lines.push(String::new());
    let book = [IMAGE_PIXELS, 200, DIGITS];
    lines.push(format!(
        "GFLOP/s counts a multiply-add as two: per layer, the forward product and the update, and for every \
         layer above the first the errors passed back (4·h·i + 6·o·h = {:.3} MFLOP per step for {}); \
         % of peak is a share of the FMA peak of all the threads.",
        train_step_flops(&book) / 1e6,
        network_name(&book)
    ));
    if report.rows.iter().any(|r| r.sweep == DEEP_SWEEP) {
        lines.push(format!(
            "{} and {}: ReLU hidden layers, softmax with cross-entropy, biases (the 99% recipe's kind), \
             mnn-net's engine for any depth; \"{BATCH_SWEEP}\": mini-batches (`mnn train --batch {DEEP_BATCH}`, \
             beyond the book), each sample counted as one train step.",
            network_name(&deep_architecture(DEEP_HIDDEN[0]).layer_sizes),
            network_name(&deep_architecture(DEEP_HIDDEN[1]).layer_sizes)
        ));
    }
    if let Some(none) = report.augmentations.first() {
        lines.push(String::new());
        lines.push(
            "| augmentation (--augment) | µs per training sample (read, scale, distort; 1 thread) | cost of the distortion |"
                .into(),
        );
        lines.push("|---|---:|---:|".into());
        for row in &report.augmentations {
            lines.push(format!(
                "| {} | {} | {} |",
                row.augmentation,
                significant(row.us_per_sample),
                significant((row.us_per_sample - none.us_per_sample).max(0.0))
            ));
        }
    }
    if machine.emulated {
        lines.push(String::new());
        lines.push(format!(
            "Emulated ({} code under qemu-user on this machine's CPU): these times compare builds, not machines.",
            machine.arch
        ));
    }
    lines
}

/// A table cell: `|` would end the cell, so it is escaped.
pub fn cell(text: &str) -> String {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use mnn_train::bench::{AugmentRow, BenchRow, Machine, SCHEMA};

    pub(crate) fn row(threads: usize, sweep: &str, us: f64) -> BenchRow {
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

    pub(crate) fn report(cpu: &str, rows: Vec<BenchRow>) -> BenchReport {
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
    fn numbers_keep_three_significant_figures() {
        assert_eq!(significant(65.64), "65.6");
        assert_eq!(significant(3.4712), "3.47");
        assert_eq!(significant(0.2144), "0.214");
        assert_eq!(significant(0.01234), "0.0123");
        assert_eq!(significant(1234.56), "1234.6");
        assert_eq!(significant(0.0), "0.000");
    }

    #[test]
    fn one_machines_table_has_a_row_per_timing_and_notes_below() {
        let mut report = report("Desktop", vec![row(1, "per 4 samples", 10.0)]);
        report.augmentations = vec![
            AugmentRow {
                augmentation: "none".into(),
                us_per_sample: 0.25,
            },
            AugmentRow {
                augmentation: "elastic".into(),
                us_per_sample: 78.2,
            },
        ];
        let lines = machine_table(&report, true);
        assert_eq!(
            lines[4],
            "| Desktop | neon | 784-200-10 | 1 | per 4 samples | 10.0 | 100000 | 0.60 | 63.9 | – | 50.0 |"
        );
        assert!(
            lines[6].contains("= 0.639 MFLOP per step for 784-200-10)"),
            "{}",
            lines[6]
        );
        report.peak = Some(mnn_train::bench::FmaPeak {
            threads: 4,
            one_thread_gflops: 31.96,
            all_threads_gflops: 127.84,
        });
        report.rows[0].peak_share = Some(0.5);
        let with_peak = machine_table(&report, true);
        assert_eq!(
            with_peak[1],
            "FMA peak (neon, a register-only loop of fused multiply-adds): 32.0 GFLOP/s on 1 thread, 127.8 on 4"
        );
        assert!(
            with_peak[5].ends_with("| 63.9 | 50 % | 50.0 |"),
            "{}",
            with_peak[5]
        );
        assert_eq!(lines[lines.len() - 1], "| elastic | 78.2 | 78.0 |");
        report.machine.emulated = true;
        let lines = machine_table(&report, true);
        assert!(
            lines[1].starts_with("(emulated: 500 samples per row"),
            "{}",
            lines[1]
        );
        assert!(lines[lines.len() - 1].starts_with("Emulated (aarch64 code"));
    }

    #[test]
    fn cells_escape_the_column_bar() {
        assert_eq!(cell("a|b"), "a\\|b");
    }
}
