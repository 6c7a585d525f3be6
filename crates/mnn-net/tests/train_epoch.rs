//! The training engine against the book's `train`: `train_epoch` must give
//! the same weights bit for bit whatever the thread count, and the book's own
//! weights bit for bit with one sweep per sample, within f32 rounding with one
//! sweep per window; `query_all` must give `query`'s answers.

use mnn_net::{NeuralNetwork, Samples, Sweep, TrainOptions};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// Random samples shaped like the book's: inputs in 0.01..1, targets 0.01
/// everywhere but one 0.99.
fn samples(count: usize, inputs: usize, outputs: usize, seed: u64) -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let x = (0..inputs).map(|_| rng.random_range(0.01..1.0)).collect();
            let mut t = vec![0.01; outputs];
            t[rng.random_range(0..outputs)] = 0.99;
            (x, t)
        })
        .collect()
}

/// The book's loop: one `train` per sample.
fn book_epoch(net: &mut NeuralNetwork, samples: &[(Vec<f32>, Vec<f32>)]) {
    for (x, t) in samples {
        net.train(x, t);
    }
}

fn assert_same_weights(got: &NeuralNetwork, want: &NeuralNetwork, what: &str) {
    assert!(
        got.weights_input_hidden() == want.weights_input_hidden(),
        "{what}: W_ih differs"
    );
    assert!(
        got.weights_hidden_output() == want.weights_hidden_output(),
        "{what}: W_ho differs"
    );
}

fn options(threads: usize, sweep: Sweep) -> TrainOptions {
    TrainOptions {
        sweep,
        ..TrainOptions::with_threads(threads)
    }
}

/// Layer sizes that are not multiples of any vector width, and the book's.
const SHAPES: [(usize, usize, usize); 4] = [(37, 13, 4), (784, 50, 10), (5, 3, 2), (784, 200, 10)];

#[test]
fn one_sweep_per_sample_is_the_books_train_bit_for_bit_for_any_thread_count() {
    for (inputs, hidden, outputs) in SHAPES {
        let data = samples(61, inputs, outputs, 11);
        let start = NeuralNetwork::new(inputs, hidden, outputs, 0.2, 3).unwrap();
        let mut book = start.clone();
        book_epoch(&mut book, &data);
        book_epoch(&mut book, &data);
        for threads in [1, 2, 3, 4, 7] {
            let mut fast = start.clone();
            let options = options(threads, Sweep::PerSample);
            fast.train_epoch(&data[..], &options, |_| {});
            fast.train_epoch(&data[..], &options, |_| {});
            assert_same_weights(
                &fast,
                &book,
                &format!("{inputs}-{hidden}-{outputs}, {threads} threads"),
            );
        }
    }
}

