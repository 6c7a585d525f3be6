//! `mnn backquery`: the book's look inside the mind of the network — run it
//! backwards from each label to the image it associates with that label —
//! and, for every network (ReLU ones too), the image that most excites each
//! output, found by gradient ascent on the input.

use crate::model_file::load_digit_network;
use crate::pictures::{Canvas, greys, labelled_row, upscale};
use crate::report::outln;
use anyhow::{Context, Result};
use clap::Args;
use mnn_data::{DIGITS, IMAGE_COLS, IMAGE_ROWS, fill_targets, save_png_gray};
use mnn_net::argmax;
use std::path::PathBuf;

/// How many times larger than 28×28 each picture in `grid.png` is.
const GRID_SCALE: usize = 4;

/// `mnn backquery` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
For each label 0..9 the targets are 0.99 at the label and 0.01 elsewhere, and the \
network is run backwards (the book's backquery): DIR/0.png .. DIR/9.png. A network \
with ReLU layers has no inverse and skips these. For every network, gradient ascent \
starts from a grey image and changes its pixels, step by step, towards what raises \
that label's output most (over the others), keeping them in 0.01..0.99: \
DIR/ascent_0.png .. DIR/ascent_9.png. Each is blown up so it can be seen; \
DIR/grid.png holds them all in labelled rows (each 4 times 28×28), backquery above \
gradient ascent. Dark is ink, as the book shows them.")]
pub struct BackqueryArgs {
    /// The saved network (a .safetensors file written by `mnn train --save`)
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// Directory for the pictures (made if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Each picture is 28×SCALE pixels square
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
}

pub fn run_backquery(args: &BackqueryArgs) -> Result<()> {
    let net = load_digit_network(&args.model)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create directory", args.out.display()))?;
    let scale = args.scale as usize;
    let side = IMAGE_COLS * scale;
    let mut rows = Vec::new();
    if net.can_backquery() {
        let mut targets = vec![0.0; DIGITS];
        let images = (0..DIGITS).map(|label| {
            fill_targets(label as u8, &mut targets);
            net.backquery(&targets)
                .with_context(|| args.model.display().to_string())
        });
        rows.push(write_row(args, "", images.collect::<Result<_>>()?)?);
        outln!(
            "wrote {} .. 9.png ({side}×{side} pixels): the book's backquery, the network run backwards",
            args.out.join("0.png").display(),
        );
    } else {
        outln!(
            "no backquery: the {} network's ReLU layers have no inverse (every negative signal \
             became 0, and nothing tells which one it was)",
            net.describe()
        );
    }
    let imagined: Vec<_> = (0..DIGITS).map(|label| net.imagine(label)).collect();
    let answers: Vec<String> = imagined
        .iter()
        .map(|seen| {
            let answer = argmax(&seen.outputs).expect("ten outputs");
            format!("{answer} ({:.2})", seen.outputs[answer])
        })
        .collect();
    rows.push(write_row(
        args,
        "ascent_",
        imagined.into_iter().map(|seen| seen.image).collect(),
    )?);
    outln!(
        "wrote {} .. ascent_9.png ({side}×{side} pixels): gradient ascent, the input that most \
         excites each output; the network answers them {}",
        args.out.join("ascent_0.png").display(),
        answers.join(", ")
    );
    let grid = stacked(&rows);
    let grid_path = args.out.join("grid.png");
    save_png_gray(&grid_path, grid.width, grid.height, &grid.pixels)?;
    outln!(
        "wrote {} ({}×{} pixels{})",
        grid_path.display(),
        grid.width,
        grid.height,
        if rows.len() == 2 {
            ": backquery above, gradient ascent below"
        } else {
            ""
        }
    );
    if rows.len() == 2 {
        outln!(
            "why they differ: the transposed weights are not an inverse (784 inputs squeezed into \
             fewer hidden nodes cannot be recovered), so backquery shows where the weights point; \
             gradient ascent asks the network itself for an input it answers with that digit, \
             though not one a person would draw"
        );
    }
    Ok(())
}

/// Writes `DIR/<prefix>N.png` for each of the ten images (0.01..0.99
/// signals, shown as greys, ink dark), and returns their labelled row for
/// the grid.
fn write_row(args: &BackqueryArgs, prefix: &str, images: Vec<Vec<f32>>) -> Result<Canvas> {
    let scale = args.scale as usize;
    let mut tiles = Vec::with_capacity(DIGITS);
    for (label, image) in images.iter().enumerate() {
        let picture = greys(image);
        let big = upscale(&picture, IMAGE_COLS, IMAGE_ROWS, scale);
        let path = args.out.join(format!("{prefix}{label}.png"));
        save_png_gray(&path, IMAGE_COLS * scale, IMAGE_ROWS * scale, &big)?;
        tiles.push(upscale(&picture, IMAGE_COLS, IMAGE_ROWS, GRID_SCALE));
    }
    Ok(labelled_row(&tiles, IMAGE_COLS * GRID_SCALE))
}

/// Rows of the same width, one above the other.
fn stacked(rows: &[Canvas]) -> Canvas {
    let width = rows.iter().map(|r| r.width).max().unwrap_or(0);
    let height = rows.iter().map(|r| r.height).sum();
    let mut grid = Canvas::new(width, height);
    let mut top = 0;
    for row in rows {
        grid.paste(0, top, &row.pixels, row.width, row.height);
        top += row.height;
    }
    grid
}
