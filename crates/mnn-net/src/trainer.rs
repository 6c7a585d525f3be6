//! The training engine: the book's [`train`](NeuralNetwork::train) for a whole
//! epoch, one sample per update as the book does it, but with few sweeps over
//! `W_ih` and on all cores.
//!
//! **Few sweeps.** `W_ih` (200×784 = 627 KB for the book's final network)
//! is by far the biggest thing a train step touches, and the book's order
//! reads and writes all of it twice per sample: `W_ih·x` in the forward pass,
//! then `W_ih += lr·g·xᵀ` in the update (`g` is the hidden gradient
//! `e_h∘hid∘(1−hid)`). Moving 627 KB through the cache costs more than the
//! arithmetic, so the engine moves it less often ([`Sweep`]):
//!
//! - [`Sweep::PerSample`]: the update for sample k and the forward pass for
//!   sample k+1 are next to each other in time, so they are fused: update a
//!   row, and while it is in registers, take its dot product with the next
//!   input ([`mnn_matrix::axpy_then_dot`]). One sweep per sample, and bit for
//!   bit the book's arithmetic.
//! - [`Sweep::PerWindow`] (the default): one sweep per four samples. Sample
//!   k+p of a window needs `W_ih` with the updates of samples k..k+p applied;
//!   instead of applying them, it corrects the forward pass computed at the
//!   window's start, because `(W + lr·g_j·x_jᵀ)·x = W·x + lr·g_j·(x_j·x)`: one
//!   dot product of two inputs per pending update. At the window's end one
//!   sweep applies all four updates and computes `W_ih·x` for the next four
//!   samples ([`mnn_matrix::add_outer4_then_mul_vec4`]). Every sample still
//!   sees the weights after every earlier sample — the book's algorithm, with
//!   its sums rounded in a different order.
//!
//! **All cores.** The hidden rows of `W_ih` are split between threads, each
//! keeping its rows (and so its share of every sweep) for the whole epoch, in
//! its own core's cache. Once per sample the threads meet at a barrier to
//! share the hidden signals; the small output layer (`W_ho`, 10×200) is then
//! computed by every thread on its own copy, identically, so no second
//! meeting is needed.
//!
//! **Same result on any number of threads.** Every number is computed by the
//! same kernel, on the same values, in the same order whatever the thread
//! count: a row's update and dot products do not depend on which thread owns
//! the row, and the output layer is computed whole by each thread. So the
//! weights after an epoch are bit for bit the same for 1, 2 or 16 threads
//! (tested), and with [`Sweep::PerSample`] also bit for bit those of calling
//! `train` on every sample. Only the kernels (`MNN_SIMD`) and the sweep
//! change the rounding.

use crate::activation::sigmoid_inplace;
use crate::barrier::SpinBarrier;
use crate::buffers::{Aligned, Window};
use crate::worker::Worker;
use crate::{EpochReport, NeuralNetwork, Samples, TrainOptions};
use mnn_matrix::kernels::WINDOW;
use mnn_matrix::{Matrix, mul_vec4};
use std::sync::atomic::AtomicU32;