/// The largest difference between two networks' weights.
fn largest_difference(a: &NeuralNetwork, b: &NeuralNetwork) -> f32 {
    let pairs = |m: fn(&NeuralNetwork) -> &mnn_matrix::Matrix| {
        m(a).as_slice()
            .iter()
            .zip(m(b).as_slice())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    pairs(NeuralNetwork::weights_input_hidden).max(pairs(NeuralNetwork::weights_hidden_output))
}

#[test]
fn one_sweep_per_window_is_the_books_train_up_to_rounding_and_the_same_for_any_thread_count() {
    for (inputs, hidden, outputs) in SHAPES {
        // 61 samples: the last window is a short one.
        let data = samples(61, inputs, outputs, 12);
        let start = NeuralNetwork::new(inputs, hidden, outputs, 0.2, 4).unwrap();
        let mut book = start.clone();
        book_epoch(&mut book, &data);
        book_epoch(&mut book, &data);
        let mut first: Option<NeuralNetwork> = None;
        for threads in [1, 2, 3, 4, 7] {
            let mut fast = start.clone();
            let options = options(threads, Sweep::PerWindow);
            fast.train_epoch(&data[..], &options, |_| {});
            fast.train_epoch(&data[..], &options, |_| {});
            let what = format!("{inputs}-{hidden}-{outputs}, {threads} threads");
            // The weights move by about 0.1 over these 122 steps; rounding
            // differences are a million times smaller.
            let moved = largest_difference(&book, &start);
            let off = largest_difference(&fast, &book);
            assert!(moved > 0.01, "{what}: the weights hardly moved ({moved})");
            assert!(off < 1e-5, "{what}: {off} away from the book's weights");
            match &first {
                None => first = Some(fast),
                Some(first) => assert_same_weights(&fast, first, &what),
            }
        }
    }
}

#[test]
fn train_epoch_learns() {
    let data = samples(40, 20, 3, 5);
    let mut net = NeuralNetwork::new(20, 10, 3, 0.3, 1).unwrap();
    let error = |net: &NeuralNetwork| -> f32 {
        data.iter()
            .map(|(x, t)| {
                let out = net.query(x);
                out.iter().zip(t).map(|(o, t)| (o - t).powi(2)).sum::<f32>()
            })
            .sum()
    };
    let before = error(&net);
    for _ in 0..30 {
        net.train_epoch(&data[..], &TrainOptions::with_threads(2), |_| {});
    }
    assert!(error(&net) < 0.5 * before, "{} -> {}", before, error(&net));
    for _ in 0..30 {
        net.train_epoch(&data[..], &options(2, Sweep::PerSample), |_| {});
    }
    assert!(error(&net) < 0.5 * before, "{} -> {}", before, error(&net));
}

#[test]
fn progress_counts_samples_on_the_calling_thread() {
    let data = samples(25, 6, 2, 1);
    let mut net = NeuralNetwork::new(6, 4, 2, 0.1, 1).unwrap();
    let caller = std::thread::current().id();
    for sweep in [Sweep::PerSample, Sweep::PerWindow] {
        let options = TrainOptions {
            threads: 2,
            progress_interval: 10,
            sweep,
            batch: 1,
        };
        let mut seen = vec![];
        net.train_epoch(&data[..], &options, |done| {
            assert_eq!(std::thread::current().id(), caller);
            seen.push(done);
        });
        assert_eq!(seen, [10, 20, 25], "{sweep:?}");
    }
}

#[test]
fn an_empty_epoch_changes_nothing() {
    let mut net = NeuralNetwork::new(6, 4, 2, 0.1, 1).unwrap();
    let before = net.clone();
    let none: Vec<(Vec<f32>, Vec<f32>)> = vec![];
    let mut calls = 0;
    net.train_epoch(&none[..], &TrainOptions::default(), |_| calls += 1);
    assert_same_weights(&net, &before, "empty epoch");
    assert_eq!(calls, 0);
}

#[test]
fn query_all_answers_like_query() {
    let data = samples(23, 30, 5, 2);
    let net = NeuralNetwork::new(30, 9, 5, 0.1, 4).unwrap();
    for threads in [1, 2, 3, 30] {
        let all = net.query_all(&data[..], &TrainOptions::with_threads(threads));
        assert_eq!(all.shape(), (23, 5));
        for (i, (x, _)) in data.iter().enumerate() {
            let want = net.query(x);
            for (o, (got, want)) in all.row(i).iter().zip(&want).enumerate() {
                assert!(
                    (got - want).abs() <= 1e-6,
                    "sample {i}, output {o}, {threads} threads: {got} vs {want}"
                );
            }
        }
        // The same answers whatever the thread count.
        assert_eq!(
            all,
            net.query_all(&data[..], &TrainOptions::with_threads(1))
        );
    }
    let none: Vec<(Vec<f32>, Vec<f32>)> = vec![];
    assert_eq!(
        net.query_all(&none[..], &TrainOptions::default()).shape(),
        (0, 5)
    );
}

/// Samples whose `fill` panics on a spawned worker thread at one index.
struct Failing(Vec<(Vec<f32>, Vec<f32>)>);

impl Samples for Failing {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        // Scoped worker threads have no name; the test's own thread does.
        if index == 7 && std::thread::current().name().is_none() {
            panic!("cannot read sample {index}");
        }
        self.0[..].fill(index, inputs, targets);
    }
}

