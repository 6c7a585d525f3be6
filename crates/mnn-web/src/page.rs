//! The network behind one page: as loaded (which Reset returns to), as
//! taught since, and what it imagines for each digit.

use crate::reading::{self, Answer, Reading, backquery_targets, greys};
use mnn_data::{DIGITS, DataError, GrayImage};
use mnn_net::{Model, ModelInfo};

/// How a network is asked what it imagines for a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imagining {
    /// The book's backquery: the network run backwards.
    Backquery,
    /// Gradient ascent on the input towards the digit's output.
    Ascent,
}

/// The page's network: the one loaded or trained, its lessons since, and
/// the images gradient ascent found for it (kept until the next lesson).
#[derive(Debug, Clone)]
pub struct Page {
    original: Model,
    info: ModelInfo,
    source: String,
    network: Model,
    lessons: usize,
    imagined: [Option<Vec<u8>>; DIGITS],
}

impl Page {
    /// Serves `network`; `info` is what its file says, `source` where it came from.
    pub fn new(network: Model, info: ModelInfo, source: impl Into<String>) -> Page {
        Page {
            network: network.clone(),
            original: network,
            info,
            source: source.into(),
            lessons: 0,
            imagined: Default::default(),
        }
    }

    /// The network with its lessons.
    pub fn network(&self) -> &Model {
        &self.network
    }

    /// The network as loaded or trained, without lessons.
    pub fn original(&self) -> &Model {
        &self.original
    }

    /// What its file says of its training.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Where it came from, in a few words.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Lessons since the network was loaded or reset.
    pub fn lessons(&self) -> usize {
        self.lessons
    }

    /// What the page's header says (`GET /api/model`).
    pub fn model_json(&self) -> serde_json::Value {
        crate::json::model_json(&self.original, &self.info, &self.source, self.lessons)
    }

    /// `image` read both ways by the taught network.
    pub fn read(&self, image: &GrayImage) -> Result<Reading, DataError> {
        reading::read(&self.network, image)
    }

    /// The network's own `train` step (the book's for the book's network),
    /// once, on `image` prepared MNIST's way with `label` as its target: the
    /// answer before, the reading after.
    pub fn teach(&mut self, image: &GrayImage, label: u8) -> Result<(Answer, Reading), DataError> {
        let mnist = reading::prepare(image, false)?;
        let before = reading::answer(&self.network, mnist);
        let targets = self.original.targets(usize::from(label));
        self.network.train(&reading::scaled(&mnist), &targets);
        self.lessons += 1;
        self.imagined = Default::default();
        Ok((before, self.read(image)?))
    }

    /// Back to the network as loaded; every lesson forgotten.
    pub fn reset(&mut self) {
        *self = Page::new(
            self.original.clone(),
            self.info.clone(),
            self.source.clone(),
        );
    }

    /// What the taught network imagines for `digit`, as greys (0 black ink,
    /// 255 white paper), 28×28; `None` for backquery of a network that cannot
    /// be run backwards.
    pub fn imagine(&mut self, digit: usize, how: Imagining) -> Option<Vec<u8>> {
        match how {
            Imagining::Backquery => self.backquery(digit),
            Imagining::Ascent => {
                if self.imagined[digit].is_none() {
                    let greys = ascent(&self.network, digit);
                    self.keep_ascent(digit, greys);
                }
                self.kept_ascent(digit).map(<[u8]>::to_vec)
            }
        }
    }

    /// The book's backquery of the taught network for `digit`, as greys.
    pub fn backquery(&self, digit: usize) -> Option<Vec<u8>> {
        let signals = self.network.backquery(&backquery_targets(digit)).ok()?;
        Some(greys(&signals))
    }

    /// The image gradient ascent found for `digit` with these weights, if kept.
    pub fn kept_ascent(&self, digit: usize) -> Option<&[u8]> {
        self.imagined[digit].as_deref()
    }

    /// Keeps `greys`, found by [`ascent`] for `digit` with these weights,
    /// until the next lesson or reset.
    pub fn keep_ascent(&mut self, digit: usize, greys: Vec<u8>) {
        self.imagined[digit] = Some(greys);
    }
}

/// What gradient ascent finds `network` imagines for `digit`, as greys (it
/// takes a moment on a big network: a server runs it without its lock).
pub fn ascent(network: &Model, digit: usize) -> Vec<u8> {
    greys(&network.imagine(digit).image)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke() -> GrayImage {
        let mut pixels = vec![255u8; 40 * 40];
        for y in 5..35 {
            pixels[y * 40 + 20] = 0;
        }
        GrayImage::new(40, 40, pixels)
    }

    #[test]
    fn teaching_moves_the_answer_towards_the_label_and_reset_forgets() {
        let network = Model::Book(mnn_net::NeuralNetwork::new(784, 30, 10, 0.3, 2).unwrap());
        let mut page = Page::new(network, ModelInfo::default(), "test");
        let first = page.read(&stroke()).unwrap();
        let (before, after) = page.teach(&stroke(), 4).unwrap();
        assert_eq!(before.outputs, first.mnist.outputs);
        assert!(after.mnist.outputs[4] > before.outputs[4]);
        assert_eq!(page.lessons(), 1);
        page.reset();
        assert_eq!(page.lessons(), 0);
        assert_eq!(
            page.read(&stroke()).unwrap().mnist.outputs,
            first.mnist.outputs
        );
        assert_eq!(page.imagine(4, Imagining::Backquery).unwrap().len(), 784);
        assert_eq!(page.imagine(4, Imagining::Ascent).unwrap().len(), 784);
    }
}
