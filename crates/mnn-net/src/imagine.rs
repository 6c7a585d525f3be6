//! "What it imagines", for every network: the input that most excites one
//! output, found by gradient ascent on the input.
//!
//! The book's [`backquery`](crate::NeuralNetwork::backquery) runs the network
//! backwards through the transposed weights and the inverse activation. That
//! is not an inverse of the network (a 784→200 layer loses information that
//! no transpose brings back, and ReLU has no inverse at all), so it shows
//! what the weights point at, not an image the network answers strongly.
//! This module asks the other question: starting from a grey image, which
//! pixels should change to make output `d` stand out? It follows the
//! gradient of the output's log-probability with respect to the pixels:
//!
//! ```text
//! z_l = W_l·a_{l−1} + b_l, a_l = f(z_l)       forward, as query (a_0 = x)
//! J(x) = ln softmax(z_L)_d                    objective (softmax of the output layer's
//!                                             inputs: for a softmax network, ln out_d)
//! g_L  = onehot_d − softmax(z_L)              ∂J/∂z_L
//! g_{l−1} = (W_lᵀ·g_l)∘f′(a_{l−1})             back through each hidden layer
//! ∂J/∂x = W_1ᵀ·g_1
//! x ← clamp(x + η_t·(∂J/∂x / rms(∂J/∂x) − λ·(x − 0.01)), 0.01, 0.99)
//!                                             step t of [`IMAGINE_STEPS`], from x = ½
//! ```
//!
//! The gradient is divided by its root mean square, so a step moves the
//! pixels by about η_t whatever the network's scale; η_t falls from 0.02 to
//! 0 over the steps, so the image settles. The pixels stay in the book's
//! input range 0.01..0.99 by clamping after every step, and the penalty λ = 2
//! pulls each pixel towards paper (0.01, MNIST's background), so only the
//! pixels the output cares about (a gradient above λ·(x − 0.01) in those
//! units) keep ink. Without it the grey background saturates a sigmoid
//! network's hidden nodes (it was trained on digits on blank paper), their
//! slopes vanish, and the ascent stalls: measured on a book network, half
//! the digits did not win their own output; with it all ten do.

use crate::kinds::Loss;
use crate::layers::{LayerWeights, Layers};

/// Gradient-ascent steps per image.
pub const IMAGINE_STEPS: usize = 200;

/// How far the pixels move in the first step, on average (the root mean
/// square of the change), in the input's units (0.01..0.99).
const STEP: f32 = 0.02;

/// λ: the pull of every pixel towards paper, against the gradient (in units
/// of the gradient's root mean square per unit of ink).
const PULL_TO_PAPER: f32 = 2.0;

/// Where the ascent starts.
const GREY: f32 = 0.5;

/// The book's input range: the image stays in `LOW..=HIGH`; `LOW` is paper.
const LOW: f32 = 0.01;
const HIGH: f32 = 0.99;

/// An image the network imagines for one output.
#[derive(Debug, Clone, PartialEq)]
pub struct Imagination {
    /// The input image, one value per input node, in 0.01..0.99 (0.01 is
    /// paper, 0.99 full ink, as the book scales MNIST).
    pub image: Vec<f32>,
    /// The network's output signals for that image.
    pub outputs: Vec<f32>,
}

/// Gradient ascent on the input of `net` towards output `output`, `steps`
/// times (see the module's formulas).
///
/// # Panics
/// If `output` is not an output node.
pub(crate) fn imagine<L: LayerWeights>(
    net: &Layers<'_, L>,
    output: usize,
    steps: usize,
) -> Imagination {
    let outputs = net.output_nodes();
    assert!(output < outputs, "imagine: output {output} of {outputs}");
    let inputs = net.layers[0].weights().cols();
    let mut image = vec![GREY; inputs];
    // a_1 … a_{L−1}, and z_L (the output layer's inputs, before σ or softmax)
    let mut signals: Vec<Vec<f32>> = net.layers.iter().map(|l| vec![0.0; l.nodes()]).collect();
    // g_l = ∂J/∂z_l, one buffer per layer, and ∂J/∂x
    let mut gradients = signals.clone();
    let mut towards = vec![0.0; inputs];
    for t in 0..steps {
        // η_t = η·(1 − t/steps): long strides first, then settling
        let eta = STEP * (1.0 - t as f32 / steps as f32);
        forward_to_output_inputs(net, &image, &mut signals);
        backward(net, output, &signals, &mut gradients, &mut towards);
        let rms = (towards.iter().map(|g| g * g).sum::<f32>() / inputs as f32).sqrt();
        if !(rms > 0.0 && rms.is_finite()) {
            break;
        }

        // x ← clamp(x + η·(∂J/∂x / rms − λ·(x − ½)), 0.01, 0.99)
        for (x, g) in image.iter_mut().zip(&towards) {
            *x = (*x + eta * (g / rms - PULL_TO_PAPER * (*x - LOW))).clamp(LOW, HIGH);
        }
    }
    forward_to_output_inputs(net, &image, &mut signals);
    let mut out = signals.pop().expect("an output layer");
    net.loss.output(&mut out);
    Imagination {
        image,
        outputs: out,
    }
}

