//! Verification: the SHA-256 of a file's content, decompressed when it is
//! gzip.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

/// A file installed under its final name must be gzip and decompress to the
/// expected content. The error is a short reason for a message.
pub(super) fn verify_installed(path: &Path, expected_sha256: &str) -> Result<(), String> {
    let content = content_sha256(path).map_err(|e| e.to_string())?;
    if content.kind != ContentKind::Gzip {
        return Err("not gzip-compressed".to_string());
    }
    if content.sha256 != expected_sha256 {
        return Err(format!(
            "SHA-256 of the decompressed content is {}, expected {expected_sha256}",
            content.sha256
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContentKind {
    Gzip,
    Raw,
}

impl ContentKind {
    pub(super) fn describe(self) -> &'static str {
        match self {
            ContentKind::Gzip => "decompressed content",
            ContentKind::Raw => "uncompressed file",
        }
    }
}

pub(super) struct Content {
    pub(super) kind: ContentKind,
    pub(super) sha256: String,
}

pub(super) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The SHA-256 of what a file holds: of its decompressed stream when it
/// starts with the gzip magic bytes, else of its bytes as they are.
pub(super) fn content_sha256(path: &Path) -> io::Result<Content> {
    let mut f = File::open(path)?;
    let mut magic = Vec::with_capacity(2);
    (&mut f).take(2).read_to_end(&mut magic)?;
    f.rewind()?;
    if magic == GZIP_MAGIC {
        let sha256 = sha256_hex(MultiGzDecoder::new(BufReader::new(f)))
            .map_err(|e| io::Error::new(e.kind(), format!("not a valid gzip stream: {e}")))?;
        Ok(Content {
            kind: ContentKind::Gzip,
            sha256,
        })
    } else {
        Ok(Content {
            kind: ContentKind::Raw,
            sha256: sha256_hex(f)?,
        })
    }
}

pub(super) fn sha256_hex(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_raw_file_is_the_known_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hello");
        std::fs::write(&path, b"hello").unwrap();
        let content = content_sha256(&path).unwrap();
        assert_eq!(content.kind, ContentKind::Raw);
        // SHA-256 of the five bytes `hello`, a well-known value.
        assert_eq!(
            content.sha256,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }
}
