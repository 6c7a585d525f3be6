//! Time taken, where the platform has a clock to read.
//!
//! `std::time::Instant::now` panics in WebAssembly without an operating
//! system (`wasm32-unknown-unknown`, the browser build), so the engine and the
//! runs above it measure through [`Stopwatch`], which reads zero there: a
//! browser tab times its work in JavaScript (`performance.now()`).

use std::time::Duration;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use std::time::Instant;

/// Started at a moment; says how long ago that was.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    started: Instant,
}

impl Stopwatch {
    /// Starts now.
    pub fn start() -> Stopwatch {
        Stopwatch {
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            started: Instant::now(),
        }
    }

    /// Time since [`start`](Self::start) (zero where there is no clock).
    pub fn elapsed(&self) -> Duration {
        #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
        return self.started.elapsed();
        #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopwatch_measures_time_passing() {
        let watch = Stopwatch::start();
        std::thread::sleep(Duration::from_millis(5));
        assert!(watch.elapsed() >= Duration::from_millis(5));
    }
}
