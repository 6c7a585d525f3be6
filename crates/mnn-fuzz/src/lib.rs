//! Fuzz targets over every parser and file entry point of mnn, and the
//! inputs to feed them: arbitrary bytes, and structure-aware mutations of
//! valid files (PNG chunks re-checksummed after a mutation so it reaches the
//! decoder, IDX mutated before being gzipped, header fields set to edge values).
//!
//! A [`Target`] runs one entry point on one input and checks the answer:
//! a value, or an error that is one line of reasonable length, free of Rust
//! debug output. A panic is a failure (the tests and the campaign catch it).
//!
//! ```
//! let png = mnn_fuzz::target("png").unwrap();
//! assert!((png.run)(b"not a png").is_err());
//! for seed in (png.seeds)() {
//!     (png.run)(&seed).unwrap();
//! }
//! ```

#![forbid(unsafe_code)]

use std::io::{Cursor, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use mnn_data::idx::{read_images, read_labels, write_images, write_labels};

/// One entry point under test.
pub struct Target {
    /// Also the folder of its regression files: `regressions/<name>/`.
    pub name: &'static str,
    /// Runs the entry point; `Err` holds the error message (already checked).
    pub run: fn(&[u8]) -> Result<(), String>,
    /// Valid inputs, the start of the structure-aware mutations.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Inputs to try: arbitrary and mutated.
    pub inputs: fn() -> BoxedStrategy<Vec<u8>>,
}

/// Every target.
pub fn targets() -> [Target; 6] {
    [
        Target {
            name: "idx-images",
            run: run_idx_images,
            seeds: idx_images_seeds,
            inputs: || mutated_or_arbitrary(idx_images_seeds()),
        },
        Target {
            name: "idx-labels",
            run: run_idx_labels,
            seeds: idx_labels_seeds,
            inputs: || mutated_or_arbitrary(idx_labels_seeds()),
        },
        Target {
            name: "idx-gzip",
            run: run_idx_gzip,
            seeds: || idx_images_seeds().iter().map(|s| gzip(s)).collect(),
            inputs: idx_gzip_inputs,
        },
        Target {
            name: "csv",
            run: run_csv,
            seeds: csv_seeds,
            inputs: || mutated_or_arbitrary(csv_seeds()),
        },
        Target {
            name: "png",
            run: run_png,
            seeds: png_seeds,
            inputs: png_inputs,
        },
        Target {
            name: "model",
            run: run_model,
            seeds: model_seeds,
            inputs: || mutated_or_arbitrary(model_seeds()),
        },
    ]
}

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    targets().into_iter().find(|t| t.name == name)
}

/// An input taking longer than this counts as a hang.
pub const HANG: std::time::Duration = std::time::Duration::from_secs(5);

/// The 32 bytes that seed a target's random inputs, from its name: the
/// bounded pass starts from these alone, the campaign mixes in the time.
pub fn seed_bytes(name: &str) -> [u8; 32] {
    let mut seed = [0u8; 32];
    for (i, b) in name.bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    seed
}

/// Check an error's message: one line, at most 600 characters, no Rust
/// debug output. A bad message is a failure like a panic.
fn check_message(message: &str) {
    assert!(
        !message.contains('\n'),
        "error of more than one line: {message}"
    );
    assert!(
        message.chars().count() <= 600,
        "error of {} characters: {}…",
        message.chars().count(),
        message.chars().take(200).collect::<String>()
    );
    assert!(
        !message.contains("ChunkType {") && !message.contains("Kind("),
        "Rust debug output in an error: {message}"
    );
}

fn answer<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| {
        let message = e.to_string();
        check_message(&message);
        message
    })
}

fn name() -> &'static Path {
    Path::new("fuzz-input")
}

fn run_idx_images(bytes: &[u8]) -> Result<(), String> {
    answer(read_images(bytes, name())).map(drop)
}

fn run_idx_labels(bytes: &[u8]) -> Result<(), String> {
    answer(read_labels(bytes, name())).map(drop)
}

