//! `mnn backquery`: the book's look inside the mind of the network — run it
//! backwards from each label to the image it associates with that label.

use crate::model_file::load_digit_network;
use crate::pictures::{greys, labelled_row, upscale};
use crate::report::outln;
use anyhow::{Context, Result};
use clap::Args;
use mnn_data::{DIGITS, IMAGE_COLS, IMAGE_ROWS, fill_targets, save_png_gray};
use std::path::PathBuf;

/// How many times larger than 28×28 each picture in `grid.png` is.
const GRID_SCALE: usize = 4;

/// `mnn backquery` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
For each label 0..9 the targets are 0.99 at the label and 0.01 elsewhere, and the \
network is run backwards (the book's backquery). Writes DIR/0.png .. DIR/9.png, blown \
up so they can be seen, and DIR/grid.png with all ten in a labelled row (each 4 times \
28×28). Dark is ink, as the book shows them.")]
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
    let mut targets = vec![0.0; DIGITS];
    let mut tiles = Vec::with_capacity(DIGITS);
    for label in 0..DIGITS {
        fill_targets(label as u8, &mut targets);
        let image = net
            .backquery(&targets)
            .with_context(|| args.model.display().to_string())?;
        let picture = greys(&image);
        let big = upscale(&picture, IMAGE_COLS, IMAGE_ROWS, scale);
        let path = args.out.join(format!("{label}.png"));
        save_png_gray(&path, IMAGE_COLS * scale, IMAGE_ROWS * scale, &big)?;
        tiles.push(upscale(&picture, IMAGE_COLS, IMAGE_ROWS, GRID_SCALE));
    }
    let grid = labelled_row(&tiles, IMAGE_COLS * GRID_SCALE);
    let grid_path = args.out.join("grid.png");
    save_png_gray(&grid_path, grid.width, grid.height, &grid.pixels)?;
    let side = IMAGE_COLS * scale;
    outln!(
        "wrote {} .. 9.png ({side}×{side} pixels) and {} ({}×{} pixels)",
        args.out.join("0.png").display(),
        grid_path.display(),
        grid.width,
        grid.height
    );
    Ok(())
}
