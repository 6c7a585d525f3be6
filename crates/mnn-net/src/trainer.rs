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
use crate::barrier::{PoisonOnPanic, Poisoned, SpinBarrier};
use crate::{Activations, NeuralNetwork, sigmoid_gradient};
use mnn_matrix::kernels::WINDOW;
use mnn_matrix::{Matrix, add_outer4_then_mul_vec4, axpy, axpy_then_dot, dot, mul_vec4};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

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

/// How an epoch went on its threads, as [`NeuralNetwork::train_epoch`]
/// reports it. The weights do not depend on it: they are the same on any
/// number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EpochReport {
    /// Threads the epoch ran on.
    pub threads: usize,
    /// The share of the threads' time spent waiting for each other at the
    /// per-sample meeting (0 on one thread).
    pub waiting: f64,
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

/// How often [`NeuralNetwork::train_epoch`] sweeps over `W_ih`. Both train
/// one sample per update, exactly the book's algorithm.
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
    fn window(self) -> usize {
        match self {
            Sweep::PerSample => 1,
            Sweep::PerWindow => WINDOW,
        }
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
    /// How often `W_ih` is swept.
    pub sweep: Sweep,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            progress_interval: 1000,
            sweep: Sweep::default(),
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
struct Epoch<'a, S: ?Sized> {
    samples: &'a S,
    total: usize,
    learning_rate: f32,
    progress_interval: usize,
    /// Samples per sweep over `W_ih`: 1 or [`WINDOW`].
    window: usize,
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

/// `len` floats starting on a 64-byte boundary (a cache line), so that the
/// vector loads and stores of the kernels do not straddle two lines.
struct Aligned {
    data: Vec<f32>,
    start: usize,
    len: usize,
}

impl Aligned {
    const LINE: usize = 64 / size_of::<f32>();

    fn from_slice(values: &[f32]) -> Self {
        let len = values.len();
        let mut data = vec![0.0; len + Self::LINE];
        let offset = data.as_ptr().align_offset(64);
        let start = if offset < Self::LINE { offset } else { 0 };
        data[start..start + len].copy_from_slice(values);
        Self { data, start, len }
    }

    fn zeros(len: usize) -> Self {
        Self::from_slice(&vec![0.0; len])
    }

    fn as_slice(&self) -> &[f32] {
        &self.data[self.start..self.start + self.len]
    }

    fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data[self.start..self.start + self.len]
    }
}

/// Up to [`WINDOW`] vectors of one length, each starting on a cache line.
struct Vectors {
    buffer: Aligned,
    len: usize,
    stride: usize,
}

impl Vectors {
    fn new(len: usize) -> Self {
        let stride = len.next_multiple_of(Aligned::LINE);
        Self {
            buffer: Aligned::zeros(WINDOW * stride),
            len,
            stride,
        }
    }

    fn get(&self, j: usize) -> &[f32] {
        &self.buffer.as_slice()[j * self.stride..][..self.len]
    }

    fn get_mut(&mut self, j: usize) -> &mut [f32] {
        &mut self.buffer.as_mut_slice()[j * self.stride..][..self.len]
    }
}

/// A window of consecutive samples: their inputs and targets.
struct Window {
    first: usize,
    len: usize,
    inputs: Vectors,
    targets: Vectors,
}

impl Window {
    fn new(inputs: usize, outputs: usize) -> Self {
        Self {
            first: 0,
            len: 0,
            inputs: Vectors::new(inputs),
            targets: Vectors::new(outputs),
        }
    }

    /// Reads the (up to) `size` samples of the epoch from `first` on.
    fn fill<S: Samples + ?Sized>(&mut self, first: usize, size: usize, epoch: &Epoch<S>) {
        let len = size.min(epoch.total.saturating_sub(first));
        self.read(epoch.samples, first, len);
    }

    /// Reads the `len` samples from `first` on.
    fn read<S: Samples + ?Sized>(&mut self, samples: &S, first: usize, len: usize) {
        self.first = first;
        self.len = len;
        for j in 0..len {
            let (inputs, targets) = (self.inputs.get_mut(j), self.targets.get_mut(j));
            samples.fill(first + j, inputs, targets);
        }
    }

