//! Reading PNG files: any PNG read as 8-bit grey (writing is [`super::png_encode`]).
//!
//! Reading is bounded whatever the file says about itself:
//!
//! - the chunks before the image data are checked first (`check_chunks`), so a
//!   malformed palette is a clear error rather than a panic inside the decoder
//!   (png 0.18.1 panics on a `PLTE` whose length is not a multiple of 3);
//! - the size in the header is checked before anything is allocated for the
//!   pixels ([`MAX_SIDE`], [`MAX_PIXELS`]);
//! - should the decoder still panic on some input nobody has found yet, that is
//!   caught here and becomes an error naming the file: one bad file never ends
//!   the program, and the files after it are still answered.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use png::{BitDepth, ColorType, Decoder, DecodingError, Transformations};

use super::GrayImage;
use crate::DataError;

/// Neither side of an image may be longer than this many pixels.
///
/// A photo of a digit is at most a few thousand pixels on a side; a PNG of
/// 1 × 100,000,000 pixels is 200 KB on disk but a bomb in memory. The same
/// limit holds for both orientations.
pub const MAX_SIDE: u32 = 20_000;

/// Images with more pixels than this are refused, before any pixel is allocated.
///
/// Derived from what reading and preparing an image needs per pixel: the
/// decoder's output (at most 4 bytes: RGBA after 16-bit samples are
/// stripped), then our grey copy (1 byte) and, while preparing, a crop of
/// `f32` ink levels (at most 4 bytes). The decoder's buffer is freed before
/// the preparation, so the peak is about 5 bytes per pixel: 200 MB at this
/// limit, which still takes a 40-megapixel photo.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The 8 bytes every PNG file starts with.
pub(crate) const PNG_SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];

/// The 3 bytes every JPEG file starts with.
const JPEG_SIGNATURE: [u8; 3] = [0xff, 0xd8, 0xff];

/// Load any PNG as 8-bit grey (0 = black, 255 = white). Transparent areas are
/// composited over white paper; colour becomes luminance `0.299 R + 0.587 G + 0.114 B`.
pub fn load_png_gray(path: impl AsRef<Path>) -> Result<GrayImage, DataError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_png_gray(BufReader::new(file), path)
}

/// [`load_png_gray`] from a stream; `path` names it in errors and in the result.
pub fn decode_png_gray(
    mut reader: impl BufRead + Seek,
    path: &Path,
) -> Result<GrayImage, DataError> {
    let png_error = |reason: String| DataError::Png {
        path: path.to_path_buf(),
        reason,
    };
    let io_error = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut signature = [0u8; 8];
    match reader.read_exact(&mut signature) {
        // Shorter than a signature: not a PNG, said below.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => signature = [0; 8],
        // Unreadable (a directory, say), which is not the same as not a PNG.
        Err(source) => return Err(io_error(source)),
        Ok(()) => {}
    }
    if signature.starts_with(&JPEG_SIGNATURE) {
        return Err(png_error(
            "this is a JPEG file, not a PNG: convert it first, for example with \
             `convert photo.jpg photo.png` (ImageMagick), or export it as PNG from any image editor"
                .into(),
        ));
    }
    if signature != PNG_SIGNATURE {
        return Err(png_error(
            "not a PNG file (it does not start with the PNG signature)".into(),
        ));
    }
    check_chunks(&mut reader).map_err(|problem| match problem {
        ChunkProblem::Io(source) => io_error(source),
        ChunkProblem::Format(reason) => png_error(format!("corrupt or unsupported PNG: {reason}")),
        ChunkProblem::TooLarge { width, height } => too_large(path, width, height),
    })?;
    reader.seek(SeekFrom::Start(0)).map_err(io_error)?;

    // The last line of defence: a panic inside the decoder is this file's error.
    catch_unwind(AssertUnwindSafe(|| decode(reader, path))).unwrap_or_else(|_| {
        Err(png_error(
            "corrupt PNG: the decoder failed on it (the file is damaged in a way \
             the checks before decoding do not know)"
                .into(),
        ))
    })
}

fn decode(reader: impl BufRead + Seek, path: &Path) -> Result<GrayImage, DataError> {
    let png_error = |reason: String| DataError::Png {
        path: path.to_path_buf(),
        reason,
    };
    let mut decoder = Decoder::new(reader);
    // Palette → RGB(A), 1/2/4-bit grey → 8-bit, tRNS → alpha, 16-bit → 8-bit.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let mut png = decoder.read_info().map_err(|e| png_error(describe(e)))?;
    let (width, height) = png.info().size();
    let too_large = || too_large(path, width, height);
    if !size_is_accepted(width, height) {
        return Err(too_large());
    }
    let mut buffer = vec![0; png.output_buffer_size().ok_or_else(too_large)?];
    let frame = png
        .next_frame(&mut buffer)
        .map_err(|e| png_error(describe(e)))?;
    if frame.bit_depth != BitDepth::Eight {
        return Err(png_error(format!(
            "the decoder produced {}-bit samples, expected 8",
            frame.bit_depth as u8
        )));
    }
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut pixels = vec![0u8; width * height];
    for (row, out) in buffer
        .chunks_exact(frame.line_size)
        .zip(pixels.chunks_exact_mut(width))
    {
        row_to_gray(row, frame.color_type, out)
            .map_err(|()| png_error("the decoder left the palette unexpanded".into()))?;
    }
    Ok(GrayImage {
        width,
        height,
        pixels,
        path: path.to_path_buf(),
    })
}

