//! The structure-aware inputs of the gzip and PNG targets: IDX mutated then
//! gzipped (so it passes the gzip CRC), PNG chunks resized and their CRCs
//! made right again (so the mutation reaches the decoder).

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use crate::mutate::{mutated, mutated_or_arbitrary, mutation};
use crate::seeds::{idx_images_seeds, png_seeds};

/// Mutated gzip bytes, or mutated IDX then gzipped (so it passes the CRC).
pub(crate) fn idx_gzip_inputs() -> BoxedStrategy<Vec<u8>> {
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
pub(crate) fn png_inputs() -> BoxedStrategy<Vec<u8>> {
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
