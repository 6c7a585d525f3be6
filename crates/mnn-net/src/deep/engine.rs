//! The training engine for networks of any depth: [`Network::train`] for a
//! whole epoch, one sample per update, on all cores, bit for bit the same
//! weights as calling `train` on every sample (tested), on any number of
//! threads.
//!
//! It is the book network's engine ([`crate::trainer`]) generalised, with
//! the same two ideas:
//!
//! - **Layer 1 is split between the threads.** `W_1` (800×784 = 2.5 MB for
//!   784-800-10) is by far the biggest thing a step touches. Each thread owns
//!   a band of its rows (and their biases) for the whole epoch, and sweeps
//!   them once per sample: the update for sample k fused with the forward
//!   product for sample k+1 ([`mnn_matrix::axpy_then_dot`]: update a row,
//!   then take its dot product with the next input while it is in
//!   registers).
//! - **The layers above are computed whole by every thread**, on its own
//!   copy, identically; so the threads meet once per sample, to share `a_1`,
//!   and never again. For 784-800-10 the copy is 10×800; for 784-500-150-10
//!   it is 150×500 + 10×150, about a fifth of layer 1's work done twice.
//!
//! Each number is computed by the same kernel, on the same values, in the
//! same order, whoever owns it: so the weights do not depend on the thread
//! count.

use super::{Activation, Forward, Layer, Loss, Network};
use crate::barrier::{PoisonOnPanic, Poisoned, SpinBarrier};
use crate::{EpochReport, Samples, TrainOptions, available_threads};
use mnn_matrix::{Matrix, axpy, axpy_then_dot, dot};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The number of threads for `work` pieces of work.
fn threads_for(options: &TrainOptions, work: usize) -> usize {
    let wanted = match options.threads {
        0 => available_threads(),
        n => n,
    };
    wanted.min(work).max(1)
}