#[test]
fn a_panicking_worker_ends_the_epoch_instead_of_hanging() {
    let data = Failing(samples(20, 8, 2, 3));
    let mut net = NeuralNetwork::new(8, 6, 2, 0.1, 1).unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        net.train_epoch(&data, &TrainOptions::with_threads(3), |_| {});
    }));
    assert!(result.is_err(), "the worker's panic reaches the caller");
}

/// With one sweep per sample, an epoch trained in parts gives the weights
/// of the epoch trained whole, bit for bit, whatever the thread count of each
/// part: a caller may change `threads` between parts. (With one sweep per
/// window it does not: a part's first forward pass is summed in `dot`'s
/// order, not the sweep's.)
#[test]
fn an_epoch_in_parts_is_the_epoch_whole_with_one_sweep_per_sample() {
    for (inputs, hidden, outputs) in SHAPES {
        let data = samples(61, inputs, outputs, 5);
        let start = NeuralNetwork::new(inputs, hidden, outputs, 0.2, 9).unwrap();
        let sweep = Sweep::PerSample;
        let mut whole = start.clone();
        whole.train_epoch(&data[..], &options(2, sweep), |_| {});
        let mut parts = start.clone();
        for (range, threads) in [(0..24, 1), (24..40, 2), (40..61, 1)] {
            parts.train_epoch(&data[range], &options(threads, sweep), |_| {});
        }
        assert_same_weights(
            &parts,
            &whole,
            &format!("{inputs}-{hidden}-{outputs} {sweep:?}"),
        );
    }
}

#[test]
fn the_report_says_how_many_threads_ran_and_how_much_they_waited() {
    let data = samples(200, 784, 10, 2);
    let mut net = NeuralNetwork::new(784, 20, 10, 0.1, 1).unwrap();
    let one = net.train_epoch(&data[..], &options(1, Sweep::PerWindow), |_| {});
    assert_eq!((one.threads, one.waiting), (1, 0.0));
    let two = net.train_epoch(&data[..], &options(2, Sweep::PerWindow), |_| {});
    assert_eq!(two.threads, 2);
    assert!((0.0..=1.0).contains(&two.waiting), "{two:?}");
    let none: Vec<(Vec<f32>, Vec<f32>)> = vec![];
    let empty = net.train_epoch(&none[..], &options(2, Sweep::PerWindow), |_| {});
    assert_eq!(empty, mnn_net::EpochReport::default());
}

/// The mean training error the epoch reports is the book's `(t − o)²`,
/// averaged over samples and outputs, each sample's outputs taken just
/// before its own update; reading it changes no weight.
#[test]
fn the_epoch_reports_the_mean_error_of_its_samples_before_each_update() {
    for (inputs, hidden, outputs) in SHAPES {
        let data = samples(61, inputs, outputs, 5);
        let start = NeuralNetwork::new(inputs, hidden, outputs, 0.2, 9).unwrap();
        let mut book = start.clone();
        let mut squared = 0.0f64;
        for (x, t) in &data {
            let out = book.query(x);
            squared += t
                .iter()
                .zip(&out)
                .map(|(t, o)| f64::from(t - o).powi(2))
                .sum::<f64>();
            book.train(x, t);
        }
        let want = squared / (data.len() * outputs) as f64;
        for sweep in [Sweep::PerSample, Sweep::PerWindow] {
            for threads in [1, 3] {
                let mut fast = start.clone();
                let report = fast.train_epoch(&data[..], &options(threads, sweep), |_| {});
                let what = format!("{inputs}-{hidden}-{outputs}, {threads} threads, {sweep:?}");
                assert!(
                    (report.mean_error - want).abs() <= 1e-5 * want,
                    "{what}: {} against {want}",
                    report.mean_error
                );
                if sweep == Sweep::PerSample {
                    assert_same_weights(&fast, &book, &what);
                }
            }
        }
    }
}
