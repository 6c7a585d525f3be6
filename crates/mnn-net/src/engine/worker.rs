//! One training thread: its share of layer 1's rows (and biases), its copy
//! of the layers above, and the per-sample steps of `train` over a window of
//! samples.

use super::epoch::{Epoch, Shared};
use crate::barrier::{PoisonOnPanic, Poisoned};
use crate::buffers::{Aligned, Window};
use crate::clock::Stopwatch;
use crate::layers::{Layer, Rule, Step};
use crate::options::{Progress, squared_error_of};
use crate::samples::Samples;
use mnn_matrix::kernels::WINDOW;
use mnn_matrix::{Matrix, add_outer4_then_mul_vec4, axpy, axpy_then_dot, dot, mul_vec4};
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// One thread's share of the work, and its working memory.
pub(super) struct Worker<'a> {
    /// The nodes of layer 1 this worker owns.
    nodes: Range<usize>,
    /// Their rows of `W_1` in the network, written back at the end.
    w_1_home: &'a mut [f32],
    /// The same rows, worked on in cache-line-aligned memory: (owned nodes, inputs).
    w_1: Aligned,
    /// Their biases `b_1`, in place in the network, if it has biases.
    b_1: Option<&'a mut [f32]>,
    /// A private copy of layers 2 … L, updated like every other copy.
    upper: Vec<Layer>,
    /// The samples of this window, and of the next.
    window: Window,
    next: Window,
    /// Per owned node: `W_1·x` for each sample of the window, as swept (not
    /// yet corrected for the window's own updates).
    forward: Vec<[f32; WINDOW]>,
    /// Per owned node: `lr·δ_1` for each sample of the window so far, the
    /// coefficients of the pending updates `W_1 += lr·δ_1·xᵀ`.
    pending: Vec<[f32; WINDOW]>,
    /// `W_1·x + b_1` for the owned nodes, then `a_1` for them.
    own_signals: Vec<f32>,
    /// `e_1` for the owned nodes, then `δ_1`.
    own_errors: Vec<f32>,
    /// All of `a_1`.
    a_1: Vec<f32>,
    /// `a_2 … a_L`, and `e_2 … e_L` (then each `δ_l`).
    signals: Vec<Vec<f32>>,
    errors: Vec<Vec<f32>>,
    /// Time spent waiting at the per-sample meeting.
    waited: Duration,
    /// `Σ (target − out)²` over the samples so far and all output nodes.
    squared_error: f64,
}

/// What a worker hands back at the end of an epoch.
pub(super) struct Finished {
    /// Its copy of layers 2 … L (the same in every worker).
    pub(super) upper: Vec<Layer>,
    /// Time it spent waiting for the others, and in all.
    pub(super) waited: Duration,
    pub(super) took: Duration,
    /// `Σ (target − out)²` over the epoch's samples and the output nodes,
    /// each sample's error as it was before its own update.
    pub(super) squared_error: f64,
}

impl<'a> Worker<'a> {
    pub(super) fn new(
        nodes: Range<usize>,
        w_1: &'a mut [f32],
        b_1: Option<&'a mut [f32]>,
        upper: &[Layer],
    ) -> Self {
        let inputs = w_1.len() / nodes.len();
        let signals: Vec<Vec<f32>> = upper.iter().map(|l| vec![0.0; l.nodes()]).collect();
        let outputs = signals.last().expect("a layer above layer 1").len();
        Self {
            w_1: Aligned::from_slice(w_1),
            w_1_home: w_1,
            b_1,
            upper: upper.to_vec(),
            window: Window::new(inputs, outputs),
            next: Window::new(inputs, outputs),
            forward: vec![[0.0; WINDOW]; nodes.len()],
            pending: vec![[0.0; WINDOW]; nodes.len()],
            own_signals: vec![0.0; nodes.len()],
            own_errors: vec![0.0; nodes.len()],
            a_1: vec![0.0; upper[0].weights.cols()],
            errors: signals.clone(),
            signals,
            waited: Duration::ZERO,
            squared_error: 0.0,
            nodes,
        }
    }

