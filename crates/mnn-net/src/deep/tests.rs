use super::*;
use crate::{Sweep, TrainOptions};
use rand::{RngExt, SeedableRng};

/// Random samples: inputs in 0.01..1, one-hot targets with `(off, on)`.
fn samples(
    n: usize,
    inputs: usize,
    outputs: usize,
    seed: u64,
    (off, on): (f32, f32),
) -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let x = (0..inputs).map(|_| rng.random_range(0.01..1.0)).collect();
            let mut t = vec![off; outputs];
            t[rng.random_range(0..outputs)] = on;
            (x, t)
        })
        .collect()
}

fn architecture(sizes: &[usize], activation: Activation, loss: Loss, bias: bool) -> Architecture {
    Architecture {
        layer_sizes: sizes.to_vec(),
        activation,
        loss,
        bias,
    }
}

#[test]
fn book_configuration_starts_and_trains_as_the_books_network() {
    let mut book = NeuralNetwork::new(30, 17, 10, 0.2, 9).unwrap();
    let mut general = Network::new(Architecture::book(30, 17, 10), 0.2, 9).unwrap();
    assert_eq!(general.layers()[0].weights, *book.weights_input_hidden());
    assert_eq!(general.layers()[1].weights, *book.weights_hidden_output());
    for (x, t) in samples(200, 30, 10, 3, (0.01, 0.99)) {
        book.train(&x, &t);
        general.train(&x, &t);
    }
    // Same kernels, same order: the same weights, not just close ones.
    assert_eq!(general.layers()[0].weights, *book.weights_input_hidden());
    assert_eq!(general.layers()[1].weights, *book.weights_hidden_output());
    let x = samples(1, 30, 10, 4, (0.01, 0.99)).remove(0).0;
    assert_eq!(general.query(&x), book.query(&x));
    assert_eq!(
        general
            .backquery(&[0.01, 0.99, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01])
            .unwrap(),
        book.backquery(&[0.01, 0.99, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01])
    );
}

#[test]
fn book_configuration_epoch_matches_the_books_engine_to_rounding() {
    let data = samples(300, 40, 10, 5, (0.01, 0.99));
    let mut book = NeuralNetwork::new(40, 24, 10, 0.1, 2).unwrap();
    let mut general = Network::from_book(&book);
    let options = TrainOptions {
        sweep: Sweep::PerSample,
        ..TrainOptions::with_threads(2)
    };
    book.train_epoch(&data[..], &options, |_| {});
    general.train_epoch(&data, &options, &mut |_| {});
    assert_eq!(general.layers()[0].weights, *book.weights_input_hidden());
    assert_eq!(general.layers()[1].weights, *book.weights_hidden_output());
}

