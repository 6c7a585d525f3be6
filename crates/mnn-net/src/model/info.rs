//! What a model file says beside its weights: the format version and what
//! is known about the training run.

/// The newest format version this crate reads; loading refuses newer ones.
/// Book networks are written as version 1, networks beyond the book as 2.
pub const FORMAT_VERSION: u32 = 2;

/// The version of files holding the book's network (what mnn wrote before
/// networks beyond the book).
pub(super) const BOOK_FORMAT_VERSION: u32 = 1;

/// Tensor name of `W_ih`, shape `[hidden, inputs]`.
pub const WEIGHTS_INPUT_HIDDEN: &str = "weights_input_hidden";
/// Tensor name of `W_ho`, shape `[outputs, hidden]`.
pub const WEIGHTS_HIDDEN_OUTPUT: &str = "weights_hidden_output";

/// What is known about how a saved network was trained (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInfo {
    /// Seed of the initial weights.
    pub seed: Option<u64>,
    /// Epochs trained.
    pub epochs: Option<usize>,
    /// Accuracy on the test set after training, 0..=1.
    pub test_accuracy: Option<f64>,
    /// Rotation augmentation used in training, in degrees.
    pub rotate_degrees: Option<f32>,
}
