//! The engine's working memory: cache-line-aligned copies of weight rows,
//! and windows of consecutive samples read into aligned vectors.

use crate::samples::Samples;
use mnn_matrix::kernels::WINDOW;

/// `len` floats starting on a 64-byte boundary (a cache line), so that the
/// vector loads and stores of the kernels do not straddle two lines.
pub(crate) struct Aligned {
    data: Vec<f32>,
    start: usize,
    len: usize,
}

impl Aligned {
    pub(crate) const LINE: usize = 64 / size_of::<f32>();

    pub(crate) fn from_slice(values: &[f32]) -> Self {
        let len = values.len();
        let mut data = vec![0.0; len + Self::LINE];
        let offset = data.as_ptr().align_offset(64);
        let start = if offset < Self::LINE { offset } else { 0 };
        data[start..start + len].copy_from_slice(values);
        Self { data, start, len }
    }

    pub(crate) fn zeros(len: usize) -> Self {
        Self::from_slice(&vec![0.0; len])
    }

    pub(crate) fn as_slice(&self) -> &[f32] {
        &self.data[self.start..self.start + self.len]
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data[self.start..self.start + self.len]
    }
}

/// Up to [`WINDOW`] vectors of one length, each starting on a cache line.
pub(crate) struct Vectors {
    pub(crate) buffer: Aligned,
    pub(crate) len: usize,
    pub(crate) stride: usize,
}

impl Vectors {
    pub(crate) fn new(len: usize) -> Self {
        let stride = len.next_multiple_of(Aligned::LINE);
        Self {
            buffer: Aligned::zeros(WINDOW * stride),
            len,
            stride,
        }
    }

    pub(crate) fn get(&self, j: usize) -> &[f32] {
        &self.buffer.as_slice()[j * self.stride..][..self.len]
    }

    pub(crate) fn get_mut(&mut self, j: usize) -> &mut [f32] {
        &mut self.buffer.as_mut_slice()[j * self.stride..][..self.len]
    }
}

/// A window of consecutive samples: their inputs and targets.
pub(crate) struct Window {
    pub(crate) first: usize,
    pub(crate) len: usize,
    pub(crate) inputs: Vectors,
    pub(crate) targets: Vectors,
}

impl Window {
    pub(crate) fn new(inputs: usize, outputs: usize) -> Self {
        Self {
            first: 0,
            len: 0,
            inputs: Vectors::new(inputs),
            targets: Vectors::new(outputs),
        }
    }

    /// Reads the (up to) `size` samples of `total` from `first` on.
    pub(crate) fn fill<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        total: usize,
        first: usize,
        size: usize,
    ) {
        let len = size.min(total.saturating_sub(first));
        self.read(samples, first, len);
    }

    /// Reads the `len` samples from `first` on.
    pub(crate) fn read<S: Samples + ?Sized>(&mut self, samples: &S, first: usize, len: usize) {
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
    pub(crate) fn sweep_vectors(&self) -> [&[f32]; WINDOW] {
        std::array::from_fn(|j| self.inputs.get(if j < self.len { j } else { 0 }))
    }
}
