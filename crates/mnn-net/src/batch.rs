//! Beyond the book: mini-batch training, for networks beyond the book
//! ([`Network::train_epoch`](crate::deep::Network::train_epoch) with
//! [`TrainOptions::batch`] above 1).
//!
//! The book updates the weights after every sample. Here a batch of `B`
//! consecutive samples goes forward through the same weights, and each
//! layer then takes one update: the sum of the `B` per-sample updates, each
//! at the per-sample rate `lr`, so `--lr` means the same at any batch size
//! (for `B` samples the step is `B` times a mean gradient's):
//!
//! ```text
//! A_0   = X                                 the batch's inputs, one column per sample
//! A_l   = f(W_l·A_{l−1} + b_l)              every layer, the whole batch at once
//! E_L   = T − OUT;  Δ_L as one sample's δ_L, column by column
//! E_{l−1} = W_lᵀ·Δ_l                        (W_l before its update)
//! Δ_l   = E_l∘f′(A_l)
//! W_l  += lr·Δ_l·A_{l−1}ᵀ                   = Σ over the batch of lr·δ_l·a_{l−1}ᵀ
//! b_l  += lr·Σ_columns Δ_l
//! ```
//!
//! With a batch of one this is the book's algorithm, rounded differently
//! (tested against [`Network::train`](crate::deep::Network::train)); with
//! more it is a different algorithm (a departure, with its own accuracy
//! figures in docs/results.md). What it buys is speed: every product is a
//! matrix-matrix one ([`mnn_matrix::gemm()`]), which reads each weight once
//! per batch instead of once per sample, so the arithmetic units, not the
//! memory, set the pace.
//!
//! **Threads** split as the per-sample engine splits them: each owns a band
//! of `W_1`'s rows (and biases) for the whole epoch, and computes the layers
//! above whole, on its own copy, identically. Twice per batch they meet:
//! once when every thread has read (and distorted) its share of the batch's
//! samples into a shared buffer, once when every thread has written its
//! band of `A_1`. Every number is computed by the same kernel on the same
//! values in the same order whatever the thread count, so the weights are
//! bit for bit the same on any number of threads (tested).

use crate::bands::bands;
use crate::barrier::{PoisonOnPanic, Poisoned, SpinBarrier};
use crate::clock::Stopwatch;
use crate::kinds::Loss;
use crate::layers::{Layer, Rule};
use crate::options::{EpochReport, Progress, TrainOptions};
use crate::samples::Samples;
use mnn_matrix::{Matrix, Output, View, gemm};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// What the threads share: the meeting point, the batch's samples (one row
/// of inputs and one of targets per sample), and `A_1` (one row per node
/// of layer 1, one column per sample of the batch).
struct Shared {
    barrier: SpinBarrier,
    inputs: Vec<AtomicU32>,
    targets: Vec<AtomicU32>,
    a_1: Vec<AtomicU32>,
}

/// The epoch as every thread sees it.
struct Epoch<'a, S: ?Sized> {
    samples: &'a S,
    batch: usize,
    rule: Rule,
    progress_interval: usize,
    /// Inputs, nodes of layer 1, outputs.
    sizes: (usize, usize, usize),
}

/// One thread's share and working memory.
struct Worker<'a> {
    /// The nodes of layer 1 it owns, their rows of `W_1` and their biases.
    nodes: Range<usize>,
    w_1: &'a mut [f32],
    b_1: Option<&'a mut [f32]>,
    /// Its copy of layers 2 … L.
    upper: Vec<Layer>,
    /// The batch's inputs, a sample per row, and transposed (an input per
    /// row, `batch` apart); its targets, a sample per row.
    x: Vec<f32>,
    x_t: Vec<f32>,
    t: Vec<f32>,
    /// `A_1` (nodes × batch) and transposed (batch × nodes), then `A_2 … A_L`
    /// (nodes × batch).
    a_1_t: Vec<f32>,
    signals: Vec<Vec<f32>>,
    /// `E_1` for its own nodes, then `Δ_1`; `E_l`, then `Δ_l`, above.
    own_errors: Vec<f32>,
    errors: Vec<Vec<f32>>,
    /// One sample's inputs and targets, as `fill` writes them; one column.
    sample: (Vec<f32>, Vec<f32>),
    column: (Vec<f32>, Vec<f32>),
    waited: Duration,
    squared_error: f64,
}

