//! The IDX format MNIST is published in (raw or gzip-compressed).
//!
//! Images file: magic `0x00000803`, count, rows, cols (big-endian `u32`), then
//! `count * rows * cols` pixel bytes. Labels file: magic `0x00000801`, count, then
//! `count` label bytes.
//!
//! Header counts are never trusted for allocation: a count above
//! [`MAX_RECORDS`] is refused before any data is read, and data is read
//! through [`Read::take`], so at most what the header promises is ever
//! decompressed or held (a header claiming four billion images is refused at
//! once, and a gzip bomb stops at the promised size). A file announcing 0
//! records is refused, as an empty CSV is.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::{DataError, Dataset, IMAGE_COLS, IMAGE_ROWS};

/// Magic number of an IDX file of unsigned-byte 3-D data (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned-byte 1-D data (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// Files announcing more records than this are refused before reading them.
///
/// Derived from what holding them needs: 785 bytes a record (784 pixels and a
/// label), so the largest accepted images file takes 235 MB of memory. That is
/// five times MNIST's 60,000 training records, and holds EMNIST's 240,000
/// digits.
pub const MAX_RECORDS: u32 = 300_000;

/// The images of an IDX images file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    /// `count * rows * cols` bytes, image after image, row by row.
    pub pixels: Vec<u8>,
}

