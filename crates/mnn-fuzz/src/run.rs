//! Each target's entry point, run as `mnn` runs it, and the check of its
//! answer: an error must be one line of reasonable length with no Rust debug
//! output.

use std::io::Cursor;
use std::path::Path;

use mnn_data::idx::{read_images, read_labels};

/// Check an error's message: one line, at most
/// [`mnn_cli::MAX_MESSAGE_CHARS`] characters, no Rust debug output. A bad
/// message is a failure like a panic.
pub(crate) fn check_message(message: &str) {
    assert!(
        !message.contains('\n'),
        "error of more than one line: {message}"
    );
    assert!(
        message.chars().count() <= mnn_cli::MAX_MESSAGE_CHARS,
        "error of {} characters: {}…",
        message.chars().count(),
        message.chars().take(200).collect::<String>()
    );
    assert!(
        !message.contains("ChunkType {") && !message.contains("Kind("),
        "Rust debug output in an error: {message}"
    );
}

fn answer<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| {
        let message = e.to_string();
        check_message(&message);
        message
    })
}

fn name() -> &'static Path {
    Path::new("fuzz-input")
}

pub(crate) fn run_idx_images(bytes: &[u8]) -> Result<(), String> {
    answer(read_images(bytes, name())).map(drop)
}

pub(crate) fn run_idx_labels(bytes: &[u8]) -> Result<(), String> {
    answer(read_labels(bytes, name())).map(drop)
}

/// As `mnn` reads a `.gz` file: gzip-decoded, then the IDX reader (of
/// images, and of labels: accepted if either accepts).
pub(crate) fn run_idx_gzip(bytes: &[u8]) -> Result<(), String> {
    let decoded = || flate2::bufread::MultiGzDecoder::new(bytes);
    match read_images(decoded(), name()) {
        Ok(_) => Ok(()),
        // A labels file, perhaps.
        Err(mnn_data::DataError::BadMagic { .. }) => {
            answer(read_labels(decoded(), name())).map(drop)
        }
        Err(e) => answer(Err::<(), _>(e)),
    }
}

pub(crate) fn run_csv(bytes: &[u8]) -> Result<(), String> {
    answer(mnn_data::mnist_csv::read_from(bytes, name())).map(drop)
}

/// As `mnn query` reads a picture: decode, then both preparations.
pub(crate) fn run_png(bytes: &[u8]) -> Result<(), String> {
    let decoded = answer(mnn_data::image::decode_png_gray(Cursor::new(bytes), name()));
    // The decoder panicked and the last line of defence caught it: a finding
    // all the same (the checks before decoding should have refused the file).
    if let Err(message) = &decoded {
        assert!(
            !message.contains("the decoder failed on it"),
            "the PNG decoder panicked: {message}"
        );
    }
    let image = decoded?;
    let _ = mnn_data::prepare_raw(&image);
    match mnn_data::prepare_digit(&image) {
        Ok(_) | Err(mnn_data::DataError::NoInk { .. }) => Ok(()),
        Err(e) => panic!("prepare_digit failed other than for want of ink: {e}"),
    }
}

/// As every command with `--model` reads a model (the one loader, any
/// network), then a query and every layer's signals through it.
pub(crate) fn run_model(bytes: &[u8]) -> Result<(), String> {
    use mnn_net::Queries;
    let (net, _info) = answer(mnn_net::Model::from_safetensors(bytes))?;
    let inputs = vec![0.5; net.input_nodes()];
    let outputs = net.query(&inputs);
    assert_eq!(outputs.len(), net.output_nodes());
    let signals = net.signals(&inputs);
    assert_eq!(signals.last(), Some(&outputs));
    Ok(())
}
