//! What can go wrong in mnn-net, and the checks every network makes.

/// What can go wrong when building a network.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A layer with no nodes.
    #[error("the {layer} layer needs at least one node")]
    EmptyLayer { layer: &'static str },
    /// A learning rate that is not a positive finite number.
    #[error("learning rate must be a positive number, got {0}")]
    LearningRate(f32),
    /// Weight matrices whose shapes do not chain `inputs → hidden → outputs`.
    #[error(
        "weights do not fit together: weights_input_hidden is {input_hidden:?} \
         but weights_hidden_output is {hidden_output:?} (expected (outputs, {}))",
        input_hidden.0
    )]
    WeightShapes {
        input_hidden: (usize, usize),
        hidden_output: (usize, usize),
    },
    /// A saved model that cannot be loaded, and why.
    #[error("{0}")]
    Model(String),
    /// A name (of an activation, a loss) that is not known.
    #[error("unknown {what} {name:?}: expected one of {expected}")]
    Unknown {
        what: &'static str,
        name: String,
        expected: String,
    },
    /// Backquery through an activation that has no inverse.
    #[error(
        "backquery needs an invertible activation, and {0} has none (it maps every negative \
         signal to 0, so nothing tells which one it was); sigmoid and tanh networks can be backqueried"
    )]
    NoInverse(&'static str),
}

/// `learning_rate` if it can be one: a positive, finite number (the one
/// check every network makes).
pub(crate) fn checked_learning_rate(learning_rate: f32) -> Result<f32, NetError> {
    if learning_rate > 0.0 && learning_rate.is_finite() {
        Ok(learning_rate)
    } else {
        Err(NetError::LearningRate(learning_rate))
    }
}

/// Panics, naming the caller `what`, unless there is one target per output node.
pub(crate) fn check_targets(what: &str, targets: &[f32], output_nodes: usize) {
    assert_eq!(
        targets.len(),
        output_nodes,
        "{what}: {} targets for {output_nodes} output nodes",
        targets.len(),
    );
}