    /// The inputs as the four vectors of a window sweep; slots past the end
    /// repeat the first input (their coefficients are zero, their products
    /// unused).
    fn sweep_vectors(&self) -> [&[f32]; WINDOW] {
        std::array::from_fn(|j| self.inputs.get(if j < self.len { j } else { 0 }))
    }
}

/// One thread's share of the work, and its working memory.
struct Worker<'a> {
    /// The hidden nodes this worker owns.
    nodes: Range<usize>,
    /// Their rows of `W_ih` in the network, written back at the end.
    w_ih_home: &'a mut [f32],
    /// The same rows, worked on in cache-line-aligned memory.
    w_ih: Aligned,
    /// A private copy of all of `W_ho`, updated like every other copy.
    w_ho: Matrix,
    /// The samples of this window, and of the next.
    window: Window,
    next: Window,
    /// Per owned node: `W_ih·x` for each sample of the window, as swept (not
    /// yet corrected for the window's own updates).
    forward: Vec<[f32; WINDOW]>,
    /// Per owned node: `lr·g` for each sample of the window so far, the
    /// coefficients of the pending updates `W_ih += lr·g·xᵀ`.
    pending: Vec<[f32; WINDOW]>,
    /// `W_ih·x` for the owned nodes, then `σ` of it.
    own_hidden: Vec<f32>,
    /// `e_h` for the owned nodes, then the hidden gradient.
    own_errors: Vec<f32>,
    /// All hidden signals and all outputs.
    activations: Activations,
    /// `e_o`, then the output gradient.
    output_errors: Vec<f32>,
    /// Time spent waiting at the per-sample meeting.
    waited: Duration,
}

/// What a worker hands back at the end of an epoch.
struct Finished {
    /// Its copy of `W_ho` (the same in every worker).
    w_ho: Matrix,
    /// Time it spent waiting for the others, and in all.
    waited: Duration,
    took: Duration,
}

impl<'a> Worker<'a> {
    fn new(nodes: Range<usize>, w_ih: &'a mut [f32], w_ho: &Matrix) -> Self {
        let (outputs, hidden) = w_ho.shape();
        let inputs = w_ih.len() / nodes.len();
        Self {
            w_ih: Aligned::from_slice(w_ih),
            w_ih_home: w_ih,
            w_ho: w_ho.clone(),
            window: Window::new(inputs, outputs),
            next: Window::new(inputs, outputs),
            forward: vec![[0.0; WINDOW]; nodes.len()],
            pending: vec![[0.0; WINDOW]; nodes.len()],
            own_hidden: vec![0.0; nodes.len()],
            own_errors: vec![0.0; nodes.len()],
            activations: Activations {
                hidden: vec![0.0; hidden],
                outputs: vec![0.0; outputs],
            },
            output_errors: vec![0.0; outputs],
            waited: Duration::ZERO,
            nodes,
        }
    }

