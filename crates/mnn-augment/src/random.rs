//! Random distortions, drawn afresh for every image of every epoch.
//!
//! An [`Augmentation`] says how far each distortion may go (shift up to N
//! whole pixels, turn up to ±D°, size up to ±F, elastic σ and α); an
//! [`Augmenter`] draws one distortion per image from a generator and applies
//! it ([`distort_into`]). [`sample_rng`] gives each (seed, epoch, sample) its
//! own generator, so what a sample gets depends on nothing else: not on the
//! thread that reads it, nor on the order. Nothing is stored: a training run
//! distorts each image as it reads it.

use crate::check_len;
use crate::distort::{Affine, ElasticSmoothing, Gaussian, distort_into};
use rand::{Rng, RngExt, SeedableRng};
use rand_pcg::Pcg64;
use std::fmt;
use std::str::FromStr;

/// Simard et al.'s elastic distortion: random displacements smoothed by a
/// Gaussian of width `sigma` and scaled by `alpha` (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elastic {
    /// Standard deviation of the smoothing Gaussian, in pixels.
    pub sigma: f32,
    /// Scale of the smoothed field, in pixels.
    pub alpha: f32,
}

impl Elastic {
    /// The values Simard, Steinkraus & Platt (2003) give for 28×28 MNIST:
    /// σ = 4, α = 34.
    pub const SIMARD: Elastic = Elastic {
        sigma: 4.0,
        alpha: 34.0,
    };
}

/// How far the random distortions of each image may go; the default is none.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Augmentation {
    /// Move by a whole number of pixels drawn from `−shift..=shift`, down and
    /// right independently.
    pub shift: u32,
    /// Turn by an angle drawn from `−rotate..rotate` degrees.
    pub rotate: f32,
    /// Resize by a factor drawn from `1 − scale..1 + scale`.
    pub scale: f32,
    /// Elastic distortion, if any.
    pub elastic: Option<Elastic>,
}

/// What is wrong with an augmentation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AugmentError {
    /// An item of an `--augment` list that is not known.
    #[error(
        "unknown augmentation {0:?}: expected shift[=PIXELS], rotate[=DEGREES], scale[=FRACTION], \
         elastic, sigma=PIXELS or alpha=PIXELS, separated by commas"
    )]
    Unknown(String),
    /// A value that is not a number, or out of range.
    #[error("augmentation {name}={value:?}: {reason}")]
    Value {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
}

impl Augmentation {
    /// `true` if no distortion is switched on.
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }

    /// Default reach of each named distortion when no value is given.
    pub const DEFAULT_SHIFT: u32 = 2;
    /// Default maximum turn, degrees.
    pub const DEFAULT_ROTATE: f32 = 10.0;
    /// Default maximum size change.
    pub const DEFAULT_SCALE: f32 = 0.1;

    /// Checks every value: finite, not negative, a scale below 1, σ above 0.
    pub fn validate(&self) -> Result<(), AugmentError> {
        let bad = |name, value: f32, reason| AugmentError::Value {
            name,
            value: value.to_string(),
            reason,
        };
        if !(self.rotate >= 0.0 && self.rotate.is_finite()) {
            return Err(bad(
                "rotate",
                self.rotate,
                "must be a finite number of degrees, 0 or more",
            ));
        }
        if !(0.0..1.0).contains(&self.scale) {
            return Err(bad("scale", self.scale, "must be at least 0 and below 1"));
        }
        if let Some(Elastic { sigma, alpha }) = self.elastic {
            if !(sigma > 0.0 && sigma <= 1000.0) {
                return Err(bad(
                    "sigma",
                    sigma,
                    "must be above 0 and at most 1000 pixels",
                ));
            }
            if !(alpha >= 0.0 && alpha.is_finite()) {
                return Err(bad(
                    "alpha",
                    alpha,
                    "must be a finite number of pixels, 0 or more",
                ));
            }
        }
        Ok(())
    }
}

