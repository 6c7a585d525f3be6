//! End-to-end: `mnn bench` prints a markdown table with one row per thread
//! count and sweep, and numbers that agree with each other.

use std::process::Command;

#[test]
fn bench_prints_a_consistent_markdown_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args(["bench", "--synthetic", "--samples", "100", "--threads", "1"])
        .output()
        .expect("mnn runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .collect();
    let (training, augmentations): (Vec<&str>, Vec<&str>) =
        lines.iter().partition(|l| cells(l).len() == 11);
    let rows: Vec<Vec<String>> = training.iter().map(|l| cells(l)).collect();
    assert_eq!(rows[0][2], "network", "{text}");
    assert_eq!(rows[0][3], "threads", "{text}");
    assert_eq!(rows[0][5], "µs/sample", "{text}");
    // --threads 1: the book's network with two sweeps, and the two deep
    // networks one sample per update and in batches
    assert_eq!(rows.len(), 7, "{text}");
    let networks: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        networks,
        [
            "784-200-10",
            "784-200-10",
            "784-800-10",
            "784-800-10",
            "784-500-150-10",
            "784-500-150-10"
        ]
    );
    assert!(rows[4][4].starts_with("batches of 64"), "{text}");
    let flops = [639.2, 639.2, 2556.8, 2556.8, 2027.0, 2027.0];
    for (row, step_flops) in rows[1..].iter().zip(flops) {
        assert_eq!(row[3], "1");
        let number =
            |i: usize| -> f64 { row[i].parse().unwrap_or_else(|_| panic!("{row:?}[{i}]")) };
        let (micros, per_second, epoch, gflops) = (number(5), number(6), number(7), number(8));
        assert!(micros > 0.0 && number(10) > 0.0, "{row:?}");
        // the share of the FMA peak, in per cent
        let share: f64 = row[9].trim_end_matches(" %").parse().unwrap();
        assert!(share > 0.0, "{row:?}");
        // samples/s, s/epoch and GFLOP/s all follow from µs/sample (to rounding)
        assert!((per_second * micros / 1e6 - 1.0).abs() < 0.06, "{row:?}");
        assert!((epoch / (micros * 0.06) - 1.0).abs() < 0.06, "{row:?}");
        assert!((gflops * micros / step_flops - 1.0).abs() < 0.06, "{row:?}");
    }
    assert!(
        rows[1][4].contains("4 samples") && rows[2][4].contains("per sample"),
        "{text}"
    );
    // the peak the shares are of, measured on the one thread asked for
    let peak = text
        .lines()
        .find(|l| l.starts_with("FMA peak ("))
        .unwrap_or_else(|| panic!("no peak in {text}"));
    assert!(
        peak.contains("on 1 thread") && peak.ends_with(" on 1"),
        "{peak}"
    );
    // the augmentations' costs: a header and one row each, none first
    let names: Vec<String> = augmentations[1..]
        .iter()
        .map(|l| cells(l)[0].clone())
        .collect();
    // and the recipes' own distortions (mnist-99's and simard's)
    assert_eq!(
        names,
        [
            "none",
            "shift=2",
            "rotate=10",
            "scale=0.1",
            "elastic",
            "rotate=7.5,scale=0.15,elastic,sigma=6,alpha=36"
        ],
        "{text}"
    );
    for line in &augmentations[1..] {
        let row = cells(line);
        assert!(row[1].parse::<f64>().unwrap() > 0.0, "{line}");
    }
}

/// Runs `mnn args` and returns (success, stdout, stderr).
fn mnn(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args(args)
        .output()
        .expect("mnn runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bench_json_reports_compare_into_one_table_and_a_chart() {
    let dir = tempfile::tempdir().unwrap();
    let bench = ["bench", "--synthetic", "--samples", "100", "--threads", "1"];
    let (ok, json, err) = mnn(&[&bench[..], &["--json", "--label", "first"]].concat());
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("--json prints JSON alone");
    let machine = &report["machine"];
    assert_eq!(machine["label"], "first");
    assert_eq!(machine["arch"], std::env::consts::ARCH);
    assert_eq!(machine["cores_used"], 1);
    for key in ["cpu", "simd", "os", "mnn_version", "commit", "date"] {
        assert!(
            machine[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {machine}"
        );
    }
    // the book's network with two sweeps and the two deep networks one
    // sample per update and in batches, on one thread; and the FMA peak
    assert_eq!(report["rows"].as_array().unwrap().len(), 6, "{report}");
    assert_eq!(report["rows"][5]["network"], "784-500-150-10", "{report}");
    assert!(report["peak"]["one_thread_gflops"].as_f64().unwrap() > 0.0);
    assert!(report["rows"][0]["peak_share"].as_f64().unwrap() > 0.0);
    assert_eq!(report["augmentations"][4]["augmentation"], "elastic");
    let first = dir.path().join("first.json");
    std::fs::write(&first, &json).unwrap();
    let second = dir.path().join("second.json");
    std::fs::write(&second, json.replace("\"first\"", "\"second\"")).unwrap();

    let svg = dir.path().join("compare.svg");
    let (ok, table, err) = mnn(&[
        "bench",
        "--compare",
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        "--chart",
        svg.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("| first") || l.starts_with("| second"))
        .filter(|l| l.contains('×'))
        .collect();
    assert_eq!(rows.len(), 12, "{table}");
    // the same report twice: every row as fast as the first's
    assert!(rows.iter().all(|r| r.ends_with("| 1.00× |")), "{table}");
    // and the augmentations' costs, one row per machine
    assert!(
        table.contains("| machine | none (µs/sample) | shift=2 (µs/sample) |"),
        "{table}"
    );
    assert!(std::fs::read_to_string(&svg).unwrap().contains("second"));
    assert!(svg.with_extension("png").exists());

    // a file that is not a report: named, with the reason, and exit 1
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schema\": 1}").unwrap();
    let (ok, _, err) = mnn(&[
        "bench",
        "--compare",
        first.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("bad.json") && err.contains("not a report"),
        "{err}"
    );
}
