//! One real MNIST record through the book's 784-200-10 network: the input as
//! a picture, the hidden layer's strongest nodes, the outputs, and one train
//! step's errors and how the outputs moved.

use crate::{Block, BookRef, Chapter, Num, Quantity, Seg, Source, Step};
use mnn_data::{DIGITS, IMAGE_COLS, IMAGE_PIXELS, fill_targets, scale_pixel};
use mnn_net::{NeuralNetwork, argmax};

const MNIST: BookRef = BookRef {
    chapter: "Part 2: The MNIST Dataset of Handwritten Numbers (preparing MNIST data)",
    page: 151,
};
const SHAPE: BookRef = BookRef {
    chapter: "Part 2: Change Network Shape (hidden nodes)",
    page: 169,
};

/// How many of the hidden nodes the tour shows: the most active ones.
pub const STRONGEST: usize = 5;

/// The book's final network, 784-200-10 with learning rate 0.1 (p172), its
/// weights drawn with seed 1 as `mnn train` draws them by default.
pub fn record_network() -> NeuralNetwork {
    NeuralNetwork::new(IMAGE_PIXELS, 200, DIGITS, 0.1, 1).expect("784-200-10 is a valid shape")
}

fn q(quantity: Quantity, value: f32, decimals: usize) -> Seg {
    Seg::Num(Num {
        value: f64::from(value),
        decimals,
        source: Source::Record(quantity),
    })
}

fn t(text: impl Into<String>) -> Seg {
    Seg::Text(text.into())
}

/// An MNIST image (0 = paper, 255 = ink) in a frame, two pixel rows per
/// line of text: ▀ ink above, ▄ ink below, █ both.
pub fn half_block_picture(pixels: &[u8], width: usize) -> Vec<String> {
    let ink = |p: u8| p >= 96;
    let rows: Vec<&[u8]> = pixels.chunks_exact(width).collect();
    let mut lines = vec![format!("┌{}┐", "─".repeat(width))];
    for pair in rows.chunks(2) {
        let line: String = (0..width)
            .map(|x| {
                let top = ink(pair[0][x]);
                let bottom = pair.get(1).is_some_and(|r| ink(r[x]));
                match (top, bottom) {
                    (false, false) => ' ',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (true, true) => '█',
                }
            })
            .collect();
        lines.push(format!("│{line}│"));
    }
    lines.push(format!("└{}┘", "─".repeat(width)));
    lines
}