/// Parses a comma-separated list such as `elastic,shift=2` or
/// `rotate=15,scale=0.15`: `shift[=N]` (whole pixels, default 2),
/// `rotate[=D]` (degrees, default 10), `scale[=F]` (default 0.1),
/// `elastic` (σ = 4, α = 34), `sigma=S` and `alpha=A` (elastic with that
/// value). `none` or an empty list is no augmentation.
impl FromStr for Augmentation {
    type Err = AugmentError;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut augmentation = Augmentation::default();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, value) = match item.split_once('=') {
                Some((name, value)) => (name.trim(), Some(value.trim())),
                None => (item, None),
            };
            let number = |name: &'static str| -> Result<Option<f32>, AugmentError> {
                value
                    .map(|v| {
                        v.parse::<f32>().map_err(|_| AugmentError::Value {
                            name,
                            value: v.to_string(),
                            reason: "not a number",
                        })
                    })
                    .transpose()
            };
            match name {
                "none" if value.is_none() => {}
                "shift" => {
                    augmentation.shift = match value {
                        None => Self::DEFAULT_SHIFT,
                        Some(v) => v.parse().map_err(|_| AugmentError::Value {
                            name: "shift",
                            value: v.to_string(),
                            reason: "must be a whole number of pixels, 0 or more",
                        })?,
                    }
                }
                "rotate" => augmentation.rotate = number("rotate")?.unwrap_or(Self::DEFAULT_ROTATE),
                "scale" => augmentation.scale = number("scale")?.unwrap_or(Self::DEFAULT_SCALE),
                "elastic" if value.is_none() => {
                    augmentation.elastic.get_or_insert(Elastic::SIMARD);
                }
                "sigma" if value.is_some() => {
                    let sigma = number("sigma")?.unwrap_or_default();
                    augmentation.elastic.get_or_insert(Elastic::SIMARD).sigma = sigma;
                }
                "alpha" if value.is_some() => {
                    let alpha = number("alpha")?.unwrap_or_default();
                    augmentation.elastic.get_or_insert(Elastic::SIMARD).alpha = alpha;
                }
                _ => return Err(AugmentError::Unknown(item.to_string())),
            }
        }
        augmentation.validate()?;
        Ok(augmentation)
    }
}

/// The list form [`FromStr`] reads, e.g. `shift=2,elastic,sigma=4,alpha=34`
/// (`none` when nothing is switched on).
impl fmt::Display for Augmentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        if self.shift > 0 {
            items.push(format!("shift={}", self.shift));
        }
        if self.rotate > 0.0 {
            items.push(format!("rotate={}", self.rotate));
        }
        if self.scale > 0.0 {
            items.push(format!("scale={}", self.scale));
        }
        if let Some(Elastic { sigma, alpha }) = self.elastic {
            items.push(format!("elastic,sigma={sigma},alpha={alpha}"));
        }
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

/// The generator for sample `index` of epoch `epoch` of a run seeded with
/// `seed`: the same three numbers always give the same draws, and different
/// ones unrelated draws.
pub fn sample_rng(seed: u64, epoch: usize, index: usize) -> Pcg64 {
    // SplitMix64-style mixing of the three numbers into one 64-bit seed.
    let mut z = seed
        ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Pcg64::seed_from_u64(z ^ (z >> 31))
}

/// The raw numbers of an elastic field, uniform in −1..1 on a grid of
/// 2⁻²³: all row displacements, then all column ones. One 64-bit draw from
/// the sample's generator seeds them: number `i` (rows' first, then
/// columns') is 24 bits of a 32-bit integer hash (Wellons' `lowbias32`) of
/// `seed_low + i`, xor `seed_high`. Independent of each other, so the
/// compiler computes several at once: a 28×28 field costs a fifth of 1,568
/// steps of the 128-bit generator.
pub fn draw_field<R: Rng + ?Sized>(rng: &mut R, rows: &mut [f32], cols: &mut [f32]) {
    let seed = rng.next_u64();
    let (low, high) = (seed as u32, (seed >> 32) as u32);
    let mut first = 0u32;
    for field in [rows, cols] {
        for (i, value) in field.iter_mut().enumerate() {
            let mut x = low.wrapping_add(first.wrapping_add(i as u32));
            x ^= x >> 16;
            x = x.wrapping_mul(0x7FEB_352D);
            x ^= x >> 15;
            x = x.wrapping_mul(0x846C_A68B);
            x ^= x >> 16;
            x ^= high;
            // 24 bits as a number in −1..1: `bits·2⁻²³ − 1`, exact in `f32`.
            *value = (x >> 8) as f32 * (1.0 / (1u32 << 23) as f32) - 1.0;
        }
        first = first.wrapping_add(field.len() as u32);
    }
}

