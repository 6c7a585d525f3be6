//! An in-memory set of labelled images, pixels kept as bytes.

use std::path::Path;

use crate::{DataError, mnist_csv, scale_pixel};

/// Labelled greyscale images held in memory as bytes (full MNIST train ≈ 47 MB).
///
/// Pixels are stored as in the files: 0 = background, 255 = full ink. Use
/// [`Dataset::scaled_input`] to get the book's 0.01..=1.0 network inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    rows: usize,
    cols: usize,
    labels: Vec<u8>,
    /// `labels.len() * rows * cols` bytes, one image after another, row by row.
    pixels: Vec<u8>,
}

impl Dataset {
    /// An empty dataset of `rows`×`cols` images.
    pub fn new(rows: usize, cols: usize) -> Dataset {
        Dataset {
            rows,
            cols,
            labels: Vec::new(),
            pixels: Vec::new(),
        }
    }

    /// Build from parts already checked by a reader.
    pub(crate) fn from_parts(
        rows: usize,
        cols: usize,
        labels: Vec<u8>,
        pixels: Vec<u8>,
    ) -> Dataset {
        debug_assert_eq!(labels.len() * rows * cols, pixels.len());
        Dataset {
            rows,
            cols,
            labels,
            pixels,
        }
    }

    /// Append one record.
    ///
    /// # Panics
    /// If `image` is not `rows() * cols()` bytes or `label` is not a digit 0..=9.
    pub fn push(&mut self, label: u8, image: &[u8]) {
        assert_eq!(
            image.len(),
            self.pixels_per_image(),
            "image has the wrong number of pixels"
        );
        assert!(label <= 9, "label {label} is not a digit 0..=9");
        self.labels.push(label);
        self.pixels.extend_from_slice(image);
    }

    /// Read two IDX files (raw, or gzip by `.gz` extension or by content).
    pub fn from_idx(
        images_path: impl AsRef<Path>,
        labels_path: impl AsRef<Path>,
    ) -> Result<Dataset, DataError> {
        crate::idx::read_dataset(images_path.as_ref(), labels_path.as_ref())
    }

    /// Read the book's CSV: one record per line, `label,p0,..,p783`, no header.
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        mnist_csv::read_file(path.as_ref())
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixel rows per image (28 for MNIST).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Pixel columns per image (28 for MNIST).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Pixels per image: the number of input nodes the network needs (784 for MNIST).
    pub fn pixels_per_image(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of record `i`, row by row (0 = background, 255 = ink).
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let n = self.pixels_per_image();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// The label (the digit 0..=9) of record `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// All labels, in record order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// How many records there are of each digit 0..=9.
    pub fn label_counts(&self) -> [usize; 10] {
        let mut counts = [0; 10];
        for &label in &self.labels {
            counts[usize::from(label)] += 1;
        }
        counts
    }

    /// Keep only the first `n` records (the CLI's `--limit N`). No-op if `n >= len()`.
    pub fn truncate(&mut self, n: usize) {
        if n < self.len() {
            self.labels.truncate(n);
            self.pixels.truncate(n * self.pixels_per_image());
        }
    }

    /// Splits the records at `at`: keeps the first `at` and returns the rest
    /// (as `Vec::split_off`; `mnn train --validate N` holds out the last N).
    ///
    /// # Panics
    /// If `at > len()`.
    pub fn split_off(&mut self, at: usize) -> Dataset {
        assert!(
            at <= self.len(),
            "split_off at {at} of {} records",
            self.len()
        );
        Dataset {
            rows: self.rows,
            cols: self.cols,
            labels: self.labels.split_off(at),
            pixels: self.pixels.split_off(at * self.pixels_per_image()),
        }
    }

    /// Iterate over `(label, pixels)` of every record, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (u8, &[u8])> + '_ {
        (0..self.len()).map(|i| (self.label(i), self.image(i)))
    }

    /// Write the book's scaled inputs of record `i` into `out` without allocating:
    /// `out[k] = p_k / 255 * 0.99 + 0.01`.
    ///
    /// # Panics
    /// If `i >= len()` or `out.len() != pixels_per_image()`.
    pub fn scaled_input(&self, i: usize, out: &mut [f32]) {
        let image = self.image(i);
        assert_eq!(
            out.len(),
            image.len(),
            "output slice must hold one value per pixel"
        );
        for (o, &p) in out.iter_mut().zip(image) {
            *o = scale_pixel(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        let mut d = Dataset::new(2, 2);
        d.push(3, &[0, 1, 2, 3]);
        d.push(7, &[255, 128, 0, 9]);
        d.push(0, &[4, 5, 6, 7]);
        d
    }

    #[test]
    fn accessors_see_each_record() {
        let d = tiny();
        assert_eq!(d.len(), 3);
        assert!(!d.is_empty());
        assert_eq!((d.rows(), d.cols(), d.pixels_per_image()), (2, 2, 4));
        assert_eq!(d.image(1), &[255, 128, 0, 9]);
        assert_eq!(d.label(1), 7);
        let collected: Vec<(u8, Vec<u8>)> = d.iter().map(|(l, p)| (l, p.to_vec())).collect();
        assert_eq!(
            collected,
            vec![
                (3, vec![0, 1, 2, 3]),
                (7, vec![255, 128, 0, 9]),
                (0, vec![4, 5, 6, 7])
            ]
        );
        assert_eq!(d.iter().len(), 3);
        let mut counts = [0; 10];
        counts[0] = 1;
        counts[3] = 1;
        counts[7] = 1;
        assert_eq!(d.label_counts(), counts);
    }

    #[test]
    fn truncate_keeps_the_first_records() {
        let mut d = tiny();
        d.truncate(10);
        assert_eq!(d.len(), 3);
        d.truncate(2);
        assert_eq!(d.len(), 2);
        assert_eq!(d.image(1), &[255, 128, 0, 9]);
        assert_eq!(d.iter().count(), 2);
        d.truncate(0);
        assert!(d.is_empty());
        assert_eq!(d.iter().count(), 0);
    }

    #[test]
    fn scaled_input_follows_the_book() {
        let d = tiny();
        let mut out = [0.0f32; 4];
        d.scaled_input(1, &mut out);
        for (o, &p) in out.iter().zip(d.image(1)) {
            assert!((o - (f32::from(p) / 255.0 * 0.99 + 0.01)).abs() < 1e-6);
        }
        assert!((out[0] - 1.0).abs() < 1e-6);
        assert!((out[2] - 0.01).abs() < 1e-6);
    }

    #[test]
    #[should_panic(expected = "one value per pixel")]
    fn scaled_input_rejects_a_short_buffer() {
        tiny().scaled_input(0, &mut [0.0; 3]);
    }

    #[test]
    fn zero_sized_images_still_iterate_per_record() {
        let mut d = Dataset::new(0, 0);
        d.push(1, &[]);
        d.push(2, &[]);
        let labels: Vec<u8> = d.iter().map(|(l, _)| l).collect();
        assert_eq!(labels, vec![1, 2]);
    }
}
