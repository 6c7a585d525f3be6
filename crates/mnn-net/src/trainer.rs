//! The training engine: the book's [`train`](NeuralNetwork::train) for a whole
//! epoch, exactly, but with one sweep over `W_ih` per sample and on all cores.
//!
//! **One sweep.** `W_ih` (200×784 = 627 KB for the book's final network)
//! is by far the biggest thing a train step touches, and the book's order
//! touches it twice per sample: `W_ih·x` in the forward pass, then
//! `W_ih += …·xᵀ` in the update. The update for sample k and the forward
//! pass for sample k+1 are next to each other in time, so the engine fuses
//! them: it updates a row and, while the row is still in registers, takes its
//! dot product with the next input ([`mnn_matrix::axpy_then_dot`]).
//!
//! **All cores.** The hidden rows of `W_ih` are split between threads, each
//! keeping its rows (and so its share of the sweep) for the whole epoch, in
//! its own core's cache. Once per sample the threads meet at a barrier to
//! share the hidden signals; the small output layer (`W_ho`, 10×200) is then
//! computed by every thread on its own copy, identically, so no second
//! meeting is needed.
//!
//! **Exactly the book.** Every number is computed by the same kernel, on the
//! same values, in the same order as `train` computes it: a row's update and
//! dot product do not depend on which thread owns the row, the output layer
//! is computed whole by each thread, and the fused kernel is bit for bit
//! `axpy` then `dot`. So `train_epoch` gives the same weights as calling
//! `train` on every sample, bit for bit, for every thread count (tested).
//! Only the kernels (`MNN_SIMD`) change the rounding.

use crate::activation::sigmoid_inplace;
use crate::barrier::{PoisonOnPanic, Poisoned, SpinBarrier};
use crate::{Activations, NeuralNetwork, sigmoid_gradient};
use mnn_matrix::{Matrix, axpy, axpy_then_dot, dot};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

/// A numbered sequence of training samples, read one at a time.
///
/// mnn-net knows no files and no MNIST: a data set becomes trainable by
/// filling an input and a target slice for a sample number.
/// [`NeuralNetwork::train_epoch`] calls `fill` from every worker thread, for
/// every sample, so it must be cheap and give the same values each time.
pub trait Samples: Sync {
    /// Number of samples.
    fn len(&self) -> usize;

    /// `true` if there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes sample `index`'s inputs (one per input node) and targets (one
    /// per output node).
    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]);
}

/// Samples held in memory as `(inputs, targets)` pairs.
impl<I, T> Samples for [(I, T)]
where
    I: AsRef<[f32]> + Sync,
    T: AsRef<[f32]> + Sync,
{
    fn len(&self) -> usize {
        <[(I, T)]>::len(self)
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        let (i, t) = &self[index];
        inputs.copy_from_slice(i.as_ref());
        targets.copy_from_slice(t.as_ref());
    }
}

/// How [`NeuralNetwork::train_epoch`] and [`NeuralNetwork::query_all`] run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainOptions {
    /// Worker threads; 0 means one per core ([`available_threads`]). Never
    /// more than there are hidden nodes (training) or samples (queries).
    pub threads: usize,
    /// Report progress after every this many samples (and at the end).
    pub progress_interval: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            progress_interval: 1000,
        }
    }
}

impl TrainOptions {
    /// Options for `threads` worker threads (0 = one per core).
    pub fn with_threads(threads: usize) -> Self {
        Self {
            threads,
            ..Self::default()
        }
    }

