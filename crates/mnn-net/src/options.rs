//! How the training engine runs ([`TrainOptions`], [`Sweep`]) and how an
//! epoch went on its threads ([`EpochReport`]).

use mnn_matrix::kernels::WINDOW;

/// How an epoch went on its threads, as
/// [`train_epoch`](crate::NeuralNetwork::train_epoch) reports it. The weights do not depend on it: they are the same on any
/// number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EpochReport {
    /// Threads the epoch ran on.
    pub threads: usize,
    /// The share of the threads' time spent waiting for each other at the
    /// per-sample meeting (0 on one thread).
    pub waiting: f64,
    /// The epoch's mean training error: `(target − out)²` averaged over the
    /// samples and the output nodes, each sample's outputs as the network
    /// gave them just before that sample's own update (the error `train`
    /// learns from). Thread count and sweep change it only in the last bits.
    pub mean_error: f64,
}

impl EpochReport {
    /// `true` if one thread would have trained this epoch faster: the
    /// threads' time not spent waiting adds up to less than the epoch took,
    /// `threads·(1 − waiting) < 1`. That happens when other programs keep
    /// the cores busy: every sample waits for the thread that lost its core.
    pub fn one_thread_would_be_faster(&self) -> bool {
        self.threads > 1 && self.threads as f64 * (1.0 - self.waiting) < 1.0
    }
}

/// How far an epoch has come, as [`Model::train_epoch`](crate::Model::train_epoch)'s
/// progress callback sees it: the samples trained so far in this epoch and
/// their summed error, so a caller can draw the learning curve within an
/// epoch.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Progress {
    /// Samples trained so far in this epoch.
    pub samples: usize,
    /// `Σ (target − out)²` over those samples and every output node, each
    /// sample's outputs as the network gave them just before its update (as
    /// [`EpochReport::mean_error`] sums them).
    pub squared_error: f64,
}

/// How often [`train_epoch`](crate::NeuralNetwork::train_epoch) sweeps over
/// `W_ih`. Both train one sample per update, exactly the book's algorithm.
///
/// `W_ih` (200×784 = 627 KB for the book's final network) is by far the
/// biggest thing a train step touches, and moving it through the cache costs
/// more than the arithmetic on it. The book's order moves it twice per sample:
/// `W_ih·x` forward, then `W_ih += lr·g·xᵀ` (`g = e_h∘hid∘(1−hid)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sweep {
    /// Once per sample: the update for sample k is fused with the forward
    /// pass for sample k+1 (update a row, then take its dot product with the
    /// next input while it is in registers). Bit for bit the book's `train`.
    PerSample,
    /// Once per four samples. Sample k+p of a window needs `W_ih` with the
    /// updates of samples k..k+p applied; instead, its forward pass computed
    /// at the window's start is corrected, since
    /// `(W + lr·g_j·x_jᵀ)·x = W·x + lr·g_j·(x_j·x)`: one dot product of two
    /// inputs per pending update. At the window's end one sweep applies the
    /// four updates and computes `W_ih·x` for the next four samples. Every
    /// sample still sees the weights after all earlier samples; only the
    /// rounding differs from the book's order (tested: within 1e-5 of its
    /// weights after 122 steps). The fastest, and the default.
    #[default]
    PerWindow,
}

impl Sweep {
    /// Samples per sweep.
    pub(crate) fn window(self) -> usize {
        match self {
            Sweep::PerSample => 1,
            Sweep::PerWindow => WINDOW,
        }
    }
}

/// How [`train_epoch`](crate::NeuralNetwork::train_epoch) and
/// [`query_all`](crate::NeuralNetwork::query_all) run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainOptions {
    /// Worker threads; 0 means one per core ([`available_threads`]). Never
    /// more than there are hidden nodes (training) or samples (queries).
    pub threads: usize,
    /// Report progress after every this many samples (and at the end).
    pub progress_interval: usize,
    /// How often `W_ih` is swept.
    pub sweep: Sweep,
    /// Samples per update of a network beyond the book: 1 (the default) is
    /// the book's algorithm, one update per sample; more trains in
    /// mini-batches ([`deep::Network::train_epoch`](crate::deep::Network::train_epoch),
    /// the `batch` module), a departure from the book. The book's own
    /// network always trains one sample per update.
    pub batch: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            progress_interval: 1000,
            sweep: Sweep::default(),
            batch: 1,
        }
    }
}

impl TrainOptions {
    /// The default options with `threads` worker threads (0 = one per core).
    pub fn with_threads(threads: usize) -> Self {
        Self {
            threads,
            ..Self::default()
        }
    }

    /// The number of threads to use for `work` independent pieces of work.
    pub(crate) fn threads_for(&self, work: usize) -> usize {
        let wanted = if self.threads == 0 {
            available_threads()
        } else {
            self.threads
        };
        wanted.min(work).max(1)
    }
}

/// The cores this process may use (1 if that cannot be found out).
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `Σ (target − out)²` for one sample, in f64.
pub(crate) fn squared_error_of(outputs: &[f32], targets: &[f32]) -> f64 {
    outputs
        .iter()
        .zip(targets)
        .map(|(&o, &t)| f64::from(t - o).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_is_faster_when_the_threads_mostly_wait() {
        let report = |threads, waiting| EpochReport {
            threads,
            waiting,
            ..EpochReport::default()
        };
        // Two threads, each waiting a quarter of the time: 1.5 threads' work.
        assert!(!report(2, 0.25).one_thread_would_be_faster());
        // Each waiting 86% (a busy machine): 0.28 threads' work.
        assert!(report(2, 0.86).one_thread_would_be_faster());
        // Eight threads waiting 80%: still 1.6 threads' work.
        assert!(!report(8, 0.8).one_thread_would_be_faster());
        assert!(!report(1, 0.0).one_thread_would_be_faster());
        assert!(!EpochReport::default().one_thread_would_be_faster());
    }
}
