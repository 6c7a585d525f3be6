//! `mnn bench --compare`'s chart: µs per sample of each machine, on a
//! logarithmic axis so that a desktop and an emulated Pi both read: for the
//! book's network one bar for one thread and one for all of its threads (the
//! default engine, one sweep over `W_ih` per 4 samples), and one bar for the
//! first deeper network (784-800-10) on one thread.

use super::style::{self, BLUE, GREEN, ORANGE, Scale, format_value};
use super::{Area, DrawResult, Picture};
use crate::bench::table::significant;
use mnn_train::bench::{BenchReport, BenchRow, PLAUSIBLE};
use plotters::prelude::*;

/// The sweep the chart shows for the book's network (mnn's default engine).
const SWEEP: &str = "per 4 samples";

/// The bars' colours, in the order of [`Bar::series`].
const COLOURS: [RGBColor; 3] = [BLUE, ORANGE, GREEN];

/// One bar: which series, on how many threads, how many µs per sample.
#[derive(Debug, Clone, PartialEq)]
struct Bar {
    series: usize,
    threads: usize,
    us: f64,
}

/// One machine's bars.
struct Machine {
    name: String,
    bars: Vec<Bar>,
}

/// What to draw: one group of bars per report, top to bottom in their order.
pub struct BenchChart {
    title: String,
    /// The series' names, for the legend.
    series: Vec<String>,
    /// The network of the third series (none if no report has a deeper one).
    deep: Option<String>,
    machines: Vec<Machine>,
}

impl BenchChart {
    pub fn new(reports: &[BenchReport]) -> BenchChart {
        let network = reports.first().map_or("", |r| r.network.as_str());
        // The first network of the first report that is not the book's.
        let deep = reports
            .iter()
            .flat_map(|r| r.rows.iter().filter(move |row| row.network != r.network))
            .map(|row| row.network.clone())
            .next();
        let fastest = |rows: Vec<&BenchRow>| {
            rows.into_iter()
                .max_by_key(|r| r.threads)
                .map(|r| (r.threads, r.us_per_sample))
        };
        let machines = reports
            .iter()
            .map(|report| {
                let book = |many: bool| {
                    fastest(
                        report
                            .rows
                            .iter()
                            .filter(|r| r.network == report.network && r.sweep == SWEEP)
                            .filter(|r| (r.threads > 1) == many)
                            .collect(),
                    )
                };
                let deep_one = deep.as_ref().and_then(|deep| {
                    fastest(
                        report
                            .rows
                            .iter()
                            .filter(|r| &r.network == deep && r.threads == 1)
                            .collect(),
                    )
                });
                let bars = [book(false), book(true), deep_one]
                    .into_iter()
                    .enumerate()
                    .filter_map(|(series, bar)| {
                        bar.map(|(threads, us)| Bar {
                            series,
                            threads,
                            us,
                        })
                    })
                    .collect();
                Machine {
                    name: format!("{} – {}", report.machine.name(), report.machine.simd),
                    bars,
                }
            })
            .collect();
        let mut series = vec![
            format!("{network}, 1 thread"),
            format!("{network}, all threads"),
        ];
        if let Some(deep) = &deep {
            series.push(format!("{deep}, 1 thread"));
        }
        BenchChart {
            title: "Training: microseconds per sample (shorter is faster)".to_string(),
            series,
            deep,
            machines,
        }
    }

    /// Every time drawn, in µs.
    fn times(&self) -> impl Iterator<Item = f64> + '_ {
        self.machines
            .iter()
            .flat_map(|m| m.bars.iter().map(|bar| bar.us))
    }

    /// The label beside a bar: its time, and its threads (and network, for
    /// the deeper one).
    fn label(&self, bar: &Bar) -> String {
        let plural = if bar.threads == 1 { "" } else { "s" };
        match (&self.deep, bar.series) {
            (Some(deep), 2) => format!("{} ({deep}, 1 thread)", significant(bar.us)),
            _ => format!("{} ({} thread{plural})", significant(bar.us), bar.threads),
        }
    }
}

impl Picture for BenchChart {
    const WHAT: &'static str = "the bench chart";

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, scale: Scale) -> DrawResult<DB> {
        let x_range = x_range(self.times());
        let bands = self.machines.len().max(1) as f64;
        let mut ctx = ChartBuilder::on(root)
            .caption(&self.title, scale.font(style::TITLE))
            .margin(scale.px(style::MARGIN))
            .x_label_area_size(scale.px(50))
            .y_label_area_size(scale.px(10))
            .build_cartesian_2d(
                x_range
                    .clone()
                    .log_scale()
                    .with_key_points(key_points(&x_range)),
                0.0..bands,
            )?;
        style::axes(&mut ctx.configure_mesh(), scale)
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc("microseconds per sample (logarithmic scale)")
            .x_label_formatter(&|x| format_value(*x))
            .draw()?;

        let start = x_range.start;
        let slot = 0.8 / self.series.len() as f64;
        for (i, machine) in self.machines.iter().enumerate() {
            // Band i, from the top: the name, then a bar per series.
            let top = bands - i as f64;
            ctx.draw_series(std::iter::once(Text::new(
                machine.name.clone(),
                (start, top - 0.08),
                scale.text(style::LABEL),
            )))?;
            for bar in &machine.bars {
                let y = top - 0.2 - slot * bar.series as f64;
                let us = on_axis(bar.us, &x_range);
                ctx.draw_series(std::iter::once(Rectangle::new(
                    [(start, y), (us, y - slot * 0.8)],
                    COLOURS[bar.series].filled(),
                )))?;
                ctx.draw_series(std::iter::once(Text::new(
                    self.label(bar),
                    (on_axis(us * 1.05, &x_range), y - slot * 0.1),
                    scale.text(style::NOTE),
                )))?;
            }
        }
        // The legend, drawn as series labels of empty series.
        let (half_width, half_height) = (scale.offset(8), scale.offset(6));
        for (label, colour) in self.series.iter().zip(COLOURS) {
            ctx.draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new(
                        [
                            (x - half_width, y - half_height),
                            (x + half_width, y + half_height),
                        ],
                        colour.filled(),
                    )
                });
        }
        style::legend(&mut ctx, SeriesLabelPosition::UpperRight, scale)
    }
}

