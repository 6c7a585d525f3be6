//! The MNIST records bundled with the static page: the first N training
//! records (an IDX file cut after N, gzipped again) and the whole test set
//! (copied as downloaded).

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte.gz";
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte.gz";
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte.gz";
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte.gz";

/// An IDX file's header: the magic number and one 4-byte size per
/// dimension (images: count, rows, columns; labels: count).
const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;
const IMAGE_BYTES: usize = 28 * 28;

/// What was bundled.
pub struct Bundle {
    pub train: usize,
    pub test: usize,
}

impl Bundle {
    pub fn about(&self) -> String {
        format!(
            "the first {} MNIST training records, scored on all {} test records",
            thousands(self.train),
            thousands(self.test)
        )
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Writes the bundle from the downloaded `mnist` folder into `out`.
pub fn write(mnist: &Path, out: &Path, train: usize) -> Result<Bundle> {
    fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let images = first_records(&mnist.join(TRAIN_IMAGES), IMAGES_HEADER, IMAGE_BYTES, train)?;
    let labels = first_records(&mnist.join(TRAIN_LABELS), LABELS_HEADER, 1, train)?;
    gzip(&images, &out.join(TRAIN_IMAGES))?;
    gzip(&labels, &out.join(TRAIN_LABELS))?;
    for file in [TEST_IMAGES, TEST_LABELS] {
        fs::copy(mnist.join(file), out.join(file))
            .with_context(|| format!("cannot copy {}", mnist.join(file).display()))?;
    }
    let test = count(&mnist.join(TEST_LABELS))?;
    Ok(Bundle { train, test })
}

/// The IDX file at `path` cut after its first `n` records, its count set to `n`.
fn first_records(path: &Path, header: usize, record: usize, n: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    GzDecoder::new(
        fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    )
    .read_to_end(&mut bytes)
    .with_context(|| format!("cannot decompress {}", path.display()))?;
    let have = idx_count(&bytes, path)?;
    if n > have {
        bail!("{} holds {have} records, not {n}", path.display());
    }
    bytes.truncate(header + n * record);
    bytes[4..8].copy_from_slice(&(n as u32).to_be_bytes());
    Ok(bytes)
}

fn count(path: &Path) -> Result<usize> {
    let mut bytes = Vec::new();
    GzDecoder::new(fs::File::open(path)?).read_to_end(&mut bytes)?;
    idx_count(&bytes, path)
}

fn idx_count(bytes: &[u8], path: &Path) -> Result<usize> {
    let count = bytes
        .get(4..8)
        .with_context(|| format!("{} is too short to be an IDX file", path.display()))?;
    Ok(u32::from_be_bytes(count.try_into().expect("4 bytes")) as usize)
}

fn gzip(bytes: &[u8], path: &Path) -> Result<()> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    fs::write(path, encoder.finish()?).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idx_file_is_cut_after_n_records_with_its_count_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels.gz");
        let mut idx = vec![0, 0, 8, 1, 0, 0, 0, 5];
        idx.extend([3, 1, 4, 1, 5]);
        gzip(&idx, &path).unwrap();
        assert_eq!(
            first_records(&path, LABELS_HEADER, 1, 2).unwrap(),
            [0, 0, 8, 1, 0, 0, 0, 2, 3, 1]
        );
        assert!(first_records(&path, LABELS_HEADER, 1, 6).is_err());
        assert_eq!(thousands(10000), "10,000");
    }
}