/// Open a file for reading, decompressing it if it starts with the gzip magic
/// bytes `1f 8b`. A file named `*.gz` must be gzip-compressed.
pub fn open(path: &Path) -> Result<Box<dyn Read>, DataError> {
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(io_error)?);
    let starts_with_gzip_magic = reader
        .fill_buf()
        .map_err(io_error)?
        .starts_with(&[0x1f, 0x8b]);
    let has_gz_extension = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if has_gz_extension && !starts_with_gzip_magic {
        Err(DataError::NotGzip {
            path: path.to_path_buf(),
        })
    } else if starts_with_gzip_magic {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Read an images file and a labels file into a [`Dataset`].
pub fn read_dataset(images_path: &Path, labels_path: &Path) -> Result<Dataset, DataError> {
    let images = read_images(open(images_path)?, images_path)?;
    let labels = read_labels(open(labels_path)?, labels_path)?;
    combine(images, images_path, labels, labels_path)
}

/// Read an images stream and a labels stream into a [`Dataset`]; the paths only name
/// the streams in error messages.
pub fn read_dataset_from(
    images: impl Read,
    images_path: &Path,
    labels: impl Read,
    labels_path: &Path,
) -> Result<Dataset, DataError> {
    let images = read_images(images, images_path)?;
    let labels = read_labels(labels, labels_path)?;
    combine(images, images_path, labels, labels_path)
}

fn combine(
    images: IdxImages,
    images_path: &Path,
    labels: Vec<u8>,
    labels_path: &Path,
) -> Result<Dataset, DataError> {
    if images.count != labels.len() {
        return Err(DataError::CountMismatch {
            images_path: images_path.to_path_buf(),
            images: images.count as u64,
            labels_path: labels_path.to_path_buf(),
            labels: labels.len() as u64,
        });
    }
    Ok(Dataset::from_parts(
        images.rows,
        images.cols,
        labels,
        images.pixels,
    ))
}

/// Read an IDX images file (already decompressed); `path` names it in errors.
///
/// Rejects anything but 28×28 images: the network has 784 input nodes.
pub fn read_images(mut reader: impl Read, path: &Path) -> Result<IdxImages, DataError> {
    let header = read_header::<4>(&mut reader, path)?;
    check_magic(header[0], IMAGES_MAGIC, "images", path)?;
    let [_, count, rows, cols] = header;
    if (rows as usize, cols as usize) != (IMAGE_ROWS, IMAGE_COLS) {
        return Err(DataError::ImageSize {
            path: path.to_path_buf(),
            rows,
            cols,
        });
    }
    check_count(count, path)?;
    let expected = u64::from(count) * u64::from(rows) * u64::from(cols);
    let pixels = read_body(&mut reader, path, expected, "image data")?;
    check_end(&mut reader, path, count)?;
    Ok(IdxImages {
        count: count as usize,
        rows: rows as usize,
        cols: cols as usize,
        pixels,
    })
}

/// Read an IDX labels file (already decompressed); `path` names it in errors.
///
/// Every label must be a digit 0..=9.
pub fn read_labels(mut reader: impl Read, path: &Path) -> Result<Vec<u8>, DataError> {
    let [magic, count] = read_header::<2>(&mut reader, path)?;
    check_magic(magic, LABELS_MAGIC, "labels", path)?;
    check_count(count, path)?;
    let labels = read_body(&mut reader, path, u64::from(count), "label data")?;
    check_end(&mut reader, path, count)?;
    if let Some(index) = labels.iter().position(|&l| l > 9) {
        return Err(DataError::BadLabel {
            path: path.to_path_buf(),
            index: index as u64,
            label: labels[index],
        });
    }
    Ok(labels)
}

/// Write an IDX images file (uncompressed) of `rows`×`cols` images.
///
/// # Panics
/// If `pixels.len()` is not a multiple of `rows * cols`, or a dimension exceeds `u32`.
pub fn write_images(
    mut writer: impl Write,
    rows: usize,
    cols: usize,
    pixels: &[u8],
) -> io::Result<()> {
    let per_image = rows * cols;
    assert!(
        per_image > 0 && pixels.len().is_multiple_of(per_image),
        "pixels must be whole images"
    );
    let count = pixels.len() / per_image;
    for value in [IMAGES_MAGIC, to_u32(count), to_u32(rows), to_u32(cols)] {
        writer.write_all(&value.to_be_bytes())?;
    }
    writer.write_all(pixels)
}

/// Write an IDX labels file (uncompressed).
pub fn write_labels(mut writer: impl Write, labels: &[u8]) -> io::Result<()> {
    writer.write_all(&LABELS_MAGIC.to_be_bytes())?;
    writer.write_all(&to_u32(labels.len()).to_be_bytes())?;
    writer.write_all(labels)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("IDX dimensions and counts fit in u32")
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> DataError + '_ {
    move |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Read `N` big-endian `u32`s.
fn read_header<const N: usize>(reader: &mut impl Read, path: &Path) -> Result<[u32; N], DataError> {
    let expected = 4 * N as u64;
    let bytes = read_body(reader, path, expected, "header")?;
    let mut header = [0u32; N];
    for (value, chunk) in header.iter_mut().zip(bytes.chunks_exact(4)) {
        *value = u32::from_be_bytes(chunk.try_into().expect("chunks of 4"));
    }
    Ok(header)
}

fn check_magic(
    found: u32,
    expected: u32,
    what: &'static str,
    path: &Path,
) -> Result<(), DataError> {
    if found == expected {
        Ok(())
    } else {
        Err(DataError::BadMagic {
            path: path.to_path_buf(),
            what,
            expected,
            found,
        })
    }
}

/// A record count we can hold, and not zero.
fn check_count(count: u32, path: &Path) -> Result<(), DataError> {
    if count == 0 {
        Err(DataError::Empty {
            path: path.to_path_buf(),
        })
    } else if count > MAX_RECORDS {
        Err(DataError::TooManyRecords {
            path: path.to_path_buf(),
            count: u64::from(count),
            max: u64::from(MAX_RECORDS),
        })
    } else {
        Ok(())
    }
}

/// Read exactly `expected` bytes (at most [`MAX_RECORDS`] images, 235 MB).
///
/// The buffer is reserved whole, so it never grows by doubling (which would
/// hold the old and the new buffer at once); its pages are touched only as
/// data arrives, so a short file claiming much costs address space, not memory.
fn read_body(
    reader: &mut impl Read,
    path: &Path,
    expected: u64,
    what: &'static str,
) -> Result<Vec<u8>, DataError> {
    let mut data = Vec::with_capacity(expected as usize);
    reader
        .take(expected)
        .read_to_end(&mut data)
        .map_err(io_error(path))?;
    if data.len() as u64 == expected {
        Ok(data)
    } else {
        Err(DataError::Truncated {
            path: path.to_path_buf(),
            what,
            expected,
            found: data.len() as u64,
        })
    }
}

/// Trailing bytes are counted up to this many (a compressed stream of
/// gigabytes after the last record is not decompressed to the end).
const MAX_TRAILING_COUNTED: u64 = 1 << 20;

/// The stream must end right after the last record.
fn check_end(reader: &mut impl Read, path: &Path, records: u32) -> Result<(), DataError> {
    let extra = io::copy(&mut reader.take(MAX_TRAILING_COUNTED + 1), &mut io::sink())
        .map_err(io_error(path))?;
    if extra == 0 {
        Ok(())
    } else {
        Err(DataError::TrailingData {
            path: path.to_path_buf(),
            records: u64::from(records),
            extra: extra.min(MAX_TRAILING_COUNTED),
            at_least: extra > MAX_TRAILING_COUNTED,
        })
    }
}

/// The file names MNIST is published under, without `.gz`.
pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
/// See [`TRAIN_IMAGES`].
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
/// See [`TRAIN_IMAGES`].
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
/// See [`TRAIN_IMAGES`].
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// Find `dir/name` or `dir/name.gz`.
pub fn find_in(dir: &Path, name: &str) -> Option<PathBuf> {
    [name.to_string(), format!("{name}.gz")]
        .into_iter()
        .map(|file| dir.join(file))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    const P: usize = IMAGE_ROWS * IMAGE_COLS;

    fn header(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    fn images_file(count: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        let pixels: Vec<u8> = (0..count * P).map(|i| (i % 251) as u8).collect();
        write_images(&mut bytes, 28, 28, &pixels).unwrap();
        bytes
    }

    fn labels_file(labels: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_labels(&mut bytes, labels).unwrap();
        bytes
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn path() -> &'static Path {
        Path::new("data/x.idx")
    }

    #[test]
    fn reads_what_was_written() {
        let data = read_dataset_from(
            &images_file(3)[..],
            path(),
            &labels_file(&[5, 0, 9])[..],
            path(),
        )
        .unwrap();
        assert_eq!(data.len(), 3);
        assert_eq!(data.label(2), 9);
        assert_eq!(data.image(1)[0], (P % 251) as u8);
    }

    #[test]
    fn wrong_image_magic() {
        let mut bytes = images_file(1);
        bytes[3] = 0x01;
        let err = read_images(&bytes[..], path()).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                found: 0x801,
                expected: 0x803,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "data/x.idx: not an IDX images file: magic number 0x00000801, expected 0x00000803"
        );
    }

    #[test]
    fn wrong_label_magic() {
        let mut bytes = labels_file(&[1]);
        bytes[3] = 0x03;
        let err = read_labels(&bytes[..], path()).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                what: "labels",
                found: 0x803,
                ..
            }
        ));
    }

    #[test]
    fn short_header() {
        let err = read_images(&[0u8, 0, 8, 3, 0, 0][..], path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.idx: truncated header: expected 16 bytes, found 6"
        );
    }

    #[test]
    fn truncated_images_say_expected_and_found() {
        let bytes = images_file(2);
        let err = read_images(&bytes[..bytes.len() - 10], path()).unwrap_err();
        assert!(matches!(err, DataError::Truncated { expected, found, .. }
            if expected == 2 * P as u64 && found == 2 * P as u64 - 10));
        assert!(
            err.to_string()
                .contains("truncated image data: expected 1568 bytes, found 1558")
        );
    }

    #[test]
    fn truncated_labels() {
        let bytes = labels_file(&[1, 2, 3]);
        let err = read_labels(&bytes[..bytes.len() - 1], path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.idx: truncated label data: expected 3 bytes, found 2"
        );
    }

    #[test]
    fn giant_header_count_is_refused_before_reading() {
        // An endless stream: reading it would never end.
        let endless = header(&[IMAGES_MAGIC, 4_000_000_000, 28, 28])
            .into_iter()
            .chain(std::iter::repeat(0u8));
        let start = Instant::now();
        let err = read_images(Endless(endless), path()).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(
            err.to_string(),
            "data/x.idx: the header announces 4000000000 records, more than the 300000 we \
             accept (MNIST has 60000)"
        );

        let bytes = header(&[LABELS_MAGIC, u32::MAX]);
        let err = read_labels(&bytes[..], path()).unwrap_err();
        assert!(matches!(err, DataError::TooManyRecords { .. }), "{err}");
    }

    #[test]
    fn a_bigger_count_than_the_data_is_truncated_and_reads_no_further() {
        let mut bytes = header(&[IMAGES_MAGIC, MAX_RECORDS, 28, 28]);
        bytes.extend_from_slice(&[7; 84]);
        let err = read_images(&bytes[..], path()).unwrap_err();
        assert!(
            matches!(err, DataError::Truncated { found: 84, .. }),
            "{err}"
        );

        // A stream that goes on and on is read only as far as the header promises.
        let endless = header(&[LABELS_MAGIC, 5])
            .into_iter()
            .chain(std::iter::repeat(1u8));
        let err = read_labels(Endless(endless.take(1_000_000)), path()).unwrap_err();
        assert!(
            matches!(err, DataError::TrailingData { records: 5, .. }),
            "{err}"
        );
    }

    #[test]
    fn zero_records_are_refused_like_an_empty_csv() {
        let mut images = Vec::new();
        write_images(&mut images, 28, 28, &[]).unwrap();
        let err = read_images(&images[..], path()).unwrap_err();
        assert_eq!(err.to_string(), "data/x.idx: empty file: no records");
        let err = read_labels(&labels_file(&[])[..], path()).unwrap_err();
        assert!(matches!(err, DataError::Empty { .. }), "{err}");
    }

    /// A `Read` over an iterator of bytes (possibly endless).
    struct Endless<I>(I);

    impl<I: Iterator<Item = u8>> Read for Endless<I> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut n = 0;
            for (slot, byte) in buf.iter_mut().zip(&mut self.0) {
                *slot = byte;
                n += 1;
            }
            Ok(n)
        }
    }

    #[test]
    fn wrong_image_size_is_rejected() {
        let mut bytes = header(&[IMAGES_MAGIC, 1, 32, 32]);
        bytes.extend_from_slice(&[0; 32 * 32]);
        let err = read_images(&bytes[..], path()).unwrap_err();
        assert!(matches!(
            err,
            DataError::ImageSize {
                rows: 32,
                cols: 32,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "data/x.idx: images are 32×32 pixels, but the network expects 28×28 (784 inputs)"
        );
    }

    #[test]
    fn count_mismatch_names_both_files() {
        let err = read_dataset_from(
            &images_file(2)[..],
            Path::new("a-images"),
            &labels_file(&[1, 2, 3])[..],
            Path::new("a-labels"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a-images: 2 images, but a-labels has 3 labels"
        );
    }

    #[test]
    fn label_above_nine() {
        let err = read_labels(&labels_file(&[1, 2, 10, 3])[..], path()).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadLabel {
                index: 2,
                label: 10,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "data/x.idx: record 2: label 10 is not a digit 0..=9"
        );
    }

    #[test]
    fn trailing_garbage() {
        let mut bytes = images_file(1);
        bytes.extend_from_slice(b"junk");
        let err = read_images(&bytes[..], path()).unwrap_err();
        assert!(matches!(
            err,
            DataError::TrailingData {
                extra: 4,
                records: 1,
                ..
            }
        ));

        let mut bytes = labels_file(&[4]);
        bytes.push(0);
        let err = read_labels(&bytes[..], path()).unwrap_err();
        assert!(matches!(err, DataError::TrailingData { extra: 1, .. }));
    }

    #[test]
    fn files_raw_and_gzip_by_extension_or_magic() {
        let dir = tempfile::tempdir().unwrap();
        let images = images_file(2);
        let labels = labels_file(&[3, 1]);
        let cases = [
            ("raw-images", images.clone(), "raw-labels", labels.clone()),
            ("gz-images.gz", gzip(&images), "gz-labels.gz", gzip(&labels)),
            // gzip content without the extension is recognised by its magic bytes.
            ("noext-images", gzip(&images), "noext-labels", gzip(&labels)),
        ];
        for (images_name, images_bytes, labels_name, labels_bytes) in cases {
            let images_path = dir.path().join(images_name);
            let labels_path = dir.path().join(labels_name);
            std::fs::write(&images_path, images_bytes).unwrap();
            std::fs::write(&labels_path, labels_bytes).unwrap();
            let data = Dataset::from_idx(&images_path, &labels_path).unwrap();
            assert_eq!(data.len(), 2);
            assert_eq!(data.labels(), &[3, 1]);
            assert_eq!(data.image(1), &images[16 + P..]);
        }
    }

    #[test]
    fn corrupt_and_truncated_gzip_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let labels_path = dir.path().join("labels.gz");
        std::fs::write(&labels_path, gzip(&labels_file(&[1]))).unwrap();

        let images_path = dir.path().join("images.gz");
        let compressed = gzip(&images_file(3));
        std::fs::write(&images_path, &compressed[..compressed.len() / 2]).unwrap();
        let err = Dataset::from_idx(&images_path, &labels_path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&images_path.display().to_string())
        );

        std::fs::write(&images_path, b"not gzip at all, just text").unwrap();
        let err = Dataset::from_idx(&images_path, &labels_path).unwrap_err();
        assert!(matches!(err, DataError::NotGzip { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "{}: not a gzip file (it does not start with the gzip magic bytes 1f 8b)",
                images_path.display()
            )
        );
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = Dataset::from_idx("no/such/images", "no/such/labels").unwrap_err();
        assert!(matches!(err, DataError::Io { .. }));
        assert!(err.to_string().starts_with("no/such/images: "));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn idx_round_trip(records in proptest::collection::vec(
            (0u8..=9, proptest::collection::vec(any::<u8>(), P)), 1..12), compress in any::<bool>()) {
            let labels: Vec<u8> = records.iter().map(|(l, _)| *l).collect();
            let pixels: Vec<u8> = records.iter().flat_map(|(_, p)| p.iter().copied()).collect();
            let dir = tempfile::tempdir().unwrap();
            let (images_path, labels_path) = if compress {
                (dir.path().join("i.gz"), dir.path().join("l.gz"))
            } else {
                (dir.path().join("i"), dir.path().join("l"))
            };
            let mut images_bytes = Vec::new();
            write_images(&mut images_bytes, 28, 28, &pixels).unwrap();
            let mut labels_bytes = Vec::new();
            write_labels(&mut labels_bytes, &labels).unwrap();
            if compress {
                images_bytes = gzip(&images_bytes);
                labels_bytes = gzip(&labels_bytes);
            }
            std::fs::write(&images_path, images_bytes).unwrap();
            std::fs::write(&labels_path, labels_bytes).unwrap();

            let data = Dataset::from_idx(&images_path, &labels_path).unwrap();
            prop_assert_eq!(data.len(), records.len());
            for (i, (label, image)) in records.iter().enumerate() {
                prop_assert_eq!(data.label(i), *label);
                prop_assert_eq!(data.image(i), &image[..]);
            }
        }
    }
}
