//! Mutations of a file (bit flips, edge values, insertions, deletions,
//! truncation), and arbitrary bytes.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

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

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
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

pub(crate) fn mutated_or_arbitrary(seeds: Vec<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![3 => mutated(seeds.clone()), 1 => arbitrary(seeds)].boxed()
}