/// As `mnn` reads a `.gz` file: gzip-decoded, then the IDX reader (of
/// images, and of labels: accepted if either accepts).
fn run_idx_gzip(bytes: &[u8]) -> Result<(), String> {
    let decoded = || flate2::bufread::MultiGzDecoder::new(bytes);
    match read_images(decoded(), name()) {
        Ok(_) => Ok(()),
        // A labels file, perhaps.
        Err(mnn_data::DataError::BadMagic { .. }) => {
            answer(read_labels(decoded(), name())).map(drop)
        }
        Err(e) => answer(Err::<(), _>(e)),
    }
}

fn run_csv(bytes: &[u8]) -> Result<(), String> {
    answer(mnn_data::mnist_csv::read_from(bytes, name())).map(drop)
}

/// As `mnn query` reads a picture: decode, then both preparations.
fn run_png(bytes: &[u8]) -> Result<(), String> {
    let decoded = answer(mnn_data::image::decode_png_gray(Cursor::new(bytes), name()));
    // The decoder panicked and the last line of defence caught it: a finding
    // all the same (the checks before decoding should have refused the file).
    if let Err(message) = &decoded {
        assert!(
            !message.contains("the decoder failed on it"),
            "the PNG decoder panicked: {message}"
        );
    }
    let image = decoded?;
    let _ = mnn_data::prepare_raw(&image);
    match mnn_data::prepare_digit(&image) {
        Ok(_) | Err(mnn_data::DataError::NoInk { .. }) => Ok(()),
        Err(e) => panic!("prepare_digit failed other than for want of ink: {e}"),
    }
}

/// As `mnn test --model` reads a model, then a query through it.
fn run_model(bytes: &[u8]) -> Result<(), String> {
    let (net, _info) = answer(mnn_net::NeuralNetwork::from_safetensors(bytes))?;
    let outputs = net.query(&vec![0.5; net.input_nodes()]);
    assert_eq!(outputs.len(), net.output_nodes());
    Ok(())
}

// ---------------------------------------------------------------------------
// Seeds: small valid files of each kind.

fn idx_images_seeds() -> Vec<Vec<u8>> {
    [1usize, 2]
        .iter()
        .map(|&count| {
            let pixels: Vec<u8> = (0..count * 784).map(|i| (i * 7 % 256) as u8).collect();
            let mut bytes = Vec::new();
            write_images(&mut bytes, 28, 28, &pixels).expect("in memory");
            bytes
        })
        .collect()
}

fn idx_labels_seeds() -> Vec<Vec<u8>> {
    [&[7u8][..], &[0, 9, 4, 1]]
        .iter()
        .map(|labels| {
            let mut bytes = Vec::new();
            write_labels(&mut bytes, labels).expect("in memory");
            bytes
        })
        .collect()
}

fn csv_seeds() -> Vec<Vec<u8>> {
    let line = |label: u8| {
        let pixels: Vec<String> = (0..784).map(|i| ((i * 13) % 256).to_string()).collect();
        format!("{label},{}\n", pixels.join(","))
    };
    vec![
        line(5).into_bytes(),
        format!("{}{}", line(0), line(9)).into_bytes(),
    ]
}

