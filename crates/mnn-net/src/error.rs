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
    /// A name (of an activation, a loss) that is not known (`name` quoted,
    /// and cut to 40 characters).
    #[error("unknown {what} {name}: expected one of {expected}")]
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

/// Text from a file (a metadata value, a tensor's name or shape) shown in
/// an error message is cut to this many characters: a message is one line a
/// person reads, whatever the file holds.
pub const EXCERPT_CHARS: usize = 40;

/// `text` for an error message, quoted: whole if at most [`EXCERPT_CHARS`]
/// characters, else its start and its length.
pub(crate) fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return format!("{text:?}");
    }
    let start: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{start:?}… ({} bytes in all)", text.len())
}

/// A message from another library that may quote its input (safetensors'
/// and serde's name a tensor, an unknown field or a value whole) cut to
/// [`MESSAGE_CHARS`] characters: the one rule for such messages in mnn (the
/// model loader, bench reports, the web API's JSON).
pub fn shortened(message: &str) -> String {
    if message.chars().count() <= MESSAGE_CHARS {
        return message.to_string();
    }
    let start: String = message.chars().take(MESSAGE_CHARS).collect();
    format!("{start}… ({} bytes in all)", message.len())
}

/// The most of another library's message [`shortened`] keeps.
pub const MESSAGE_CHARS: usize = 160;

/// A tensor's shape (from a file) for an error message: whole up to four
/// dimensions, else the first four and how many there are.
pub(crate) fn shape_text(shape: &[usize]) -> String {
    match shape.get(..4) {
        Some(first) if shape.len() > 4 => format!("{first:?}… ({} dimensions)", shape.len()),
        _ => format!("{shape:?}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_files_is_cut_in_messages() {
        assert_eq!(excerpt("tanh"), "\"tanh\"");
        let long = "x".repeat(10_000);
        let shown = excerpt(&long);
        assert!(shown.ends_with("… (10000 bytes in all)"), "{shown}");
        assert!(shown.chars().count() < EXCERPT_CHARS + 30, "{shown}");
        assert_eq!(shortened("short"), "short");
        assert!(shortened(&long).chars().count() < MESSAGE_CHARS + 30);
        assert_eq!(shape_text(&[2, 3]), "[2, 3]");
        assert_eq!(shape_text(&[1; 1000]), "[1, 1, 1, 1]… (1000 dimensions)");
    }
}