/// The tour's last chapter: `pixels` (an MNIST image, 0..=255 row by row)
/// with its `label` through `net` (784 inputs, 10 outputs), then one
/// [`NeuralNetwork::train`] step on a copy of `net`. `about` says where the
/// record came from.
///
/// # Panics
/// If `pixels` does not fit the input layer or `label` has no output node.
pub fn record_chapter(net: &NeuralNetwork, pixels: &[u8], label: u8, about: &str) -> Chapter {
    assert_eq!(pixels.len(), net.input_nodes(), "one pixel per input node");
    assert!(
        usize::from(label) < net.output_nodes(),
        "a label with an output node"
    );
    let inputs: Vec<f32> = pixels.iter().map(|&p| scale_pixel(p)).collect();
    let mut targets = vec![0.0; net.output_nodes()];
    fill_targets(label, &mut targets);
    let mut activations = net.activations();
    net.forward(&inputs, &mut activations);
    let (hidden, outputs) = (&activations.hidden, &activations.outputs);
    let mut strongest: Vec<usize> = (0..hidden.len()).collect();
    strongest.sort_by(|&a, &b| hidden[b].total_cmp(&hidden[a]));
    strongest.truncate(STRONGEST);
    let answer = argmax(outputs).expect("at least one output");

    // e_o = target − out, e_h = W_hoᵀ·e_o: what train() computes first.
    let errors: Vec<f32> = targets.iter().zip(outputs).map(|(t, o)| t - o).collect();
    let mut hidden_errors = vec![0.0; net.hidden_nodes()];
    net.weights_hidden_output()
        .transpose_mul_vec(&errors, &mut hidden_errors);
    let mut trained = net.clone();
    trained.train(&inputs, &targets);
    let after = trained.query(&inputs);
    let toward = (0..outputs.len())
        .filter(|&k| (after[k] - outputs[k]) * errors[k] > 0.0)
        .count();

    let sizes = format!(
        "{}-{}-{}",
        net.input_nodes(),
        net.hidden_nodes(),
        net.output_nodes()
    );
    let input_step = Step {
        title: format!("One MNIST record: the label {label}"),
        book: MNIST,
        code: vec!["mnn_data::scale_pixel"],
        blocks: vec![
            Block::Picture(half_block_picture(pixels, IMAGE_COLS)),
            Block::Line(vec![t(format!("label {label}: {about}"))]),
            Block::Line(vec![t(format!(
                "its {} pixels, scaled as in \"Preparing data\", are the {} input nodes",
                pixels.len(),
                net.input_nodes()
            ))]),
        ],
    };

    let mut hidden_rows: Vec<Vec<Seg>> = strongest
        .iter()
        .map(|&j| vec![t(j.to_string()), q(Quantity::Hidden(j), hidden[j], 3)])
        .collect();
    hidden_rows.truncate(STRONGEST);
    let output_rows: Vec<Vec<Seg>> = (0..outputs.len())
        .map(|k| {
            let mark = match (k == usize::from(label), k == answer) {
                (true, true) => "← label, and the answer",
                (true, false) => "← label",
                (false, true) => "← the answer",
                (false, false) => "",
            };
            vec![
                t(k.to_string()),
                q(Quantity::Output(k), outputs[k], 3),
                t(mark),
            ]
        })
        .collect();
    let forward_step = Step {
        title: format!("Through the book's {sizes} network"),
        book: SHAPE,
        code: vec!["mnn_net::NeuralNetwork::forward"],
        blocks: vec![
            Block::Line(vec![t(format!(
                "fresh weights (seed 1, as `mnn train` starts); the {STRONGEST} most active of the {} hidden nodes:",
                net.hidden_nodes()
            ))]),
            Block::Table {
                header: vec!["hidden node".into(), "output".into()],
                rows: hidden_rows,
            },
            Block::Line(vec![t(format!(
                "the {} outputs, one per digit; the answer is the largest:",
                net.output_nodes()
            ))]),
            Block::Table {
                header: vec!["digit".into(), "output".into(), String::new()],
                rows: output_rows,
            },
        ],
    };

    let train_rows: Vec<Vec<Seg>> = (0..outputs.len())
        .map(|k| {
            vec![
                t(k.to_string()),
                q(Quantity::Target(k), targets[k], 2),
                q(Quantity::Output(k), outputs[k], 4),
                q(Quantity::OutputError(k), errors[k], 4),
                q(Quantity::OutputAfter(k), after[k], 4),
                q(Quantity::OutputChange(k), after[k] - outputs[k], 4),
            ]
        })
        .collect();
    let hidden_error_rows: Vec<Vec<Seg>> = strongest
        .iter()
        .map(|&j| {
            vec![
                t(j.to_string()),
                q(Quantity::HiddenError(j), hidden_errors[j], 4),
            ]
        })
        .collect();
    let train_step = Step {
        title: "One train step: the errors, and how the outputs moved".into(),
        book: SHAPE,
        code: vec![
            "mnn_net::NeuralNetwork::train",
            "mnn_matrix::Matrix::transpose_mul_vec",
        ],
        blocks: vec![
            Block::Table {
                header: ["digit", "target", "output", "error", "after", "moved"]
                    .map(String::from)
                    .to_vec(),
                rows: train_rows,
            },
            Block::Line(vec![t(
                "error = target − output; the hidden errors W_hoᵀ·error of the nodes above:",
            )]),
            Block::Table {
                header: vec!["hidden node".into(), "error".into()],
                rows: hidden_error_rows,
            },
            Block::Line(vec![t(format!(
                "after one step {toward} of the {} outputs moved toward their targets; \
                 `mnn train` takes this step for every training record, epoch after epoch",
                outputs.len()
            ))]),
        ],
    };
    Chapter {
        title: format!("One MNIST record through {sizes}"),
        steps: vec![input_step, forward_step, train_step],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_pair_up_pixel_rows() {
        let pixels = [255, 0, 0, 255, 255, 0];
        let lines = half_block_picture(&pixels, 2);
        assert_eq!(lines, ["┌──┐", "│▀▄│", "│▀ │", "└──┘"]);
    }
}
