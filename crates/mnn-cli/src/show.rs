//! `mnn show`: the book's first look at the data — one record, drawn.

use crate::pictures::{ink_to_dark, shade_lines, upscale};
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
read by `mnn query --raw` is exactly the record's input to the network). An index \
past the end of the set is a usage error (exit status 2).")]
pub struct ShowArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Which record, counting from 0
    #[arg(long, value_name = "N")]
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
