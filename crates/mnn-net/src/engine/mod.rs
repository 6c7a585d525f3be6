//! The training engine: `train` for a whole epoch, one sample per update as
//! the book does it, for a network of any depth, but with few sweeps over
//! layer 1 and on all cores. The book's network runs through it as the case
//! of one hidden layer ([`NeuralNetwork::train_epoch`](crate::NeuralNetwork::train_epoch)),
//! and so does every network beyond the book
//! ([`deep::Network::train_epoch`](crate::deep::Network::train_epoch)).
//!
//! **Few sweeps.** `W_1` (`W_ih`: 200×784 = 627 KB for the book's final
//! network, 2.5 MB for 784-800-10) is by far the biggest thing a train step
//! touches, and the book's order reads and writes all of it twice per
//! sample: `W_1·x` in the forward pass, then `W_1 += lr·δ_1·xᵀ` in the
//! update. Moving it through the cache costs more than the arithmetic, so
//! the engine moves it less often ([`Sweep`]):
//!
//! - [`Sweep::PerSample`]: the update for sample k and the forward pass for
//!   sample k+1 are next to each other in time, so they are fused: update a
//!   row, and while it is in registers, take its dot product with the next
//!   input ([`mnn_matrix::axpy_then_dot`]). One sweep per sample, and bit for
//!   bit the arithmetic of `train`.
//! - [`Sweep::PerWindow`]: one sweep per four samples. Sample k+p of a window
//!   needs `W_1` with the updates of samples k..k+p applied; instead of
//!   applying them, it corrects the forward pass computed at the window's
//!   start, because `(W + lr·δ_j·x_jᵀ)·x = W·x + lr·δ_j·(x_j·x)`: one dot
//!   product of two inputs per pending update. At the window's end one sweep
//!   applies all four updates and computes `W_1·x` for the next four samples
//!   ([`mnn_matrix::add_outer4_then_mul_vec4`]). Every sample still sees the
//!   weights after every earlier sample — the same algorithm, with its sums
//!   rounded in a different order. (The biases `b_1` are updated at once,
//!   sample by sample: they are not part of the sweep.)
//!
//! **All cores.** The rows of `W_1` are split between threads, each keeping
//! its rows (and so its share of every sweep) for the whole epoch, in its own
//! core's cache. Once per sample the threads meet at a barrier to share
//! `a_1`; the layers above (`W_ho`, 10×200, for the book's network) are then
//! computed whole by every thread on its own copy, identically, so no second
//! meeting is needed.
//!
//! **Same result on any number of threads.** Every number is computed by the
//! same kernel, on the same values, in the same order whatever the thread
//! count: a row's update and dot products do not depend on which thread owns
//! the row, and the layers above are computed whole by each thread. So the
//! weights after an epoch are bit for bit the same for 1, 2 or 16 threads
//! (tested), and with [`Sweep::PerSample`] also bit for bit those of calling
//! `train` on every sample. Only the kernels (`MNN_SIMD`) and the sweep
//! change the rounding.

mod epoch;
mod worker;

use crate::bands::bands;
use crate::barrier::SpinBarrier;
use crate::buffers::{Aligned, Window};
use crate::layers::{Layer, LayerWeights, Layers, Rule};
use crate::options::{EpochReport, Progress, Sweep, TrainOptions};
use crate::samples::Samples;
use epoch::{Epoch, Shared};
use mnn_matrix::kernels::WINDOW;
use mnn_matrix::{Matrix, Output, View, gemm, mul_vec4};
use std::sync::atomic::AtomicU32;
use worker::Worker;

/// A network as the engine trains it: layer 1, whose rows the threads
/// share out, and the layers above it, which every thread computes whole.
pub(crate) struct Stack<'a> {
    /// `W_1`: (nodes of layer 1, inputs), trained in place.
    pub(crate) first: &'a mut Matrix,
    /// `b_1`, one per node of layer 1, if the network has biases.
    pub(crate) first_bias: Option<&'a mut [f32]>,
    /// Layers 2 … L as they are before the epoch (at least one).
    pub(crate) upper: &'a [Layer],
    /// How every sample is learnt.
    pub(crate) rule: Rule,
}

/// An epoch's outcome: how it went, and layers 2 … L after it (`None` if a
/// worker was abandoned because another panicked).
pub(crate) type Trained = (EpochReport, Option<Vec<Layer>>);

