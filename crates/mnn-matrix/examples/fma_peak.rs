//! How many f32 multiply-adds per second this machine's cores can do at most:
//! the peak that `mnn bench`'s GFLOP/s are compared with.
//!
//! ```sh
//! cargo run --release -p mnn-matrix --example fma_peak
//! ```
//!
//! Each thread runs chains of 8-wide AVX2 FMAs on ten independent registers
//! (enough to hide the FMA latency on two FMA units), on no memory at all, and
//! counts a multiply-add as two flops, as `mnn bench` does. The clock a virtual
//! machine reports (`/proc/cpuinfo`) need not be the one it runs at; this
//! measures the real one. On other machines it says so and stops.

use std::time::Instant;

/// 8-wide multiply-adds per thread: about a second at 4 GHz.
const ROUNDS: u64 = 8_000_000_000;
/// Independent accumulators, each 8 lanes.
const CHAINS: u64 = 10;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fma_chains(rounds: u64) -> f32 {
    use std::arch::x86_64::*;
    let a = _mm256_set1_ps(std::hint::black_box(0.999_999));
    let b = _mm256_set1_ps(std::hint::black_box(1e-7));
    // Different starting values, so that the compiler cannot merge the chains.
    let mut acc: [__m256; CHAINS as usize] =
        std::array::from_fn(|i| _mm256_set1_ps(std::hint::black_box(1.0 + i as f32)));
    for _ in 0..rounds / CHAINS {
        for x in &mut acc {
            *x = _mm256_fmadd_ps(*x, a, b);
        }
    }
    // Every chain goes into the result, so that none can be left out.
    let total = acc
        .into_iter()
        .fold(_mm256_setzero_ps(), |sum, x| _mm256_add_ps(sum, x));
    let mut lanes = [0.0f32; 8];
    // SAFETY: `lanes` holds the 8 floats the store writes.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), total) };
    lanes.iter().sum()
}

#[cfg(target_arch = "x86_64")]
fn main() {
    if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
        println!("fma_peak: this CPU has no AVX2+FMA");
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    for threads in [1, cores] {
        let start = Instant::now();
        let sums: Vec<f32> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    // SAFETY: AVX2 and FMA were detected above.
                    s.spawn(|| unsafe { fma_chains(ROUNDS) })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let seconds = start.elapsed().as_secs_f64();
        // 8 lanes, 2 flops per multiply-add.
        let flops = (ROUNDS / CHAINS * CHAINS) as f64 * 8.0 * 2.0 * threads as f64;
        println!(
            "{threads} thread(s): {:.1} GFLOP/s ({:.1} per thread; checksum {:.3})",
            flops / seconds / 1e9,
            flops / seconds / 1e9 / threads as f64,
            sums.iter().sum::<f32>()
        );
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("fma_peak: written for x86-64 (AVX2+FMA) only");
}