    /// The number of threads to use for `work` independent pieces of work.
    fn threads_for(&self, work: usize) -> usize {
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

impl NeuralNetwork {
    /// One pass over `samples` in order, one [`train`](Self::train) step per
    /// sample, with the same result bit for bit, fused into one sweep over
    /// `W_ih` per sample and split across `options.threads` threads.
    ///
    /// `progress` is called on the calling thread with the number of samples
    /// done, every `options.progress_interval` samples and at the end.
    /// Allocates once per call, never per sample.
    ///
    /// ```
    /// use mnn_net::{NeuralNetwork, TrainOptions};
    ///
    /// let samples = vec![
    ///     (vec![0.9, 0.1], vec![0.99, 0.01]),
    ///     (vec![0.1, 0.9], vec![0.01, 0.99]),
    /// ];
    /// let mut fast = NeuralNetwork::new(2, 4, 2, 0.3, 7).unwrap();
    /// let mut book = fast.clone();
    /// fast.train_epoch(&samples[..], &TrainOptions::with_threads(2), |_| {});
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
    ) {
        let total = samples.len();
        if total == 0 {
            return;
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
        };
        let w_ho = &self.weights_hidden_output;
        let mut workers = Vec::with_capacity(threads);
        let mut rest = self.weights_input_hidden.as_mut_slice();
        for t in 0..threads {
            let rows = hidden * t / threads..hidden * (t + 1) / threads;
            let (mine, others) = rest.split_at_mut(rows.len() * inputs);
            rest = others;
            workers.push(Worker::new(rows, mine, w_ho.clone()));
        }
        let mut workers = workers.into_iter();
        let first = workers.next().expect("at least one worker");
        let w_ho = std::thread::scope(|scope| {
            for worker in workers {
                let (shared, epoch) = (&shared, &epoch);
                scope.spawn(move || worker.run(epoch, shared, &mut |_| {}));
            }
            first.run(&epoch, &shared, &mut progress)
        });
        // Every worker finished with the same W_ho; the first one's is kept.
        if let Ok(w_ho) = w_ho {
            self.weights_hidden_output = w_ho;
        }
    }

    /// The book's `query` for every sample, on `options.threads` threads:
    /// row `i` of the result holds the output signals for sample `i`, exactly
    /// as [`query`](Self::query) computes them. The samples' targets are
    /// ignored.
    pub fn query_all<S: Samples + ?Sized>(&self, samples: &S, options: &TrainOptions) -> Matrix {
        let (total, outputs) = (samples.len(), self.output_nodes());
        let mut results = Matrix::zeros(total, outputs);
        if total == 0 {
            return results;
        }
        let threads = options.threads_for(total);
        let per_thread = total.div_ceil(threads);
        let query_range = |first: usize, rows: &mut [f32]| {
            let mut inputs = vec![0.0; self.input_nodes()];
            let mut targets = vec![0.0; outputs];
            let mut activations = self.activations();
            for (i, row) in rows.chunks_exact_mut(outputs).enumerate() {
                samples.fill(first + i, &mut inputs, &mut targets);
                self.forward(&inputs, &mut activations);
                row.copy_from_slice(&activations.outputs);
            }
        };
        std::thread::scope(|scope| {
            let mut chunks = results.as_mut_slice().chunks_mut(per_thread * outputs);
            let mine = chunks.next().expect("at least one sample");
            for (t, rows) in chunks.enumerate() {
                let query_range = &query_range;
                scope.spawn(move || query_range((t + 1) * per_thread, rows));
            }
            query_range(0, mine);
        });
        results
    }
}

/// What all workers read during an epoch.
struct Epoch<'a, S: ?Sized> {
    samples: &'a S,
    total: usize,
    learning_rate: f32,
    progress_interval: usize,
}

/// What the workers exchange once per sample.
struct Shared {
    barrier: SpinBarrier,
    /// The hidden signals `σ(W_ih·x)` for even and odd samples (as f32 bits):
    /// each worker writes its own nodes, then reads all after the barrier.
    /// Two buffers, so a fast worker writing sample k+1 never overwrites
    /// what a slow one is still reading for sample k.
    hidden: [Vec<AtomicU32>; 2],
}

/// One thread's share of the work, and its working memory.
struct Worker<'a> {
    /// The hidden nodes this worker owns.
    nodes: Range<usize>,
    /// Their rows of `W_ih`, one after another.
    w_ih: &'a mut [f32],
    /// A private copy of all of `W_ho`, updated like every other copy.
    w_ho: Matrix,
    /// This sample's inputs and targets, and the next sample's.
    inputs: Vec<f32>,
    targets: Vec<f32>,
    next_inputs: Vec<f32>,
    next_targets: Vec<f32>,
    /// `W_ih·x` for the owned nodes, then `σ` of it.
    own_hidden: Vec<f32>,
    /// `e_h` for the owned nodes, then the hidden gradient.
    own_errors: Vec<f32>,
    /// All hidden signals and all outputs.
    activations: Activations,
    /// `e_o`, then the output gradient.
    output_errors: Vec<f32>,
}

