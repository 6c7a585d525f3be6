//! The network behind the drawing page, apart from HTTP: what it answers for
//! a drawing, what it imagines for each digit, and the lessons it is taught.
//!
//! One lock guards the weights: queries share it, a lesson (the book's
//! `train`, once) takes it alone, so every answer comes from whole weights.

use crate::{model_file, pictures, query};
use anyhow::{Context, Result};
use mnn_data::{DIGITS, DataError, GrayImage, IMAGE_PIXELS, fill_targets};
use mnn_net::{Activations, ModelInfo, NeuralNetwork, argmax};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// What is known about the served network, for the page's header.
#[derive(Debug, Clone)]
pub struct About {
    /// Where the weights came from, in a few words.
    pub source: String,
    /// What the saved file says about the training run.
    pub info: ModelInfo,
}

/// The network's answer for one prepared 28×28 input.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The digit with the highest output.
    pub label: usize,
    /// The ten output signals, 0..1.
    pub outputs: Vec<f32>,
    /// The hidden layer's output signals, 0..1.
    pub hidden: Vec<f32>,
    /// The 28×28 image the network saw, 0 = paper, 255 = full ink.
    pub input: [u8; IMAGE_PIXELS],
}

/// A drawing read both ways: prepared as MNIST's digits were (the same code
/// as `mnn query`), and the book's raw way (`mnn query --raw`).
#[derive(Debug, Clone)]
pub struct Reading {
    pub mnist: Answer,
    pub raw: Answer,
}

/// The weights being served and how many lessons changed them.
struct Taught {
    network: NeuralNetwork,
    lessons: usize,
}

/// The served network, the weights Reset returns to, and where Save and
/// Collect may write.
pub struct Served {
    taught: RwLock<Taught>,
    original: NeuralNetwork,
    pub about: About,
    /// `--save-taught FILE`: the only file Save writes.
    pub save_taught: Option<PathBuf>,
    /// `--collect DIR`: where Collect puts drawings.
    pub collect: Option<PathBuf>,
    /// Held while choosing a free name in the collect folder.
    collecting: Mutex<()>,
}

impl Served {
    /// Serves `network`; `save_taught` and `collect` enable Save and Collect.
    pub fn new(
        network: NeuralNetwork,
        about: About,
        save_taught: Option<PathBuf>,
        collect: Option<PathBuf>,
    ) -> Served {
        Served {
            original: network.clone(),
            taught: RwLock::new(Taught {
                network,
                lessons: 0,
            }),
            about,
            save_taught,
            collect,
            collecting: Mutex::new(()),
        }
    }

