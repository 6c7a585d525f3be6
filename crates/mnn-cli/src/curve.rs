//! The learning curve of one training run, as PyTorch's and burn's examples
//! print and plot it: each epoch's mean training error (left axis) and the
//! test accuracy after it (right axis). Drawn by plotters to SVG or PNG, as
//! the sweep charts are ([`crate::chart`]).

use crate::UsageError;
use crate::chart::{DrawResult, FAMILY, png_bytes, svg_text, write_atomically};
use crate::files::check_writable;
use anyhow::Result;
use plotters::prelude::*;
use std::path::Path;

const ERROR: RGBColor = RGBColor(214, 39, 40);
const ACCURACY: RGBColor = RGBColor(31, 119, 180);

/// One run's curve: after epoch `i + 1`, `mean_error[i]` and `accuracy[i]`.
pub struct LearningCurve {
    /// What was trained, e.g. "784-200-10, learning rate 0.1, seed 1".
    pub title: String,
    /// Mean over the epoch's samples and output nodes of (target − output)²,
    /// each sample measured before its own update.
    pub mean_error: Vec<f64>,
    /// Fraction of the test records right after the epoch.
    pub accuracy: Vec<f64>,
}

/// A usage error (exit status 2) unless `path` ends in `.png` or `.svg`
/// and can be written: checked before training, so a typo costs nothing.
pub fn check_curve_path(path: &Path) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") || e.eq_ignore_ascii_case("svg") => {
            check_writable(path)
        }
        _ => Err(UsageError(format!(
            "--curve {}: give a file name ending in .png or .svg",
            path.display()
        ))
        .into()),
    }
}

/// Writes the curve as PNG or SVG, by `path`'s extension.
pub fn write_curve(path: &Path, curve: &LearningCurve) -> Result<()> {
    check_curve_path(path)?;
    let is_png = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let what = "the learning curve";
    if is_png {
        let png = png_bytes(what, |root, scale| draw(root, curve, scale))?;
        write_atomically(path, &png)
    } else {
        let svg = svg_text(what, |root, scale| draw(root, curve, scale))?;
        write_atomically(path, svg.as_bytes())
    }
}

/// From a little below the lowest value to a little above the highest.
fn padded(values: &[f64], floor: f64, ceiling: f64) -> std::ops::Range<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return floor..ceiling;
    }
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.02).max(1e-3);
    (lo - pad).max(floor)..(hi + pad).min(ceiling)
}

/// Draws `curve` on `root`, every length multiplied by `scale`.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    curve: &LearningCurve,
    scale: u32,
) -> DrawResult<DB> {
    let px = |n: u32| n * scale;
    let pt = |n: u32| f64::from(n * scale);
    let line = |n: i32| n * scale as i32;
    root.fill(&WHITE)?;
    let epochs = curve.mean_error.len().max(curve.accuracy.len()) as i32;
    let points = |values: &[f64]| -> Vec<(i32, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as i32 + 1, v))
            .collect()
    };
    let mut ctx = ChartBuilder::on(root)
        .caption(&curve.title, (FAMILY, pt(24)))
        .margin(px(20))
        .x_label_area_size(px(60))
        .y_label_area_size(px(90))
        .right_y_label_area_size(px(90))
        .build_cartesian_2d(0..epochs + 1, padded(&curve.mean_error, 0.0, f64::INFINITY))?
        .set_secondary_coord(0..epochs + 1, padded(&curve.accuracy, 0.0, 1.0));
    ctx.configure_mesh()
        .x_desc("epoch")
        .y_desc("mean training error, (target − output)²")
        .label_style((FAMILY, pt(16)))
        .axis_desc_style((FAMILY, pt(18)))
        .set_all_tick_mark_size(px(5))
        .axis_style(BLACK.stroke_width(px(1)))
        .bold_line_style(BLACK.mix(0.2).stroke_width(px(1)))
        .x_label_formatter(&|x| {
            if (1..=epochs).contains(x) {
                x.to_string()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{y:.4}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    ctx.configure_secondary_axes()
        .y_desc("accuracy on the test records")
        .label_style((FAMILY, pt(16)))
        .axis_desc_style((FAMILY, pt(18)))
        .set_all_tick_mark_size(px(5))
        .axis_style(BLACK.stroke_width(px(1)))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .draw()?;

    let error = points(&curve.mean_error);
    ctx.draw_series(LineSeries::new(error.clone(), ERROR.stroke_width(px(3))))?
        .label("mean training error (left axis)")
        .legend(move |(x, y)| {
            PathElement::new(
                [(x - line(10), y), (x + line(10), y)],
                ERROR.stroke_width(px(3)),
            )
        });
    ctx.draw_series(error.iter().map(|&p| Circle::new(p, px(5), ERROR.filled())))?;
    let accuracy = points(&curve.accuracy);
    ctx.draw_secondary_series(LineSeries::new(
        accuracy.clone(),
        ACCURACY.stroke_width(px(3)),
    ))?
    .label("test accuracy (right axis)")
    .legend(move |(x, y)| {
        PathElement::new(
            [(x - line(10), y), (x + line(10), y)],
            ACCURACY.stroke_width(px(3)),
        )
    });
    ctx.draw_secondary_series(
        accuracy
            .iter()
            .map(|&p| TriangleMarker::new(p, px(7), ACCURACY.filled())),
    )?;
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .margin(px(10))
        .legend_area_size(px(30))
        .label_font((FAMILY, pt(16)))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3).stroke_width(px(1)))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::tests::{assert_svg_says, png_pixels};

    fn curve() -> LearningCurve {
        LearningCurve {
            title: "784-200-10, learning rate 0.1, seed 1".into(),
            mean_error: vec![0.0142, 0.0071, 0.0056],
            accuracy: vec![0.9561, 0.9655, 0.9702],
        }
    }

    #[test]
    fn the_svg_names_both_axes_and_both_curves() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.svg");
        write_curve(&path, &curve()).unwrap();
        assert_svg_says(
            &path,
            &[
                "epoch",
                "mean training error, (target − output)²",
                "accuracy on the test records",
                "test accuracy (right axis)",
                "784-200-10",
            ],
        );
    }

    #[test]
    fn the_png_has_both_curves_colours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        write_curve(&path, &curve()).unwrap();
        let (_, _, pixels) = png_pixels(&path);
        for colour in [ERROR, ACCURACY] {
            assert!(
                pixels
                    .iter()
                    .any(|p| p[..3] == [colour.0, colour.1, colour.2])
            );
        }
    }

    #[test]
    fn only_png_and_svg_are_accepted() {
        let err = check_curve_path(Path::new("curve.jpg")).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert!(err.to_string().contains("curve.jpg"));
        assert!(check_curve_path(Path::new("curve.SVG")).is_ok());
    }
}
