//! The training engine's input: a numbered sequence of samples, each an
//! input slice and a target slice.

/// A numbered sequence of training samples, read one at a time.
///
/// mnn-net knows no files and no MNIST: a data set becomes trainable by
/// filling an input and a target slice for a sample number.
/// [`train_epoch`](crate::NeuralNetwork::train_epoch) calls `fill` from
/// every worker thread, for every sample, so it must be cheap and give the
/// same values each time.
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

/// The same in a `Vec`, which (being sized) can also be a `&dyn Samples`.
impl<I, T> Samples for Vec<(I, T)>
where
    I: AsRef<[f32]> + Sync,
    T: AsRef<[f32]> + Sync,
{
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        self.as_slice().fill(index, inputs, targets);
    }
}