/// The naive reference for one training step: every formula written out
/// with plain loops in f64, for any depth, activation, loss and biases.
fn naive_step(net: &mut Network, x: &[f32], t: &[f32]) {
    let lr = f64::from(net.learning_rate());
    let (activation, loss) = (net.activation(), net.loss());
    let layers = &mut net.layers;
    let big_l = layers.len();
    // forward
    let mut a: Vec<Vec<f64>> = vec![x.iter().map(|&v| f64::from(v)).collect()];
    for (l, layer) in layers.iter().enumerate() {
        let (rows, cols) = layer.weights.shape();
        let mut z: Vec<f64> = (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| f64::from(layer.weights.get(r, c)) * a[l][c])
                    .sum::<f64>()
                    + layer.bias.as_ref().map_or(0.0, |b| f64::from(b[r]))
            })
            .collect();
        if l + 1 == big_l {
            match loss {
                Loss::Squared => z.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
                Loss::CrossEntropy => {
                    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
                    z.iter_mut().for_each(|v| *v = (*v - m).exp() / s);
                }
            }
        } else {
            z.iter_mut().for_each(|v| {
                *v = match activation {
                    Activation::Sigmoid => 1.0 / (1.0 + (-*v).exp()),
                    Activation::Tanh => v.tanh(),
                    Activation::Relu => v.max(0.0),
                }
            });
        }
        a.push(z);
    }
    // backward
    let mut e: Vec<f64> = t
        .iter()
        .zip(&a[big_l])
        .map(|(&t, o)| f64::from(t) - o)
        .collect();
    for l in (0..big_l).rev() {
        let out = &a[l + 1];
        let delta: Vec<f64> = if l + 1 == big_l {
            match loss {
                Loss::Squared => e.iter().zip(out).map(|(e, o)| e * o * (1.0 - o)).collect(),
                Loss::CrossEntropy => e.clone(),
            }
        } else {
            e.iter()
                .zip(out)
                .map(|(e, a)| {
                    e * match activation {
                        Activation::Sigmoid => a * (1.0 - a),
                        Activation::Tanh => 1.0 - a * a,
                        Activation::Relu => f64::from(u8::from(*a > 0.0)),
                    }
                })
                .collect()
        };
        let passed = if l + 1 == big_l { &e } else { &delta };
        let layer = &mut layers[l];
        let (rows, cols) = layer.weights.shape();
        let below: Vec<f64> = (0..cols)
            .map(|c| {
                (0..rows)
                    .map(|r| f64::from(layer.weights.get(r, c)) * passed[r])
                    .sum()
            })
            .collect();
        for r in 0..rows {
            for (c, &input) in a[l].iter().enumerate() {
                let w = f64::from(layer.weights.get(r, c)) + lr * delta[r] * input;
                layer.weights.set(r, c, w as f32);
            }
            if let Some(b) = &mut layer.bias {
                b[r] = (f64::from(b[r]) + lr * delta[r]) as f32;
            }
        }
        e = below;
    }
}

fn max_difference(a: &Network, b: &Network) -> f32 {
    a.layers()
        .iter()
        .zip(b.layers())
        .flat_map(|(x, y)| {
            let w = x.weights.as_slice().iter().zip(y.weights.as_slice());
            let bias = x.bias.iter().flatten().zip(y.bias.iter().flatten());
            w.chain(bias)
                .map(|(p, q)| (p - q).abs())
                .collect::<Vec<_>>()
        })
        .fold(0.0, f32::max)
}

#[test]
fn train_matches_the_naive_reference_for_every_option() {
    for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
        for loss in [Loss::Squared, Loss::CrossEntropy] {
            for bias in [false, true] {
                let arch = architecture(&[12, 9, 7, 5], activation, loss, bias);
                let mut fast = Network::new(arch, 0.05, 13).unwrap();
                let mut naive = fast.clone();
                let data = samples(40, 12, 5, 8, loss.targets());
                for (x, t) in &data {
                    fast.train(x, t);
                    naive_step(&mut naive, x, t);
                }
                let d = max_difference(&fast, &naive);
                assert!(d < 1e-5, "{activation} {loss} bias {bias}: off by {d}");
                // and it learnt something: the weights moved
                assert!(
                    max_difference(&fast, &Network::new(fast.architecture(), 0.05, 13).unwrap())
                        > 1e-3
                );
            }
        }
    }
}

#[test]
fn train_epoch_is_train_on_every_sample_on_any_number_of_threads() {
    for (sizes, activation, loss, bias) in [
        (
            vec![20, 16, 10],
            Activation::Sigmoid,
            Loss::CrossEntropy,
            true,
        ),
        (vec![20, 13, 8, 10], Activation::Tanh, Loss::Squared, false),
        (
            vec![20, 11, 9, 7, 10],
            Activation::Relu,
            Loss::CrossEntropy,
            true,
        ),
        (vec![20, 10], Activation::Sigmoid, Loss::CrossEntropy, true),
    ] {
        let arch = architecture(&sizes, activation, loss, bias);
        let data = samples(150, 20, 10, 6, loss.targets());
        let mut plain = Network::new(arch.clone(), 0.05, 4).unwrap();
        let mut squared_error = 0.0;
        for (x, t) in &data {
            let out = plain.query(x);
            squared_error += out
                .iter()
                .zip(t)
                .map(|(&o, &t)| f64::from(t - o).powi(2))
                .sum::<f64>();
            plain.train(x, t);
        }
        let mean_error = squared_error / (data.len() * 10) as f64;
        for threads in [1, 2, 3, 5] {
            let mut fast = Network::new(arch.clone(), 0.05, 4).unwrap();
            let mut reported = Vec::new();
            let options = TrainOptions {
                progress_interval: 40,
                ..TrainOptions::with_threads(threads)
            };
            let report = fast.train_epoch(&data, &options, &mut |done| reported.push(done));
            assert!(
                (report.mean_error - mean_error).abs() < 1e-12,
                "{} vs {mean_error}",
                report.mean_error
            );
            assert_eq!(
                fast.layers(),
                plain.layers(),
                "{sizes:?} on {threads} threads"
            );
            assert_eq!(reported, [40, 80, 120, 150]);
        }
    }
}