/// Within [`MAX_SIDE`] and [`MAX_PIXELS`].
fn size_is_accepted(width: u32, height: u32) -> bool {
    width <= MAX_SIDE && height <= MAX_SIDE && u64::from(width) * u64::from(height) <= MAX_PIXELS
}

fn too_large(path: &Path, width: u32, height: u32) -> DataError {
    DataError::TooLarge {
        path: path.to_path_buf(),
        width,
        height,
        max_side: MAX_SIDE,
        max_pixels: MAX_PIXELS,
    }
}

/// Why [`check_chunks`] refused a file.
enum ChunkProblem {
    Io(std::io::Error),
    Format(String),
    TooLarge { width: u32, height: u32 },
}

/// Walk the chunks before the image data (the reader stands just after the
/// signature) and refuse what the decoder would mishandle or what would take
/// too much memory: an image size beyond [`MAX_SIDE`] or [`MAX_PIXELS`] (the
/// decoder itself would refuse a wide one and accept a tall one), a palette
/// (`PLTE`) that is not 1 to 256 RGB triples, a chunk longer than PNG allows.
/// Fills `buf` from `reader`: `false` if the file ends first.
fn read_unless_at_end(reader: &mut impl Read, buf: &mut [u8]) -> Result<bool, ChunkProblem> {
    match reader.read_exact(buf) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(ChunkProblem::Io(e)),
        Ok(()) => Ok(true),
    }
}

/// Stops at the first `IDAT` or `IEND`, or where the file ends (the decoder
/// then says what is missing).
fn check_chunks(reader: &mut (impl Read + Seek)) -> Result<(), ChunkProblem> {
    loop {
        let mut head = [0u8; 8];
        if !read_unless_at_end(reader, &mut head)? {
            return Ok(());
        }
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let kind = &head[4..8];
        let name = String::from_utf8_lossy(kind).escape_debug().to_string();
        if length > i32::MAX as u32 {
            return Err(ChunkProblem::Format(format!(
                "chunk {name} claims {length} bytes, more than PNG allows (2^31 - 1)"
            )));
        }
        match kind {
            b"IDAT" | b"IEND" => return Ok(()),
            b"PLTE" if length == 0 || length % 3 != 0 || length > 3 * 256 => {
                return Err(ChunkProblem::Format(format!(
                    "palette (PLTE) chunk of {length} bytes: a palette is 1 to 256 RGB \
                     colours, 3 bytes each"
                )));
            }
            _ => {}
        }
        let mut skip = i64::from(length);
        if kind == b"IHDR" && length >= 8 {
            let mut size = [0u8; 8];
            if !read_unless_at_end(reader, &mut size)? {
                return Ok(());
            }
            let width = u32::from_be_bytes([size[0], size[1], size[2], size[3]]);
            let height = u32::from_be_bytes([size[4], size[5], size[6], size[7]]);
            if !size_is_accepted(width, height) {
                return Err(ChunkProblem::TooLarge { width, height });
            }
            skip -= 8;
        }
        // The rest of the chunk's data, and its CRC.
        reader
            .seek(SeekFrom::Current(skip + 4))
            .map_err(ChunkProblem::Io)?;
    }
}

/// One line of reason for a decoding error, in words rather than Rust's debug output.
fn describe(error: DecodingError) -> String {
    let text = match error {
        DecodingError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return "truncated: the file ends before the image is complete".into();
        }
        DecodingError::IoError(e) => e.to_string(),
        DecodingError::Format(e) => format!("corrupt or unsupported PNG: {e}"),
        DecodingError::LimitsExceeded => {
            return "the image needs more memory than allowed".into();
        }
        other => other.to_string(),
    };
    plain_chunk_names(&text)
}

/// png's messages print chunk types as `ChunkType { type: IDAT, critical: true, … }`;
/// keep only the name (`IDAT`).
fn plain_chunk_names(text: &str) -> String {
    const DEBUG_START: &str = "ChunkType { type: ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(DEBUG_START) {
        out.push_str(&rest[..at]);
        let after = &rest[at + DEBUG_START.len()..];
        let name_end = after.find([',', ' ', '}']).unwrap_or(after.len());
        out.push_str(&after[..name_end]);
        rest = match after.find('}') {
            Some(close) => &after[close + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Convert one decoded 8-bit row of `color` samples into grey.
fn row_to_gray(row: &[u8], color: ColorType, out: &mut [u8]) -> Result<(), ()> {
    let samples = color.samples();
    let row = &row[..out.len() * samples];
    match color {
        ColorType::Grayscale => out.copy_from_slice(row),
        ColorType::GrayscaleAlpha => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = over_white(p[0], p[1]);
            }
        }
        ColorType::Rgb => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(3)) {
                *o = luminance(p[0], p[1], p[2]);
            }
        }
        ColorType::Rgba => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(4)) {
                *o = over_white(luminance(p[0], p[1], p[2]), p[3]);
            }
        }
        ColorType::Indexed => return Err(()),
    }
    Ok(())
}

/// ITU-R BT.601 luma, `0.299 R + 0.587 G + 0.114 B`, rounded.
pub fn luminance(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000) as u8
}

/// Composite grey `v` with opacity `alpha` over white paper, rounded.
pub fn over_white(v: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(v), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}