    /// Trains on every sample; hands back this worker's layers 2 … L.
    pub(super) fn run<S: Samples + ?Sized>(
        mut self,
        epoch: &Epoch<S>,
        shared: &Shared,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Finished, Poisoned> {
        let _guard = PoisonOnPanic(&shared.barrier);
        let started = Stopwatch::start();
        let cols = self.window.inputs.len;
        self.window
            .fill(epoch.samples, epoch.total, 0, epoch.window);
        // W_1·x for the first window; later ones come out of the sweeps. Each
        // is summed in the order the sweeps sum theirs (`dot`'s for one sample
        // per sweep, `mul_vec4`'s for four), so an epoch trained in parts
        // (each starting at a window) is the epoch trained whole, bit for bit.
        if epoch.window == 1 {
            for (forward, row) in self
                .forward
                .iter_mut()
                .zip(self.w_1.as_slice().chunks_exact(cols))
            {
                forward[0] = dot(row, self.window.inputs.get(0));
            }
        } else {
            mul_vec4(
                self.w_1.as_slice(),
                self.window.sweep_vectors(),
                &mut self.forward,
            );
        }
        let mut next_report = epoch.progress_interval.min(epoch.total);
        while self.window.len > 0 {
            for p in 0..self.window.len {
                let k = self.window.first + p;
                self.first_layer_forward(p, epoch.rule);
                self.meet(k, shared)?;
                self.upper_layers(p, epoch.rule);
                self.first_layer_gradient(p, epoch.rule);
                if k + 1 == next_report {
                    progress(Progress {
                        samples: k + 1,
                        squared_error: self.squared_error,
                    });
                    next_report = (next_report + epoch.progress_interval).min(epoch.total);
                }
            }
            let after = self.window.first + self.window.len;
            self.next
                .fill(epoch.samples, epoch.total, after, epoch.window);
            self.sweep(epoch.window);
            std::mem::swap(&mut self.window, &mut self.next);
        }
        self.w_1_home.copy_from_slice(self.w_1.as_slice());
        Ok(Finished {
            upper: self.upper,
            waited: self.waited,
            took: started.elapsed(),
            squared_error: self.squared_error,
        })
    }

    /// `a_1 = f(W_1·x + b_1)` for sample p of the window and the owned
    /// nodes, where `W_1·x` has the window's earlier updates:
    /// `W·x_p + Σ_{j<p} lr·δ_j·(x_j·x_p)`.
    fn first_layer_forward(&mut self, p: usize, rule: Rule) {
        for (z, forward) in self.own_signals.iter_mut().zip(&self.forward) {
            *z = forward[p];
        }
        let inputs = &self.window.inputs;
        for j in 0..p {
            let overlap = dot(inputs.get(j), inputs.get(p));
            for (z, pending) in self.own_signals.iter_mut().zip(&self.pending) {
                *z += pending[j] * overlap;
            }
        }
        if let Some(bias) = &self.b_1 {
            // z_1 = W_1·x + b_1
            for (z, b) in self.own_signals.iter_mut().zip(bias.iter()) {
                *z += b;
            }
        }
        // a_1 = f(z_1)
        rule.activation.apply(&mut self.own_signals);
    }

    /// Shares the owned part of `a_1` and reads all of it: the one place the
    /// workers meet.
    fn meet(&mut self, k: usize, shared: &Shared) -> Result<(), Poisoned> {
        let board = &shared.signals[k % 2];
        for (slot, &a) in board[self.nodes.clone()].iter().zip(&self.own_signals) {
            slot.store(a.to_bits(), Ordering::Relaxed);
        }
        if shared.barrier.threads() > 1 {
            self.waited += shared.barrier.wait()?;
        }
        for (a, slot) in self.a_1.iter_mut().zip(board) {
            *a = f32::from_bits(slot.load(Ordering::Relaxed));
        }
        Ok(())
    }

    /// Layers 2 … L forward and back for sample p of the window, as `train`
    /// does them; ends with `e_1` for the owned nodes in `own_errors`.
    fn upper_layers(&mut self, p: usize, rule: Rule) {
        let Self {
            upper,
            a_1,
            signals,
            errors,
            own_errors,
            nodes,
            window,
            squared_error,
            ..
        } = self;
        let mut step = Step {
            layers: upper,
            rule,
        };
        // a_l = f(W_l·a_{l−1} + b_l), out = σ or softmax
        step.view().forward(a_1, signals);
        let targets = window.targets.get(p);
        let outputs = signals.last().expect("an output layer");
        // The book's error measure, Σ (t − o)², read off and not used: no
        // weight depends on it.
        *squared_error += squared_error_of(outputs, targets);
        // e_1 = W_2ᵀ·δ_2 for the owned nodes only
        step.backward(a_1, signals, errors, targets, |w_2, delta| {
            split_back(w_2, delta, nodes.clone(), own_errors)
        });
    }

    /// `δ_1 = e_1∘f′(a_1)` for sample p and the owned nodes, kept as the
    /// coefficient `lr·δ_1` of its pending update `W_1 += lr·δ_1·xᵀ`;
    /// `b_1 += lr·δ_1` at once.
    fn first_layer_gradient(&mut self, p: usize, rule: Rule) {
        rule.activation
            .slope_times(&mut self.own_errors, &self.own_signals);
        for (pending, &delta) in self.pending.iter_mut().zip(&self.own_errors) {
            pending[p] = rule.learning_rate * delta;
        }
        if let Some(bias) = &mut self.b_1 {
            for (b, pending) in bias.iter_mut().zip(&self.pending) {
                *b += pending[p];
            }
        }
    }

    /// `W_1 += Σ_j lr·δ_j·x_jᵀ` for the owned rows and the window's samples,
    /// fused with `W_1·x` for the next window's samples.
    fn sweep(&mut self, window: usize) {
        let cols = self.window.inputs.len;
        let rows = self.w_1.as_mut_slice();
        if window == 1 {
            // W_1 += lr·δ_1·xᵀ, fused with W_1·x for the next sample
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

/// `e_1 = W_2ᵀ·δ_2` for the owned nodes only: the owned columns of each row
/// of `W_2`, weighted by its `δ_2`, summed in row order as
/// [`Matrix::transpose_mul_vec`] sums them.
fn split_back(w_2: &Matrix, delta: &[f32], nodes: Range<usize>, own_errors: &mut [f32]) {
    own_errors.fill(0.0);
    for (&d, row) in delta.iter().zip(w_2.row_iter()) {
        axpy(d, &row[nodes.clone()], own_errors);
    }
}
