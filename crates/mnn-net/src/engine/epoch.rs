//! What the training threads share during an epoch: what they all read
//! ([`Epoch`]) and what they exchange once per sample ([`Shared`]).

use crate::barrier::SpinBarrier;
use crate::layers::Rule;
use std::sync::atomic::AtomicU32;

/// What all workers read during an epoch.
pub(crate) struct Epoch<'a, S: ?Sized> {
    pub(crate) samples: &'a S,
    pub(crate) total: usize,
    /// How every sample is learnt (the steps that use it take no samples,
    /// so they are compiled once, here, not in each caller's crate).
    pub(crate) rule: Rule,
    pub(crate) progress_interval: usize,
    /// Samples per sweep over `W_1`: 1 or [`WINDOW`].
    pub(crate) window: usize,
}

/// What the workers exchange once per sample.
pub(crate) struct Shared {
    pub(crate) barrier: SpinBarrier,
    /// `a_1` for even and odd samples (as f32 bits): each worker writes its
    /// own nodes, then reads all after the barrier. Two buffers, so a fast
    /// worker writing sample k+1 never overwrites what a slow one is still
    /// reading for sample k.
    pub(crate) signals: [Vec<AtomicU32>; 2],
}
