//! `mnn show`: the book's first look at the data — one record, drawn.

use crate::pictures::{Canvas, GLYPH_HEIGHT, GLYPH_WIDTH, ink_to_dark, shade_lines, upscale};
use crate::report::outln;
use crate::{DataArgs, data};
use anyhow::Result;
use clap::Args;
use mnn_data::save_png_gray;
use mnn_train::Need;
use std::path::PathBuf;

/// `mnn show` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Without --out the digit is drawn in the terminal with shade characters; with --out it \
is written as a PNG, dark ink on white as the book shows it (at --scale 1, that PNG \
read by `mnn query --raw` is exactly the record's input to the network). With --grid \
and --out, the 100 records from --index on (fewer at the end of the set) are drawn ten \
to a row, each with its label above it. An index past the end of the set is a usage \
error (exit status 2).")]
pub struct ShowArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Which record, counting from 0 (with --grid: the first one)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub index: usize,
    /// Take the record from the test set instead of the training set
    #[arg(long)]
    pub test: bool,
    /// Write the record to this PNG file instead of drawing it in the terminal
    #[arg(long, value_name = "PNG")]
    pub out: Option<PathBuf>,
    /// With --out, make the picture SCALE times 28×28 pixels
    #[arg(long, default_value_t = 1, requires = "out", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// With --out, draw a grid of 10×10 records with their labels
    #[arg(long, requires = "out")]
    pub grid: bool,
}

/// Records per row, and rows, of `mnn show --grid`.
const GRID_SIDE: usize = 10;

/// Records `first..` (at most [`GRID_SIDE`]² of them, as many as `set`
/// has), dark ink on white, `GRID_SIDE` to a row, each `scale` times 28×28
/// with its label written above it.
fn record_grid(set: &mnn_data::Dataset, first: usize, scale: usize) -> Canvas {
    let count = (GRID_SIDE * GRID_SIDE).min(set.len() - first);
    let (cols, rows) = (set.cols(), set.rows());
    let (width, height) = (cols * scale, rows * scale);
    let margin = 4 * scale.min(3);
    let font = scale.div_ceil(2);
    let label = GLYPH_HEIGHT * font + margin / 2;
    let across = GRID_SIDE.min(count);
    let down = count.div_ceil(across);
    let mut canvas = Canvas::new(
        margin + across * (width + margin),
        margin + down * (label + height + margin),
    );
    for i in 0..count {
        let (left, top) = (
            margin + (i % across) * (width + margin),
            margin + (i / across) * (label + height + margin),
        );
        let digit_left = left + width.saturating_sub(GLYPH_WIDTH * font) / 2;
        canvas.digit(digit_left, top, usize::from(set.label(first + i)), font);
        let picture = upscale(&ink_to_dark(set.image(first + i)), cols, rows, scale);
        canvas.paste(left, top + label, &picture, width, height);
    }
    canvas
}

pub fn run_show(args: &ShowArgs) -> Result<()> {
    let need = if args.test {
        Need::Test
    } else {
        Need::TrainAndTest
    };
    let loaded = data::load(&args.data, need)?;
    let (set, name) = if args.test {
        (&loaded.mnist.test, "test")
    } else {
        (&loaded.mnist.train, "training")
    };
    data::check_index(args.index, set, name, &loaded)?;
    let (pixels, label) = (set.image(args.index), set.label(args.index));
    let (cols, rows) = (set.cols(), set.rows());
    match &args.out {
        Some(path) if args.grid => {
            let canvas = record_grid(set, args.index, args.scale as usize);
            save_png_gray(path, canvas.width, canvas.height, &canvas.pixels)?;
            let count = (GRID_SIDE * GRID_SIDE).min(set.len() - args.index);
            outln!(
                "records {}..={} of the {name} set, with their labels, written to {}",
                args.index,
                args.index + count - 1,
                path.display()
            );
        }
        Some(path) => {
            let scale = args.scale as usize;
            let picture = upscale(&ink_to_dark(pixels), cols, rows, scale);
            save_png_gray(path, cols * scale, rows * scale, &picture)?;
            outln!(
                "label {label}: record {} of the {name} set, written to {}",
                args.index,
                path.display()
            );
        }
        None => {
            for line in shade_lines(pixels, cols) {
                outln!("{line}");
            }
            outln!("label {label}: record {} of the {name} set", args.index);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_data::{Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS};

    #[test]
    fn the_grid_draws_each_record_below_its_label_ten_to_a_row() {
        let mut set = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
        for i in 0..12u8 {
            set.push(i % 10, &[if i == 11 { 255 } else { 0 }; IMAGE_PIXELS]);
        }
        // From record 1: eleven records, the last (all ink) alone on row two.
        let canvas = record_grid(&set, 1, 1);
        let (margin, label) = (4, GLYPH_HEIGHT + 2);
        assert_eq!(
            (canvas.width, canvas.height),
            (
                margin + 10 * (28 + margin),
                margin + 2 * (label + 28 + margin)
            )
        );
        let at = |x: usize, y: usize| canvas.pixels[y * canvas.width + x];
        let second_row = margin + label + 28 + margin;
        assert_eq!(at(margin + 14, second_row + label + 14), 0); // ink of record 11
        assert_eq!(at(margin + 14, margin + label + 14), 255); // paper of record 1
        // Record 11's label "1" is written above it.
        let label_ink = (second_row..second_row + GLYPH_HEIGHT)
            .flat_map(|y| (margin..margin + 28).map(move |x| (x, y)))
            .filter(|&(x, y)| at(x, y) == 0)
            .count();
        assert!(label_ink >= 7, "{label_ink}");
    }
}