/// Grey 8-bit, a palette with transparency, 16-bit RGBA, 1-bit grey: each a
/// small picture with some ink.
pub fn png_seeds() -> Vec<Vec<u8>> {
    use png::{BitDepth, ColorType};
    let encode =
        |w: u32, h: u32, color, depth, palette: Option<(Vec<u8>, Vec<u8>)>, data: Vec<u8>| {
            let mut bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut bytes, w, h);
            encoder.set_color(color);
            encoder.set_depth(depth);
            if let Some((plte, trns)) = palette {
                encoder.set_palette(plte);
                encoder.set_trns(trns);
            }
            let mut writer = encoder.write_header().expect("valid header");
            writer.write_image_data(&data).expect("whole image");
            writer.finish().expect("in memory");
            bytes
        };
    let ink = |w: usize, h: usize, samples: usize, dark: &[u8], light: &[u8]| -> Vec<u8> {
        (0..w * h)
            .flat_map(|i| {
                let on_stroke = i % w == w / 2;
                (0..samples).map(move |s| if on_stroke { dark[s] } else { light[s] })
            })
            .collect()
    };
    vec![
        encode(
            6,
            5,
            ColorType::Grayscale,
            BitDepth::Eight,
            None,
            ink(6, 5, 1, &[0], &[255]),
        ),
        encode(
            5,
            4,
            ColorType::Indexed,
            BitDepth::Eight,
            Some((vec![255, 255, 255, 10, 20, 30], vec![255, 200])),
            ink(5, 4, 1, &[1], &[0]),
        ),
        encode(
            3,
            3,
            ColorType::Rgba,
            BitDepth::Sixteen,
            None,
            ink(3, 3, 8, &[0, 0, 0, 0, 0, 0, 255, 255], &[255; 8]),
        ),
        // 1-bit grey, 8 pixels a row: one byte per row.
        encode(
            8,
            4,
            ColorType::Grayscale,
            BitDepth::One,
            None,
            vec![0b1110_1111; 4],
        ),
    ]
}

fn model_seeds() -> Vec<Vec<u8>> {
    let net = mnn_net::NeuralNetwork::new(4, 3, 2, 0.3, 1).expect("valid sizes");
    let info = mnn_net::ModelInfo {
        seed: Some(1),
        epochs: Some(2),
        test_accuracy: Some(0.5),
        rotate_degrees: None,
    };
    vec![
        net.to_safetensors(&info),
        net.to_safetensors(&mnn_net::ModelInfo::default()),
    ]
}

// ---------------------------------------------------------------------------
// Mutations.

/// One change to a file.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flip one bit.
    Flip { at: usize, bit: u8 },
    /// Set a byte.
    Set { at: usize, value: u8 },
    /// Overwrite four bytes with a big-endian `u32` (IDX and PNG fields are).
    SetU32 { at: usize, value: u32 },
    /// Insert bytes.
    Insert { at: usize, bytes: Vec<u8> },
    /// Remove up to `len` bytes.
    Remove { at: usize, len: usize },
    /// Cut the file.
    Truncate { at: usize },
    /// Repeat a stretch of the file in place.
    Duplicate { at: usize, len: usize },
}

impl Mutation {
    /// Apply to `bytes`; positions are taken modulo the length.
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        let n = bytes.len();
        let pos = |at: usize| if n == 0 { 0 } else { at % (n + 1) };
        match self {
            Mutation::Flip { at, bit } if n > 0 => bytes[at % n] ^= 1 << (bit % 8),
            Mutation::Set { at, value } if n > 0 => bytes[at % n] = *value,
            Mutation::SetU32 { at, value } if n >= 4 => {
                let at = at % (n - 3);
                bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
            }
            Mutation::Insert { at, bytes: new } => {
                let at = pos(*at);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Remove { at, len } => {
                let at = pos(*at);
                let end = (at + len).min(n);
                bytes.drain(at..end);
            }
            Mutation::Truncate { at } => bytes.truncate(pos(*at)),
            Mutation::Duplicate { at, len } => {
                let at = pos(*at);
                let end = (at + len).min(n);
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {}
        }
    }
}

/// Values that sit on edges: zero, one, powers of two and their neighbours,
/// MNIST's sizes, and the largest.
fn edge_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        prop::sample::select(vec![
            0u32,
            1,
            2,
            3,
            7,
            28,
            255,
            256,
            784,
            60_000,
            65_535,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_fffe,
            0xffff_ffff,
        ]),
        any::<u32>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        3 => (at, any::<u8>()).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        3 => (at, prop::sample::select(vec![0u8, 1, 0x7f, 0x80, 0xff, b',', b'\n', b'-']))
            .prop_map(|(at, value)| Mutation::Set { at, value }),
        3 => (at, edge_u32()).prop_map(|(at, value)| Mutation::SetU32 { at, value }),
        1 => (at, prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (at, 1usize..64).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
        1 => (at, 1usize..64).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

/// A seed with 1 to 8 mutations.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(mutation(), 1..8),
    )
        .prop_map(|(mut bytes, mutations)| {
            for m in &mutations {
                m.apply(&mut bytes);
            }
            bytes
        })
}

