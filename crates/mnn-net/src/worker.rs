//! One training thread: its share of `W_ih`'s rows, its copy of `W_ho`, and
//! the per-sample steps of the book's `train` over a window of samples.

use crate::activation::sigmoid_inplace;
use crate::barrier::{PoisonOnPanic, Poisoned};
use crate::buffers::{Aligned, Window};
use crate::trainer::{Epoch, Shared};
use crate::{Activations, Samples, sigmoid_gradient};
use mnn_matrix::kernels::WINDOW;
use mnn_matrix::{Matrix, add_outer4_then_mul_vec4, axpy, axpy_then_dot, dot};
use std::ops::Range;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// One thread's share of the work, and its working memory.
pub(crate) struct Worker<'a> {
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
    /// `Σ (target − out)²` over the samples so far and all output nodes.
    squared_error: f64,
}

/// What a worker hands back at the end of an epoch.
pub(crate) struct Finished {
    /// Its copy of `W_ho` (the same in every worker).
    pub(crate) w_ho: Matrix,
    /// Time it spent waiting for the others, and in all.
    pub(crate) waited: Duration,
    pub(crate) took: Duration,
    /// `Σ (target − out)²` over the epoch's samples and the output nodes,
    /// each sample's error as it was before its own update.
    pub(crate) squared_error: f64,
}

impl<'a> Worker<'a> {
    pub(crate) fn new(nodes: Range<usize>, w_ih: &'a mut [f32], w_ho: &Matrix) -> Self {
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
            squared_error: 0.0,
            nodes,
        }
    }

    /// Trains on every sample; returns this worker's copy of `W_ho`.
    pub(crate) fn run<S: Samples + ?Sized>(
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
            squared_error: self.squared_error,
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
        let mut squared = 0.0f32;
        for ((e, &t), &o) in errors.iter_mut().zip(targets).zip(outputs.iter()) {
            *e = t - o;
            squared += *e * *e;
        }
        // The book's error measure, Σ (t − o)², read off and not used: no
        // weight depends on it.
        self.squared_error += f64::from(squared);
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
