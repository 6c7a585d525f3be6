//! The picture of a sweep, as the book draws its experiments: accuracy
//! against the value that was varied. Our runs are points (one per seed) with
//! a line through their medians; the book's own figures are a second series.
//!
//! The same drawing goes to `chart.svg` and `chart.png`: plotters draws both,
//! the PNG with its own bitmap backend and a subset of DejaVu Sans built into
//! the program, so the chart reads the same on a machine with no fonts
//! installed. [`svg_text`] and [`png_bytes`] do this for any picture of ours
//! (the learning curve too).

use anyhow::{Context, Result};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

pub use crate::files::write_atomically;

/// DejaVu Sans cut down to the characters charts use (see `assets/README.md`).
const FONT: &[u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");
/// The family the charts' text asks for: [`FONT`] is registered under it.
pub(crate) const FAMILY: &str = "sans-serif";

/// Size of both pictures, in pixels.
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 600;

const OURS: RGBColor = RGBColor(31, 119, 180);
const BOOK: RGBColor = RGBColor(214, 39, 40);

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

/// A picture drawn with plotters that [`write_svg`] and [`write_png`] write
/// ([`Chart`], and `mnn bench --compare`'s bars).
pub trait Picture {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;

    /// Draws with every length multiplied by `scale`. A picture that keeps
    /// the default draws at its own size, and its PNG is not supersampled.
    fn draw_scaled<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: u32,
    ) -> DrawResult<DB> {
        let _ = scale;
        self.draw_on(root)
    }

    /// Whether [`Picture::draw_scaled`] honours its scale.
    fn scales(&self) -> bool {
        false
    }
}

impl Picture for Chart {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw(root, self, 1)
    }

    fn draw_scaled<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: u32,
    ) -> DrawResult<DB> {
        draw(root, self, scale)
    }

    fn scales(&self) -> bool {
        true
    }
}

/// Writes the picture as an SVG file (text left to the viewer's sans-serif font).
pub fn write_svg(path: &Path, chart: &impl Picture) -> Result<()> {
    let svg = svg_text("the chart", |root, scale| chart.draw_scaled(root, scale))?;
    write_atomically(path, svg.as_bytes())
}

/// Writes the picture as an RGB PNG file, its text in the built-in font.
pub fn write_png(path: &Path, chart: &impl Picture) -> Result<()> {
    let supersample = if chart.scales() { SUPERSAMPLE } else { 1 };
    let png = png_bytes_at("the chart", supersample, |root, scale| {
        chart.draw_scaled(root, scale)
    })?;
    write_atomically(path, &png)
}

/// Makes [`FONT`] the one plotters uses for [`FAMILY`]: plotters measures
/// text with it for both pictures and draws the PNG's text with it.
fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The font is built in and known to parse; a chart without text
        // would still be drawn if it ever did not.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// What a drawing function returns. Drawing functions take the area and the
/// factor every length (text, lines, markers, margins) is multiplied by:
/// 1 for SVG, [`SUPERSAMPLE`] for PNG.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A picture of [`WIDTH`]×[`HEIGHT`] as SVG text; `what` names it in errors.
pub(crate) fn svg_text<F>(what: &str, draw: F) -> Result<String>
where
    F: for<'a> FnOnce(&DrawingArea<SVGBackend<'a>, Shift>, u32) -> DrawResult<SVGBackend<'a>>,
{
    register_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, 1).map_err(|e| anyhow::anyhow!("drawing {what}: {e}"))?;
        root.present()
            .map_err(|e| anyhow::anyhow!("drawing {what}: {e}"))?;
    }
    Ok(svg)
}

/// How many times larger a PNG is drawn before it is averaged down: the
/// bitmap backend draws hard-edged pixels and places each letter on a whole
/// pixel, so drawing at 3× and averaging gives smooth lines and evenly spaced
/// letters.
const SUPERSAMPLE: u32 = 3;

/// A picture of [`WIDTH`]×[`HEIGHT`] as RGB PNG bytes, its text in the
/// built-in font; `what` names it in errors.
pub(crate) fn png_bytes<F>(what: &str, draw: F) -> Result<Vec<u8>>
where
    F: for<'a> FnOnce(&DrawingArea<BitMapBackend<'a>, Shift>, u32) -> DrawResult<BitMapBackend<'a>>,
{
    png_bytes_at(what, SUPERSAMPLE, draw)
}

