//! The look every chart shares, each fact once: the size, the font, the
//! palette, the text sizes, the axes and the legend box. Lengths are given at
//! scale 1 (a 960×600 picture) and drawn through a [`Scale`].

use plotters::chart::{MeshStyle, SecondaryMeshStyle};
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use std::sync::Once;

/// Size of a chart at scale 1, in pixels (SVG units for the SVG).
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 600;

/// DejaVu Sans cut down to the characters charts use (see `assets/README.md`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans-subset.ttf");
/// The family the charts' text asks for: [`FONT`] is registered under it, and
/// an SVG viewer uses its own sans-serif.
const FAMILY: &str = "sans-serif";

/// The palette (matplotlib's first colours, as the book's figures have them).
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(255, 127, 14);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);

/// Text sizes, in points at scale 1.
pub const TITLE: u32 = 24;
/// The axes' names.
pub const AXIS_NAME: u32 = 18;
/// Tick labels, legend entries and other labels.
pub const LABEL: u32 = 16;
/// Notes beside marks (a bar's value).
pub const NOTE: u32 = 14;

/// Space around the plot, inside the picture's edge.
pub const MARGIN: u32 = 20;
/// Width of a series' line.
pub const SERIES_LINE: u32 = 3;
/// Half the length of a line in the legend.
pub const KEY_HALF_LENGTH: i32 = 10;

/// Every length of a drawing multiplied by one factor: 1 for the SVG, the
/// PNG's supersampling factor while it is drawn, 2 for a picture twice as
/// large.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale(pub f64);

impl Scale {
    /// Lengths as given: a [`WIDTH`]×[`HEIGHT`] picture.
    pub const ONE: Scale = Scale(1.0);

    /// `n` pixels at scale 1, at this scale.
    pub fn px(self, n: u32) -> u32 {
        (f64::from(n) * self.0).round() as u32
    }

    /// A signed offset of `n` pixels at scale 1 (a legend key's corner).
    pub fn offset(self, n: i32) -> i32 {
        (f64::from(n) * self.0).round() as i32
    }

    /// The chart's font at `size` points (at scale 1).
    pub fn font(self, size: u32) -> (&'static str, f64) {
        register_font();
        (FAMILY, f64::from(size) * self.0)
    }

    /// Black text at `size` points (at scale 1), for text drawn as an element.
    pub fn text(self, size: u32) -> TextStyle<'static> {
        self.font(size).into_font().color(&BLACK)
    }

    /// The picture's size at this scale.
    pub fn size(self) -> (u32, u32) {
        (self.px(WIDTH), self.px(HEIGHT))
    }

    /// This scale multiplied by `factor`.
    pub fn times(self, factor: u32) -> Scale {
        Scale(self.0 * f64::from(factor))
    }
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

/// The axes' look: labels, names, tick marks, black axes, a light grid at
/// the labelled values and none between them.
pub fn axes<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    scale: Scale,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.label_style(scale.font(LABEL))
        .axis_desc_style(scale.font(AXIS_NAME))
        .set_all_tick_mark_size(scale.px(5))
        .axis_style(BLACK.stroke_width(scale.px(1)))
        .bold_line_style(BLACK.mix(0.2).stroke_width(scale.px(1)))
        .light_line_style(WHITE.mix(0.0))
}

/// [`axes`] for the right-hand axis of a chart with two.
pub fn secondary_axes<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut SecondaryMeshStyle<'a, 'b, X, Y, DB>,
    scale: Scale,
) -> &'m mut SecondaryMeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
    DB: DrawingBackend,
{
    mesh.label_style(scale.font(LABEL))
        .axis_desc_style(scale.font(AXIS_NAME))
        .set_all_tick_mark_size(scale.px(5))
        .axis_style(BLACK.stroke_width(scale.px(1)))
}

/// Draws the legend box at `position`: the series' labels on white, framed.
pub fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    scale: Scale,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(scale.px(10))
        .legend_area_size(scale.px(30))
        .label_font(scale.font(LABEL))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3).stroke_width(scale.px(1)))
        .draw()
}

/// A legend key: a short line of the series' colour and width, centred on
/// the key's point.
pub fn line_key(colour: RGBColor, scale: Scale) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| {
        let half = scale.offset(KEY_HALF_LENGTH);
        PathElement::new(
            [(x - half, y), (x + half, y)],
            colour.stroke_width(scale.px(SERIES_LINE)),
        )
    }
}

/// A value as a person writes it: 0.1, 5, 200 (never 0.1000000001).
pub fn format_value(x: f64) -> String {
    let rounded = (x * 1e6).round() / 1e6;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_scale_and_round() {
        let double = Scale::ONE.times(2);
        assert_eq!(double.size(), (2 * WIDTH, 2 * HEIGHT));
        assert_eq!(double.px(5), 10);
        assert_eq!(Scale(1.5).px(5), 8);
        assert_eq!(Scale(1.5).offset(-3), -5);
        assert_eq!(double.font(LABEL).1, 32.0);
    }

    #[test]
    fn values_print_without_float_noise() {
        assert_eq!(format_value(0.1 + 0.2), "0.3");
        assert_eq!(format_value(200.0), "200");
        assert_eq!(format_value(0.01), "0.01");
    }
}