impl Network {
    /// One pass over `samples` in order, one [`train`](Self::train) step per
    /// sample, on `options.threads` threads (`options.sweep` is not used:
    /// layer 1 is always swept once per sample). The weights are bit for bit
    /// those of calling `train` on every sample, on any number of threads.
    ///
    /// `progress` is called on the calling thread with the number of samples
    /// done, every `options.progress_interval` samples and at the end.
    /// Allocates once per call, never per sample.
    ///
    /// ```
    /// use mnn_net::TrainOptions;
    /// use mnn_net::deep::{Activation, Architecture, Loss, Network};
    ///
    /// let samples = vec![
    ///     (vec![0.9, 0.1], vec![1.0, 0.0]),
    ///     (vec![0.1, 0.9], vec![0.0, 1.0]),
    /// ];
    /// let architecture = Architecture {
    ///     layer_sizes: vec![2, 6, 4, 2],
    ///     activation: Activation::Relu,
    ///     loss: Loss::CrossEntropy,
    ///     bias: true,
    /// };
    /// let mut fast = Network::new(architecture, 0.1, 7).unwrap();
    /// let mut plain = fast.clone();
    /// fast.train_epoch(&samples[..], &TrainOptions::with_threads(2), |_| {});
    /// for (inputs, targets) in &samples {
    ///     plain.train(inputs, targets);
    /// }
    /// assert_eq!(fast.layers(), plain.layers());
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
        let interval = options.progress_interval.max(1);
        if self.layers.len() == 1 {
            // No hidden layer: nothing to split; the plain step, on this thread.
            let (mut inputs, mut targets) = (
                vec![0.0; self.input_nodes()],
                vec![0.0; self.output_nodes()],
            );
            let mut squared_error = 0.0;
            for k in 0..total {
                samples.fill(k, &mut inputs, &mut targets);
                // (target − out)², from the outputs before this sample's update
                squared_error += squared_error_of(&self.query(&inputs), &targets);
                self.train(&inputs, &targets);
                if (k + 1) % interval == 0 || k + 1 == total {
                    progress(k + 1);
                }
            }
            return EpochReport {
                threads: 1,
                waiting: 0.0,
                mean_error: squared_error / (total * self.output_nodes()) as f64,
            };
        }
        let (hidden, inputs) = self.layers[0].weights.shape();
        let threads = threads_for(options, hidden);
        let shared = Shared {
            barrier: SpinBarrier::new(threads),
            signals: [0, 1].map(|_| (0..hidden).map(|_| AtomicU32::new(0)).collect()),
        };
        let epoch = Epoch {
            samples,
            total,
            learning_rate: self.learning_rate,
            progress_interval: interval,
            activation: self.activation,
            loss: self.loss,
        };
        let (first_layer, upper) = self.layers.split_at_mut(1);
        let upper: &[Layer] = upper;
        let Layer { weights, bias } = &mut first_layer[0];
        let mut bias_rest = bias.as_deref_mut();
        let mut rest = weights.as_mut_slice();
        let mut shares = Vec::with_capacity(threads);
        for t in 0..threads {
            let nodes = hidden * t / threads..hidden * (t + 1) / threads;
            let (mine, others) = rest.split_at_mut(nodes.len() * inputs);
            rest = others;
            let my_bias = bias_rest.take().map(|b| {
                let (mine, others) = b.split_at_mut(nodes.len());
                bias_rest = Some(others);
                mine
            });
            shares.push((nodes, mine, my_bias));
        }
        let mut shares = shares.into_iter();
        let (nodes, w1, b1) = shares.next().expect("at least one thread");
        let (first, others) = std::thread::scope(|scope| {
            let others: Vec<_> = shares
                .map(|(nodes, w1, b1)| {
                    let (shared, epoch) = (&shared, &epoch);
                    scope.spawn(move || {
                        Worker::new(nodes, w1, b1, upper).run(epoch, shared, &mut |_| {})
                    })
                })
                .collect();
            let first = Worker::new(nodes, w1, b1, upper).run(&epoch, &shared, &mut progress);
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
        let first_error = first.squared_error;
        // Every worker finished with the same upper layers; the first one's are kept.
        for (layer, trained) in self.layers[1..].iter_mut().zip(first.upper) {
            *layer = trained;
        }
        EpochReport {
            threads,
            waiting: if took.is_zero() {
                0.0
            } else {
                waited.as_secs_f64() / took.as_secs_f64()
            },
            mean_error: first_error / (total * self.output_nodes()) as f64,
        }
    }

    /// [`query`](Self::query) for every sample, on `options.threads`
    /// threads: row `i` of the result holds the outputs for sample `i` (the
    /// same numbers `query` gives). The samples' targets are ignored.
    pub fn query_all<S: Samples + ?Sized>(&self, samples: &S, options: &TrainOptions) -> Matrix {
        let (total, outputs) = (samples.len(), self.output_nodes());
        let mut results = Matrix::zeros(total, outputs);
        if total == 0 {
            return results;
        }
        let threads = threads_for(options, total);
        let per_thread = total.div_ceil(threads);
        std::thread::scope(|scope| {
            for (t, rows) in results
                .as_mut_slice()
                .chunks_mut(per_thread * outputs)
                .enumerate()
            {
                scope.spawn(move || {
                    let mut signals: Vec<Vec<f32>> =
                        self.layers.iter().map(|l| vec![0.0; l.nodes()]).collect();
                    let (mut inputs, mut targets) =
                        (vec![0.0; self.input_nodes()], vec![0.0; outputs]);
                    for (i, out) in rows.chunks_exact_mut(outputs).enumerate() {
                        samples.fill(t * per_thread + i, &mut inputs, &mut targets);
                        self.forward_pass().forward(&inputs, &mut signals);
                        out.copy_from_slice(signals.last().expect("a layer"));
                    }
                });
            }
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
    activation: Activation,
    loss: Loss,
}

/// What the workers exchange once per sample.
struct Shared {
    barrier: SpinBarrier,
    /// `a_1` for even and odd samples (as f32 bits): each worker writes its
    /// own nodes, then reads all after the barrier. Two buffers, so a fast
    /// worker writing sample k+1 never overwrites what a slow one is still
    /// reading for sample k.
    signals: [Vec<AtomicU32>; 2],
}

/// One thread's share of the work, and its working memory.
struct Worker<'a> {
    /// The layer-1 nodes this worker owns.
    nodes: Range<usize>,
    /// Their rows of `W_1`: (owned nodes, inputs), in place in the network.
    w1: &'a mut [f32],
    /// Their biases, if any.
    b1: Option<&'a mut [f32]>,
    /// A private copy of layers 2 … L, updated like every other copy.
    upper: Vec<Layer>,
    /// This sample's inputs and targets, and the next sample's inputs.
    inputs: Vec<f32>,
    targets: Vec<f32>,
    next_inputs: Vec<f32>,
    next_targets: Vec<f32>,
    /// `W_1·x` for the owned nodes (from the last sweep), then `a_1` for them.
    own_signals: Vec<f32>,
    /// `e_1` for the owned nodes, then `δ_1`, then `lr·δ_1`.
    own_errors: Vec<f32>,
    /// `a_1 … a_L`, whole.
    signals: Vec<Vec<f32>>,
    /// `e_2 … e_L` (index 0 unused: layer 1's errors are `own_errors`).
    errors: Vec<Vec<f32>>,
    waited: Duration,
    /// Σ (target − out)² so far, each sample's before its own update.
    squared_error: f64,
}

/// What a worker hands back at the end of an epoch.
struct Finished {
    upper: Vec<Layer>,
    /// Σ (target − out)² over the epoch's samples and outputs.
    squared_error: f64,
    waited: Duration,
    took: Duration,
}

impl<'a> Worker<'a> {
    fn new(
        nodes: Range<usize>,
        w1: &'a mut [f32],
        b1: Option<&'a mut [f32]>,
        upper: &[Layer],
    ) -> Self {
        let inputs = w1.len() / nodes.len();
        let outputs = upper
            .last()
            .expect("a hidden layer and an output layer")
            .nodes();
        let mut signals = vec![vec![0.0; upper[0].weights.cols()]];
        signals.extend(upper.iter().map(|l| vec![0.0; l.nodes()]));
        Self {
            w1,
            b1,
            upper: upper.to_vec(),
            inputs: vec![0.0; inputs],
            targets: vec![0.0; outputs],
            next_inputs: vec![0.0; inputs],
            next_targets: vec![0.0; outputs],
            own_signals: vec![0.0; nodes.len()],
            own_errors: vec![0.0; nodes.len()],
            errors: signals.clone(),
            signals,
            waited: Duration::ZERO,
            squared_error: 0.0,
            nodes,
        }
    }

    fn run<S: Samples + ?Sized>(
        mut self,
        epoch: &Epoch<S>,
        shared: &Shared,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Finished, Poisoned> {
        let _guard = PoisonOnPanic(&shared.barrier);
        let started = Instant::now();
        let cols = self.inputs.len();
        epoch.samples.fill(0, &mut self.inputs, &mut self.targets);
        // W_1·x for the first sample; later ones come out of the sweeps.
        for (z, row) in self.own_signals.iter_mut().zip(self.w1.chunks_exact(cols)) {
            *z = dot(row, &self.inputs);
        }
        let mut next_report = epoch.progress_interval.min(epoch.total);
        for k in 0..epoch.total {
            self.first_layer_forward(epoch.activation);
            self.meet(k, shared)?;
            self.upper_layers(epoch);
            self.first_layer_gradient(epoch.activation, epoch.learning_rate);
            let has_next = k + 1 < epoch.total;
            if has_next {
                epoch
                    .samples
                    .fill(k + 1, &mut self.next_inputs, &mut self.next_targets);
            }
            self.sweep(has_next);
            std::mem::swap(&mut self.inputs, &mut self.next_inputs);
            std::mem::swap(&mut self.targets, &mut self.next_targets);
            if k + 1 == next_report {
                progress(k + 1);
                next_report = (next_report + epoch.progress_interval).min(epoch.total);
            }
        }
        Ok(Finished {
            upper: self.upper,
            squared_error: self.squared_error,
            waited: self.waited,
            took: started.elapsed(),
        })
    }

    /// `a_1 = f(W_1·x + b_1)` for the owned nodes (`W_1·x` is already there).
    fn first_layer_forward(&mut self, activation: Activation) {
        if let Some(bias) = &self.b1 {
            // z_1 = W_1·x + b_1
            self.own_signals
                .iter_mut()
                .zip(bias.iter())
                .for_each(|(z, b)| *z += b);
        }
        // a_1 = f(z_1)
        activation.apply(&mut self.own_signals);
    }

    /// Shares the owned part of `a_1` and reads all of it: the one place the
    /// workers meet.
    fn meet(&mut self, k: usize, shared: &Shared) -> Result<(), Poisoned> {
        let board = &shared.signals[k % 2];
        for (slot, &a) in board[self.nodes.clone()].iter().zip(&self.own_signals) {
            slot.store(a.to_bits(), Ordering::Relaxed);
        }
        if shared.barrier.threads() > 1 {
            let arrived = Instant::now();
            shared.barrier.wait()?;
            self.waited += arrived.elapsed();
        }
        for (a, slot) in self.signals[0].iter_mut().zip(board) {
            *a = f32::from_bits(slot.load(Ordering::Relaxed));
        }
        Ok(())
    }

    /// Layers 2 … L forward and back, as [`Network::train`] does them; ends
    /// with `e_1` for the owned nodes in `own_errors`.
    fn upper_layers<S: Samples + ?Sized>(&mut self, epoch: &Epoch<S>) {
        let (activation, loss) = (epoch.activation, epoch.loss);
        let lr = epoch.learning_rate;
        let Self {
            upper,
            signals,
            errors,
            own_errors,
            targets,
            nodes,
            squared_error,
            ..
        } = self;
        // Forward: a_l = f(W_l·a_{l−1} + b_l), out = σ or softmax
        let forward = Forward {
            layers: upper,
            activation,
            loss,
        };
        let (a1, above) = signals.split_at_mut(1);
        forward.forward(&a1[0], above);
        let last = upper.len();
        // e_L = target − out
        for ((e, &t), &o) in errors[last]
            .iter_mut()
            .zip(targets.iter())
            .zip(&signals[last])
        {
            *e = t - o;
        }
        *squared_error += squared_error_of(&signals[last], targets);
        for l in (1..=last).rev() {
            let (errors_below, errors_here) = errors.split_at_mut(l);
            let e = &mut errors_here[0];
            let layer = &mut upper[l - 1];
            if l == last {
                if l > 1 {
                    // e_{L−1} = W_Lᵀ·e_L, W_L before its update
                    layer.weights.transpose_mul_vec(e, &mut errors_below[l - 1]);
                } else {
                    split_back(&layer.weights, e, nodes.clone(), own_errors);
                }
                // δ_L = e_L∘out∘(1−out) (squared) or e_L (cross-entropy)
                loss.output_gradient(e, &signals[l]);
            } else {
                // δ_l = e_l∘f′(a_l)
                activation.slope_times(e, &signals[l]);
                if l > 1 {
                    // e_{l−1} = W_lᵀ·δ_l, W_l before its update
                    layer.weights.transpose_mul_vec(e, &mut errors_below[l - 1]);
                } else {
                    split_back(&layer.weights, e, nodes.clone(), own_errors);
                }
            }
            // W_l += lr·δ_l·a_{l−1}ᵀ
            layer.weights.add_outer(lr, e, &signals[l - 1]);
            // b_l += lr·δ_l
            if let Some(bias) = &mut layer.bias {
                for (b, &d) in bias.iter_mut().zip(e.iter()) {
                    *b += lr * d;
                }
            }
        }
    }

    /// `δ_1 = e_1∘f′(a_1)` for the owned nodes, kept as `lr·δ_1`, the
    /// coefficient of the update `W_1 += lr·δ_1·xᵀ`; `b_1 += lr·δ_1`.
    fn first_layer_gradient(&mut self, activation: Activation, learning_rate: f32) {
        activation.slope_times(&mut self.own_errors, &self.own_signals);
        for g in &mut self.own_errors {
            *g *= learning_rate;
        }
        if let Some(bias) = &mut self.b1 {
            bias.iter_mut()
                .zip(&self.own_errors)
                .for_each(|(b, &g)| *b += g);
        }
    }

    /// `W_1 += lr·δ_1·xᵀ` for the owned rows, fused with `W_1·x` for the next
    /// sample (into `own_signals`).
    fn sweep(&mut self, has_next: bool) {
        let cols = self.inputs.len();
        let rows = self.w1.chunks_exact_mut(cols).zip(&self.own_errors);
        if has_next {
            for ((row, &g), z) in rows.zip(&mut self.own_signals) {
                *z = axpy_then_dot(g, &self.inputs, row, &self.next_inputs);
            }
        } else {
            for (row, &g) in rows {
                axpy(g, &self.inputs, row);
            }
        }
    }
}

/// `e_1 = W_2ᵀ·δ_2` for the owned nodes only: the owned columns of each row
/// of `W_2`, weighted by its `δ_2`, summed in row order as
/// [`Matrix::transpose_mul_vec`] sums them.
fn split_back(w2: &Matrix, delta: &[f32], nodes: Range<usize>, own_errors: &mut [f32]) {
    own_errors.fill(0.0);
    for (&d, row) in delta.iter().zip(w2.row_iter()) {
        axpy(d, &row[nodes.clone()], own_errors);
    }
}

/// `Σ (target − out)²` for one sample, in f64.
fn squared_error_of(outputs: &[f32], targets: &[f32]) -> f64 {
    outputs
        .iter()
        .zip(targets)
        .map(|(&o, &t)| f64::from(t - o).powi(2))
        .sum()
}
