//! The book's experiments: the values it tried, the settings of its charts,
//! and the accuracies it reports (Part 2, "Some Improvements" and "Rotating
//! images"; see docs/results.md for the sources).

use super::plan::{Parameter, Settings};

impl Parameter {
    /// The values the book tried.
    pub fn book_values(self) -> Vec<f64> {
        match self {
            Parameter::Lr => vec![0.01, 0.1, 0.2, 0.3, 0.6],
            Parameter::Epochs => (1..=10).map(f64::from).collect(),
            Parameter::Hidden => vec![5.0, 10.0, 50.0, 100.0, 200.0, 500.0],
            Parameter::Rotate => vec![0.0, 5.0, 10.0, 15.0, 20.0, 30.0],
        }
    }

    /// The settings of the book's chart for this sweep (the swept one is a
    /// placeholder).
    pub fn book_base(self) -> Settings {
        let s = |hidden, lr, epochs, rotate| Settings {
            hidden,
            lr,
            epochs,
            rotate,
        };
        match self {
            Parameter::Lr => s(100, 0.3, 1, 0.0),
            Parameter::Epochs => s(100, 0.1, 1, 0.0),
            Parameter::Hidden => s(200, 0.1, 5, 0.0),
            Parameter::Rotate => s(200, 0.01, 10, 10.0),
        }
    }
}

/// A result the book reports, with the settings it was measured at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookFigure {
    pub settings: Settings,
    pub accuracy: f64,
}

/// The book's figures for its network on the full MNIST, each printed in its
/// text (pages below; all are listed in the book data's `worked_examples.json`).
pub const BOOK_FIGURES: [BookFigure; 9] = {
    const fn at(hidden: u32, lr: f64, epochs: u32, rotate: f32, accuracy: f64) -> BookFigure {
        BookFigure {
            settings: Settings {
                hidden,
                lr,
                epochs,
                rotate,
            },
            accuracy,
        }
    }
    [
        // p. 164: the learning rates, 100 hidden nodes, 1 epoch.
        at(100, 0.3, 1, 0.0, 0.9473),
        at(100, 0.6, 1, 0.0, 0.9047),
        at(100, 0.1, 1, 0.0, 0.9523),
        at(100, 0.01, 1, 0.0, 0.9241),
        at(100, 0.2, 1, 0.0, 0.9537),
        // p. 169: the hidden nodes, at the final code's lr 0.1 and 5 epochs (p. 172).
        at(5, 0.1, 5, 0.0, 0.7001),
        at(200, 0.1, 5, 0.0, 0.9751),
        at(500, 0.1, 5, 0.0, 0.9762),
        // p. 185: rotations of ±10°, lr 0.01, 10 epochs.
        at(200, 0.01, 10, 10.0, 0.9787),
    ]
};

/// The book's figures measured at `base` with only `parameter` varied, as
/// (value, accuracy).
pub fn book_points(parameter: Parameter, base: Settings) -> Vec<(f64, f64)> {
    BOOK_FIGURES
        .iter()
        .filter(|f| f.settings.with(parameter, base.get(parameter)) == base)
        .map(|f| (f.settings.get(parameter), f.accuracy))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_figures_appear_on_the_charts_of_their_settings() {
        let lr = book_points(Parameter::Lr, Parameter::Lr.book_base());
        assert_eq!(lr.len(), 5);
        assert!(lr.contains(&(0.3, 0.9473)));
        let hidden = book_points(Parameter::Hidden, Parameter::Hidden.book_base());
        assert_eq!(hidden, [(5.0, 0.7001), (200.0, 0.9751), (500.0, 0.9762)]);
        let rotate = book_points(Parameter::Rotate, Parameter::Rotate.book_base());
        assert_eq!(rotate, [(10.0, 0.9787)]);
        // Other settings than the book's: nothing to compare with.
        let other = Settings {
            hidden: 50,
            ..Parameter::Lr.book_base()
        };
        assert!(book_points(Parameter::Lr, other).is_empty());
        // An epochs sweep at 200 hidden meets the book's 5-epoch figure.
        let epochs_200 = Settings {
            hidden: 200,
            ..Parameter::Epochs.book_base()
        };
        assert_eq!(book_points(Parameter::Epochs, epochs_200), [(5.0, 0.9751)]);
    }
}
