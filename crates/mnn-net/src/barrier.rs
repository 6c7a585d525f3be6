//! A barrier for a few threads that meet once per training sample, every few
//! microseconds: too often to sleep in the kernel, so the threads spin first.
//!
//! Two things keep it safe to spin. It never burns a core for long: after a
//! short spin a waiting thread yields, and after a longer wait it sleeps in
//! short naps. And it cannot deadlock on a panic: a thread that panics
//! poisons the barrier (through [`PoisonOnPanic`]), and every waiting thread
//! then gets [`Poisoned`] instead of waiting for a partner that will never
//! come.

use crate::clock::Stopwatch;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Spins before a waiting thread starts to yield its core.
const SPINS: u32 = 2_000;
/// Yields before it starts to nap.
const YIELDS: u32 = 2_000;
/// One nap.
const NAP: Duration = Duration::from_micros(50);

/// Another thread panicked; the work is abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poisoned;

/// A reusable barrier for a fixed number of threads.
#[derive(Debug)]
pub struct SpinBarrier {
    threads: usize,
    /// Threads that have arrived in the current round.
    arrived: AtomicUsize,
    /// Rounds completed; a waiting thread watches it change.
    round: AtomicUsize,
    poisoned: AtomicBool,
}

impl SpinBarrier {
    /// A barrier for `threads` threads (at least one).
    pub fn new(threads: usize) -> Self {
        assert!(threads > 0, "a barrier needs at least one thread");
        Self {
            threads,
            arrived: AtomicUsize::new(0),
            round: AtomicUsize::new(0),
            poisoned: AtomicBool::new(false),
        }
    }

    /// The number of threads that meet here.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Waits until all threads have called `wait` in this round. Everything a
    /// thread wrote before its `wait` is visible to all threads after theirs.
    /// Says how long this thread waited: zero for the last to arrive, which
    /// reads no clock (a clock read costs about as much as a sample's
    /// meeting, so only the threads that wait pay for one).
    pub fn wait(&self) -> Result<Duration, Poisoned> {
        let round = self.round.load(Ordering::Acquire);
        // AcqRel: publish this thread's writes; the last one to arrive
        // acquires everybody's through the chain of increments.
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.threads {
            self.arrived.store(0, Ordering::Relaxed);
            // Release: hands all of it on to the threads watching `round`.
            self.round.fetch_add(1, Ordering::Release);
            return self.check().map(|()| Duration::ZERO);
        }
        let arrived = Stopwatch::start();
        let mut waits = 0u32;
        while self.round.load(Ordering::Acquire) == round {
            self.check()?;
            if waits < SPINS {
                std::hint::spin_loop();
            } else if waits < SPINS + YIELDS {
                std::thread::yield_now();
            } else {
                std::thread::sleep(NAP);
            }
            waits = waits.saturating_add(1);
        }
        self.check().map(|()| arrived.elapsed())
    }

    /// Marks the barrier as abandoned: all waits return [`Poisoned`].
    pub fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
    }

    fn check(&self) -> Result<(), Poisoned> {
        if self.poisoned.load(Ordering::Acquire) {
            Err(Poisoned)
        } else {
            Ok(())
        }
    }
}

/// Poisons the barrier if dropped during a panic: hold one in every thread
/// that uses the barrier.
pub struct PoisonOnPanic<'a>(pub &'a SpinBarrier);

impl Drop for PoisonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poison();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn no_thread_passes_before_all_have_arrived() {
        const THREADS: usize = 3;
        const ROUNDS: u64 = 2_000;
        let barrier = SpinBarrier::new(THREADS);
        let counts: Vec<AtomicU64> = (0..THREADS).map(|_| AtomicU64::new(0)).collect();
        std::thread::scope(|s| {
            for me in 0..THREADS {
                let (barrier, counts) = (&barrier, &counts);
                s.spawn(move || {
                    for round in 1..=ROUNDS {
                        counts[me].store(round, Ordering::Relaxed);
                        barrier.wait().unwrap();
                        // Everybody has finished this round's write...
                        for c in counts {
                            assert!(c.load(Ordering::Relaxed) >= round);
                        }
                        barrier.wait().unwrap();
                        // ...and nobody has started the next one before we looked.
                    }
                });
            }
        });
    }

    #[test]
    fn a_panicking_thread_releases_the_others() {
        let barrier = SpinBarrier::new(3);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        let _guard = PoisonOnPanic(&barrier);
                        // Would wait forever for the third thread.
                        assert_eq!(barrier.wait(), Err(Poisoned));
                    });
                }
                s.spawn(|| {
                    let _guard = PoisonOnPanic(&barrier);
                    std::thread::sleep(Duration::from_millis(20));
                    panic!("a worker fails");
                });
            });
        }));
        assert!(result.is_err(), "the panic reaches the caller");
    }

    #[test]
    fn one_thread_never_waits() {
        let barrier = SpinBarrier::new(1);
        for _ in 0..3 {
            assert_eq!(barrier.wait(), Ok(Duration::ZERO));
        }
    }

    #[test]
    fn the_first_to_arrive_waits_for_the_last() {
        let barrier = SpinBarrier::new(2);
        let (early, late) = std::thread::scope(|s| {
            let early = s.spawn(|| barrier.wait());
            std::thread::sleep(Duration::from_millis(30));
            let late = barrier.wait();
            (early.join().unwrap(), late)
        });
        // The early thread may not have arrived yet when the late one does
        // (then the roles swap), but one of them waited and one did not.
        let waits = [early.unwrap(), late.unwrap()];
        assert!(waits.contains(&Duration::ZERO), "{waits:?}");
        assert!(waits.iter().any(|w| *w > Duration::ZERO), "{waits:?}");
    }
}
