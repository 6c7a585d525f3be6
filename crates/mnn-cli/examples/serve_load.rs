//! A bounded load run of `mnn serve`: starts the server, sends CLIENTS × QUERIES
//! queries from as many threads (each a drawing as the page sends it, 140×140
//! greys as JSON), checks every one was answered, and prints the latency
//! percentiles and the server's memory before and after. It stops by itself.
//!
//! ```text
//! cargo build --release -p mnn-cli
//! cargo run --release -p mnn-cli --example serve_load -- target/release/mnn model.safetensors [CLIENTS] [QUERIES]
//! ```
//!
//! Latency is measured by the client, request sent to reply read, over
//! keep-alive connections to 127.0.0.1. Memory is the server's resident set
//! (VmRSS in /proc, so Linux only): at start, after a first (warm-up) round
//! of the same clients and queries, and after the measured round.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The side of the drawings sent, as the page sends them.
const SIDE: usize = 140;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: serve_load MNN_BINARY MODEL [CLIENTS (8)] [QUERIES PER CLIENT (500)]");
        std::process::exit(2);
    }
    let number = |i: usize, default: usize| {
        args.get(i).map_or(default, |a| {
            a.parse()
                .unwrap_or_else(|_| panic!("{a:?} is not a number"))
        })
    };
    let (clients, queries) = (number(2, 8), number(3, 500));

    let mut server = Command::new(&args[0])
        .args(["serve", "--port", "0", "--model", &args[1]])
        .stdout(Stdio::piped())
        .spawn()
        .expect("mnn serve starts");
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "mnn serve ended");
        if let Some(at) = line.find("http://") {
            let address = line[at..].split_whitespace().next().unwrap();
            break format!("{}api/query", address);
        }
    };
    let pid = server.id();
    let at_start = resident_kib(pid);

    let body = drawing();
    let round = |per_client: usize| -> Vec<Duration> {
        let mut latencies: Vec<Duration> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..clients)
                .map(|_| {
                    s.spawn(|| {
                        let agent = ureq::Agent::new_with_defaults();
                        (0..per_client)
                            .map(|_| {
                                let started = Instant::now();
                                let mut reply = agent
                                    .post(&url)
                                    .header("Content-Type", "application/json")
                                    .send(&body[..])
                                    .expect("an answer");
                                let text = reply.body_mut().read_to_string().unwrap();
                                let took = started.elapsed();
                                assert!(text.contains("\"label\""), "{text}");
                                took
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        latencies.sort();
        latencies
    };

    // A first round the same as the measured one, so the server has made
    // the threads and buffers it needs for this load.
    round(queries);
    let warmed_up = resident_kib(pid);
    let started = Instant::now();
    let latencies = round(queries);
    let seconds = started.elapsed().as_secs_f64();
    let after = resident_kib(pid);

    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let status = server.wait().unwrap();

    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!(
        "{} clients × {queries} queries of a {SIDE}×{SIDE} drawing: {} answered in {seconds:.2} s ({:.0} queries/s)",
        clients,
        latencies.len(),
        latencies.len() as f64 / seconds
    );
    println!(
        "latency ms: p50 {:.2} · p90 {:.2} · p99 {:.2} · max {:.2}",
        percentile(0.50),
        percentile(0.90),
        percentile(0.99),
        percentile(1.0)
    );
    println!(
        "server memory (VmRSS): {} at start, {} after a warm-up round of {clients} × {queries}, {} after the measured round ({:+.1}%)",
        mib(at_start),
        mib(warmed_up),
        mib(after),
        (after as f64 / warmed_up as f64 - 1.0) * 100.0
    );
    println!("server stopped on Ctrl-C: {status}");
}

/// A "7" drawn on a white sheet, as the page sends it.
fn drawing() -> Vec<u8> {
    let mut pixels = vec![255u8; SIDE * SIDE];
    let mut ink = |x: usize, y: usize| {
        for dy in 0..8 {
            for dx in 0..8 {
                pixels[(y + dy).min(SIDE - 1) * SIDE + (x + dx).min(SIDE - 1)] = 10;
            }
        }
    };
    for x in 35..100 {
        ink(x, 25);
    }
    for y in 25..115 {
        ink(100 - (y - 25) * 45 / 90, y);
    }
    let pixels: Vec<String> = pixels.iter().map(u8::to_string).collect();
    format!(
        "{{\"width\":{SIDE},\"height\":{SIDE},\"pixels\":[{}]}}",
        pixels.join(",")
    )
    .into_bytes()
}

/// The resident memory of process `pid`, in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