/// The x axis for these times: from a third of the shortest to 8 times the
/// longest (room on the left of the shortest bar, and on the right for the
/// labels). Only times in [`PLAUSIBLE`] count (a report holds no others),
/// so whatever the bars, the axis spans at most 20 powers of ten.
fn x_range(times: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = times
        .filter(|us| PLAUSIBLE.contains(us))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), us| {
            (lo.min(us), hi.max(us))
        });
    let (lo, hi) = if lo.is_finite() {
        (lo, hi)
    } else {
        (1.0, 10.0)
    };
    (lo / 3.0)..(hi * 8.0)
}

/// `us` where it is drawn: inside the axis (a time outside it, which no
/// report read holds, is drawn at the edge).
fn on_axis(us: f64, range: &std::ops::Range<f64>) -> f64 {
    if us.is_nan() {
        range.start
    } else {
        us.clamp(range.start, range.end)
    }
}

/// Axis labels at 1, 2 and 5 times the powers of ten inside `range` (a
/// range of [`x_range`]; any other is cut to 10⁻³⁰⁰..10³⁰⁰, so the labels
/// are under 2,000 whatever it is).
fn key_points(range: &std::ops::Range<f64>) -> Vec<f64> {
    let power = |x: f64| {
        let p = x.log10();
        if p.is_nan() {
            0
        } else {
            p.clamp(-300.0, 300.0) as i32
        }
    };
    let lowest = power(range.start) - 1;
    let highest = power(range.end) + 1;
    (lowest..=highest)
        .flat_map(|power| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(power)))
        .filter(|x| range.contains(x))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bench::table::tests::{report as machine, row};

    /// A report of the book's network with these (threads, sweep, µs) rows.
    fn report(cpu: &str, rows: &[(usize, &str, f64)]) -> BenchReport {
        let rows = rows.iter().map(|&(t, sweep, us)| row(t, sweep, us));
        machine(cpu, rows.collect())
    }

    /// A fast machine with all three bars, a slow one with one.
    pub(crate) fn two_machines() -> BenchChart {
        let mut reports = [
            report(
                "Fast",
                &[
                    (1, "per 4 samples", 10.0),
                    (2, "per 4 samples", 6.5),
                    (1, "per sample (book order)", 18.0),
                ],
            ),
            report("Slow", &[(1, "per 4 samples", 900.0)]),
        ];
        let mut deep = reports[0].rows[0].clone();
        deep.network = "784-800-10".into();
        deep.sweep = "per sample (any depth)".into();
        deep.us_per_sample = 80.0;
        reports[0].rows.push(deep);
        BenchChart::new(&reports)
    }

    #[test]
    fn any_times_draw_in_bounded_time_and_memory() {
        for us in [
            1.7e308,
            5e-324,
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            1e-6,
            1e12,
        ] {
            let chart = BenchChart::new(&[report(
                "Edited",
                &[(1, "per 4 samples", us), (2, "per 4 samples", 10.0)],
            )]);
            let range = x_range(chart.times());
            assert!(
                range.start > 0.0 && range.end.is_finite(),
                "{us}: {range:?}"
            );
            assert!(key_points(&range).len() <= 3 * 22, "{us}");
            let dir = tempfile::tempdir().unwrap();
            crate::chart::render::write_svg(&dir.path().join("c.svg"), &chart).unwrap();
        }
        for range in [
            0.0..f64::INFINITY,
            f64::NAN..1.0,
            5e-324..1.7e308,
            -1.0..-0.5,
        ] {
            assert!(key_points(&range).len() < 2000, "{range:?}");
        }
    }

    #[test]
    fn each_machine_gets_its_default_engine_bars_and_the_svg_shows_them() {
        let chart = two_machines();
        let bar = |series, threads, us| Bar {
            series,
            threads,
            us,
        };
        assert_eq!(
            chart.machines[0].bars,
            [bar(0, 1, 10.0), bar(1, 2, 6.5), bar(2, 1, 80.0)]
        );
        // no rows for all threads or the deeper network: those bars are left out
        assert_eq!(chart.machines[1].bars, [bar(0, 1, 900.0)]);
        assert_eq!(
            chart.series,
            [
                "784-200-10, 1 thread",
                "784-200-10, all threads",
                "784-800-10, 1 thread"
            ]
        );
        assert_eq!(chart.times().count(), 4);
        assert_eq!(
            key_points(&(3.0..900.0)),
            [5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        );

        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("c.svg");
        crate::chart::render::write_svg(&svg, &chart).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let words: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for wanted in [
            "10.0 (1 thread)",
            "6.50 (2 threads)",
            "80.0 (784-800-10, 1 thread)",
            "900.0 (1 thread)",
        ] {
            assert!(
                words.iter().any(|w| w.contains(wanted)),
                "{wanted}: {words:?}"
            );
        }
        assert!(
            words.iter().any(|w| w.trim().starts_with("Slow")),
            "{words:?}"
        );
        let png = dir.path().join("c.png");
        crate::chart::render::write_png(&png, &chart).unwrap();
        assert!(std::fs::metadata(&png).unwrap().len() > 1000);
    }
}
