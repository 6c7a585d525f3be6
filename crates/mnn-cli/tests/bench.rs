//! End-to-end: `mnn bench` prints a markdown table with one row per thread
//! count and sweep, and numbers that agree with each other.

use std::process::Command;

#[test]
fn bench_prints_a_consistent_markdown_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args([
            "bench",
            "--synthetic",
            "--samples",
            "1000",
            "--threads",
            "1",
        ])
        .output()
        .expect("mnn runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows[0][2], "threads", "{text}");
    assert_eq!(rows[0][4], "µs/sample", "{text}");
    // --threads 1: one thread count, two sweeps
    assert_eq!(rows.len(), 3, "{text}");
    for row in &rows[1..] {
        assert_eq!(row.len(), 9, "{row:?}");
        assert_eq!(row[2], "1");
        let number =
            |i: usize| -> f64 { row[i].parse().unwrap_or_else(|_| panic!("{row:?}[{i}]")) };
        let (micros, per_second, epoch, gflops) = (number(4), number(5), number(6), number(7));
        assert!(micros > 0.0 && number(8) > 0.0, "{row:?}");
        // samples/s, s/epoch and GFLOP/s all follow from µs/sample (to rounding)
        assert!((per_second * micros / 1e6 - 1.0).abs() < 0.06, "{row:?}");
        assert!((epoch / (micros * 0.06) - 1.0).abs() < 0.06, "{row:?}");
        assert!((gflops * micros / 639.2 - 1.0).abs() < 0.06, "{row:?}");
    }
    assert!(
        rows[1][3].contains("4 samples") && rows[2][3].contains("per sample"),
        "{text}"
    );
}
