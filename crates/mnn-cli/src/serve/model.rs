//! The network behind the drawing page, apart from HTTP: what it answers for
//! a drawing, what it imagines for each digit, and the lessons it is taught.
//!
//! One lock guards the weights: queries share it, a lesson (the book's
//! `train`, once) takes it alone, so every answer comes from whole weights.

use crate::{model_file, weights};
use anyhow::{Context, Result};
use mnn_data::{DIGITS, DataError, GrayImage};
use mnn_net::{Model, ModelInfo};
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

pub use mnn_web::reading::{Answer, Reading};

/// The page's network (mnn-web's `Page`: as loaded or trained, which Reset
/// returns to, its lessons and what it imagines), and a version that changes
/// with every lesson, reset and new network, so an image imagined from older
/// weights (without the lock) is not kept.
struct Taught {
    page: Page,
    version: u64,
}

impl Taught {
    fn new(network: Model, about: About, version: u64) -> Taught {
        Taught {
            page: Page::new(network, about.info, about.source),
            version,
        }
    }
}

/// What the page's header and `/api/model` say of the served network.
#[derive(Debug, Clone)]
pub struct Summary {
    pub architecture: mnn_net::deep::Architecture,
    /// `784-200-10, sigmoid` and more.
    pub description: String,
    pub learning_rate: f32,
    pub can_backquery: bool,
    pub about: About,
    pub lessons: usize,
}

pub use mnn_web::page::Imagining;
use mnn_web::page::{Page, ascent};

/// The served network, the weights Reset returns to, and where Save and
/// Collect may write.
pub struct Served {
    taught: RwLock<Taught>,
    /// `--save-taught FILE`: the only file Save writes.
    pub save_taught: Option<PathBuf>,
    /// `--collect DIR`: where Collect puts drawings.
    pub collect: Option<PathBuf>,
    /// Held while choosing a free name in the collect folder.
    collecting: Mutex<Collected>,
}