#[test]
fn query_all_is_query() {
    let arch = architecture(&[15, 12, 6, 4], Activation::Tanh, Loss::CrossEntropy, true);
    let net = Network::new(arch, 0.1, 3).unwrap();
    // Two products of 64 samples and a part of one, on each thread count.
    let data = samples(150, 15, 4, 1, (0.0, 1.0));
    let all = net.query_all(&data[..], &TrainOptions::with_threads(1));
    for (i, (x, _)) in data.iter().enumerate() {
        for (a, q) in all.row(i).iter().zip(net.query(x)) {
            assert!((a - q).abs() <= 1e-6, "sample {i}: {a} against query's {q}");
        }
    }
    for threads in [2, 3, 7] {
        let again = net.query_all(&data[..], &TrainOptions::with_threads(threads));
        assert_eq!(again, all, "on {threads} threads");
    }
    // Each row does not depend on the samples queried with it.
    let tail = net.query_all(&data[70..], &TrainOptions::with_threads(2));
    for i in 0..tail.rows() {
        assert_eq!(tail.row(i), all.row(70 + i), "sample {}", 70 + i);
    }
    let sum: f32 = all.row(0).iter().sum();
    assert!((sum - 1.0).abs() < 1e-5, "softmax outputs sum to {sum}");
}

#[test]
fn deep_network_learns_a_separable_task() {
    // Two clusters of inputs; a 3-hidden-layer tanh network with biases and
    // cross-entropy learns to tell them apart.
    let mut rng = Pcg64::seed_from_u64(1);
    let data: Vec<(Vec<f32>, Vec<f32>)> = (0..400)
        .map(|i| {
            let label = i % 2;
            let x = (0..8)
                .map(|j| if j % 2 == label { 0.8 } else { 0.2 } + rng.random_range(-0.1..0.1))
                .collect();
            let mut t = vec![0.0; 2];
            t[label] = 1.0;
            (x, t)
        })
        .collect();
    let arch = architecture(
        &[8, 12, 10, 6, 2],
        Activation::Tanh,
        Loss::CrossEntropy,
        true,
    );
    let mut net = Network::new(arch, 0.05, 2).unwrap();
    for _ in 0..5 {
        net.train_epoch(&data, &TrainOptions::with_threads(2), &mut |_| {});
    }
    let correct = data
        .iter()
        .filter(|(x, t)| crate::argmax(&net.query(x)) == crate::argmax(t))
        .count();
    assert_eq!(correct, data.len());
}

#[test]
fn initial_spreads_follow_the_activation() {
    for (activation, expected) in [
        (Activation::Sigmoid, (100f32).powf(-0.5)),
        (Activation::Tanh, (100f32).powf(-0.5)),
        (Activation::Relu, (2.0f32 / 100.0).sqrt()),
    ] {
        let net = Network::new(
            architecture(&[100, 400, 10], activation, Loss::Squared, true),
            0.1,
            1,
        )
        .unwrap();
        let w = net.layers()[0].weights.as_slice();
        let var = w.iter().map(|v| v * v).sum::<f32>() / w.len() as f32;
        assert!(
            (var.sqrt() / expected - 1.0).abs() < 0.02,
            "{activation}: σ {}",
            var.sqrt()
        );
        assert!(
            net.layers()
                .iter()
                .all(|l| l.bias.as_ref().unwrap().iter().all(|&b| b == 0.0))
        );
    }
}

