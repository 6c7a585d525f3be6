//! The one error type of this crate: every variant names the file and the reason.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while reading MNIST or an image of your own handwriting.
///
/// Every variant carries the path of the file (or directory) and the reason, and
/// `Display` is a single line such as
/// `data/mnist/train-images-idx3-ubyte.gz: truncated image data: expected 47040000 bytes, found 1000`.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read (including corrupt gzip streams).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The file's name ends in `.gz`, but it is not gzip-compressed.
    #[error("{}: not a gzip file (it does not start with the gzip magic bytes 1f 8b)", path.display())]
    NotGzip { path: PathBuf },

    /// The file does not start with the IDX magic number we expected.
    #[error(
        "{}: not an IDX {what} file: magic number 0x{found:08x}, expected 0x{expected:08x}",
        path.display()
    )]
    BadMagic {
        path: PathBuf,
        /// `"images"` or `"labels"`.
        what: &'static str,
        expected: u32,
        found: u32,
    },

    /// The file ended before the header said it would.
    #[error("{}: truncated {what}: expected {expected} bytes, found {found}", path.display())]
    Truncated {
        path: PathBuf,
        /// What was being read: `"header"`, `"image data"`, `"label data"`.
        what: &'static str,
        expected: u64,
        found: u64,
    },

    /// The file goes on after the last record the header announced.
    #[error(
        "{}: {}{extra} unexpected bytes after the last of the {records} records the header announced",
        path.display(),
        if *at_least { "at least " } else { "" }
    )]
    TrailingData {
        path: PathBuf,
        records: u64,
        extra: u64,
        /// There were more than `extra` bytes; counting stopped there.
        at_least: bool,
    },

    /// The images are not 28×28, so they cannot feed the network's 784 input nodes.
    #[error(
        "{}: images are {rows}×{cols} pixels, but the network expects 28×28 (784 inputs)",
        path.display()
    )]
    ImageSize { path: PathBuf, rows: u32, cols: u32 },

    /// The images file and the labels file disagree about how many records there are.
    #[error(
        "{}: {images} images, but {} has {labels} labels",
        images_path.display(),
        labels_path.display()
    )]
    CountMismatch {
        images_path: PathBuf,
        images: u64,
        labels_path: PathBuf,
        labels: u64,
    },

    /// An IDX label is not one of the digits 0..=9.
    #[error("{}: record {index}: label {label} is not a digit 0..=9", path.display())]
    BadLabel {
        path: PathBuf,
        /// 0-based record number.
        index: u64,
        label: u8,
    },

    /// A line of the book's CSV format is wrong.
    #[error("{}:{line}: {problem}", path.display())]
    Csv {
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        problem: CsvProblem,
    },

    /// A file that should hold records holds none.
    #[error("{}: empty file: no records", path.display())]
    Empty { path: PathBuf },

    /// A directory lacks files we need.
    #[error("{}: missing {what}", path.display())]
    Missing { path: PathBuf, what: String },

    /// The file is not a PNG image we can decode.
    #[error("{}: cannot read PNG image: {reason}", path.display())]
    Png { path: PathBuf, reason: String },

    /// A PNG image could not be written.
    #[error("{}: cannot write PNG image: {reason}", path.display())]
    PngWrite { path: PathBuf, reason: String },

    /// An image is larger than we are willing to hold in memory.
    #[error(
        "{}: image is {width}×{height} pixels, larger than we accept (at most {max_side} \
         pixels a side and {max_pixels} in all)",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },

    /// A file announces more records than we are willing to hold in memory.
    #[error(
        "{}: the header announces {count} records, more than the {max} we accept \
         (MNIST has 60000)",
        path.display()
    )]
    TooManyRecords { path: PathBuf, count: u64, max: u64 },

    /// A file could not be written (or will not be writable: checked before the work).
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },

    /// The image is all one colour: there is no handwriting to recognise.
    #[error(
        "{}: no ink found: the image is a single shade, there is no digit to read",
        path.display()
    )]
    NoInk { path: PathBuf },
}

/// What is wrong with one line of the book's CSV (`label,p0,..,p783`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvProblem {
    /// The line does not have `expected` fields.
    FieldCount { expected: usize, found: usize },
    /// A field (1-based) is not a whole number.
    NotANumber { field: usize, text: String },
    /// A pixel (field is 1-based, so the first pixel is field 2) is above 255.
    PixelRange { field: usize, value: u64 },
    /// The label (field 1) is not a digit 0..=9.
    LabelRange { value: u64 },
    /// The CSV reader itself rejected the line (e.g. a broken quote).
    Syntax(String),
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvProblem::FieldCount { expected, found } => write!(
                f,
                "expected {expected} fields (label + {} pixels), found {found}",
                expected - 1
            ),
            CsvProblem::NotANumber { field, text } => {
                write!(f, "field {field}: {text:?} is not a whole number")
            }
            CsvProblem::PixelRange { field, value } => {
                write!(f, "field {field}: pixel value {value} is above 255")
            }
            CsvProblem::LabelRange { value } => {
                write!(f, "field 1: label {value} is not a digit 0..=9")
            }
            CsvProblem::Syntax(reason) => write!(f, "{reason}"),
        }
    }
}
