//! The picture of a sweep, as the book draws its experiments: accuracy
//! against the value that was varied. Our runs are points (one per seed) with
//! a line through their medians; the book's own figures are a second series.

use super::style::{self, BLUE, RED, SERIES_LINE, Scale, format_value};
use super::{Area, DrawResult, Picture};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

/// Our runs' colour.
const OURS: RGBColor = BLUE;
/// The book's figures' colour.
const BOOK: RGBColor = RED;
/// Radius of a run's dot.
const DOT: u32 = 4;
/// Size of a book figure's triangle.
const TRIANGLE: u32 = 8;

/// What to draw.
pub struct Chart {
    /// The line at the top, e.g. "Accuracy against learning rate".
    pub title: String,
    /// What the swept value is, written under the x axis.
    pub x_label: String,
    /// What the accuracy was measured on, written beside the y axis.
    pub y_label: String,
    /// Spread the x axis logarithmically (for hidden nodes, 5..500).
    pub log_x: bool,
    /// Our runs: (swept value, test accuracy), one per seed.
    pub runs: Vec<(f64, f64)>,
    /// The legend entry for our runs, e.g. "mnn, 3 seeds (line: median)".
    pub runs_label: String,
    /// The book's figures at the same settings: (swept value, accuracy).
    pub book: Vec<(f64, f64)>,
    /// The legend entry for the book's figures.
    pub book_label: String,
}

impl Picture for Chart {
    const WHAT: &'static str = "the sweep chart";

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, scale: Scale) -> DrawResult<DB> {
        draw(root, self, scale)
    }
}

/// Draws `chart` on `root`, every length multiplied by `scale`.
fn draw<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart, scale: Scale) -> DrawResult<DB> {
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, scale.font(style::TITLE))
        .margin(scale.px(style::MARGIN))
        .x_label_area_size(scale.px(60))
        .y_label_area_size(scale.px(80))
        .build_cartesian_2d(ValuesAxis::new(chart), accuracy_range(chart))?;
    style::axes(&mut ctx.configure_mesh(), scale)
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .y_label_formatter(&|y| format!("{y:.3}"))
        .x_label_formatter(&|x| format_value(*x))
        .draw()?;

    let line = OURS.stroke_width(scale.px(SERIES_LINE));
    let dot = OURS.mix(0.6).filled();
    ctx.draw_series(LineSeries::new(medians(&chart.runs), line))?;
    ctx.draw_series(
        chart
            .runs
            .iter()
            .map(|&p| Circle::new(p, scale.px(DOT), dot)),
    )?
    .label(&chart.runs_label)
    .legend(move |at| {
        EmptyElement::at(at)
            + style::line_key(OURS, scale)((0, 0))
            + Circle::new((0, 0), scale.px(DOT), dot)
    });
    if !chart.book.is_empty() {
        // Markers only: the book gives figures at some values, and a line
        // between them would suggest figures it does not give.
        let size = scale.px(TRIANGLE);
        ctx.draw_series(
            chart
                .book
                .iter()
                .map(|&p| TriangleMarker::new(p, size, BOOK.filled())),
        )?
        .label(&chart.book_label)
        .legend(move |at| TriangleMarker::new(at, size, BOOK.filled()));
    }
    style::legend(&mut ctx, SeriesLabelPosition::LowerRight, scale)
}

/// The x axis: linear or logarithmic, labelled at exactly the values tried,
/// as the book's charts are.
struct ValuesAxis {
    lo: f64,
    hi: f64,
    log: bool,
    values: Vec<f64>,
}

impl ValuesAxis {
    fn new(chart: &Chart) -> ValuesAxis {
        let mut values: Vec<f64> = chart
            .runs
            .iter()
            .chain(&chart.book)
            .map(|&(x, _)| x)
            .collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let (lo, hi) = match (values.first(), values.last()) {
            (Some(&lo), Some(&hi)) => (lo, hi),
            _ => (0.0, 1.0),
        };
        if chart.log_x && lo > 0.0 {
            // Half a step of the log scale's room on either side.
            let room = if hi > lo { (hi / lo).powf(0.05) } else { 2.0 };
            ValuesAxis {
                lo: lo / room,
                hi: hi * room,
                log: true,
                values,
            }
        } else {
            let room = if hi > lo {
                (hi - lo) * 0.05
            } else {
                (lo.abs() * 0.1).max(0.5)
            };
            ValuesAxis {
                lo: lo - room,
                hi: hi + room,
                log: false,
                values,
            }
        }
    }

