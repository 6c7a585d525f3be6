//! The book's CSV format: one record per line, `label,p0,p1,..,p783`, no header.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::idx::MAX_RECORDS;
use crate::{CsvProblem, DataError, Dataset, IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS};

/// Fields per line: the label and then one value per pixel.
pub const CSV_FIELDS: usize = 1 + IMAGE_PIXELS;

/// Read the book's CSV file.
pub fn read_file(path: &Path) -> Result<Dataset, DataError> {
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_from(BufReader::new(file), path)
}

/// A line longer than this is refused as it arrives, so a file of one
/// endless line is not held in memory. A record of the book's CSV is at most
/// 785 numbers of 3 digits and their commas (3,140 bytes); this leaves room
/// for spaces around them.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Read the book's CSV from a stream; `path` names it in errors.
pub fn read_from(reader: impl Read, path: &Path) -> Result<Dataset, DataError> {
    let mut csv = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(LineLimit::new(reader));
    let mut record = ::csv::ByteRecord::new();
    let mut dataset = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
    let mut image = [0u8; IMAGE_PIXELS];
    loop {
        let has_record = csv
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(path, e))?;
        if !has_record {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let problem = |problem| DataError::Csv {
            path: path.to_path_buf(),
            line,
            problem,
        };
        if record.len() != CSV_FIELDS {
            return Err(problem(CsvProblem::FieldCount {
                expected: CSV_FIELDS,
                found: record.len(),
            }));
        }
        let label = parse_field(&record[0], 1).map_err(problem)?;
        if label > 9 {
            return Err(problem(CsvProblem::LabelRange { value: label }));
        }
        for (k, (pixel, text)) in image.iter_mut().zip(record.iter().skip(1)).enumerate() {
            let field = k + 2;
            let value = parse_field(text, field).map_err(problem)?;
            *pixel = u8::try_from(value)
                .map_err(|_| problem(CsvProblem::PixelRange { field, value }))?;
        }
        if dataset.len() == MAX_RECORDS as usize {
            return Err(DataError::TooManyRecords {
                path: path.to_path_buf(),
                count: dataset.len() as u64 + 1,
                max: u64::from(MAX_RECORDS),
            });
        }
        dataset.push(label as u8, &image);
    }
    if dataset.is_empty() {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(dataset)
}

/// A reader that fails once a line grows past [`MAX_LINE_BYTES`].
struct LineLimit<R> {
    inner: R,
    line: u64,
    line_bytes: usize,
}

impl<R> LineLimit<R> {
    fn new(inner: R) -> Self {
        LineLimit {
            inner,
            line: 1,
            line_bytes: 0,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            if byte == b'\n' {
                self.line += 1;
                self.line_bytes = 0;
            } else {
                self.line_bytes += 1;
                if self.line_bytes > MAX_LINE_BYTES {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "line {} is longer than {MAX_LINE_BYTES} bytes: not a line of the \
                             book's CSV (a label and 784 pixel values)",
                            self.line
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// A whole number, allowing spaces around it.
fn parse_field(bytes: &[u8], field: usize) -> Result<u64, CsvProblem> {
    let not_a_number = || CsvProblem::NotANumber {
        field,
        text: excerpt(bytes),
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|_| not_a_number())?
        .trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number());
    }
    // All digits: only overflow can fail, and such a number is out of range anyway.
    Ok(text.parse::<u64>().unwrap_or(u64::MAX))
}

/// Fields longer than this are shown cut short in error messages.
const EXCERPT_CHARS: usize = 40;

/// A field as text for an error message: at most [`EXCERPT_CHARS`] characters,
/// and its length when cut.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() <= EXCERPT_CHARS {
        return text.into_owned();
    }
    let start: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{start}… ({} bytes in all)", bytes.len())
}

fn csv_error(path: &Path, error: ::csv::Error) -> DataError {
    let line = error.position().map_or(0, |p| p.line());
    let reason = match error.kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8: {err}"),
        _ => error.to_string(),
    };
    match error.into_kind() {
        ::csv::ErrorKind::Io(source) => DataError::Io {
            path: path.to_path_buf(),
            source,
        },
        _ => DataError::Csv {
            path: path.to_path_buf(),
            line,
            problem: CsvProblem::Syntax(reason),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(label: &str, pixels: &[&str]) -> String {
        std::iter::once(label)
            .chain(pixels.iter().copied())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn good_line(label: u8) -> String {
        let pixels: Vec<String> = (0..IMAGE_PIXELS).map(|i| (i % 256).to_string()).collect();
        let pixels: Vec<&str> = pixels.iter().map(String::as_str).collect();
        line(&label.to_string(), &pixels)
    }

    fn read(text: &str) -> Result<Dataset, DataError> {
        read_from(text.as_bytes(), Path::new("data/x.csv"))
    }

    /// Replace field `index` (0-based) of a good line.
    fn with_field(index: usize, value: &str) -> String {
        let good = good_line(1);
        let mut fields: Vec<&str> = good.split(',').collect();
        fields[index] = value;
        fields.join(",")
    }

    #[test]
    fn reads_good_lines() {
        let text = format!("{}\n{}\r\n", good_line(7), good_line(2));
        let data = read(&text).unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data.labels(), &[7, 2]);
        assert_eq!(data.image(1)[255], 255);
        assert_eq!(data.image(1)[256], 0);
    }

    #[test]
    fn wrong_field_count_gives_line_and_counts() {
        let short = good_line(3);
        let short = &short[..short.rfind(',').unwrap()];
        let text = format!("{}\n{}\n{short}\n", good_line(1), good_line(2));
        let err = read(&text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv:3: expected 785 fields (label + 784 pixels), found 784"
        );
        let long = format!("{},0", good_line(1));
        let err = read(&long).unwrap_err();
        assert!(matches!(
            err,
            DataError::Csv {
                line: 1,
                problem: CsvProblem::FieldCount { found: 786, .. },
                ..
            }
        ));
    }

    #[test]
    fn not_a_number() {
        let text = format!("{}\n{}\n", good_line(0), with_field(10, "x7"));
        let err = read(&text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv:2: field 11: \"x7\" is not a whole number"
        );
        for bad in ["", "-1", "1.5", "0x10"] {
            let err = read(&with_field(5, bad)).unwrap_err();
            assert!(
                matches!(
                    &err,
                    DataError::Csv {
                        line: 1,
                        problem: CsvProblem::NotANumber { field: 6, .. },
                        ..
                    }
                ),
                "{bad:?}: {err}"
            );
        }
    }

    #[test]
    fn a_huge_field_is_cut_short_in_the_message() {
        let huge = "x".repeat(50_000);
        let err = read(&with_field(3, &huge)).unwrap_err().to_string();
        assert!(err.len() < 200, "{} bytes", err.len());
        assert!(
            err.ends_with("… (50000 bytes in all)\" is not a whole number"),
            "{err}"
        );
        assert!(err.starts_with("data/x.csv:1: field 4: \"xxxx"), "{err}");
    }

    #[test]
    fn an_endless_line_is_refused_as_it_arrives() {
        let text = format!("{}\n{}", good_line(1), "9".repeat(10_000_000));
        let err = read(&text).unwrap_err().to_string();
        assert_eq!(
            err,
            "data/x.csv: line 2 is longer than 65536 bytes: not a line of the book's CSV \
             (a label and 784 pixel values)"
        );
    }

    #[test]
    fn pixel_above_255() {
        let err = read(&with_field(784, "256")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv:1: field 785: pixel value 256 is above 255"
        );
        let err = read(&with_field(1, "99999999999999999999999")).unwrap_err();
        assert!(matches!(
            err,
            DataError::Csv {
                problem: CsvProblem::PixelRange { field: 2, .. },
                ..
            }
        ));
    }

    #[test]
    fn label_above_nine() {
        let err = read(&with_field(0, "10")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/x.csv:1: field 1: label 10 is not a digit 0..=9"
        );
    }

    #[test]
    fn spaces_around_numbers_are_fine() {
        let data = read(&with_field(3, " 12 ")).unwrap();
        assert_eq!(data.image(0)[2], 12);
    }

    #[test]
    fn empty_file() {
        for text in ["", "\n\n"] {
            let err = read(text).unwrap_err();
            assert_eq!(err.to_string(), "data/x.csv: empty file: no records");
        }
    }

    #[test]
    fn missing_file_names_it() {
        let err = Dataset::from_csv("no/such.csv").unwrap_err();
        assert!(matches!(err, DataError::Io { .. }));
        assert!(err.to_string().starts_with("no/such.csv: "));
    }

    #[test]
    fn error_line_numbers_count_from_one_in_a_real_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let text = format!(
            "{}\n{}\n{}\n",
            good_line(1),
            good_line(2),
            with_field(0, "a")
        );
        std::fs::write(&path, text).unwrap();
        let err = Dataset::from_csv(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}:3: field 1:", path.display())),
            "{err}"
        );
    }

    fn repo_data(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(name)
    }

    #[test]
    fn books_sample_files_load() {
        let train = Dataset::from_csv(repo_data("mnist_train_100.csv")).unwrap();
        assert_eq!(train.len(), 100);
        assert_eq!(train.label(0), 5);
        let test = Dataset::from_csv(repo_data("mnist_test_10.csv")).unwrap();
        assert_eq!(test.len(), 10);
        assert_eq!(test.label(0), 7);
        // The digits are drawn in ink on a dark background: most pixels are 0, some are 255.
        assert!(test.image(0).iter().filter(|&&p| p == 0).count() > 392);
        assert!(test.image(0).contains(&255));
    }
}
