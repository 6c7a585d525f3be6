//! The book's network trained and queried a whole epoch at a time, through
//! the training engine ([`crate::engine`]) as its case of one hidden layer:
//! `W_ih` is layer 1, shared out between the threads and swept as
//! [`Sweep`](crate::Sweep) says; `W_ho` is the layer above, computed whole
//! by every thread; sigmoid activation, squared error, no biases.

use crate::book::NeuralNetwork;
use crate::engine::{self, Products, Stack};
use crate::kinds::{Activation, Loss};
use crate::layers::{Layer, LayerRef, Layers, Rule};
use crate::options::{EpochReport, Progress, TrainOptions};
use crate::samples::Samples;
use mnn_matrix::Matrix;

impl NeuralNetwork {
    /// One pass over `samples` in order, one [`train`](Self::train) step per
    /// sample, swept as `options.sweep` says and split across
    /// `options.threads` threads; the weights do not depend on the thread
    /// count.
    ///
    /// `progress` is called on the calling thread with the number of samples
    /// done, every `options.progress_interval` samples and at the end.
    /// Allocates once per call, never per sample.
    ///
    /// ```
    /// use mnn_net::{NeuralNetwork, Sweep, TrainOptions};
    ///
    /// let samples = vec![
    ///     (vec![0.9, 0.1], vec![0.99, 0.01]),
    ///     (vec![0.1, 0.9], vec![0.01, 0.99]),
    /// ];
    /// let mut fast = NeuralNetwork::new(2, 4, 2, 0.3, 7).unwrap();
    /// let mut book = fast.clone();
    /// let options = TrainOptions { sweep: Sweep::PerSample, ..TrainOptions::with_threads(2) };
    /// fast.train_epoch(&samples[..], &options, |_| {});
    /// for (inputs, targets) in &samples {
    ///     book.train(inputs, targets);
    /// }
    /// assert_eq!(fast.weights_input_hidden(), book.weights_input_hidden());
    /// assert_eq!(fast.weights_hidden_output(), book.weights_hidden_output());
    /// ```
    pub fn train_epoch<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        mut progress: impl FnMut(usize),
    ) -> EpochReport {
        self.train_epoch_watched(samples, options, |p| progress(p.samples))
    }

    /// [`train_epoch`](Self::train_epoch), with the summed error in each
    /// [`Progress`] report.
    pub(crate) fn train_epoch_watched<S: Samples + ?Sized>(
        &mut self,
        samples: &S,
        options: &TrainOptions,
        progress: impl FnMut(Progress),
    ) -> EpochReport {
        // W_ho: (outputs, hidden), the one layer above W_ih
        let upper = [Layer {
            weights: self.weights_hidden_output.clone(),
            bias: None,
        }];
        let stack = Stack {
            first: &mut self.weights_input_hidden,
            first_bias: None,
            upper: &upper,
            // the book's: sigmoid, squared error
            rule: Rule {
                learning_rate: self.learning_rate,
                activation: Activation::Sigmoid,
                loss: Loss::Squared,
            },
        };
        let (report, trained) =
            engine::train_epoch(stack, samples, options, options.sweep, progress);
        if let Some([w_ho]) = trained.and_then(|layers| <[Layer; 1]>::try_from(layers).ok()) {
            self.weights_hidden_output = w_ho.weights;
        }
        report
    }

    /// The book's `query` for every sample, on `options.threads` threads:
    /// row `i` of the result holds the output signals for sample `i`. The
    /// samples' targets are ignored.
    ///
    /// Inputs go through four at a time ([`mnn_matrix::mul_vec4`]), so each
    /// row of `W_ih` is read once for four inputs: the same arithmetic as
    /// [`query`](Self::query), summed in another order, so the outputs can
    /// differ from `query`'s in the last bits (tested: by at most 1e-6).
    /// They do not depend on the thread count or on the other samples.
    pub fn query_all<S: Samples + ?Sized>(&self, samples: &S, options: &TrainOptions) -> Matrix {
        let layers = self.layer_refs();
        let book = Layers {
            layers: &layers,
            activation: Activation::Sigmoid,
            loss: Loss::Squared,
        };
        engine::query_all(&book, samples, options, Products::Grouped)
    }

    /// The two layers, borrowed, not copied: `W_ih` is layer 1, `W_ho` the
    /// output layer (no biases).
    pub(crate) fn layer_refs(&self) -> [LayerRef<'_>; 2] {
        [&self.weights_input_hidden, &self.weights_hidden_output].map(|weights| LayerRef {
            weights,
            bias: None,
        })
    }
}