/// Working memory for one thread's distortions, made by [`Augmenter::scratch`].
#[derive(Debug, Clone)]
pub struct Scratch {
    rows: Vec<f32>,
    cols: Vec<f32>,
    smoothing: Vec<f32>,
}

/// Draws and applies random distortions to `width × height` images.
#[derive(Debug, Clone)]
pub struct Augmenter {
    augmentation: Augmentation,
    width: usize,
    height: usize,
    fill: f32,
    /// The elastic fields' smoothing for this size, set up once.
    smoothing: Option<ElasticSmoothing>,
}

impl Augmenter {
    /// An augmenter for `width × height` images, `fill` where a distortion
    /// brings in pixels from outside.
    pub fn new(
        augmentation: Augmentation,
        width: usize,
        height: usize,
        fill: f32,
    ) -> Result<Self, AugmentError> {
        augmentation.validate()?;
        Ok(Self {
            smoothing: augmentation
                .elastic
                .map(|e| ElasticSmoothing::new(&Gaussian::new(e.sigma), e.alpha, width, height)),
            augmentation,
            width,
            height,
            fill,
        })
    }

    /// What it draws from.
    pub fn augmentation(&self) -> &Augmentation {
        &self.augmentation
    }

    /// Buffers for [`augment_into`](Self::augment_into), one set per thread.
    pub fn scratch(&self) -> Scratch {
        let len = if self.smoothing.is_some() {
            self.width * self.height
        } else {
            0
        };
        Scratch {
            rows: vec![0.0; len],
            cols: vec![0.0; len],
            smoothing: self
                .smoothing
                .as_ref()
                .map_or_else(Vec::new, ElasticSmoothing::scratch),
        }
    }

    /// Draws the affine part of one distortion: shift rows, shift columns,
    /// angle, size, in that order (only those switched on draw).
    pub fn draw_affine<R: RngExt + ?Sized>(&self, rng: &mut R) -> Affine {
        let a = &self.augmentation;
        let mut affine = Affine::IDENTITY;
        if a.shift > 0 {
            let reach = a.shift as i64;
            affine.shift_rows = rng.random_range(-reach..=reach) as f32;
            affine.shift_cols = rng.random_range(-reach..=reach) as f32;
        }
        if a.rotate > 0.0 {
            affine.degrees = rng.random_range(-a.rotate..a.rotate);
        }
        if a.scale > 0.0 {
            affine.scale = rng.random_range(1.0 - a.scale..1.0 + a.scale);
        }
        affine
    }

