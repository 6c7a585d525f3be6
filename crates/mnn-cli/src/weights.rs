//! `mnn weights`: what each hidden node looks for — its 784 incoming weights
//! drawn as a 28×28 picture, red where ink raises the node's signal, blue
//! where ink lowers it, all nodes in one grid, the most used first.

use crate::files::write_atomically;
use crate::model_file::load_digit_network;
use crate::pictures::{Canvas, GLYPH_HEIGHT, GLYPH_WIDTH, upscale};
use crate::report::outln;
use anyhow::{Context, Result};
use clap::Args;
use mnn_data::{IMAGE_COLS, IMAGE_ROWS};
use mnn_matrix::Matrix;
use mnn_net::Model;
use std::path::PathBuf;

/// `mnn weights` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Each hidden node's 784 incoming weights (its row of W_input_hidden) become a 28×28 \
picture: red where the weight is positive (ink there raises the node's signal), blue \
where it is negative (ink there lowers it), white at zero, each node scaled to its own \
largest weight. The nodes are ordered by how much the output layer uses them: the length \
(Euclidean norm) of the node's outgoing weights, its column of W_hidden_output. Each \
picture is labelled with the node's number. Writes DIR/grid.png and DIR/nodes.csv \
(rank, node, outgoing norm, largest incoming weight).")]
pub struct WeightsArgs {
    /// The saved network (a .safetensors file written by `mnn train --save`)
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// Directory for the pictures (made if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Draw only the N most used nodes [default: all]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub top: Option<u32>,
    /// Each picture is 28×SCALE pixels square
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub scale: u32,
}

/// Most pictures per row of the grid.
const COLUMNS: usize = 20;

/// Pictures per row for `n` pictures: a grid about 16:9, at most [`COLUMNS`].
fn columns_for(n: usize) -> usize {
    ((n as f64 * 16.0 / 9.0).sqrt().ceil() as usize).clamp(1, COLUMNS)
}

/// How much the output layer uses each hidden node: the Euclidean norm of
/// its outgoing weights (column `j` of `W_ho`: (outputs, hidden)). Returns
/// `(node, norm)`, most used first; ties keep the lower node first.
pub fn nodes_by_use(weights_hidden_output: &Matrix) -> Vec<(usize, f32)> {
    let mut squares = vec![0.0f32; weights_hidden_output.cols()];
    for row in weights_hidden_output.row_iter() {
        for (s, &w) in squares.iter_mut().zip(row) {
            *s += w * w;
        }
    }
    let mut nodes: Vec<(usize, f32)> = squares.into_iter().map(f32::sqrt).enumerate().collect();
    nodes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    nodes
}

/// Weights as colours on a diverging scale: white at 0, full red at
/// `+max|w|`, full blue at `−max|w|` (scaled to the weights' own largest
/// magnitude), as RGB triples.
pub fn diverging(weights: &[f32]) -> Vec<[u8; 3]> {
    let largest = weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    weights
        .iter()
        .map(|&w| {
            let v = if largest > 0.0 { w / largest } else { 0.0 };
            // The other two channels fade from 255 (white) to 0 (pure colour).
            let fade = (255.0 * (1.0 - v.abs())).round().clamp(0.0, 255.0) as u8;
            if v >= 0.0 {
                [255, fade, fade]
            } else {
                [fade, fade, 255]
            }
        })
        .collect()
}

/// The grid: `nodes` (with their ranks' order) as labelled `scale`d tiles,
/// [`columns_for`] to a row. Returns width, height and RGB pixels.
fn grid(w_ih: &Matrix, nodes: &[usize], scale: usize) -> (usize, usize, Vec<u8>) {
    let size = IMAGE_COLS * scale;
    let margin = 6;
    let font = (scale / 3).max(1);
    let label = GLYPH_HEIGHT * font + 3;
    let columns = columns_for(nodes.len()).min(nodes.len());
    let rows = nodes.len().div_ceil(columns);
    let (width, height) = (
        margin + columns * (size + margin),
        margin + rows * (label + size + margin),
    );
    // The labels in black on white paper, then the tiles in colour.
    let mut paper = Canvas::new(width, height);
    let place = |i: usize| {
        let (col, row) = (i % columns, i / columns);
        (
            margin + col * (size + margin),
            margin + row * (label + size + margin),
        )
    };
    for (i, &node) in nodes.iter().enumerate() {
        let (left, top) = place(i);
        for (k, digit) in node.to_string().bytes().enumerate() {
            let x = left + k * (GLYPH_WIDTH + 1) * font;
            paper.digit(x, top, usize::from(digit - b'0'), font);
        }
    }
    let mut rgb: Vec<u8> = paper.pixels.iter().flat_map(|&g| [g, g, g]).collect();
    for (i, &node) in nodes.iter().enumerate() {
        let (left, top) = place(i);
        let colours = diverging(w_ih.row(node));
        for channel in 0..3 {
            let plane: Vec<u8> = colours.iter().map(|c| c[channel]).collect();
            let big = upscale(&plane, IMAGE_COLS, IMAGE_ROWS, scale);
            for (y, line) in big.chunks_exact(size).enumerate() {
                let start = ((top + label + y) * width + left) * 3 + channel;
                for (x, &v) in line.iter().enumerate() {
                    rgb[start + 3 * x] = v;
                }
            }
        }
    }
    (width, height, rgb)
}

/// A picture of what the `top` most used hidden nodes of layer 1 look for
/// (all when `None`), each `scale` times 28×28, as `mnn weights` draws it:
/// width, height and RGB pixels, and every node ranked; `None` for a
/// network without a hidden layer.
pub fn picture(net: &Model, top: Option<usize>, scale: usize) -> Option<Picture> {
    // Layer 1's weights and the layer above's, of any network (the book's:
    // weights_input_hidden and weights_hidden_output).
    if net.architecture().layer_sizes.len() < 3 {
        return None;
    }
    let (weights_input_hidden, weights_hidden_output) =
        (net.layer(1).weights, net.layer(2).weights);
    let ranked = nodes_by_use(weights_hidden_output);
    let shown = top.map_or(ranked.len(), |n| n.min(ranked.len()));
    let nodes: Vec<usize> = ranked[..shown].iter().map(|&(j, _)| j).collect();
    let (width, height, rgb) = grid(weights_input_hidden, &nodes, scale);
    Some(Picture {
        width,
        height,
        rgb,
        ranked,
    })
}

/// What [`picture`] draws.
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
    /// Every hidden node of layer 1 and the norm of its outgoing weights,
    /// most used first.
    pub ranked: Vec<(usize, f32)>,
}