impl<'a> Worker<'a> {
    fn new(nodes: Range<usize>, w_ih: &'a mut [f32], w_ho: Matrix) -> Self {
        let (outputs, hidden) = w_ho.shape();
        let inputs = w_ih.len() / nodes.len();
        Self {
            w_ih,
            w_ho,
            inputs: vec![0.0; inputs],
            targets: vec![0.0; outputs],
            next_inputs: vec![0.0; inputs],
            next_targets: vec![0.0; outputs],
            own_hidden: vec![0.0; nodes.len()],
            own_errors: vec![0.0; nodes.len()],
            activations: Activations {
                hidden: vec![0.0; hidden],
                outputs: vec![0.0; outputs],
            },
            output_errors: vec![0.0; outputs],
            nodes,
        }
    }

    /// Trains on every sample; returns this worker's copy of `W_ho`.
    fn run<S: Samples + ?Sized>(
        mut self,
        epoch: &Epoch<S>,
        shared: &Shared,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Matrix, Poisoned> {
        let _guard = PoisonOnPanic(&shared.barrier);
        let cols = self.inputs.len();
        epoch.samples.fill(0, &mut self.inputs, &mut self.targets);
        // W_ih·x for the first sample; later ones come out of the fused sweep.
        for (signal, row) in self.own_hidden.iter_mut().zip(self.w_ih.chunks_exact(cols)) {
            *signal = dot(row, &self.inputs);
        }
        for k in 0..epoch.total {
            self.output_layer(k, epoch, shared)?;
            self.update_hidden_layer(k, epoch);
            if (k + 1) % epoch.progress_interval == 0 || k + 1 == epoch.total {
                progress(k + 1);
            }
        }
        Ok(self.w_ho)
    }

    /// Sample k, from the owned hidden nodes' `W_ih·x` to `e_h` for them,
    /// with `W_ho` updated. The one place the workers meet.
    fn output_layer<S: Samples + ?Sized>(
        &mut self,
        k: usize,
        epoch: &Epoch<S>,
        shared: &Shared,
    ) -> Result<(), Poisoned> {
        // hidden = σ(W_ih·x), shared with the other workers
        sigmoid_inplace(&mut self.own_hidden);
        let board = &shared.hidden[k % 2];
        for (slot, &h) in board[self.nodes.clone()].iter().zip(&self.own_hidden) {
            slot.store(h.to_bits(), Ordering::Relaxed);
        }
        shared.barrier.wait()?;
        let Activations { hidden, outputs } = &mut self.activations;
        for (h, slot) in hidden.iter_mut().zip(board) {
            *h = f32::from_bits(slot.load(Ordering::Relaxed));
        }
        // out = σ(W_ho·hidden)
        self.w_ho.mul_vec(hidden, outputs);
        sigmoid_inplace(outputs);
        // e_o = target − out
        let errors = &mut self.output_errors;
        for ((e, &t), &o) in errors.iter_mut().zip(&self.targets).zip(outputs.iter()) {
            *e = t - o;
        }
        // e_h = W_hoᵀ·e_o for the owned nodes, with W_ho before its update
        self.own_errors.fill(0.0);
        for (&e, row) in errors.iter().zip(self.w_ho.row_iter()) {
            axpy(e, &row[self.nodes.clone()], &mut self.own_errors);
        }
        // W_ho += lr·(e_o∘out∘(1−out))·hiddenᵀ
        sigmoid_gradient(errors, outputs);
        self.w_ho.add_outer(epoch.learning_rate, errors, hidden);
        Ok(())
    }

    /// `W_ih += lr·(e_h∘hid∘(1−hid))·xᵀ` for the owned rows, fused with
    /// `W_ih·x` for sample k+1.
    fn update_hidden_layer<S: Samples + ?Sized>(&mut self, k: usize, epoch: &Epoch<S>) {
        let lr = epoch.learning_rate;
        sigmoid_gradient(&mut self.own_errors, &self.own_hidden);
        let cols = self.inputs.len();
        let rows = self.w_ih.chunks_exact_mut(cols);
        if k + 1 < epoch.total {
            let (next_inputs, next_targets) = (&mut self.next_inputs, &mut self.next_targets);
            epoch.samples.fill(k + 1, next_inputs, next_targets);
            for ((row, &gradient), signal) in rows.zip(&self.own_errors).zip(&mut self.own_hidden) {
                *signal = axpy_then_dot(lr * gradient, &self.inputs, row, next_inputs);
            }
            std::mem::swap(&mut self.inputs, &mut self.next_inputs);
            std::mem::swap(&mut self.targets, &mut self.next_targets);
        } else {
            for (row, &gradient) in rows.zip(&self.own_errors) {
                axpy(lr * gradient, &self.inputs, row);
            }
        }
    }
}