impl NeuralNetwork {
    /// One pass over `samples` in order, one [`train`](Self::train) step per
    /// sample, swept as `options.sweep` says and split across
    /// `options.threads` threads; the weights do not depend on the thread
    /// count.
    ///
    /// `progress` is called on the calling thread with the number of samples
    /// done, every `options.progress_interval` samples and at the end.
    /// Allocates once per call, never per sample.
    ///
    /// ```
    /// use mnn_net::{NeuralNetwork, Sweep, TrainOptions};
    ///
    /// let samples = vec![
    ///     (vec![0.9, 0.1], vec![0.99, 0.01]),
    ///     (vec![0.1, 0.9], vec![0.01, 0.99]),
    /// ];
    /// let mut fast = NeuralNetwork::new(2, 4, 2, 0.3, 7).unwrap();
    /// let mut book = fast.clone();
    /// let options = TrainOptions { sweep: Sweep::PerSample, ..TrainOptions::with_threads(2) };
    /// fast.train_epoch(&samples[..], &options, |_| {});
    /// for (inputs, targets) in &samples {
    ///     book.train(inputs, targets);
    /// }
    /// assert_eq!(fast.weights_input_hidden(), book.weights_input_hidden());
    /// assert_eq!(fast.weights_hidden_output(), book.weights_hidden_output());
    /// ```
    pub fn train_epoch<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        mut progress: impl FnMut(usize),
    ) -> EpochReport {
        let total = samples.len();
        if total == 0 {
            return EpochReport::default();
        }
        let (hidden, inputs) = self.weights_input_hidden.shape();
        let threads = options.threads_for(hidden);
        let shared = Shared {
            barrier: SpinBarrier::new(threads),
            hidden: [0, 1].map(|_| (0..hidden).map(|_| AtomicU32::new(0)).collect()),
        };
        let epoch = Epoch {
            samples,
            total,
            learning_rate: self.learning_rate,
            progress_interval: options.progress_interval.max(1),
            window: options.sweep.window(),
        };
        let w_ho = &self.weights_hidden_output;
        let mut shares = Vec::with_capacity(threads);
        let mut rest = self.weights_input_hidden.as_mut_slice();
        for t in 0..threads {
            let nodes = hidden * t / threads..hidden * (t + 1) / threads;
            let (mine, others) = rest.split_at_mut(nodes.len() * inputs);
            rest = others;
            shares.push((nodes, mine));
        }
        let mut shares = shares.into_iter();
        let (nodes, w_ih) = shares.next().expect("at least one thread");
        let (first, others) = std::thread::scope(|scope| {
            let others: Vec<_> = shares
                .map(|(nodes, w_ih)| {
                    let (shared, epoch) = (&shared, &epoch);
                    scope.spawn(move || {
                        Worker::new(nodes, w_ih, w_ho).run(epoch, shared, &mut |_| {})
                    })
                })
                .collect();
            let first = Worker::new(nodes, w_ih, w_ho).run(&epoch, &shared, &mut progress);
            // A worker's panic goes on to the caller, as the scope would send it.
            let others: Vec<_> = others
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect();
            (first, others)
        });
        let Ok(first) = first else {
            return EpochReport::default();
        };
        let (mut waited, mut took) = (first.waited, first.took);
        for finished in others.into_iter().flatten() {
            waited += finished.waited;
            took += finished.took;
        }
        // Every worker finished with the same W_ho; the first one's is kept.
        self.weights_hidden_output = first.w_ho;
        EpochReport {
            threads,
            waiting: if took.is_zero() {
                0.0
            } else {
                waited.as_secs_f64() / took.as_secs_f64()
            },
            // Every worker computed the same outputs; the first one's errors.
            mean_error: first.squared_error / (total * self.output_nodes()) as f64,
        }
    }

    /// The book's `query` for every sample, on `options.threads` threads:
    /// row `i` of the result holds the output signals for sample `i`. The
    /// samples' targets are ignored.
    ///
    /// Inputs go through four at a time ([`mnn_matrix::mul_vec4`]), so each
    /// row of `W_ih` is read once for four inputs: the same arithmetic as
    /// [`query`](Self::query), summed in another order, so the outputs can
    /// differ from `query`'s in the last bits (tested: by at most 1e-6).
    /// They do not depend on the thread count or on the other samples.
    pub fn query_all<S: Samples + ?Sized>(&self, samples: &S, options: &TrainOptions) -> Matrix {
        let (total, outputs) = (samples.len(), self.output_nodes());
        let mut results = Matrix::zeros(total, outputs);
        if total == 0 {
            return results;
        }
        let threads = options.threads_for(total.div_ceil(WINDOW));
        // Whole groups of four per thread, so only the last thread has fewer.
        let per_thread = total.div_ceil(threads).next_multiple_of(WINDOW);
        std::thread::scope(|scope| {
            let mut chunks = results.as_mut_slice().chunks_mut(per_thread * outputs);
            let mine = chunks.next().expect("at least one sample");
            for (t, rows) in chunks.enumerate() {
                scope.spawn(move || self.query_range(samples, (t + 1) * per_thread, rows));
            }
            self.query_range(samples, 0, mine);
        });
        results
    }

    /// `query` for the samples from `first` on, one row of `results` each.
    fn query_range<S: Samples + ?Sized>(&self, samples: &S, first: usize, results: &mut [f32]) {
        let (inputs, outputs) = (self.input_nodes(), self.output_nodes());
        let w_ih = Aligned::from_slice(self.weights_input_hidden.as_slice());
        let mut window = Window::new(inputs, outputs);
        let mut hidden_inputs = vec![[0.0; WINDOW]; self.hidden_nodes()];
        let mut activations = self.activations();
        let count = results.len() / outputs;
        for (g, group) in results.chunks_mut(WINDOW * outputs).enumerate() {
            let start = first + g * WINDOW;
            window.read(samples, start, WINDOW.min(count - g * WINDOW));
            // W_ih·x for the four inputs, each row read once
            mul_vec4(w_ih.as_slice(), window.sweep_vectors(), &mut hidden_inputs);
            for (j, out) in group.chunks_exact_mut(outputs).enumerate() {
                // hidden = σ(W_ih·x)
                for (h, signals) in activations.hidden.iter_mut().zip(&hidden_inputs) {
                    *h = signals[j];
                }
                sigmoid_inplace(&mut activations.hidden);
                // out = σ(W_ho·hidden)
                self.weights_hidden_output
                    .mul_vec(&activations.hidden, &mut activations.outputs);
                sigmoid_inplace(&mut activations.outputs);
                out.copy_from_slice(&activations.outputs);
            }
        }
    }
}

/// What all workers read during an epoch.
pub(crate) struct Epoch<'a, S: ?Sized> {
    pub(crate) samples: &'a S,
    pub(crate) total: usize,
    pub(crate) learning_rate: f32,
    pub(crate) progress_interval: usize,
    /// Samples per sweep over `W_ih`: 1 or [`WINDOW`].
    pub(crate) window: usize,
}

/// What the workers exchange once per sample.
pub(crate) struct Shared {
    pub(crate) barrier: SpinBarrier,
    /// The hidden signals `σ(W_ih·x)` for even and odd samples (as f32 bits):
    /// each worker writes its own nodes, then reads all after the barrier.
    /// Two buffers, so a fast worker writing sample k+1 never overwrites
    /// what a slow one is still reading for sample k.
    pub(crate) hidden: [Vec<AtomicU32>; 2],
}
