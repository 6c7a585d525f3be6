//! The book's experiments: the values it tried, the settings of its charts,
//! and the accuracies it reports (Part 2, "Some Improvements" and "Rotating
//! images"; see docs/results.md for the sources).

use super::plan::Parameter;
use crate::settings::RunSettings;

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
    /// placeholder): the book's network at other hidden nodes, learning
    /// rate, epochs or rotation.
    pub fn book_base(self) -> RunSettings {
        match self {
            Parameter::Lr => book_run(100, 0.3, 1, 0.0),
            Parameter::Epochs => book_run(100, 0.1, 1, 0.0),
            Parameter::Hidden => book_run(200, 0.1, 5, 0.0),
            Parameter::Rotate => book_run(200, 0.01, 10, 10.0),
        }
    }
}

/// The book's run with these hidden nodes, learning rate, epochs and
/// rotation (0°: none).
fn book_run(hidden: u32, learning_rate: f64, epochs: u32, rotate: f32) -> RunSettings {
    RunSettings {
        hidden: vec![hidden],
        learning_rate,
        epochs,
        ..RunSettings::default()
    }
    .with(Parameter::Rotate, f64::from(rotate))
}

/// A result the book reports, with the settings of the book's network it
/// was measured at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookFigure {
    pub hidden: u32,
    pub learning_rate: f64,
    pub epochs: u32,
    /// Degrees of the rotated copies; 0 for none.
    pub rotate: f32,
    pub accuracy: f64,
}

impl BookFigure {
    /// The run the book measured.
    pub fn settings(&self) -> RunSettings {
        book_run(self.hidden, self.learning_rate, self.epochs, self.rotate)
    }
}

/// The book's figures for its network on the full MNIST, each printed in its
/// text (pages below; all are listed in the book data's `worked_examples.json`).
pub const BOOK_FIGURES: [BookFigure; 9] = {
    const fn at(hidden: u32, lr: f64, epochs: u32, rotate: f32, accuracy: f64) -> BookFigure {
        BookFigure {
            hidden,
            learning_rate: lr,
            epochs,
            rotate,
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
/// (value, accuracy); none when `base` goes beyond the book. The seed is
/// not compared: the book does not give it.
pub fn book_points(parameter: Parameter, base: &RunSettings) -> Vec<(f64, f64)> {
    BOOK_FIGURES
        .iter()
        .filter(|f| {
            let measured = RunSettings {
                seed: base.seed,
                ..f.settings()
            };
            measured.with(parameter, base.get(parameter)) == *base
        })
        .map(|f| (f.settings().get(parameter), f.accuracy))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_figures_appear_on_the_charts_of_their_settings() {
        let lr = book_points(Parameter::Lr, &Parameter::Lr.book_base());
        assert_eq!(lr.len(), 5);
        assert!(lr.contains(&(0.3, 0.9473)));
        let hidden = book_points(Parameter::Hidden, &Parameter::Hidden.book_base());
        assert_eq!(hidden, [(5.0, 0.7001), (200.0, 0.9751), (500.0, 0.9762)]);
        let rotate = book_points(Parameter::Rotate, &Parameter::Rotate.book_base());
        assert_eq!(rotate, [(10.0, 0.9787)]);
        // Other settings than the book's: nothing to compare with.
        let other = RunSettings {
            hidden: vec![50],
            ..Parameter::Lr.book_base()
        };
        assert!(book_points(Parameter::Lr, &other).is_empty());
        // Beyond the book: nothing to compare with either.
        let biases = RunSettings {
            bias: true,
            ..Parameter::Lr.book_base()
        };
        assert!(book_points(Parameter::Lr, &biases).is_empty());
        // An epochs sweep at 200 hidden meets the book's 5-epoch figure.
        let epochs_200 = RunSettings {
            hidden: vec![200],
            ..Parameter::Epochs.book_base()
        };
        assert_eq!(book_points(Parameter::Epochs, &epochs_200), [(5.0, 0.9751)]);
    }
}
