//! How many threads train and test one network: a value handed to every
//! training and test, never a setting hidden in a global.

use mnn_net::EpochReport;
use std::time::Duration;

/// The most threads one network trains on (`--threads`): more than the
/// cores of any machine mnn runs on. Each thread takes a share of the hidden
/// nodes and meets the others after every sample, so threads beyond the
/// cores only wait (1,000 made a 0.4 s run take 30 s), and thousands cannot
/// all be started.
pub const MAX_THREADS: u32 = 256;

/// Epochs shorter than this say nothing about the machine: starting the
/// threads is most of their time, and nothing is to be won.
const TOO_SHORT_TO_TELL: Duration = Duration::from_millis(200);

/// The threads for one network's training and tests: one per core unless a
/// number was given (`--threads`). One per core may become one thread after
/// an epoch in which they mostly waited for each other ([`after_epoch`]);
/// a given number never changes.
///
/// [`after_epoch`]: Threads::after_epoch
///
/// ```
/// use mnn_train::Threads;
///
/// assert_eq!(Threads::per_core().count(), 0); // 0: one per core, as mnn_net::TrainOptions takes it
/// assert_eq!(Threads::given(3).count(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    /// Threads to run on; 0 means one per core.
    count: usize,
    /// `true` if the count was asked for, so it stays.
    given: bool,
}

impl Default for Threads {
    fn default() -> Self {
        Self::per_core()
    }
}

impl Threads {
    /// One thread per core, and one thread after an epoch that shows it is
    /// faster.
    pub const fn per_core() -> Self {
        Self {
            count: 0,
            given: false,
        }
    }

    /// Exactly `count` threads (at least one, at most [`MAX_THREADS`]),
    /// whatever happens.
    pub fn given(count: usize) -> Self {
        Self {
            count: count.clamp(1, MAX_THREADS as usize),
            given: true,
        }
    }

    /// `--threads N` if it was given, else one per core.
    pub fn from_option(count: Option<usize>) -> Self {
        count.map_or(Self::per_core(), Self::given)
    }

    /// The thread count for [`mnn_net::TrainOptions::threads`] (0 = one per
    /// core).
    pub fn count(self) -> usize {
        self.count
    }

    /// The threads for the next epoch, after one that took `took` and went
    /// as `report` says: one thread if that epoch's threads spent so long
    /// waiting for each other that one would have been faster (other
    /// programs are using the cores) and no count was given; else these.
    /// The weights are the same on any number of threads.
    pub fn after_epoch(self, report: &EpochReport, took: Duration) -> Threads {
        if !self.given && took >= TOO_SHORT_TO_TELL && report.one_thread_would_be_faster() {
            Threads {
                count: 1,
                given: false,
            }
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_after_a_long_epoch_of_waiting_unless_threads_were_given() {
        let waited = EpochReport {
            threads: 2,
            waiting: 0.9,
            ..EpochReport::default()
        };
        let worked = EpochReport {
            threads: 2,
            waiting: 0.2,
            ..EpochReport::default()
        };
        let long = Duration::from_secs(1);
        let per_core = Threads::per_core();
        assert_eq!(per_core.after_epoch(&waited, long).count(), 1);
        assert_eq!(per_core.after_epoch(&worked, long), per_core);
        let short = Duration::from_millis(20);
        assert_eq!(per_core.after_epoch(&waited, short), per_core, "too short");
        let two = Threads::given(2);
        assert_eq!(two.after_epoch(&waited, long), two, "--threads 2 stays");
    }

    #[test]
    fn a_given_count_is_at_least_one() {
        assert_eq!(Threads::given(0).count(), 1);
        assert_eq!(Threads::from_option(None), Threads::per_core());
        assert_eq!(Threads::from_option(Some(4)).count(), 4);
    }
}
