//! The machine's FMA peak: how many floating-point operations per second
//! the kernels' instruction set can do at most, on one thread and on every
//! thread of a row, timed with mnn-matrix's register-only loop
//! ([`mnn_matrix::kernels::fma_burst`]). Each training row's GFLOP/s is then
//! given as a share of the peak of all the threads.

use super::report::FmaPeak;
use mnn_matrix::kernels::fma_burst;
use std::hint::black_box;
use std::time::Instant;

/// Seconds one timed burst lasts, about: short, so that on a shared machine
/// some burst runs undisturbed, and long enough to dwarf starting threads.
const BURST_SECONDS: f64 = 0.1;
/// Bursts timed per thread count; the fastest is kept.
const BURSTS: usize = 3;

/// The peak on one thread and on `threads` threads at once.
pub fn measure_peak(threads: usize) -> FmaPeak {
    let rounds = calibrate();
    let one_thread = best_gflops(1, rounds);
    let all_threads = if threads > 1 {
        best_gflops(threads, rounds)
    } else {
        one_thread
    };
    FmaPeak {
        threads,
        one_thread_gflops: one_thread,
        all_threads_gflops: all_threads,
    }
}

/// Rounds of a burst that lasts about [`BURST_SECONDS`] on one thread.
fn calibrate() -> u64 {
    let mut rounds = 1u64 << 16;
    loop {
        let started = Instant::now();
        black_box(fma_burst(rounds));
        let seconds = started.elapsed().as_secs_f64();
        if seconds >= BURST_SECONDS / 4.0 || rounds >= 1 << 40 {
            let scaled = rounds as f64 * BURST_SECONDS / seconds.max(1e-9);
            return (scaled as u64).max(1);
        }
        rounds *= 4;
    }
}

/// GFLOP/s of `threads` threads each running a burst of `rounds` rounds at
/// once, the best of [`BURSTS`] times.
fn best_gflops(threads: usize, rounds: u64) -> f64 {
    (0..BURSTS)
        .map(|_| {
            let started = Instant::now();
            let flops: f64 = std::thread::scope(|scope| {
                let others: Vec<_> = (1..threads)
                    .map(|_| scope.spawn(move || black_box(fma_burst(rounds))))
                    .collect();
                let mine = black_box(fma_burst(rounds));
                mine.flops
                    + others
                        .into_iter()
                        .map(|h| h.join().expect("an FMA burst cannot panic").flops)
                        .sum::<f64>()
            });
            flops / started.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_a_positive_speed_and_a_row_at_it_is_all_of_it() {
        let rounds = 1 << 14;
        let one = best_gflops(1, rounds);
        let two = best_gflops(2, rounds);
        assert!(one.is_finite() && one > 0.0, "{one}");
        assert!(two.is_finite() && two > 0.0, "{two}");
        let peak = FmaPeak {
            threads: 2,
            one_thread_gflops: one,
            all_threads_gflops: two,
        };
        assert!((peak.share(two) - 1.0).abs() < 1e-12);
    }
}
