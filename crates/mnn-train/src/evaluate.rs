//! The book's scorecard, and more from the same answers: one query per test
//! record gives the accuracy, the confusion matrix and the mistakes.

use crate::Threads;
use crate::samples::MnistSamples;
use mnn_data::{DIGITS, Dataset};
#[cfg(test)]
use mnn_net::NeuralNetwork;
use mnn_net::Stopwatch;
use mnn_net::{Queries, TrainOptions, argmax};

/// How a network did on a test set, from one query per record.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Records whose label is the network's answer (the largest output).
    pub correct: usize,
    /// Records in the test set.
    pub total: usize,
    /// `confusion[true][answer]`: how many test records of digit `true` the
    /// network called `answer`.
    pub confusion: [[usize; DIGITS]; DIGITS],
    /// The records answered wrong, largest error first.
    pub mistakes: Vec<Mistake>,
    /// How long the queries (and the counting) took.
    pub seconds: f64,
}

/// One test record the network got wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    /// Its position in the test set.
    pub index: usize,
    /// The digit it shows.
    pub label: usize,
    /// The network's answer.
    pub predicted: usize,
    /// How much more the network believed the wrong answer than the right
    /// one: `output[predicted] − output[label]`, from 0 to 1.
    pub error: f32,
}

impl Evaluation {
    /// The book's scorecard: the fraction of records answered right.
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// Queries every record of `test` once (`query_all` of any network, on
/// `threads`), and counts the answers: right ones, the confusion matrix and
/// the mistakes.
pub fn evaluate(net: &(impl Queries + ?Sized), test: &Dataset, threads: Threads) -> Evaluation {
    let started = Stopwatch::start();
    let outputs = net.query_all(
        &MnistSamples::new(test, None),
        &TrainOptions::with_threads(threads.count()),
    );
    let mut confusion = [[0; DIGITS]; DIGITS];
    let mut mistakes = Vec::new();
    let mut correct = 0;
    for (index, (out, &label)) in outputs.row_iter().zip(test.labels()).enumerate() {
        let label = usize::from(label);
        let answer = argmax(out);
        correct += usize::from(answer == Some(label));
        let predicted = answer.unwrap_or(0);
        confusion[label][predicted] += 1;
        if predicted != label {
            mistakes.push(Mistake {
                index,
                label,
                predicted,
                error: out[predicted] - out[label],
            });
        }
    }
    // Largest error first; equal errors in test-set order.
    mistakes.sort_by(|a, b| b.error.total_cmp(&a.error).then(a.index.cmp(&b.index)));
    Evaluation {
        correct,
        total: test.len(),
        confusion,
        mistakes,
        seconds: started.elapsed().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_data::{IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS};
    use mnn_matrix::Matrix;

    /// A 784-1-10 network that answers `answer` for every image.
    fn network_answering(answer: usize) -> NeuralNetwork {
        let w_ih = Matrix::zeros(1, IMAGE_PIXELS);
        let mut w_ho = Matrix::zeros(DIGITS, 1);
        for d in 0..DIGITS {
            w_ho.set(d, 0, if d == answer { 10.0 } else { -10.0 });
        }
        NeuralNetwork::from_weights(w_ih, w_ho, 0.1).unwrap()
    }

    fn dataset(labels: &[u8]) -> Dataset {
        let mut data = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
        for &label in labels {
            data.push(label, &[label * 20; IMAGE_PIXELS]);
        }
        data
    }

    #[test]
    fn rows_count_each_true_digit_and_columns_the_answers() {
        let test = dataset(&[3, 3, 7, 1, 3]);
        let score = evaluate(&network_answering(3), &test, Threads::given(2));
        let mut expected = [[0; DIGITS]; DIGITS];
        expected[3][3] = 3;
        expected[7][3] = 1;
        expected[1][3] = 1;
        assert_eq!(score.confusion, expected);
        assert_eq!((score.correct, score.total), (3, 5));
        assert_eq!(score.accuracy(), 0.6);
        let wrong: Vec<(usize, usize, usize)> = score
            .mistakes
            .iter()
            .map(|m| (m.index, m.label, m.predicted))
            .collect();
        assert_eq!(wrong, [(2, 7, 3), (3, 1, 3)]);
        assert!(score.mistakes.iter().all(|m| m.error > 0.9));
    }

    #[test]
    fn the_score_is_the_books_argmax_of_query() {
        let net = NeuralNetwork::new(IMAGE_PIXELS, 6, DIGITS, 0.1, 3).unwrap();
        let test = dataset(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
        let score = evaluate(&net, &test, Threads::per_core());
        let mut inputs = vec![0.0; IMAGE_PIXELS];
        let mut by_query = 0;
        for i in 0..test.len() {
            test.scaled_input(i, &mut inputs);
            let answer = argmax(&net.query(&inputs)).unwrap();
            by_query += usize::from(answer == usize::from(test.label(i)));
        }
        assert_eq!(score.correct, by_query);
        let counted: usize = score.confusion.iter().flatten().sum();
        assert_eq!(counted, test.len());
    }

    #[test]
    fn an_empty_test_set_scores_zero() {
        let score = evaluate(&network_answering(1), &dataset(&[]), Threads::per_core());
        assert_eq!((score.accuracy(), score.total), (0.0, 0));
    }
}