    fn scale(&self, x: f64) -> f64 {
        if self.log { x.ln() } else { x }
    }
}

impl Ranged for ValuesAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let (lo, hi) = (self.scale(self.lo), self.scale(self.hi));
        let fraction = (self.scale(*value) - lo) / (hi - lo);
        limit.0 + (fraction * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.values.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// The accuracy axis: from a little below the worst result to a little above
/// the best, so differences of a tenth of a percent can be seen.
fn accuracy_range(chart: &Chart) -> std::ops::Range<f64> {
    let ys = chart.runs.iter().chain(&chart.book).map(|&(_, y)| y);
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    // Extra room at the bottom for the legend.
    let pad = ((hi - lo) * 0.1).max(0.005);
    (lo - 3.0 * pad).max(0.0)..(hi + pad).min(1.0)
}

/// The median accuracy at each swept value, in order of the value (the mean
/// of the middle two for an even count).
pub fn medians(runs: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut values: Vec<f64> = runs.iter().map(|&(x, _)| x).collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
        .into_iter()
        .map(|x| {
            let at_x: Vec<f64> = runs.iter().filter(|r| r.0 == x).map(|r| r.1).collect();
            (x, median(&at_x))
        })
        .collect()
}

/// The middle of `values` (the mean of the middle two for an even count); NaN
/// for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::chart::render::{write_png, write_svg};
    use crate::chart::style::{HEIGHT, WIDTH};
    use crate::chart::tests::{assert_svg_says, png_pixels};
    use plotters::coord::ranged1d::BoldPoints;

    pub(crate) fn sample_chart(log_x: bool) -> Chart {
        Chart {
            title: "Accuracy against hidden nodes".into(),
            x_label: "hidden nodes".into(),
            y_label: "accuracy on the 10,000 test records".into(),
            log_x,
            runs: vec![(5.0, 0.70), (5.0, 0.72), (100.0, 0.95), (100.0, 0.96)],
            runs_label: "mnn".into(),
            book: vec![(5.0, 0.70), (200.0, 0.9751)],
            book_label: "book".into(),
        }
    }

    #[test]
    fn medians_are_taken_per_value_in_value_order() {
        let runs = [(0.3, 0.9), (0.1, 0.5), (0.3, 0.7), (0.1, 0.6), (0.3, 0.8)];
        assert_eq!(medians(&runs), vec![(0.1, 0.55), (0.3, 0.8)]);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_x_axis_is_labelled_at_the_values_tried() {
        let axis = ValuesAxis::new(&sample_chart(true));
        assert_eq!(axis.values, [5.0, 100.0, 200.0]);
        assert_eq!(axis.key_points(BoldPoints(10)), [5.0, 100.0, 200.0]);
        // Log scale: equal ratios, equal distances; the values stay inside.
        let at = |x: f64| axis.map(&x, (0, 1000));
        assert!((at(10.0) - at(5.0) - (at(200.0) - at(100.0))).abs() <= 1);
        assert!(at(5.0) > 0 && at(200.0) < 1000);
        let linear = ValuesAxis::new(&sample_chart(false));
        let at = |x: f64| linear.map(&x, (0, 1000));
        assert!((at(100.0) - at(5.0) - 2 * (at(52.5) - at(5.0))).abs() <= 1);
    }

    #[test]
    fn the_svg_names_both_axes_and_both_series() {
        for log_x in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("chart.svg");
            write_svg(&path, &sample_chart(log_x)).unwrap();
            assert_svg_says(
                &path,
                &[
                    "hidden nodes",
                    "accuracy on the 10,000 test records",
                    "mnn",
                    "book",
                ],
            );
        }
    }

    #[test]
    fn the_png_has_ink_in_both_colours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        write_png(&path, &sample_chart(false)).unwrap();
        let (width, height, pixels) = png_pixels(&path);
        assert_eq!((width, height), (WIDTH, HEIGHT));
        assert!(pixels.iter().any(|p| *p == [OURS.0, OURS.1, OURS.2]));
        assert!(pixels.iter().any(|p| *p == [BOOK.0, BOOK.1, BOOK.2]));
        // The title, in the top 50 rows, is drawn: text needs the built-in
        // font, as no installed font is ever looked at.
        let title_ink = pixels[..50 * WIDTH as usize]
            .iter()
            .filter(|p| p.iter().all(|&c| c < 100))
            .count();
        assert!(title_ink > 200, "{title_ink} dark pixels in the title");
    }
}
