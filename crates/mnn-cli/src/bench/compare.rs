//! `mnn bench --compare`: reports of `mnn bench --json` merged into one
//! markdown table (each row's speed relative to the first report's), a table
//! of the augmentations' costs, the machines' identities, and the chart.

use super::table::{cell, significant};
use crate::chart::{self, bench::BenchChart};
use crate::files;
use crate::report::outln;
use anyhow::{Context, Result};
use mnn_train::bench::BenchReport;
use std::path::{Path, PathBuf};

/// Reads the reports, prints the tables and writes the chart to `svg_path`
/// and a PNG beside it.
pub fn compare(files: &[PathBuf], svg_path: &Path) -> Result<()> {
    let png_path = svg_path.with_extension("png");
    if svg_path == png_path {
        return Err(crate::UsageError(format!(
            "--chart {}: give the SVG file's name (the PNG goes beside it)",
            svg_path.display()
        ))
        .into());
    }
    files::check_writable(svg_path)?;
    let reports = files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            BenchReport::from_json(&text).with_context(|| path.display().to_string())
        })
        .collect::<Result<Vec<_>>>()?;
    outln!(
        "mnn bench --compare: {} reports, training speed relative to the first ({})",
        reports.len(),
        reports[0].machine.name()
    );
    outln!("");
    outln!("{}", compare_table(&reports));
    outln!("");
    for line in compare_sources(&reports) {
        outln!("{line}");
    }
    if let Some(table) = compare_augmentations(&reports) {
        outln!("");
        outln!(
            "What preparing one training sample costs with each augmentation (read, scale, distort; 1 thread):"
        );
        outln!("");
        outln!("{table}");
    }
    let chart = BenchChart::new(&reports);
    chart::write_svg(svg_path, &chart)?;
    chart::write_png(&png_path, &chart)?;
    outln!("");
    outln!("chart: {} and {}", svg_path.display(), png_path.display());
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::table::tests::{report, row};
    use mnn_train::bench::AugmentRow;

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
    fn reports_without_augmentations_have_no_augmentation_table() {
        let old = report("Old", vec![row(1, "per 4 samples", 10.0)]);
        assert_eq!(compare_augmentations(&[old]), None);
    }
}