    /// Trains on every sample; returns this worker's copy of `W_ho`.
    fn run<S: Samples + ?Sized>(
        mut self,
        epoch: &Epoch<S>,
        shared: &Shared,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Finished, Poisoned> {
        let _guard = PoisonOnPanic(&shared.barrier);
        let started = Instant::now();
        let cols = self.window.inputs.len;
        self.window.fill(0, epoch.window, epoch);
        // W_ih·x for the first window; later ones come out of the sweeps.
        for (forward, row) in self
            .forward
            .iter_mut()
            .zip(self.w_ih.as_slice().chunks_exact(cols))
        {
            for (j, f) in forward.iter_mut().enumerate().take(self.window.len) {
                *f = dot(row, self.window.inputs.get(j));
            }
        }
        let mut next_report = epoch.progress_interval.min(epoch.total);
        while self.window.len > 0 {
            for p in 0..self.window.len {
                let k = self.window.first + p;
                self.hidden_inputs(p);
                self.output_layer(k, p, epoch, shared)?;
                self.hidden_gradient(p, epoch.learning_rate);
                if k + 1 == next_report {
                    progress(k + 1);
                    next_report = (next_report + epoch.progress_interval).min(epoch.total);
                }
            }
            let after = self.window.first + self.window.len;
            self.next.fill(after, epoch.window, epoch);
            self.sweep(epoch.window);
            std::mem::swap(&mut self.window, &mut self.next);
        }
        for (home, row) in self.w_ih_home.iter_mut().zip(self.w_ih.as_slice()) {
            *home = *row;
        }
        Ok(Finished {
            w_ho: self.w_ho,
            waited: self.waited,
            took: started.elapsed(),
        })
    }

    /// `W_ih·x` for sample p of the window and the owned nodes, with the
    /// window's earlier updates: `W·x_p + Σ_{j<p} lr·g_j·(x_j·x_p)`.
    fn hidden_inputs(&mut self, p: usize) {
        for (h, forward) in self.own_hidden.iter_mut().zip(&self.forward) {
            *h = forward[p];
        }
        let inputs = &self.window.inputs;
        for j in 0..p {
            let overlap = dot(inputs.get(j), inputs.get(p));
            for (h, pending) in self.own_hidden.iter_mut().zip(&self.pending) {
                *h += pending[j] * overlap;
            }
        }
    }

    /// Sample k (number p in the window), from the owned hidden nodes'
    /// `W_ih·x` to `e_h` for them, with `W_ho` updated. The one place the
    /// workers meet.
    fn output_layer<S: Samples + ?Sized>(
        &mut self,
        k: usize,
        p: usize,
        epoch: &Epoch<S>,
        shared: &Shared,
    ) -> Result<(), Poisoned> {
        // hidden = σ(W_ih·x), shared with the other workers
        sigmoid_inplace(&mut self.own_hidden);
        let board = &shared.hidden[k % 2];
        for (slot, &h) in board[self.nodes.clone()].iter().zip(&self.own_hidden) {
            slot.store(h.to_bits(), Ordering::Relaxed);
        }
        if shared.barrier.threads() > 1 {
            let arrived = Instant::now();
            shared.barrier.wait()?;
            self.waited += arrived.elapsed();
        }
        let Activations { hidden, outputs } = &mut self.activations;
        for (h, slot) in hidden.iter_mut().zip(board) {
            *h = f32::from_bits(slot.load(Ordering::Relaxed));
        }
        // out = σ(W_ho·hidden)
        self.w_ho.mul_vec(hidden, outputs);
        sigmoid_inplace(outputs);
        // e_o = target − out
        let errors = &mut self.output_errors;
        let targets = self.window.targets.get(p);
        for ((e, &t), &o) in errors.iter_mut().zip(targets).zip(outputs.iter()) {
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

    /// `g = e_h∘hid∘(1−hid)` for sample p, kept as the coefficient `lr·g` of
    /// its pending update `W_ih += lr·g·xᵀ`.
    fn hidden_gradient(&mut self, p: usize, learning_rate: f32) {
        sigmoid_gradient(&mut self.own_errors, &self.own_hidden);
        for (pending, &g) in self.pending.iter_mut().zip(&self.own_errors) {
            pending[p] = learning_rate * g;
        }
    }

    /// `W_ih += Σ_j lr·g_j·x_jᵀ` for the owned rows and the window's samples,
    /// fused with `W_ih·x` for the next window's samples.
    fn sweep(&mut self, window: usize) {
        let cols = self.window.inputs.len;
        let rows = self.w_ih.as_mut_slice();
        if window == 1 {
            // W_ih += lr·(e_h∘hid∘(1−hid))·xᵀ, fused with W_ih·x for the next sample
            let (x, pending) = (self.window.inputs.get(0), &self.pending);
            let rows = rows.chunks_exact_mut(cols).zip(pending);
            if self.next.len == 1 {
                let next = self.next.inputs.get(0);
                for ((row, pending), forward) in rows.zip(&mut self.forward) {
                    forward[0] = axpy_then_dot(pending[0], x, row, next);
                }
            } else {
                for (row, pending) in rows {
                    axpy(pending[0], x, row);
                }
            }
            return;
        }
        for pending in &mut self.pending {
            pending[self.window.len..].fill(0.0);
        }
        let next = if self.next.len > 0 {
            &self.next
        } else {
            &self.window
        };
        add_outer4_then_mul_vec4(
            rows,
            &self.pending,
            self.window.sweep_vectors(),
            next.sweep_vectors(),
            &mut self.forward,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_thread_is_faster_when_the_threads_mostly_wait() {
        let report = |threads, waiting| EpochReport { threads, waiting };
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