pub fn run_weights(args: &WeightsArgs) -> Result<()> {
    let net = load_digit_network(&args.model)?;
    let Some(drawn) = picture(&net, args.top.map(|n| n as usize), args.scale as usize) else {
        anyhow::bail!("{}: the network has no hidden layer", args.model.display());
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create directory", args.out.display()))?;
    let weights_input_hidden = net.layer(1).weights;
    let Picture {
        width,
        height,
        rgb,
        ranked,
    } = drawn;
    let shown = args
        .top
        .map_or(ranked.len(), |n| (n as usize).min(ranked.len()));
    let grid_path = args.out.join("grid.png");
    mnn_data::PngPixels::rgb(width, height, &rgb).save(&grid_path)?;

    let mut csv = String::from("rank,node,outgoing_norm,largest_incoming_weight\n");
    for (rank, &(node, norm)) in ranked.iter().enumerate() {
        let largest = weights_input_hidden
            .row(node)
            .iter()
            .fold(0.0f32, |m, w| m.max(w.abs()));
        csv.push_str(&format!("{},{node},{norm},{largest}\n", rank + 1));
    }
    let csv_path = args.out.join("nodes.csv");
    write_atomically(&csv_path, csv.as_bytes())?;

    outln!(
        "wrote {} ({width}×{height} pixels: {shown} of {} hidden nodes, most used first) and {}",
        grid_path.display(),
        ranked.len(),
        csv_path.display()
    );
    outln!(
        "red: ink there raises the node's signal; blue: ink there lowers it; each node scaled \
         to its own largest weight"
    );
    let top: Vec<String> = ranked
        .iter()
        .take(5)
        .map(|(j, n)| format!("{j} ({n:.2})"))
        .collect();
    outln!("most used (norm of outgoing weights): {}", top.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_ranked_by_the_length_of_their_outgoing_weights() {
        // W_ho: (2 outputs, 3 hidden); columns (3,4) → 5, (0,1) → 1, (−6,8) → 10.
        let w_ho = Matrix::from_rows(&[[3.0, 0.0, -6.0], [4.0, 1.0, 8.0]]).unwrap();
        assert_eq!(nodes_by_use(&w_ho), vec![(2, 10.0), (0, 5.0), (1, 1.0)]);
    }

    #[test]
    fn colours_diverge_from_white_to_red_and_blue() {
        assert_eq!(
            diverging(&[2.0, -2.0, 0.0, 1.0]),
            vec![[255, 0, 0], [0, 0, 255], [255, 255, 255], [255, 128, 128]]
        );
        assert_eq!(diverging(&[0.0, 0.0]), vec![[255, 255, 255]; 2]);
    }

    #[test]
    fn grids_are_wider_than_tall_and_at_most_twenty_across() {
        assert_eq!(columns_for(1), 2);
        assert_eq!(columns_for(20), 6);
        assert_eq!(columns_for(200), 19);
        assert_eq!(columns_for(1000), 20);
    }

    #[test]
    fn the_grid_puts_each_nodes_picture_below_its_number() {
        let mut w_ih = Matrix::zeros(3, IMAGE_COLS * IMAGE_ROWS);
        w_ih.row_mut(1).fill(1.0); // node 1: all red
        w_ih.row_mut(2).fill(-1.0); // node 2: all blue
        let (width, height, rgb) = grid(&w_ih, &[2, 1], 1);
        assert_eq!((width, height), (6 + 2 * 34, 6 + 10 + 28 + 6));
        let at = |x: usize, y: usize| {
            let i = (y * width + x) * 3;
            [rgb[i], rgb[i + 1], rgb[i + 2]]
        };
        assert_eq!(at(6, 16), [0, 0, 255]); // first tile: node 2
        assert_eq!(at(40 + 27, 16 + 27), [255, 0, 0]); // second: node 1
        assert_eq!(at(36, 30), [255; 3]); // paper between them
        assert!((6..13).any(|y| (6..11).any(|x| at(x, y) == [0; 3]))); // the label "2"
    }
}