impl Served {
    /// Serves `network`; `save_taught` and `collect` enable Save and Collect.
    pub fn new(
        network: Model,
        about: About,
        save_taught: Option<PathBuf>,
        collect: Option<PathBuf>,
    ) -> Served {
        Served {
            taught: RwLock::new(Taught::new(network, about, 0)),
            save_taught,
            collect,
            collecting: Mutex::new(Collected::default()),
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

    /// The served network as loaded or trained (without lessons): its
    /// layer sizes, kind, learning rate, what is known of it.
    pub fn summary(&self) -> Summary {
        let taught = self.read();
        let network = taught.page.original();
        Summary {
            architecture: network.architecture(),
            description: network.describe(),
            learning_rate: network.learning_rate(),
            can_backquery: network.can_backquery(),
            about: About {
                source: taught.page.source().to_string(),
                info: taught.page.info().clone(),
            },
            lessons: taught.page.lessons(),
        }
    }

    /// Serves `network` from now on (a network the page trained); the
    /// lessons of the one before are forgotten.
    pub fn replace(&self, network: Model, about: About) {
        let mut taught = self.write();
        let version = taught.version + 1;
        *taught = Taught::new(network, about, version);
    }

    /// What the network answers for `image`, read both ways.
    pub fn read_drawing(&self, image: &GrayImage) -> Result<(Reading, usize), DataError> {
        let taught = self.read();
        Ok((taught.page.read(image)?, taught.page.lessons()))
    }

    /// The network's own `train` step (the book's for the book's network),
    /// once, on `image` (prepared MNIST's way) with `label` as its target;
    /// the answers before and after, and the lessons so far.
    ///
    /// # Panics
    /// If `label` is not a digit.
    pub fn teach(
        &self,
        image: &GrayImage,
        label: u8,
    ) -> Result<(Answer, Reading, usize), DataError> {
        let mut taught = self.write();
        let (before, after) = taught.page.teach(image, label)?;
        taught.version += 1;
        Ok((before, after, taught.page.lessons()))
    }

    /// Back to the served weights; forgets every lesson.
    pub fn reset(&self) {
        let mut taught = self.write();
        taught.page.reset();
        taught.version += 1;
    }

    /// What the network imagines for `digit` (the same as `mnn backquery`),
    /// as greys (0 = black ink, 255 = white paper), 28×28: the book's
    /// backquery (`None` for a network that cannot be run backwards), or the
    /// image gradient ascent finds (kept until the next lesson or reset).
    pub fn imagine(&self, digit: u8, how: Imagining) -> Option<Vec<u8>> {
        let d = usize::from(digit);
        if how == Imagining::Backquery {
            return self.read().page.backquery(d);
        }
        let (network, version) = {
            let taught = self.read();
            if let Some(greys) = taught.page.kept_ascent(d) {
                return Some(greys.to_vec());
            }
            (taught.page.network().clone(), taught.version)
        };
        // Computed without the lock, so queries go on meanwhile.
        let greys = ascent(&network, d);
        let mut taught = self.write();
        if taught.version == version {
            taught.page.keep_ascent(d, greys.clone());
        }
        Some(greys)
    }

    /// What the `top` most used hidden nodes of the taught network look
    /// for, as `mnn weights` draws them (3× 28×28 each); `None` for a
    /// network without a hidden layer.
    pub fn weights_picture(&self, top: usize) -> Option<weights::Picture> {
        weights::picture(self.read().page.network(), Some(top), 3)
    }

    /// Writes the taught weights to the `--save-taught` file, atomically;
    /// `None` when saving was not enabled.
    pub fn save(&self) -> Option<Result<(PathBuf, usize)>> {
        let path = self.save_taught.as_ref()?;
        let (network, lessons, info) = {
            let taught = self.read();
            let page = &taught.page;
            (page.network().clone(), page.lessons(), page.info().clone())
        };
        // The taught weights were not tested, so no accuracy is claimed.
        let info = ModelInfo {
            test_accuracy: if lessons == 0 {
                info.test_accuracy
            } else {
                None
            },
            ..info
        };
        Some(model_file::save(path, &network, &info).map(|()| (path.clone(), lessons)))
    }

    /// Saves `image` as `DIR/<label>_<n>.png` in the `--collect` folder, for
    /// `mnn query` to read: `n` one more than the largest already there
    /// (the folder is read once per label, then counted on, so a collect
    /// takes the same time however many there are), skipping any name that
    /// is taken by anything, a dangling link included. At most
    /// [`MAX_COLLECTED`] drawings and [`MAX_COLLECTED_BYTES`] bytes per
    /// server run. `None` when collecting was not enabled.
    pub fn collect(&self, image: &GrayImage, label: u8) -> Option<Result<PathBuf>> {
        let dir = self.collect.as_ref()?;
        let mut collected = self.collecting.lock().unwrap_or_else(|e| e.into_inner());
        Some(collected.keep(dir, image, label))
    }
}

/// The most drawings one server run collects.
pub const MAX_COLLECTED: usize = 10_000;
/// The most bytes of PNG one server run collects.
pub const MAX_COLLECTED_BYTES: u64 = 256 * 1024 * 1024;

/// What this server run has collected, and the next number for each label.
#[derive(Debug, Default)]
struct Collected {
    files: usize,
    bytes: u64,
    /// The next `n` to try for `<label>_<n>.png`, once the folder was read.
    next: [Option<u64>; DIGITS],
}

impl Collected {
    fn keep(&mut self, dir: &Path, image: &GrayImage, label: u8) -> Result<PathBuf> {
        if self.files >= MAX_COLLECTED || self.bytes >= MAX_COLLECTED_BYTES {
            anyhow::bail!(
                "the collect folder is full for this server run ({} drawings, {} MB: at most {} and \
                 {} MB); restart mnn serve to collect more",
                self.files,
                self.bytes / 1_000_000,
                MAX_COLLECTED,
                MAX_COLLECTED_BYTES / 1_000_000
            );
        }
        let slot = &mut self.next[usize::from(label)];
        let mut n = match *slot {
            Some(n) => n,
            None => largest_taken(dir, label)? + 1,
        };
        // Anything already there (a file, a folder, a dangling link) is skipped.
        let path = loop {
            let path = dir.join(format!("{label}_{n}.png"));
            n += 1;
            if std::fs::symlink_metadata(&path).is_err() {
                break path;
            }
        };
        *slot = Some(n);
        image
            .save_png(&path)
            .context("cannot collect the drawing")?;
        self.files += 1;
        self.bytes += std::fs::metadata(&path).map_or(0, |m| m.len());
        Ok(path)
    }
}

/// The largest `n` of the `<label>_<n>.png` in `dir` (0 if none); other
/// entries, however odd, are passed over.
fn largest_taken(dir: &Path, label: u8) -> Result<u64> {
    let prefix = format!("{label}_");
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the collect folder {}", dir.display()))?;
    Ok(entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name();
            let n = name.to_str()?.strip_prefix(&prefix)?.strip_suffix(".png")?;
            n.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0))
}

/// Loads a saved network of any kind for serving (one that reads MNIST digits).
pub fn load(path: &Path) -> Result<(Model, About)> {
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