    // A panic while the lock is held cannot leave half-updated weights
    // (`train` does not panic on the shapes checked here), so a poisoned lock
    // is used as it is rather than taking the server down.
    fn read(&self) -> RwLockReadGuard<'_, Taught> {
        self.taught.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Taught> {
        self.taught.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Layer sizes: inputs, hidden, outputs.
    pub fn layers(&self) -> [usize; 3] {
        let n = &self.original;
        [n.input_nodes(), n.hidden_nodes(), n.output_nodes()]
    }

    /// The learning rate of the lessons.
    pub fn learning_rate(&self) -> f32 {
        self.original.learning_rate()
    }

    /// Lessons since the start or the last reset.
    pub fn lessons(&self) -> usize {
        self.read().lessons
    }

    /// What the network answers for `image`, read both ways.
    pub fn read_drawing(&self, image: &GrayImage) -> Result<(Reading, usize), DataError> {
        let mnist = prepared(image, false)?;
        let raw = prepared(image, true)?;
        let taught = self.read();
        let reading = Reading {
            mnist: answer(&taught.network, mnist),
            raw: answer(&taught.network, raw),
        };
        Ok((reading, taught.lessons))
    }

    /// The book's `train`, once, on `image` (prepared MNIST's way) with
    /// `label` as its target; the answers before and after, and the lessons
    /// so far.
    ///
    /// # Panics
    /// If `label` is not a digit.
    pub fn teach(
        &self,
        image: &GrayImage,
        label: u8,
    ) -> Result<(Answer, Reading, usize), DataError> {
        let mnist = prepared(image, false)?;
        let raw = prepared(image, true)?;
        let inputs = scaled(&mnist);
        let mut targets = [0.0; DIGITS];
        fill_targets(label, &mut targets);
        let mut taught = self.write();
        let before = answer(&taught.network, mnist);
        taught.network.train(&inputs, &targets);
        taught.lessons += 1;
        let after = Reading {
            mnist: answer(&taught.network, mnist),
            raw: answer(&taught.network, raw),
        };
        Ok((before, after, taught.lessons))
    }

    /// Back to the served weights; forgets every lesson.
    pub fn reset(&self) {
        let mut taught = self.write();
        taught.network = self.original.clone();
        taught.lessons = 0;
    }

    /// The book's backquery for `digit` (the same as `mnn backquery`): the
    /// image the network associates with it, as greys (0 = black ink,
    /// 255 = white paper), 28×28.
    pub fn backquery(&self, digit: u8) -> Vec<u8> {
        let mut targets = [0.0; DIGITS];
        fill_targets(digit, &mut targets);
        let signals = self.read().network.backquery(&targets);
        pictures::greys(&signals)
    }

    /// Writes the taught weights to the `--save-taught` file, atomically;
    /// `None` when saving was not enabled.
    pub fn save(&self) -> Option<Result<(PathBuf, usize)>> {
        let path = self.save_taught.as_ref()?;
        let (network, lessons) = {
            let taught = self.read();
            (taught.network.clone(), taught.lessons)
        };
        // The taught weights were not tested, so no accuracy is claimed.
        let info = ModelInfo {
            test_accuracy: None,
            ..self.about.info.clone()
        };
        Some(model_file::save(path, &network, &info).map(|()| (path.clone(), lessons)))
    }

    /// Saves `image` as `DIR/<label>_<n>.png` (the first free `n` from 1) in
    /// the `--collect` folder, for `mnn query` to read; `None` when
    /// collecting was not enabled.
    pub fn collect(&self, image: &GrayImage, label: u8) -> Option<Result<PathBuf>> {
        let dir = self.collect.as_ref()?;
        let _choosing = self.collecting.lock().unwrap_or_else(|e| e.into_inner());
        let path = free_name(dir, label);
        Some(
            image
                .save_png(&path)
                .map(|()| path)
                .context("cannot collect the drawing"),
        )
    }
}

/// `DIR/<label>_<n>.png` for the smallest `n` ≥ 1 not yet taken.
fn free_name(dir: &Path, label: u8) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("{label}_{n}.png")))
        .find(|path| !path.exists())
        .expect("some number is free")
}

/// The 28×28 image `mnn query` (or, with `raw`, `mnn query --raw`) would
/// give the network for `image`.
fn prepared(image: &GrayImage, raw: bool) -> Result<[u8; IMAGE_PIXELS], DataError> {
    query::prepare(image, raw)
}

/// The book's input scaling of a prepared image.
fn scaled(pixels: &[u8; IMAGE_PIXELS]) -> [f32; IMAGE_PIXELS] {
    pixels.map(mnn_data::scale_pixel)
}

/// One forward pass, keeping the hidden signals for the page.
fn answer(network: &NeuralNetwork, input: [u8; IMAGE_PIXELS]) -> Answer {
    let mut activations: Activations = network.activations();
    network.forward(&scaled(&input), &mut activations);
    Answer {
        label: argmax(&activations.outputs).expect("ten outputs"),
        outputs: activations.outputs,
        hidden: activations.hidden,
        input,
    }
}

/// Loads a saved network for serving (one that reads MNIST digits).
pub fn load(path: &Path) -> Result<(NeuralNetwork, About)> {
    let (network, info) = model_file::load(path)?;
    mnn_train::check_digit_network(&network).with_context(|| path.display().to_string())?;
    Ok((
        network,
        About {
            source: format!("loaded from {}", path.display()),
            info,
        },
    ))
}