/// [`png_bytes`] drawn at `supersample` times the size and averaged down.
fn png_bytes_at<F>(what: &str, supersample: u32, draw: F) -> Result<Vec<u8>>
where
    F: for<'a> FnOnce(&DrawingArea<BitMapBackend<'a>, Shift>, u32) -> DrawResult<BitMapBackend<'a>>,
{
    register_font();
    let (big_width, big_height) = (WIDTH * supersample, HEIGHT * supersample);
    let mut big = vec![0u8; big_width as usize * big_height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut big, (big_width, big_height)).into_drawing_area();
        draw(&root, supersample).map_err(|e| anyhow::anyhow!("drawing {what}: {e}"))?;
        root.present()
            .map_err(|e| anyhow::anyhow!("drawing {what}: {e}"))?;
    }
    let rgb = shrink(&big, WIDTH as usize, HEIGHT as usize, supersample as usize);
    mnn_data::PngPixels::rgb(WIDTH as usize, HEIGHT as usize, &rgb)
        .to_bytes()
        .with_context(|| format!("encoding {what} as PNG"))
}

/// Averages each `factor`×`factor` square of the RGB image `big` into one
/// pixel of an RGB image of `width`×`height`.
fn shrink(big: &[u8], width: usize, height: usize, factor: usize) -> Vec<u8> {
    let big_width = width * factor;
    let area = (factor * factor) as u32;
    let mut small = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        for x in 0..width {
            for channel in 0..3 {
                let mut sum = 0u32;
                for dy in 0..factor {
                    let row = (y * factor + dy) * big_width;
                    for dx in 0..factor {
                        sum += u32::from(big[(row + x * factor + dx) * 3 + channel]);
                    }
                }
                small.push(((sum + area / 2) / area) as u8);
            }
        }
    }
    small
}

/// Draws `chart` on `root`, every length (text, lines, markers, margins)
/// multiplied by `scale`.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: u32,
) -> DrawResult<DB> {
    let px = |n: u32| n * scale;
    let pt = |n: u32| f64::from(n * scale);
    let line = |n: u32| (n * scale) as i32;
    root.fill(&WHITE)?;
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FAMILY, pt(24)))
        .margin(px(20))
        .x_label_area_size(px(60))
        .y_label_area_size(px(80))
        .build_cartesian_2d(ValuesAxis::new(chart), accuracy_range(chart))?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .label_style((FAMILY, pt(16)))
        .axis_desc_style((FAMILY, pt(18)))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .x_label_formatter(&|x| format_value(*x))
        .set_all_tick_mark_size(px(5))
        .axis_style(BLACK.stroke_width(px(1)))
        .bold_line_style(BLACK.mix(0.2).stroke_width(px(1)))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;

    let medians = medians(&chart.runs);
    ctx.draw_series(LineSeries::new(
        medians.iter().copied(),
        OURS.stroke_width(px(3)),
    ))?;
    ctx.draw_series(
        chart
            .runs
            .iter()
            .map(|&p| Circle::new(p, px(4), OURS.mix(0.6).filled())),
    )?
    .label(&chart.runs_label)
    .legend(move |(x, y)| {
        EmptyElement::at((x, y))
            + PathElement::new([(-line(10), 0), (line(10), 0)], OURS.stroke_width(px(3)))
            + Circle::new((0, 0), px(4), OURS.mix(0.6).filled())
    });
    if !chart.book.is_empty() {
        // Markers only: the book gives figures at some values, and a line
        // between them would suggest figures it does not give.
        ctx.draw_series(
            chart
                .book
                .iter()
                .map(|&p| TriangleMarker::new(p, px(8), BOOK.filled())),
        )?
        .label(&chart.book_label)
        .legend(move |(x, y)| TriangleMarker::new((x, y), px(8), BOOK.filled()));
    }
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(px(10))
        .legend_area_size(px(30))
        .label_font((FAMILY, pt(16)))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3).stroke_width(px(1)))
        .draw()?;
    Ok(())
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

/// A swept value as a person writes it: 0.1, 5, 200 (never 0.1000000001).
pub fn format_value(x: f64) -> String {
    let rounded = (x * 1e6).round() / 1e6;
    format!("{rounded}")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use plotters::coord::ranged1d::BoldPoints;

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

    fn sample_chart(log_x: bool) -> Chart {
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

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let ours = dir.path().join("ours");
        write_atomically(&ours, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        assert_eq!(std::fs::read(&ours).unwrap(), b"x");
    }

    #[test]
    fn values_print_without_float_noise() {
        assert_eq!(format_value(0.1 + 0.2), "0.3");
        assert_eq!(format_value(200.0), "200");
        assert_eq!(format_value(0.01), "0.01");
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