/// What a thread hands back.
struct Finished {
    upper: Vec<Layer>,
    waited: Duration,
    took: Duration,
    squared_error: f64,
}

/// One pass over `samples` in order, in batches of `options.batch`, on
/// `options.threads` threads: layer 1 is `first` (with `first_bias`), the
/// layers above `upper` (at least one), which are replaced by their trained
/// values. `progress` hears the samples done (at the end of the batch that
/// crosses each `options.progress_interval`, and at the end).
pub(crate) fn train_epoch<S: Samples + ?Sized>(
    first: &mut Matrix,
    first_bias: Option<&mut [f32]>,
    upper: &mut Vec<Layer>,
    rule: Rule,
    samples: &S,
    options: &TrainOptions,
    mut progress: impl FnMut(Progress),
) -> EpochReport {
    let total = samples.len();
    if total == 0 {
        return EpochReport::default();
    }
    let batch = options.batch.clamp(1, total);
    let (nodes, inputs) = first.shape();
    let outputs = upper.last().expect("a layer above layer 1").nodes();
    let threads = options.threads_for(nodes);
    let atomics = |n: usize| (0..n).map(|_| AtomicU32::new(0)).collect::<Vec<_>>();
    let shared = Shared {
        barrier: SpinBarrier::new(threads),
        inputs: atomics(batch * inputs),
        targets: atomics(batch * outputs),
        a_1: atomics(nodes * batch),
    };
    let epoch = Epoch {
        samples,
        batch,
        rule,
        progress_interval: options.progress_interval.max(1),
        sizes: (inputs, nodes, outputs),
    };
    let workers: Vec<_> = bands(first.as_mut_slice(), first_bias, inputs, threads)
        .into_iter()
        .map(|(owned, rows, biases)| Worker::new(owned, rows, biases, upper, &epoch))
        .collect();
    let mut workers = workers.into_iter();
    let first_worker = workers.next().expect("at least one thread");
    let (first, others) = std::thread::scope(|scope| {
        let others: Vec<_> = workers
            .enumerate()
            .map(|(t, worker)| {
                let (shared, epoch) = (&shared, &epoch);
                scope.spawn(move || worker.run(t + 1, epoch, shared, &mut |_| {}))
            })
            .collect();
        let first = first_worker.run(0, &epoch, &shared, &mut progress);
        let others: Vec<_> = others
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
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
    *upper = first.upper;
    EpochReport {
        threads,
        waiting: if took.is_zero() {
            0.0
        } else {
            waited.as_secs_f64() / took.as_secs_f64()
        },
        mean_error: first.squared_error / (total * outputs) as f64,
    }
}

impl<'a> Worker<'a> {
    fn new<S: ?Sized>(
        nodes: Range<usize>,
        w_1: &'a mut [f32],
        b_1: Option<&'a mut [f32]>,
        upper: &[Layer],
        epoch: &Epoch<'_, S>,
    ) -> Self {
        let (inputs, hidden, outputs) = epoch.sizes;
        let batch = epoch.batch;
        let signals: Vec<Vec<f32>> = std::iter::once(hidden)
            .chain(upper.iter().map(Layer::nodes))
            .map(|n| vec![0.0; n * batch])
            .collect();
        Self {
            own_errors: vec![0.0; nodes.len() * batch],
            nodes,
            w_1,
            b_1,
            upper: upper.to_vec(),
            x: vec![0.0; batch * inputs],
            x_t: vec![0.0; inputs * batch],
            t: vec![0.0; batch * outputs],
            a_1_t: vec![0.0; batch * hidden],
            errors: signals[1..].to_vec(),
            signals,
            sample: (vec![0.0; inputs], vec![0.0; outputs]),
            column: (vec![0.0; outputs], vec![0.0; outputs]),
            waited: Duration::ZERO,
            squared_error: 0.0,
        }
    }

    /// Trains on every batch as thread `me` of the epoch's threads.
    fn run<S: Samples + ?Sized>(
        mut self,
        me: usize,
        epoch: &Epoch<'_, S>,
        shared: &Shared,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Finished, Poisoned> {
        let _guard = PoisonOnPanic(&shared.barrier);
        let started = Stopwatch::start();
        let total = epoch.samples.len();
        let mut next_report = epoch.progress_interval.min(total);
        for first in (0..total).step_by(epoch.batch) {
            let size = epoch.batch.min(total - first);
            self.read_share(me, first, size, epoch, shared);
            self.meet(shared)?;
            self.take_batch(size, epoch, shared);
            self.forward_own(size, epoch, shared);
            self.meet(shared)?;
            self.learn(size, epoch, shared);
            let done = first + size;
            if me == 0 && (done >= next_report || done == total) {
                progress(Progress {
                    samples: done,
                    squared_error: self.squared_error,
                });
                while next_report <= done {
                    next_report += epoch.progress_interval;
                }
            }
        }
        Ok(Finished {
            upper: self.upper,
            waited: self.waited,
            took: started.elapsed(),
            squared_error: self.squared_error,
        })
    }

    /// Waits for the other threads, counting the time.
    fn meet(&mut self, shared: &Shared) -> Result<(), Poisoned> {
        self.waited += shared.barrier.wait()?;
        Ok(())
    }

    /// This thread's share of the batch's samples (read, and distorted if
    /// the samples are), into the shared buffer.
    fn read_share<S: Samples + ?Sized>(
        &mut self,
        me: usize,
        first: usize,
        size: usize,
        epoch: &Epoch<'_, S>,
        shared: &Shared,
    ) {
        let threads = shared.barrier.threads();
        let (inputs, _, outputs) = epoch.sizes;
        let (x, t) = &mut self.sample;
        for j in size * me / threads..size * (me + 1) / threads {
            epoch.samples.fill(first + j, x, t);
            store(&shared.inputs[j * inputs..(j + 1) * inputs], x);
            store(&shared.targets[j * outputs..(j + 1) * outputs], t);
        }
    }

    /// The batch's samples from the shared buffer: `X`, `Xᵀ` and the targets.
    fn take_batch<S: ?Sized>(&mut self, size: usize, epoch: &Epoch<'_, S>, shared: &Shared) {
        let (inputs, _, outputs) = epoch.sizes;
        load(
            &shared.inputs[..size * inputs],
            &mut self.x[..size * inputs],
        );
        load(
            &shared.targets[..size * outputs],
            &mut self.t[..size * outputs],
        );
        let batch = epoch.batch;
        for (j, sample) in self.x.chunks_exact(inputs).take(size).enumerate() {
            for (i, &v) in sample.iter().enumerate() {
                self.x_t[i * batch + j] = v;
            }
        }
    }

    /// `A_1 = f(W_1·X + b_1)` for this thread's nodes, into the shared buffer.
    fn forward_own<S: ?Sized>(&mut self, size: usize, epoch: &Epoch<'_, S>, shared: &Shared) {
        let (inputs, _, _) = epoch.sizes;
        let (batch, own) = (epoch.batch, self.nodes.len());
        let z = &mut self.own_errors; // working room until the errors come
        // Z_1 = W_1·X (own nodes × samples)
        let w_1 = View::row_major(self.w_1, own, inputs);
        let x_t = View::new(&self.x_t, (inputs, size), (batch, 1));
        gemm(1.0, w_1, x_t, Output::Overwrite, z, batch);
        for (n, row) in z.chunks_exact_mut(batch).enumerate() {
            let row = &mut row[..size];
            if let Some(b) = &self.b_1 {
                // Z_1 + b_1
                row.iter_mut().for_each(|z| *z += b[n]);
            }
            // A_1 = f(Z_1 + b_1)
            epoch.rule.activation.apply(row);
        }
        let at = self.nodes.start * batch;
        store(&shared.a_1[at..at + own * batch], z);
    }

    /// Everything after `A_1`: the layers above, forward and back, and every
    /// update (`W_1`'s for this thread's nodes only).
    fn learn<S: ?Sized>(&mut self, size: usize, epoch: &Epoch<'_, S>, shared: &Shared) {
        let (inputs, hidden, outputs) = epoch.sizes;
        let batch = epoch.batch;
        let rule = epoch.rule;
        let (lr, activation) = (rule.learning_rate, rule.activation);
        load(&shared.a_1, &mut self.signals[0]);
        for (n, row) in self.signals[0].chunks_exact(batch).enumerate() {
            for (j, &a) in row[..size].iter().enumerate() {
                self.a_1_t[j * hidden + n] = a;
            }
        }
        // A_l = f(W_l·A_{l−1} + b_l), l = 2 … L
        let last = self.upper.len();
        for (l, layer) in self.upper.iter().enumerate() {
            let (below, here) = self.signals.split_at_mut(l + 1);
            let a_below = View::new(&below[l], (layer.weights.cols(), size), (batch, 1));
            let w = View::row_major(
                layer.weights.as_slice(),
                layer.nodes(),
                layer.weights.cols(),
            );
            gemm(1.0, w, a_below, Output::Overwrite, &mut here[0], batch);
            if let Some(bias) = &layer.bias {
                for (row, b) in here[0].chunks_exact_mut(batch).zip(bias) {
                    row[..size].iter_mut().for_each(|z| *z += b);
                }
            }
            if l + 1 < last {
                for row in here[0].chunks_exact_mut(batch) {
                    activation.apply(&mut row[..size]);
                }
            }
        }
        // The output layer, sample by sample: out = σ or softmax; E_L = T − out;
        // then Δ_L (the errors split down are E_L: see `learn_upper`).
        self.outputs(size, batch, outputs, rule.loss);
        self.learn_upper(size, batch, rule);
        // Δ_1 = E_1∘f′(A_1) for the own nodes
        let own = self.nodes.clone();
        for (e, a) in self
            .own_errors
            .chunks_exact_mut(batch)
            .zip(self.signals[0][own.start * batch..].chunks_exact(batch))
        {
            activation.slope_times(&mut e[..size], &a[..size]);
        }
        // W_1 += lr·Δ_1·X (own rows), b_1 += lr·ΣΔ_1
        let delta = View::new(&self.own_errors, (own.len(), size), (batch, 1));
        let x = View::row_major(&self.x[..size * inputs], size, inputs);
        gemm(lr, delta, x, Output::Add, self.w_1, inputs);
        if let Some(b) = &mut self.b_1 {
            add_row_sums(b, lr, &self.own_errors, batch, size);
        }
    }

    /// The output layer's activation, errors and squared error, a sample
    /// (a column) at a time with the per-sample functions.
    fn outputs(&mut self, size: usize, batch: usize, outputs: usize, loss: Loss) {
        let last = self.signals.len() - 1;
        let (out, e) = (&mut self.signals[last], &mut self.errors[last - 1]);
        let (column, target) = &mut self.column;
        for j in 0..size {
            for (o, c) in column.iter_mut().enumerate() {
                *c = out[o * batch + j];
            }
            loss.output(column);
            target.copy_from_slice(&self.t[j * outputs..(j + 1) * outputs]);
            for (o, (&c, &t)) in column.iter().zip(target.iter()).enumerate() {
                out[o * batch + j] = c;
                // E_L = T − OUT
                e[o * batch + j] = t - c;
                self.squared_error += f64::from((t - c) * (t - c));
            }
        }
    }

    /// Layers L … 2 back and updated, and `E_1` for this thread's nodes, as
    /// [`Step::backward`](crate::layers::Step::backward) does it for one sample.
    fn learn_upper(&mut self, size: usize, batch: usize, rule: Rule) {
        let Rule {
            learning_rate: lr,
            activation,
            loss,
        } = rule;
        let last = self.upper.len() - 1;
        for l in (0..=last).rev() {
            let layer = &mut self.upper[l];
            let (nodes, incoming) = layer.weights.shape();
            let (errors_below, errors_here) = self.errors.split_at_mut(l);
            let e = &mut errors_here[0];
            // δ before the split (hidden layers); at the output the book
            // splits E_L and then takes δ_L
            if l != last {
                // Δ_l = E_l∘f′(A_l)
                let a = &self.signals[l + 1];
                for (e, a) in e.chunks_exact_mut(batch).zip(a.chunks_exact(batch)) {
                    activation.slope_times(&mut e[..size], &a[..size]);
                }
            }
            // E_{l−1} = W_lᵀ·E_l (or Δ_l), W_l before its update
            let split = View::new(e, (nodes, size), (batch, 1));
            let w = layer.weights.as_slice();
            match errors_below.last_mut() {
                Some(e_below) => {
                    let w_t = View::row_major(w, nodes, incoming).t();
                    gemm(1.0, w_t, split, Output::Overwrite, e_below, batch);
                }
                None => {
                    // E_1 for the own nodes: the own columns of W_2
                    let own = self.nodes.clone();
                    let w_own = View::new(&w[own.start..], (nodes, own.len()), (incoming, 1)).t();
                    gemm(
                        1.0,
                        w_own,
                        split,
                        Output::Overwrite,
                        &mut self.own_errors,
                        batch,
                    );
                }
            }
            if l == last {
                // Δ_L = E_L∘out∘(1−out) (squared) or E_L (cross-entropy), per sample
                let out = &self.signals[l + 1];
                let (column, slope) = &mut self.column;
                for j in 0..size {
                    for o in 0..nodes {
                        column[o] = e[o * batch + j];
                        slope[o] = out[o * batch + j];
                    }
                    loss.output_gradient(column, slope);
                    for (o, &c) in column.iter().enumerate() {
                        e[o * batch + j] = c;
                    }
                }
            }
            // W_l += lr·Δ_l·A_{l−1}ᵀ, b_l += lr·ΣΔ_l
            let delta = View::new(e, (nodes, size), (batch, 1));
            let a_below_t = if l == 0 {
                View::row_major(&self.a_1_t[..size * incoming], size, incoming)
            } else {
                View::new(&self.signals[l], (incoming, size), (batch, 1)).t()
            };
            gemm(
                lr,
                delta,
                a_below_t,
                Output::Add,
                layer.weights.as_mut_slice(),
                incoming,
            );
            if let Some(b) = &mut layer.bias {
                add_row_sums(b, lr, e, batch, size);
            }
        }
    }
}

/// `b[n] += lr·Σ_j values[n·batch + j]` over the first `size` columns.
fn add_row_sums(b: &mut [f32], lr: f32, values: &[f32], batch: usize, size: usize) {
    for (b, row) in b.iter_mut().zip(values.chunks_exact(batch)) {
        *b += lr * row[..size].iter().sum::<f32>();
    }
}

/// `values` into the shared buffer.
fn store(shared: &[AtomicU32], values: &[f32]) {
    for (s, v) in shared.iter().zip(values) {
        s.store(v.to_bits(), Ordering::Relaxed);
    }
}

/// The shared buffer into `values`.
fn load(shared: &[AtomicU32], values: &mut [f32]) {
    for (s, v) in shared.iter().zip(values) {
        *v = f32::from_bits(s.load(Ordering::Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use crate::TrainOptions;
    use crate::deep::{Activation, Architecture, Loss, Network};
    use crate::layers::Layer;

    fn samples(count: usize, inputs: usize, outputs: usize) -> Vec<(Vec<f32>, Vec<f32>)> {
        (0..count)
            .map(|k| {
                let x = (0..inputs)
                    .map(|i| (((k * 31 + i * 7) % 17) as f32 / 17.0) * 0.98 + 0.01)
                    .collect();
                let mut t = vec![0.0; outputs];
                t[k % outputs] = 1.0;
                (x, t)
            })
            .collect()
    }

    fn network(layer_sizes: Vec<usize>, activation: Activation, loss: Loss, bias: bool) -> Network {
        let architecture = Architecture {
            layer_sizes,
            activation,
            loss,
            bias,
        };
        Network::new(architecture, 0.05, 3).unwrap()
    }

    fn options(threads: usize, batch: usize) -> TrainOptions {
        TrainOptions {
            batch,
            ..TrainOptions::with_threads(threads)
        }
    }

    /// The largest difference between two networks' weights and biases.
    fn distance(a: &[Layer], b: &[Layer]) -> f32 {
        a.iter()
            .zip(b)
            .flat_map(|(a, b)| {
                let weights = a.weights.as_slice().iter().zip(b.weights.as_slice());
                let biases = a.bias.iter().flatten().zip(b.bias.iter().flatten());
                weights.chain(biases).map(|(x, y)| (x - y).abs())
            })
            .fold(0.0, f32::max)
    }

    #[test]
    fn a_batch_is_the_sum_of_its_samples_updates_from_the_same_weights() {
        for (sizes, activation, loss, bias) in [
            (vec![12, 9, 4], Activation::Relu, Loss::CrossEntropy, true),
            (vec![12, 7, 5, 3], Activation::Sigmoid, Loss::Squared, false),
            (
                vec![10, 6, 6, 4],
                Activation::Tanh,
                Loss::CrossEntropy,
                true,
            ),
        ] {
            let outputs = *sizes.last().unwrap();
            let data = samples(10, sizes[0], outputs);
            let start = network(sizes.clone(), activation, loss, bias);
            // two batches: 7 samples, then the last 3
            let mut batched = start.clone();
            batched.train_epoch(&data, &options(2, 7), &mut |_| {});
            let mut reference = start.clone();
            for batch in data.chunks(7) {
                let before = reference.clone();
                let mut sum: Vec<Layer> = before.layers().to_vec();
                for (x, t) in batch {
                    let mut one = before.clone();
                    one.train(x, t);
                    for ((s, o), b) in sum.iter_mut().zip(one.layers()).zip(before.layers()) {
                        let w = s.weights.as_mut_slice().iter_mut();
                        for ((s, o), b) in w.zip(o.weights.as_slice()).zip(b.weights.as_slice()) {
                            *s += o - b;
                        }
                        if let (Some(s), Some(o), Some(b)) = (&mut s.bias, &o.bias, &b.bias) {
                            for ((s, o), b) in s.iter_mut().zip(o).zip(b) {
                                *s += o - b;
                            }
                        }
                    }
                }
                reference = Network::from_layers(sum, activation, loss, 0.05).unwrap();
            }
            let d = distance(batched.layers(), reference.layers());
            assert!(d < 1e-5, "{sizes:?}: {d}");
            assert!(
                distance(batched.layers(), start.layers()) > 1e-3,
                "{sizes:?}: it learnt"
            );
        }
    }

    #[test]
    fn the_weights_are_the_same_on_any_number_of_threads() {
        let data = samples(23, 30, 4);
        let start = network(
            vec![30, 13, 5, 4],
            Activation::Relu,
            Loss::CrossEntropy,
            true,
        );
        let trained: Vec<Network> = [1, 2, 3, 5]
            .map(|threads| {
                let mut net = start.clone();
                let report = net.train_epoch(&data, &options(threads, 8), &mut |_| {});
                assert_eq!(report.threads, threads);
                net
            })
            .into();
        for net in &trained[1..] {
            assert_eq!(net.layers(), trained[0].layers());
        }
    }

    #[test]
    fn progress_is_heard_at_the_batches_that_cross_each_interval_and_at_the_end() {
        let data = samples(25, 6, 3);
        let mut net = network(vec![6, 5, 3], Activation::Relu, Loss::CrossEntropy, true);
        let mut heard = Vec::new();
        let options = TrainOptions {
            progress_interval: 10,
            ..options(2, 4)
        };
        let report = net.train_epoch(&data, &options, &mut |done| heard.push(done));
        assert_eq!(heard, [12, 20, 25]);
        assert!(report.mean_error > 0.0 && report.mean_error < 1.0);
    }
}