#[test]
fn backquery_goes_through_every_invertible_layer() {
    for activation in [Activation::Sigmoid, Activation::Tanh] {
        for loss in [Loss::Squared, Loss::CrossEntropy] {
            let net = Network::new(
                architecture(&[16, 12, 8, 4], activation, loss, true),
                0.1,
                5,
            )
            .unwrap();
            let (off, on) = (0.01, 0.99);
            let image = net.backquery(&[off, on, off, off]).unwrap();
            assert_eq!(image.len(), 16);
            let min = image.iter().copied().fold(f32::INFINITY, f32::min);
            let max = image.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            assert!(
                (min - 0.01).abs() < 1e-6 && (max - 0.99).abs() < 1e-6,
                "{min}..{max}"
            );
            assert!(image.iter().all(|v| v.is_finite()));
        }
    }
    let relu = Network::new(
        architecture(&[16, 12, 4], Activation::Relu, Loss::CrossEntropy, false),
        0.1,
        5,
    )
    .unwrap();
    let err = relu
        .backquery(&[0.0, 1.0, 0.0, 0.0])
        .unwrap_err()
        .to_string();
    assert!(err.contains("relu has none"), "{err}");
}

#[test]
fn names_parse_and_bad_ones_are_errors() {
    assert_eq!("tanh".parse::<Activation>().unwrap(), Activation::Tanh);
    assert_eq!("cross-entropy".parse::<Loss>().unwrap(), Loss::CrossEntropy);
    let err = "softplus".parse::<Activation>().unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown activation \"softplus\": expected one of sigmoid, tanh, relu"
    );
}

#[test]
fn bad_architectures_are_errors() {
    let arch = |sizes: &[usize]| architecture(sizes, Activation::Sigmoid, Loss::Squared, false);
    assert!(Network::new(arch(&[784]), 0.1, 1).is_err());
    let err = Network::new(arch(&[784, 0, 10]), 0.1, 1)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "the hidden layer needs at least one node");
    assert!(matches!(
        Network::new(arch(&[4, 3, 2]), -1.0, 1),
        Err(NetError::LearningRate(_))
    ));
    let layers = vec![
        Layer {
            weights: Matrix::zeros(3, 4),
            bias: None,
        },
        Layer {
            weights: Matrix::zeros(2, 5),
            bias: None,
        },
    ];
    let err = Network::from_layers(layers, Activation::Sigmoid, Loss::Squared, 0.1)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("layer 1 has 3 nodes but layer 2's weights (2, 5) expect 5 inputs"),
        "{err}"
    );
}

/// The engine's window sweep serves every depth, with biases and every
/// activation: the weights of `train` on every sample up to rounding, and
/// bit for bit the same on any number of threads.
#[test]
fn one_sweep_per_window_is_train_up_to_rounding_at_any_depth() {
    for (sizes, activation, loss, bias) in [
        (vec![30, 17, 10], Activation::Sigmoid, Loss::Squared, false),
        (
            vec![30, 13, 8, 10],
            Activation::Tanh,
            Loss::CrossEntropy,
            true,
        ),
        (
            vec![30, 11, 9, 7, 10],
            Activation::Relu,
            Loss::CrossEntropy,
            true,
        ),
    ] {
        let arch = architecture(&sizes, activation, loss, bias);
        // 61 samples: the last window is a short one.
        let data = samples(61, 30, 10, 8, loss.targets());
        let start = Network::new(arch, 0.05, 5).unwrap();
        let mut plain = start.clone();
        for (x, t) in &data {
            plain.train(x, t);
        }
        let moved = max_difference(&plain, &start);
        assert!(
            moved > 0.01,
            "{sizes:?}: the weights hardly moved ({moved})"
        );
        let mut first: Option<Network> = None;
        for threads in [1, 2, 3] {
            let mut fast = start.clone();
            let options = TrainOptions::with_threads(threads);
            fast.train_epoch_swept(&data[..], &options, Sweep::PerWindow, |_| {});
            let off = max_difference(&fast, &plain);
            assert!(
                off < 1e-5,
                "{sizes:?}, {threads} threads: {off} away from train's"
            );
            match &first {
                None => first = Some(fast),
                Some(first) => assert_eq!(
                    fast.layers(),
                    first.layers(),
                    "{sizes:?}, {threads} threads"
                ),
            }
        }
    }
}
