//! The learning curve of one training run, as PyTorch's and burn's examples
//! print and plot it: each epoch's mean training error (left axis) and the
//! test accuracy after it (right axis), and with `--validate` the accuracy
//! on the held-out training records beside it.

use super::style::{self, BLUE, GREEN, RED, SERIES_LINE, Scale};
use super::{Area, DrawResult, Picture, render};
use crate::UsageError;
use crate::files::check_writable;
use anyhow::Result;
use plotters::prelude::*;
use std::path::Path;

/// The training error's colour.
const ERROR: RGBColor = RED;
/// The test accuracy's colour.
const ACCURACY: RGBColor = BLUE;
/// The validation accuracy's colour.
const VALIDATION: RGBColor = GREEN;

/// One run's curve: after epoch `i + 1`, `mean_error[i]` and `accuracy[i]`.
pub struct LearningCurve {
    /// What was trained, e.g. "784-200-10, learning rate 0.1, seed 1".
    pub title: String,
    /// Mean over the epoch's samples and output nodes of (target − output)²,
    /// each sample measured before its own update.
    pub mean_error: Vec<f64>,
    /// Fraction of the test records right after the epoch.
    pub accuracy: Vec<f64>,
    /// Fraction of the held-out training records right after the epoch
    /// (`--validate`); empty when none were held out.
    pub validation_accuracy: Vec<f64>,
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
    render::write_by_extension(path, curve)
}

/// From a little below the lowest value to well above the highest: room at
/// the top for the legend.
fn padded(values: &[f64], floor: f64, ceiling: f64) -> std::ops::Range<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return floor..ceiling;
    }
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.02).max(1e-3);
    (lo - pad).max(floor)..(hi + 2.5 * pad).min(ceiling)
}

impl Picture for LearningCurve {
    const WHAT: &'static str = "the learning curve";

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, scale: Scale) -> DrawResult<DB> {
        let epochs = self.mean_error.len().max(self.accuracy.len()) as i32;
        let points = |values: &[f64]| -> Vec<(i32, f64)> {
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as i32 + 1, v))
                .collect()
        };
        let mut ctx = ChartBuilder::on(root)
            .caption(&self.title, scale.font(style::TITLE))
            .margin(scale.px(style::MARGIN))
            .x_label_area_size(scale.px(60))
            .y_label_area_size(scale.px(90))
            .right_y_label_area_size(scale.px(90))
            .build_cartesian_2d(0..epochs + 1, padded(&self.mean_error, 0.0, f64::INFINITY))?
            .set_secondary_coord(
                0..epochs + 1,
                padded(
                    &[&self.accuracy[..], &self.validation_accuracy[..]].concat(),
                    0.0,
                    1.0,
                ),
            );
        style::axes(&mut ctx.configure_mesh(), scale)
            .x_desc("epoch")
            .y_desc("mean training error, (target − output)²")
            .x_label_formatter(&|x| {
                if (1..=epochs).contains(x) {
                    x.to_string()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{y:.4}"))
            .draw()?;
        style::secondary_axes(&mut ctx.configure_secondary_axes(), scale)
            .y_desc(if self.validation_accuracy.is_empty() {
                "accuracy on the test records"
            } else {
                "accuracy on the test and held-out records"
            })
            .y_label_formatter(&|y| format!("{y:.3}"))
            .draw()?;

        let error = points(&self.mean_error);
        let error_line = ERROR.stroke_width(scale.px(SERIES_LINE));
        ctx.draw_series(LineSeries::new(error.clone(), error_line))?
            .label("mean training error (left axis)")
            .legend(style::line_key(ERROR, scale));
        ctx.draw_series(
            error
                .iter()
                .map(|&p| Circle::new(p, scale.px(5), ERROR.filled())),
        )?;
        let accuracy = points(&self.accuracy);
        let accuracy_line = ACCURACY.stroke_width(scale.px(SERIES_LINE));
        ctx.draw_secondary_series(LineSeries::new(accuracy.clone(), accuracy_line))?
            .label("test accuracy (right axis)")
            .legend(style::line_key(ACCURACY, scale));
        ctx.draw_secondary_series(
            accuracy
                .iter()
                .map(|&p| TriangleMarker::new(p, scale.px(7), ACCURACY.filled())),
        )?;
        if !self.validation_accuracy.is_empty() {
            let validation = points(&self.validation_accuracy);
            let validation_line = VALIDATION.stroke_width(scale.px(SERIES_LINE));
            ctx.draw_secondary_series(LineSeries::new(validation.clone(), validation_line))?
                .label("validation accuracy, held-out training records (right axis)")
                .legend(style::line_key(VALIDATION, scale));
            ctx.draw_secondary_series(
                validation
                    .iter()
                    .map(|&p| Cross::new(p, scale.px(6), VALIDATION.stroke_width(scale.px(2)))),
            )?;
        }
        style::legend(&mut ctx, SeriesLabelPosition::UpperMiddle, scale)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::chart::tests::{assert_svg_says, png_pixels};

    pub(crate) fn curve() -> LearningCurve {
        LearningCurve {
            title: "784-200-10, learning rate 0.1, seed 1".into(),
            mean_error: vec![0.0142, 0.0071, 0.0056],
            accuracy: vec![0.9561, 0.9655, 0.9702],
            validation_accuracy: vec![],
        }
    }

    #[test]
    fn held_out_records_are_a_third_curve() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.svg");
        let validated = LearningCurve {
            validation_accuracy: vec![0.9601, 0.9688, 0.9730],
            ..curve()
        };
        write_curve(&path, &validated).unwrap();
        assert_svg_says(
            &path,
            &[
                "accuracy on the test and held-out records",
                "test accuracy (right axis)",
                "validation accuracy, held-out training records (right axis)",
            ],
        );
        let png = dir.path().join("c.png");
        write_curve(&png, &validated).unwrap();
        let (_, _, pixels) = png_pixels(&png);
        for colour in [ERROR, ACCURACY, VALIDATION] {
            assert!(
                pixels
                    .iter()
                    .any(|p| p[..3] == [colour.0, colour.1, colour.2])
            );
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
