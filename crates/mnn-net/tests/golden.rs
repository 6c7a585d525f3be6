//! The network against the book's own numpy code: `tests/data/net_small.json`
//! holds a 6-4-3 network with fixed weights, computed in float64, with its
//! query outputs and both weight matrices after every train step, and the
//! backquery image for every label of the network after its last step.

use mnn_matrix::Matrix;
use mnn_net::NeuralNetwork;
use serde_json::Value;

const TOLERANCE: f32 = 1e-5;

fn golden() -> Value {
    let text = include_str!("data/net_small.json");
    serde_json::from_str(text).expect("net_small.json is valid JSON")
}

fn vector(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

fn matrix(v: &Value) -> Matrix {
    let rows: Vec<Vec<f32>> = v.as_array().expect("rows").iter().map(vector).collect();
    Matrix::from_rows(&rows).expect("rectangular")
}

fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= TOLERANCE,
            "{what}[{i}]: got {g}, numpy says {w} (diff {})",
            (g - w).abs()
        );
    }
}

fn golden_network(g: &Value) -> NeuralNetwork {
    let lr = g["learning_rate"].as_f64().unwrap() as f32;
    NeuralNetwork::from_weights(matrix(&g["wih"]), matrix(&g["who"]), lr).unwrap()
}

#[test]
fn query_and_every_train_step_match_numpy() {
    let g = golden();
    let mut net = golden_network(&g);
    assert_eq!(
        net.input_nodes(),
        g["input_nodes"].as_u64().unwrap() as usize
    );
    assert_eq!(
        net.hidden_nodes(),
        g["hidden_nodes"].as_u64().unwrap() as usize
    );
    assert_eq!(
        net.output_nodes(),
        g["output_nodes"].as_u64().unwrap() as usize
    );
    let steps = g["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for (k, step) in steps.iter().enumerate() {
        let inputs = vector(&step["inputs"]);
        let targets = vector(&step["targets"]);
        let query = net.query(&inputs);
        assert_close(
            &format!("step {k} query"),
            &query,
            &vector(&step["query_before"]),
        );
        net.train(&inputs, &targets);
        assert_close(
            &format!("step {k} weights_input_hidden"),
            net.weights_input_hidden().as_slice(),
            matrix(&step["wih_after"]).as_slice(),
        );
        assert_close(
            &format!("step {k} weights_hidden_output"),
            net.weights_hidden_output().as_slice(),
            matrix(&step["who_after"]).as_slice(),
        );
    }
}

#[test]
fn backquery_of_trained_network_matches_numpy_for_every_label() {
    let g = golden();
    // The golden backquery images are of the network after all train steps.
    let last = g["steps"].as_array().unwrap().last().unwrap();
    let lr = g["learning_rate"].as_f64().unwrap() as f32;
    let net =
        NeuralNetwork::from_weights(matrix(&last["wih_after"]), matrix(&last["who_after"]), lr)
            .unwrap();
    let images = g["backquery"].as_object().unwrap();
    assert_eq!(images.len(), net.output_nodes());
    for (label, image) in images {
        let label: usize = label.parse().unwrap();
        // Book: targets are 0.01 everywhere and 0.99 at the label.
        let mut targets = vec![0.01; net.output_nodes()];
        targets[label] = 0.99;
        assert_close(
            &format!("backquery {label}"),
            &net.backquery(&targets),
            &vector(image),
        );
    }
}
