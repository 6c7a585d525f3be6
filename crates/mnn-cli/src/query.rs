//! `mnn query`: the book's "your own handwriting" — ask a saved network what
//! digit a PNG shows.

use crate::model_file::load_digit_network;
use crate::pictures;
use crate::report::{Reporter, shortest_decimal};
use anyhow::{Result, bail};
use clap::Args;
use mnn_data::{IMAGE_COLS, IMAGE_ROWS, load_png_gray, scale_pixel};
use mnn_net::{Queries, argmax};
use serde_json::json;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `mnn query` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Any PNG works: any size, grey, RGB, palette, with or without transparency (transparent \
is paper), 1- to 16-bit, interlaced. By default each image is prepared the way MNIST's \
digits were: inverted if it is dark on light, cropped to the ink, fitted into 20×20 \
keeping its shape, and centred by its centre of mass in 28×28.

Per file, prints the predicted digit and the ten output values. A file that cannot be \
read, is not a PNG or has no ink is reported as `error: FILE: reason` on stderr, and \
the other files are still answered.

Exit status: 0 when every image was answered; 1 when any was not (the others are \
still answered first) or the model cannot be loaded; 2 for wrong flags.")]
pub struct QueryArgs {
    /// The saved network (a .safetensors file written by `mnn train --save`)
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// PNG images, each of one handwritten digit
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<PathBuf>,
    /// Prepare the images the book's way instead: shrink the whole picture to
    /// 28×28 and invert it (works only for a dark digit filling a light square)
    #[arg(long)]
    pub raw: bool,
    /// Write the 28×28 image the network saw, for each input, as DIR/NAME.png
    /// (dark ink on white, as the book shows it)
    #[arg(long, value_name = "DIR")]
    pub save_input: Option<PathBuf>,
    /// With --save-input, make each picture SCALE times 28×28 pixels (at 1 it
    /// is exactly the network's input, readable by `mnn query --raw`)
    #[arg(long, default_value_t = 1, requires = "save_input", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// Print one JSON object per image, {"file", "label", "outputs"} (and
    /// "input" with --save-input), one per line
    #[arg(long)]
    pub json: bool,
}

pub fn run_query(args: &QueryArgs) -> Result<()> {
    let out = Reporter::new(args.json);
    let net = load_digit_network(&args.model)?;
    if let Some(dir) = &args.save_input {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("{}: cannot create directory: {e}", dir.display()))?;
    }
    let mut input_names = InputNames::default();
    let mut answered = 0;
    for file in &args.images {
        let prepared = load_png_gray(file).and_then(|image| prepare(&image, args.raw));
        let pixels = match prepared {
            Ok(pixels) => pixels,
            // One image: its error is the command's, in one line.
            Err(err) if args.images.len() == 1 => return Err(err.into()),
            Err(err) => {
                eprintln!("error: {err}");
                continue;
            }
        };
        let saved = match &args.save_input {
            Some(dir) => {
                let path = dir.join(input_names.next(file));
                let scale = args.scale as usize;
                let dark = pictures::upscale(
                    &pictures::ink_to_dark(&pixels),
                    IMAGE_COLS,
                    IMAGE_ROWS,
                    scale,
                );
                let (width, height) = (IMAGE_COLS * scale, IMAGE_ROWS * scale);
                if let Err(err) = mnn_data::save_png_gray(&path, width, height, &dark) {
                    if args.images.len() == 1 {
                        return Err(err.into());
                    }
                    eprintln!("error: {err}");
                    continue;
                }
                Some(path)
            }
            None => None,
        };
        let inputs: Vec<f32> = pixels.iter().map(|&p| scale_pixel(p)).collect();
        let outputs = net.query(&inputs);
        let label = argmax(&outputs).expect("ten outputs");
        answered += 1;
        if args.json {
            let outputs: Vec<f64> = outputs.iter().map(|&v| shortest_decimal(v)).collect();
            let mut line = json!({ "file": file, "label": label, "outputs": outputs });
            if let Some(path) = saved {
                line["input"] = json!(path);
            }
            out.json(&line);
        } else {
            let values: Vec<String> = outputs.iter().map(|v| format!("{v:.4}")).collect();
            out.line(format_args!(
                "{}: {label}  outputs [{}]",
                file.display(),
                values.join(" ")
            ));
        }
    }
    let total = args.images.len();
    if answered == 0 {
        bail!("none of the {total} images could be answered");
    }
    if answered < total {
        bail!(
            "{} of the {total} images could not be answered (each named above)",
            total - answered
        );
    }
    Ok(())
}

pub(crate) use mnn_web::reading::prepare;

/// File names for `--save-input`: the image's own name with `.png`, made
/// unique with `-2`, `-3`, ... when two images share a name.
#[derive(Default)]
struct InputNames {
    used: HashSet<String>,
}

impl InputNames {
    fn next(&mut self, image: &Path) -> String {
        let stem = image
            .file_stem()
            .map_or("image".into(), |s| s.to_string_lossy().into_owned());
        let mut name = format!("{stem}.png");
        let mut n = 1;
        while !self.used.insert(name.clone()) {
            n += 1;
            name = format!("{stem}-{n}.png");
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_names_are_unique() {
        let mut names = InputNames::default();
        assert_eq!(names.next(Path::new("a/7.png")), "7.png");
        assert_eq!(names.next(Path::new("b/7.png")), "7-2.png");
        assert_eq!(names.next(Path::new("c/7.jpeg")), "7-3.png");
        assert_eq!(names.next(Path::new("3")), "3.png");
    }
}