/// The forward pass, but the last buffer keeps `z_L`, the output layer's
/// inputs, instead of its signals.
fn forward_to_output_inputs<L: LayerWeights>(
    net: &Layers<'_, L>,
    inputs: &[f32],
    signals: &mut [Vec<f32>],
) {
    let last = net.layers.len() - 1;
    for (l, layer) in net.layers.iter().enumerate() {
        let (below, here) = signals.split_at_mut(l);
        let incoming = if l == 0 { inputs } else { &below[l - 1] };
        // z_l = W_l·a_{l−1} + b_l
        layer.weights().mul_vec(incoming, &mut here[0]);
        if let Some(bias) = layer.bias() {
            here[0].iter_mut().zip(bias).for_each(|(z, b)| *z += b);
        }
        if l < last {
            // a_l = f(z_l)
            net.activation.apply(&mut here[0]);
        }
    }
}

/// `∂J/∂x` into `towards`, from the forward pass's
/// `signals` (`a_1 … a_{L−1}`, then `z_L`).
fn backward<L: LayerWeights>(
    net: &Layers<'_, L>,
    output: usize,
    signals: &[Vec<f32>],
    gradients: &mut [Vec<f32>],
    towards: &mut [f32],
) {
    let last = net.layers.len() - 1;
    // g_L = onehot_d − softmax(z_L)
    let g_last = &mut gradients[last];
    g_last.copy_from_slice(&signals[last]);
    Loss::CrossEntropy.output(g_last);
    g_last.iter_mut().for_each(|p| *p = -*p);
    g_last[output] += 1.0;
    for l in (1..=last).rev() {
        let (below, here) = gradients.split_at_mut(l);
        // g_{l−1} = (W_lᵀ·g_l)∘f′(a_{l−1})
        net.layers[l]
            .weights()
            .transpose_mul_vec(&here[0], &mut below[l - 1]);
        net.activation
            .slope_times(&mut below[l - 1], &signals[l - 1]);
    }
    // ∂J/∂x = W_1ᵀ·g_1
    net.layers[0]
        .weights()
        .transpose_mul_vec(&gradients[0], towards);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deep::{Architecture, Network};
    use crate::kinds::Activation;

    fn network(activation: Activation, loss: Loss, bias: bool) -> Network {
        let architecture = Architecture {
            layer_sizes: vec![16, 12, 8, 4],
            activation,
            loss,
            bias,
        };
        Network::new(architecture, 0.1, 5).unwrap()
    }

    #[test]
    fn each_image_raises_its_output_above_the_grey_start() {
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            for loss in [Loss::Squared, Loss::CrossEntropy] {
                let net = network(activation, loss, true);
                let grey = net.query(&[GREY; 16]);
                for d in 0..4 {
                    let seen = imagine(&net.forward_pass(), d, 100);
                    assert!(seen.image.iter().all(|&x| (LOW..=HIGH).contains(&x)));
                    assert_eq!(seen.outputs, net.query(&seen.image));
                    let share = |out: &[f32]| out[d] / out.iter().sum::<f32>();
                    assert!(
                        share(&seen.outputs) > share(&grey),
                        "{activation} {loss} output {d}: {:?} from {grey:?}",
                        seen.outputs
                    );
                }
            }
        }
    }

    #[test]
    fn a_trained_network_answers_each_imagined_image_with_its_own_output() {
        // Four classes, each a block of four lit pixels on paper.
        for (activation, loss) in [
            (Activation::Sigmoid, Loss::Squared),
            (Activation::Relu, Loss::CrossEntropy),
        ] {
            let mut net = network(activation, loss, loss == Loss::CrossEntropy);
            let (off, on) = loss.targets();
            for _ in 0..300 {
                for class in 0..4 {
                    let x: Vec<f32> = (0..16)
                        .map(|i| if i / 4 == class { 0.99 } else { LOW })
                        .collect();
                    let mut t = vec![off; 4];
                    t[class] = on;
                    net.train(&x, &t);
                }
            }
            for class in 0..4 {
                let seen = imagine(&net.forward_pass(), class, IMAGINE_STEPS);
                let winner = crate::any::argmax(&seen.outputs);
                assert_eq!(winner, Some(class), "{activation}: {:?}", seen.outputs);
                // Its ink is where the class's pixels are.
                let ink = |block: usize| seen.image[block * 4..][..4].iter().sum::<f32>();
                assert!(
                    (0..4).all(|b| b == class || ink(class) > ink(b)),
                    "{:?}",
                    seen.image
                );
            }
        }
    }

    #[test]
    fn the_gradient_is_the_objectives_slope() {
        // Compare ∂J/∂x with a central difference of J = ln softmax(z_L)_d.
        let net = network(Activation::Tanh, Loss::Squared, true);
        let layers = net.forward_pass();
        let x: Vec<f32> = (0..16).map(|i| 0.1 + 0.05 * i as f32).collect();
        let objective = |x: &[f32]| {
            let mut signals: Vec<Vec<f32>> =
                net.layers().iter().map(|l| vec![0.0; l.nodes()]).collect();
            forward_to_output_inputs(&layers, x, &mut signals);
            let z = signals.pop().unwrap();
            let total: f64 = z.iter().map(|&z| libm::exp(f64::from(z))).sum();
            f64::from(z[2]) - libm::log(total)
        };
        let mut signals: Vec<Vec<f32>> =
            net.layers().iter().map(|l| vec![0.0; l.nodes()]).collect();
        let mut gradients = signals.clone();
        let mut towards = vec![0.0; 16];
        forward_to_output_inputs(&layers, &x, &mut signals);
        backward(&layers, 2, &signals, &mut gradients, &mut towards);
        for i in 0..16 {
            let h = 1e-2;
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += h;
            down[i] -= h;
            let slope = (objective(&up) - objective(&down)) / f64::from(2.0 * h);
            assert!(
                (slope - f64::from(towards[i])).abs() < 2e-3,
                "pixel {i}: {slope} against {}",
                towards[i]
            );
        }
    }
}