/// Arbitrary bytes, or a seed's prefix followed by arbitrary bytes.
fn arbitrary(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        (
            prop::sample::select(seeds),
            any::<usize>(),
            prop::collection::vec(any::<u8>(), 0..256)
        )
            .prop_map(|(seed, cut, tail)| {
                let mut bytes = seed[..cut % (seed.len() + 1)].to_vec();
                bytes.extend(tail);
                bytes
            }),
    ]
}

fn mutated_or_arbitrary(seeds: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![3 => mutated(seeds.clone()), 1 => arbitrary(seeds)].boxed()
}

/// Mutated gzip bytes, or mutated IDX then gzipped (so it passes the CRC).
fn idx_gzip_inputs() -> BoxedStrategy<Vec<u8>> {
    let raw = idx_images_seeds();
    let compressed: Vec<Vec<u8>> = raw.iter().map(|s| gzip(s)).collect();
    prop_oneof![
        2 => mutated(raw).prop_map(|bytes| gzip(&bytes)),
        1 => mutated_or_arbitrary(compressed),
    ]
    .boxed()
}

/// Mutated PNGs with their chunk CRCs made right again (so the mutation
/// reaches the decoder), or as mutated.
fn png_inputs() -> BoxedStrategy<Vec<u8>> {
    let resized = (
        prop::sample::select(png_seeds()),
        any::<usize>(),
        -4i32..=4,
        prop::collection::vec(mutation(), 0..3),
    )
        .prop_map(|(seed, chunk, delta, mutations)| {
            let mut bytes = resize_png_chunk(seed, chunk, delta);
            for m in &mutations {
                m.apply(&mut bytes);
            }
            fix_png_crcs(bytes)
        });
    prop_oneof![
        3 => mutated(png_seeds()).prop_map(fix_png_crcs),
        2 => resized,
        2 => mutated_or_arbitrary(png_seeds()),
    ]
    .boxed()
}

/// Make the `chunk`-th chunk (modulo their number) of a PNG `delta` bytes
/// longer or shorter, its length field to match: a chunk-level mutation
/// (a palette cut to 7 bytes, say) that byte mutations rarely make.
pub fn resize_png_chunk(mut bytes: Vec<u8>, chunk: usize, delta: i32) -> Vec<u8> {
    let mut starts = Vec::new();
    let mut at = 8;
    while at + 12 <= bytes.len() {
        starts.push(at);
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        at += 12 + len as usize;
    }
    if starts.is_empty() {
        return bytes;
    }
    let at = starts[chunk % starts.len()];
    let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
    let new_len = (len as i64 + i64::from(delta)).max(0) as usize;
    let data_end = at + 8 + len;
    if data_end > bytes.len() {
        return bytes;
    }
    if new_len < len {
        bytes.drain(at + 8 + new_len..data_end);
    } else {
        let fill = vec![0x5a; new_len - len];
        bytes.splice(data_end..data_end, fill);
    }
    bytes[at..at + 4].copy_from_slice(&(new_len as u32).to_be_bytes());
    bytes
}

/// gzip `bytes` (fast compression).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// Recompute the CRC of every whole chunk after the PNG signature.
pub fn fix_png_crcs(mut bytes: Vec<u8>) -> Vec<u8> {
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let end = at + 8 + len as usize;
        if len > (1 << 24) || end + 4 > bytes.len() {
            break;
        }
        let mut crc = flate2::Crc::new();
        crc.update(&bytes[at + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.sum().to_be_bytes());
        at = end + 4;
    }
    bytes
}
