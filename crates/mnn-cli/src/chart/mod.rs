//! mnn's charts, one pipeline for all: each chart is a [`Picture`] that
//! draws itself onto any plotters backend at any [`Scale`], so its SVG, its
//! PNG and a picture of any size come from the same drawing code.
//!
//! - [`style`]: the look they share (size, font, palette, text sizes, axes,
//!   legend), each fact once;
//! - [`render`]: a picture to SVG text, to PNG (supersampled, encoded by
//!   mnn-data's one encoder) and to files;
//! - the charts: [`sweep`] (`mnn sweep`: accuracy against the value varied),
//!   [`curve`] (`mnn train --curve`: the learning curve), [`bench`](mod@bench)
//!   (`mnn bench --compare`: µs per sample per machine).

pub mod bench;
pub mod curve;
pub mod render;
pub mod style;
pub mod sweep;

// `sweep.rs` writes its CSV through `chart::write_atomically`; the helper's
// home is `files`, and this re-export can go when that call names it.
pub use crate::files::write_atomically;
pub use render::{write_png, write_svg};
pub use style::{Scale, format_value};
pub use sweep::{Chart, median};

use plotters::coord::Shift;
use plotters::prelude::*;

/// What a drawing returns.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The whole picture's drawing area, on any backend.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that draws itself.
pub trait Picture {
    /// What it is, in error messages: "the learning curve".
    const WHAT: &'static str;

    /// Draws on `root` (of [`Scale::size`], white paper already), every
    /// length (text, lines, markers, margins) multiplied by `scale`.
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, scale: Scale) -> DrawResult<DB>;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    /// A PNG a test wrote: its width, height and pixels (as many bytes each
    /// as it has channels).
    pub(crate) fn png_pixels(path: &Path) -> (u32, u32, Vec<Vec<u8>>) {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut reader = png::Decoder::new(file).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.line_size / info.width as usize;
        let pixels = buf[..info.buffer_size()]
            .chunks(channels)
            .map(<[u8]>::to_vec)
            .collect();
        (info.width, info.height, pixels)
    }

    /// Checks that the SVG a test wrote says each of `needles`.
    pub(crate) fn assert_svg_says(path: &Path, needles: &[&str]) {
        let svg = std::fs::read_to_string(path).unwrap();
        for needle in needles {
            assert!(svg.contains(needle), "{needle} missing from the SVG");
        }
    }

    /// The smallest box holding every pixel of `colour` (within 8 per
    /// channel): left, top, right, bottom.
    fn ink_box(rgb: &render::Rgb, colour: RGBColor) -> (u32, u32, u32, u32) {
        let wanted = [colour.0, colour.1, colour.2];
        let mut found = (u32::MAX, u32::MAX, 0, 0);
        for (i, p) in rgb.pixels.chunks_exact(3).enumerate() {
            if p.iter().zip(wanted).all(|(&a, b)| a.abs_diff(b) <= 8) {
                let (x, y) = (i as u32 % rgb.width, i as u32 / rgb.width);
                found = (
                    found.0.min(x),
                    found.1.min(y),
                    found.2.max(x),
                    found.3.max(y),
                );
            }
        }
        assert!(found.0 <= found.2, "no pixel of {colour:?}");
        found
    }

    /// Draws `picture` at scales 1 and 2: the second is twice the size, and
    /// the marks of `colour` sit at twice the place (to 1 % of the picture's
    /// size: text is measured in whole pixels, so the plot's edges move a
    /// little).
    fn check_two_scales(picture: &impl Picture, colour: RGBColor) {
        let one = render::rgb_pixels(picture, Scale::ONE).unwrap();
        let two = render::rgb_pixels(picture, Scale(2.0)).unwrap();
        assert_eq!((one.width, one.height), (style::WIDTH, style::HEIGHT));
        assert_eq!(
            (two.width, two.height),
            (2 * style::WIDTH, 2 * style::HEIGHT)
        );
        let (a, b) = (ink_box(&one, colour), ink_box(&two, colour));
        for (small, large) in [(a.0, b.0), (a.1, b.1), (a.2, b.2), (a.3, b.3)] {
            assert!(
                (i64::from(2 * small) - i64::from(large)).abs() <= 12,
                "{a:?} at scale 1, {b:?} at scale 2"
            );
        }
        let svg = render::svg_text(picture, Scale(2.0)).unwrap();
        assert!(
            svg.contains(r#"width="1920" height="1200""#),
            "{}",
            &svg[..200]
        );
    }

    #[test]
    fn every_chart_draws_the_same_at_two_scales() {
        check_two_scales(&sweep::tests::sample_chart(true), style::RED);
        check_two_scales(&curve::tests::curve(), style::BLUE);
        check_two_scales(&bench::tests::two_machines(), style::GREEN);
    }
}