/// One pass over `samples` in order, one `train` step per sample, layer 1
/// swept as `sweep` says and split across `options.threads` threads.
/// `progress` is called on the calling thread with the number of samples
/// done, every `options.progress_interval` samples and at the end.
/// Allocates once per call, never per sample.
pub(crate) fn train_epoch<S: Samples + ?Sized>(
    stack: Stack<'_>,
    samples: &S,
    options: &TrainOptions,
    sweep: Sweep,
    mut progress: impl FnMut(Progress),
) -> Trained {
    let total = samples.len();
    if total == 0 {
        return (EpochReport::default(), None);
    }
    let (nodes, inputs) = stack.first.shape();
    let threads = options.threads_for(nodes);
    let outputs = stack.upper.last().expect("a layer above layer 1").nodes();
    let shared = Shared {
        barrier: SpinBarrier::new(threads),
        signals: [0, 1].map(|_| (0..nodes).map(|_| AtomicU32::new(0)).collect()),
    };
    let epoch = Epoch {
        samples,
        total,
        rule: stack.rule,
        progress_interval: options.progress_interval.max(1),
        window: sweep.window(),
    };
    // Each thread's share: a band of W_1's rows, and their biases.
    let shares = bands(
        stack.first.as_mut_slice(),
        stack.first_bias,
        inputs,
        threads,
    );
    let upper = stack.upper;
    // Each worker copies its rows on its own thread, into its own core's cache.
    let mut shares = shares.into_iter();
    let (owned, rows, biases) = shares.next().expect("at least one thread");
    let (first, others) = std::thread::scope(|scope| {
        let others: Vec<_> = shares
            .map(|(owned, rows, biases)| {
                let (shared, epoch) = (&shared, &epoch);
                scope.spawn(move || {
                    Worker::new(owned, rows, biases, upper).run(epoch, shared, &mut |_| {})
                })
            })
            .collect();
        let first = Worker::new(owned, rows, biases, upper).run(&epoch, &shared, &mut progress);
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
        return (EpochReport::default(), None);
    };
    let (mut waited, mut took) = (first.waited, first.took);
    for finished in others.into_iter().flatten() {
        waited += finished.waited;
        took += finished.took;
    }
    let report = EpochReport {
        threads,
        waiting: if took.is_zero() {
            0.0
        } else {
            waited.as_secs_f64() / took.as_secs_f64()
        },
        // Every worker computed the same outputs; the first one's errors.
        mean_error: first.squared_error / (total * outputs) as f64,
    };
    // Every worker finished with the same upper layers; the first one's are kept.
    (report, Some(first.upper))
}

/// How [`query_all`] computes `W_1·x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Products {
    /// Four inputs at a time ([`mnn_matrix::mul_vec4`]), each row of `W_1`
    /// read once for four: `query`'s arithmetic summed in another order, so
    /// the outputs can differ from `query`'s in the last bits.
    Grouped,
    /// [`QUERY_BATCH`] inputs at a time, `W_1·X` as one matrix product
    /// ([`gemm`]), as a mini-batch's forward pass computes it: `query`'s
    /// arithmetic summed in another order, so the outputs can differ from
    /// `query`'s in the last bits.
    Batched,
}

/// Samples whose `W_1·x` [`Products::Batched`] computes in one product:
/// enough for the product to keep the arithmetic units busy (as a
/// training batch of 64 does), few enough to stay in the cache.
const QUERY_BATCH: usize = 64;

/// `query` for every sample, on `options.threads` threads: row `i` of the
/// result holds the output signals for sample `i`. The samples' targets are
/// ignored. The outputs do not depend on the thread count or on the other
/// samples.
pub(crate) fn query_all<S: Samples + ?Sized, L: LayerWeights + Sync>(
    stack: &Layers<'_, L>,
    samples: &S,
    options: &TrainOptions,
    products: Products,
) -> Matrix {
    let (total, outputs) = (samples.len(), stack.output_nodes());
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
            let first = (t + 1) * per_thread;
            scope.spawn(move || query_range(stack, samples, first, rows, products));
        }
        query_range(stack, samples, 0, mine, products);
    });
    results
}

