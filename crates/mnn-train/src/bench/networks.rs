//! What the benchmark times: the book's network with both sweeps of the
//! engine, and the deeper networks as the 99% recipe trains them; their
//! names as the table prints them, and the work of one train step.

use mnn_data::{DIGITS, IMAGE_PIXELS};
use mnn_net::Sweep;
use mnn_net::deep::{Activation, Architecture, Loss};

/// The deeper networks' hidden layers (issue 12's 784-800-10, after Simard
/// et al. 2003, and a two-hidden-layer 784-500-150-10).
pub const DEEP_HIDDEN: [&[usize]; 2] = [&[800], &[500, 150]];

/// The sweep of the engine for any depth, as the table names it.
pub const DEEP_SWEEP: &str = "per sample (any depth)";

/// Samples per update of the deeper networks' mini-batch rows (mnn-net's
/// `batch` module, `mnn train --batch 64`, beyond the book).
pub const DEEP_BATCH: usize = 64;

/// The mini-batch rows' sweep, as the table names it.
pub const BATCH_SWEEP: &str = "batches of 64 (any depth)";

/// How the table names a way of sweeping `W_ih`.
pub fn sweep_name(sweep: Sweep) -> &'static str {
    match sweep {
        Sweep::PerWindow => "per 4 samples",
        Sweep::PerSample => "per sample (book order)",
    }
}

/// `784-500-150-10`.
pub fn network_name(layer_sizes: &[usize]) -> String {
    let sizes: Vec<String> = layer_sizes.iter().map(usize::to_string).collect();
    sizes.join("-")
}

/// The book's network with `hidden` hidden nodes: `[784, hidden, 10]`.
pub fn book_layers(hidden: usize) -> [usize; 3] {
    [IMAGE_PIXELS, hidden, DIGITS]
}

/// The deeper networks as the 99% recipe trains them (docs/results.md):
/// ReLU hidden layers, softmax with cross-entropy, biases.
pub fn deep_architecture(hidden_layers: &[usize]) -> Architecture {
    let mut layer_sizes = vec![IMAGE_PIXELS];
    layer_sizes.extend_from_slice(hidden_layers);
    layer_sizes.push(DIGITS);
    Architecture {
        layer_sizes,
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        bias: true,
    }
}

/// Floating-point operations of one train step (one sample, one update) of a
/// network with these layer sizes (inputs first), counting a multiply-add as
/// two; the one place every GFLOP/s figure (and so every share of the FMA
/// peak) is counted from. A sample of a mini-batch counts the same (the
/// batch's products do the same multiply-adds, grouped): for each weight matrix `W_l` (`n_l × n_(l−1)`) the forward product
/// `2·n_l·n_(l−1)` and the update `2·n_l·n_(l−1)`, and for every layer but
/// the first the errors passed back, `e_(l−1) = W_lᵀ·e_l`, `2·n_l·n_(l−1)`.
/// For the book's `i`-`h`-`o` that is `4·h·i + 6·o·h` (0.64 MFLOP for
/// 784-200-10). Activations, biases and element-wise products are left out.
pub fn train_step_flops(layer_sizes: &[usize]) -> f64 {
    layer_sizes
        .windows(2)
        .enumerate()
        .map(|(l, pair)| {
            let links = (pair[0] * pair[1]) as f64;
            if l == 0 { 4.0 * links } else { 6.0 * links }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_train_step_of_the_books_network_is_064_mflop() {
        // forward 2·(200·784 + 10·200), e_h 2·10·200, updates 2·(10·200 + 200·784)
        let by_hand = 2 * (200 * 784 + 10 * 200) + 2 * 10 * 200 + 2 * (10 * 200 + 200 * 784);
        assert_eq!(train_step_flops(&book_layers(200)), by_hand as f64);
    }

    #[test]
    fn the_batch_rows_say_their_batch() {
        assert!(BATCH_SWEEP.starts_with(&format!("batches of {DEEP_BATCH} ")));
    }

    #[test]
    fn the_deep_rows_name_their_networks() {
        let names: Vec<String> = DEEP_HIDDEN
            .iter()
            .map(|h| network_name(&deep_architecture(h).layer_sizes))
            .collect();
        assert_eq!(names, ["784-800-10", "784-500-150-10"]);
    }

    #[test]
    fn train_step_flops_count_every_layer() {
        // the book's 4·h·i + 6·o·h
        assert_eq!(train_step_flops(&[784, 200, 10]), 639_200.0);
        assert_eq!(
            train_step_flops(&[784, 800, 10]),
            (4 * 800 * 784 + 6 * 10 * 800) as f64
        );
        // 784-500-150-10: layer 1 without errors passed back, the others with
        assert_eq!(
            train_step_flops(&[784, 500, 150, 10]),
            (4 * 500 * 784 + 6 * 150 * 500 + 6 * 10 * 150) as f64
        );
    }
}
