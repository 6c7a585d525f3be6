//! MNIST records as the training engine's samples (`mnn_net::Samples`).

use mnn_data::{Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, fill_targets, scale_pixel};
use mnn_net::Samples;

/// MNIST records as training samples: the book's scaled inputs and targets,
/// and with `--rotate` each record followed by its copies turned by +deg and
/// −deg, as the book's loop trains on them.
pub struct MnistSamples<'a> {
    data: &'a Dataset,
    angles: Vec<f32>,
    /// [`scale_pixel`] of every byte value, looked up instead of recomputed.
    scaled: [f32; 256],
}

impl<'a> MnistSamples<'a> {
    pub fn new(data: &'a Dataset, rotate: Option<f32>) -> Self {
        Self {
            data,
            angles: rotate.map_or(vec![], |d| vec![d, -d]),
            scaled: std::array::from_fn(|p| scale_pixel(p as u8)),
        }
    }
}

impl Samples for MnistSamples<'_> {
    fn len(&self) -> usize {
        self.data.len() * (1 + self.angles.len())
    }

    fn fill(&self, index: usize, inputs: &mut [f32], targets: &mut [f32]) {
        let per_record = 1 + self.angles.len();
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
                self.angles[copy - 1],
                mnn_augment::BOOK_FILL,
                inputs,
            );
        }
    }
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
    fn rotation_puts_each_records_two_turned_copies_after_it() {
        let data = records();
        let samples = MnistSamples::new(&data, Some(10.0));
        assert_eq!(samples.len(), 9);
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