/// What both ways of querying do once `W_1·x` is known: the rest of
/// `query`, one sample at a time.
struct Above<'s, 'l, L: LayerWeights> {
    stack: &'s Layers<'l, L>,
    /// Layers 2 … L.
    above: Layers<'l, L>,
    /// a_1, then a_2 … a_L.
    a_1: Vec<f32>,
    signals: Vec<Vec<f32>>,
}

impl<'s, 'l, L: LayerWeights> Above<'s, 'l, L> {
    fn new(stack: &'s Layers<'l, L>) -> Self {
        let (layer_1, upper) = stack.layers.split_first().expect("a layer");
        Self {
            stack,
            above: Layers {
                layers: upper,
                ..*stack
            },
            a_1: vec![0.0; layer_1.nodes()],
            signals: upper.iter().map(|l| vec![0.0; l.nodes()]).collect(),
        }
    }

    /// `out` = the network's outputs for the sample whose `W_1·x` is `z_1`.
    fn outputs(&mut self, z_1: impl Iterator<Item = f32>, out: &mut [f32]) {
        // a_1 = f(W_1·x + b_1)
        for (a, z) in self.a_1.iter_mut().zip(z_1) {
            *a = z;
        }
        self.stack.activate(0, &mut self.a_1);
        // a_2 … a_L, as query computes them
        self.above.forward(&self.a_1, &mut self.signals);
        out.copy_from_slice(self.signals.last().unwrap_or(&self.a_1));
    }
}

/// [`query_range`] for [`Products::Batched`].
fn query_range_batched<S: Samples + ?Sized, L: LayerWeights>(
    stack: &Layers<'_, L>,
    samples: &S,
    first: usize,
    results: &mut [f32],
) {
    let layer_1 = &stack.layers[0];
    let outputs = stack.output_nodes();
    let (nodes, inputs) = layer_1.weights().shape();
    // W_1: (nodes, inputs)
    let w_1 = View::row_major(layer_1.weights().as_slice(), nodes, inputs);
    // X: one sample per row, (QUERY_BATCH, inputs)
    let mut x = vec![0.0; QUERY_BATCH * inputs];
    let mut targets = vec![0.0; outputs];
    // Z_1 = W_1·Xᵀ: (nodes, QUERY_BATCH)
    let mut z_1 = vec![0.0; nodes * QUERY_BATCH];
    let mut above = Above::new(stack);
    for (g, group) in results.chunks_mut(QUERY_BATCH * outputs).enumerate() {
        let size = group.len() / outputs;
        for (j, row) in x.chunks_exact_mut(inputs).take(size).enumerate() {
            samples.fill(first + g * QUERY_BATCH + j, row, &mut targets);
        }
        let x_t = View::new(&x, (inputs, size), (1, inputs));
        gemm(1.0, w_1, x_t, Output::Overwrite, &mut z_1, QUERY_BATCH);
        for (j, out) in group.chunks_exact_mut(outputs).enumerate() {
            // column j of Z_1
            above.outputs(z_1.iter().skip(j).step_by(QUERY_BATCH).copied(), out);
        }
    }
}

/// `query` for the samples from `first` on, one row of `results` each.
fn query_range<S: Samples + ?Sized, L: LayerWeights>(
    stack: &Layers<'_, L>,
    samples: &S,
    first: usize,
    results: &mut [f32],
    products: Products,
) {
    if products == Products::Batched {
        return query_range_batched(stack, samples, first, results);
    }
    let layer_1 = &stack.layers[0];
    let outputs = stack.output_nodes();
    let w_1 = Aligned::from_slice(layer_1.weights().as_slice());
    let mut window = Window::new(layer_1.weights().cols(), outputs);
    // Per node of layer 1: W_1·x for each input of the group.
    let mut z_1 = vec![[0.0; WINDOW]; layer_1.nodes()];
    let mut above = Above::new(stack);
    let count = results.len() / outputs;
    for (g, group) in results.chunks_mut(WINDOW * outputs).enumerate() {
        window.read(samples, first + g * WINDOW, WINDOW.min(count - g * WINDOW));
        // W_1·x for the group's inputs
        mul_vec4(w_1.as_slice(), window.sweep_vectors(), &mut z_1);
        for (j, out) in group.chunks_exact_mut(outputs).enumerate() {
            above.outputs(z_1.iter().map(|z| z[j]), out);
        }
    }
}
