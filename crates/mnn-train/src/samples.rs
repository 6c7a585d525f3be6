//! MNIST records as the training engine's samples (`mnn_net::Samples`), with
//! the book's rotated copies.

use mnn_data::{Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, fill_targets, scale_pixel};
use mnn_net::Samples;

/// The most a rotation may turn, in degrees either way: ±180° is every angle.
pub const MAX_ROTATION: f32 = 180.0;

/// `true` if `degrees` can be a rotation (`--rotate`, a rotate sweep's value):
/// a finite angle from −180° to 180°.
pub fn is_rotation(degrees: f32) -> bool {
    degrees.is_finite() && degrees.abs() <= MAX_ROTATION
}

/// Why `degrees` cannot be a rotation, if [`is_rotation`] refuses it: the
/// one wording of the limit, for `--rotate` and a rotate sweep's `--values`.
pub fn check_rotation(degrees: f32) -> Result<f32, String> {
    if is_rotation(degrees) {
        Ok(degrees)
    } else {
        Err(format!(
            "a rotation must be an angle from -{MAX_ROTATION} to {MAX_ROTATION} degrees"
        ))
    }
}

/// Training samples made from one record: the record itself, and with a
/// rotation its two copies turned by +deg and −deg (the book's Part 3).
pub fn samples_per_record(rotate: Option<f32>) -> usize {
    if rotate.is_some() { 3 } else { 1 }
}

/// MNIST records as training samples: the book's scaled inputs and targets,
/// and with a rotation each record followed by its copies turned by +deg and
/// −deg, as the book's loop trains on them.
///
/// ```
/// use mnn_data::{Dataset, IMAGE_PIXELS};
/// use mnn_net::Samples;
/// use mnn_train::MnistSamples;
///
/// let mut data = Dataset::new(28, 28);
/// data.push(7, &[0; IMAGE_PIXELS]);
/// assert_eq!(MnistSamples::new(&data, None).len(), 1);
/// assert_eq!(MnistSamples::new(&data, Some(10.0)).len(), 3);
/// ```
pub struct MnistSamples<'a> {
    data: &'a Dataset,
    /// The degrees of the rotated copies that follow each record.
    rotate: Option<f32>,
    /// [`scale_pixel`] of every byte value, looked up instead of recomputed.
    scaled: [f32; 256],
}

impl<'a> MnistSamples<'a> {
    /// The records of `data`, each followed by its copies rotated by
    /// ±`rotate` degrees if given.
    pub fn new(data: &'a Dataset, rotate: Option<f32>) -> Self {
        Self {
            data,
            rotate,
            scaled: std::array::from_fn(|p| scale_pixel(p as u8)),
        }
    }
}

impl MnistSamples<'_> {
    /// Samples made from each record.
    fn per_record(&self) -> usize {
        samples_per_record(self.rotate)
    }

    /// The digit sample `index` shows.
    pub fn label(&self, index: usize) -> usize {
        usize::from(self.data.label(index / self.per_record()))
    }
}

impl Samples for MnistSamples<'_> {
    fn len(&self) -> usize {
        self.data.len() * self.per_record()
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        let per_record = self.per_record();
        let (record, copy) = (index / per_record, index % per_record);
        fill_targets(self.data.label(record), targets);
        let mut scaled = [0.0; IMAGE_PIXELS];
        let image = if copy == 0 {
            &mut *inputs
        } else {
            &mut scaled[..]
        };
        for (x, &p) in image.iter_mut().zip(self.data.image(record)) {
            *x = self.scaled[usize::from(p)];
        }
        if copy > 0 {
            // Book: scipy.ndimage.rotate(img, ±10, cval=0.01, order=1, reshape=False)
            mnn_augment::rotate_into(
                &scaled,
                IMAGE_COLS,
                IMAGE_ROWS,
                copy_angle(self.rotate, copy),
                mnn_augment::BOOK_FILL,
                inputs,
            );
        }
    }
}

/// The angle of a record's rotated copy number `copy` (1 or 2): +deg, then −deg.
fn copy_angle(rotate: Option<f32>, copy: usize) -> f32 {
    let degrees = rotate.unwrap_or(0.0);
    if copy == 1 { degrees } else { -degrees }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_data::DIGITS;

    fn records() -> Dataset {
        let mut data = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
        for label in [3u8, 7, 0] {
            let image: Vec<u8> = (0..IMAGE_PIXELS)
                .map(|p| ((p * 7 + usize::from(label) * 31) % 256) as u8)
                .collect();
            data.push(label, &image);
        }
        data
    }

    /// What the book's loop trains on for record `i`: the scaled image, or
    /// its copy rotated by `degrees`.
    fn book_sample(data: &Dataset, i: usize, degrees: Option<f32>) -> (Vec<f32>, Vec<f32>) {
        let mut inputs = vec![0.0; IMAGE_PIXELS];
        data.scaled_input(i, &mut inputs);
        if let Some(degrees) = degrees {
            inputs = mnn_augment::rotate(
                &inputs,
                IMAGE_COLS,
                IMAGE_ROWS,
                degrees,
                mnn_augment::BOOK_FILL,
            );
        }
        let mut targets = vec![0.0; DIGITS];
        fill_targets(data.label(i), &mut targets);
        (inputs, targets)
    }

    fn filled(samples: &MnistSamples, index: usize) -> (Vec<f32>, Vec<f32>) {
        let (mut inputs, mut targets) = (vec![f32::NAN; IMAGE_PIXELS], vec![f32::NAN; DIGITS]);
        samples.fill(index, &mut inputs, &mut targets);
        (inputs, targets)
    }

    #[test]
    fn samples_are_the_books_inputs_and_targets() {
        let data = records();
        let samples = MnistSamples::new(&data, None);
        assert_eq!(samples.len(), 3);
        for i in 0..3 {
            assert_eq!(
                filled(&samples, i),
                book_sample(&data, i, None),
                "record {i}"
            );
        }
    }

    #[test]
    fn rotations_are_angles_up_to_half_a_turn() {
        assert!(is_rotation(180.0) && is_rotation(-180.0) && is_rotation(0.0));
        assert!(!is_rotation(180.5) && !is_rotation(f32::NAN) && !is_rotation(f32::INFINITY));
    }

    #[test]
    fn rotation_puts_each_records_two_turned_copies_after_it() {
        let data = records();
        let samples = MnistSamples::new(&data, Some(10.0));
        assert_eq!(samples.len(), 3 * samples_per_record(Some(10.0)));
        for i in 0..3 {
            assert_eq!(filled(&samples, 3 * i), book_sample(&data, i, None));
            assert_eq!(
                filled(&samples, 3 * i + 1),
                book_sample(&data, i, Some(10.0))
            );
            assert_eq!(
                filled(&samples, 3 * i + 2),
                book_sample(&data, i, Some(-10.0))
            );
        }
    }
}