    /// `image` distorted at random into `out`: the affine part drawn by
    /// [`draw_affine`](Self::draw_affine), then (if elastic) one 64-bit draw
    /// that seeds the raw field's numbers, uniform in −1..1, all row
    /// displacements then all column ones.
    /// Allocates nothing. With no distortion switched on, `out` is `image`.
    ///
    /// # Panics
    ///
    /// If `image` or `out` is not `width × height`, or `scratch` was made by
    /// an augmenter for another size.
    pub fn augment_into<R: RngExt + ?Sized>(
        &self,
        image: &[f32],
        rng: &mut R,
        scratch: &mut Scratch,
        out: &mut [f32],
    ) {
        let (width, height) = (self.width, self.height);
        check_len("image", image.len(), width, height);
        check_len("output", out.len(), width, height);
        if self.augmentation.is_none() {
            out.copy_from_slice(image);
            return;
        }
        let affine = self.draw_affine(rng);
        let field = match &self.smoothing {
            Some(elastic) => {
                let Scratch {
                    rows,
                    cols,
                    smoothing,
                } = scratch;
                draw_field(rng, rows, cols);
                elastic.apply(rows, cols, smoothing);
                Some((&scratch.rows[..], &scratch.cols[..]))
            }
            None => None,
        };
        distort_into(image, width, height, &affine, field, self.fill, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_draws_are_uniform_in_minus_one_to_one_and_seeded_by_one_draw() {
        let (mut rows, mut cols) = (vec![0.0; 784], vec![0.0; 784]);
        let mut rng = sample_rng(1, 2, 3);
        draw_field(&mut rng, &mut rows, &mut cols);
        let all: Vec<f32> = rows.iter().chain(&cols).copied().collect();
        assert!(all.iter().all(|v| (-1.0..1.0).contains(v)));
        let mean = all.iter().sum::<f32>() / all.len() as f32;
        assert!(mean.abs() < 0.05, "{mean}");
        // uniform: a quarter of them in each quarter of the range
        let low = all.iter().filter(|&&v| v < -0.5).count() as f32 / all.len() as f32;
        assert!((low - 0.25).abs() < 0.04, "{low}");
        // columns are not the rows again
        assert_ne!(rows, cols);
        // one draw of the generator seeds them: the next draw is the second
        let mut again = sample_rng(1, 2, 3);
        let _ = again.next_u64();
        assert_eq!(rng.next_u64(), again.next_u64());
        let (mut rows2, mut cols2) = (vec![0.0; 784], vec![0.0; 784]);
        draw_field(&mut sample_rng(1, 2, 3), &mut rows2, &mut cols2);
        assert_eq!((rows2, cols2), (rows, cols));
    }

    #[test]
    fn lists_parse_and_print() {
        let a: Augmentation = "elastic,shift=2".parse().unwrap();
        assert_eq!(
            a,
            Augmentation {
                shift: 2,
                elastic: Some(Elastic::SIMARD),
                ..Augmentation::default()
            }
        );
        assert_eq!(a.to_string(), "shift=2,elastic,sigma=4,alpha=34");
        assert_eq!(a.to_string().parse::<Augmentation>().unwrap(), a);
        let b: Augmentation = "rotate, scale=0.15 ,alpha=20".parse().unwrap();
        assert_eq!(b.rotate, 10.0);
        assert_eq!(b.scale, 0.15);
        assert_eq!(
            b.elastic,
            Some(Elastic {
                sigma: 4.0,
                alpha: 20.0
            })
        );
        assert!("none".parse::<Augmentation>().unwrap().is_none());
        assert!("".parse::<Augmentation>().unwrap().is_none());
        assert_eq!("shift".parse::<Augmentation>().unwrap().shift, 2);
        assert_eq!(Augmentation::default().to_string(), "none");
    }

    #[test]
    fn bad_lists_name_the_item() {
        let err = |s: &str| s.parse::<Augmentation>().unwrap_err().to_string();
        assert!(err("wobble").contains("unknown augmentation \"wobble\""));
        assert!(err("shift=-1").contains("shift=\"-1\": must be a whole number"));
        assert!(err("scale=1.5").contains("scale=\"1.5\": must be at least 0 and below 1"));
        assert!(err("rotate=abc").contains("rotate=\"abc\": not a number"));
        assert!(err("sigma=0").contains("sigma=\"0\""));
        assert!(err("elastic=3").contains("unknown augmentation \"elastic=3\""));
    }

    #[test]
    fn only_elastic_items_switch_elastic_on() {
        let a: Augmentation = "shift=1,rotate=5".parse().unwrap();
        assert_eq!(a.elastic, None);
    }

    #[test]
    fn the_same_sample_draws_the_same_and_others_differ() {
        let augmenter = Augmenter::new(
            "elastic,shift=2,rotate=10,scale=0.1".parse().unwrap(),
            28,
            28,
            0.01,
        )
        .unwrap();
        let image: Vec<f32> = (0..784).map(|i| (i % 29) as f32 / 29.0).collect();
        let mut scratch = augmenter.scratch();
        let mut run = |seed, epoch, index| {
            let mut out = vec![0.0; 784];
            augmenter.augment_into(
                &image,
                &mut sample_rng(seed, epoch, index),
                &mut scratch,
                &mut out,
            );
            out
        };
        let first = run(1, 0, 5);
        assert_eq!(run(1, 0, 5), first);
        assert_ne!(run(1, 1, 5), first);
        assert_ne!(run(1, 0, 6), first);
        assert_ne!(run(2, 0, 5), first);
        assert_ne!(first, image);
    }

    #[test]
    fn no_augmentation_copies() {
        let augmenter = Augmenter::new(Augmentation::default(), 3, 2, 0.0).unwrap();
        let mut out = [0.0; 6];
        let image = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        augmenter.augment_into(
            &image,
            &mut sample_rng(0, 0, 0),
            &mut augmenter.scratch(),
            &mut out,
        );
        assert_eq!(out, image);
    }
}
