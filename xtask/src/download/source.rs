//! `--from`: where the files come from.

use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// Where the files come from: a folder holding them, or an http(s) URL base.
#[derive(Debug, Clone)]
pub enum Source {
    Dir(PathBuf),
    Http(String),
}

impl Source {
    /// Reads `--from`: an `http://` or `https://` URL base, or else a folder
    /// (relative to the current directory), which must exist.
    pub fn parse(from: &str) -> Result<Source> {
        if from.starts_with("http://") || from.starts_with("https://") {
            let base = if from.ends_with('/') {
                from.to_string()
            } else {
                format!("{from}/")
            };
            return Ok(Source::Http(base));
        }
        let dir = std::path::absolute(from)
            .with_context(|| format!("--from {from}: cannot resolve this path"))?;
        if !dir.is_dir() {
            bail!(
                "--from {from}: no such directory ({}); give a folder holding the four \
                 MNIST .gz files, or an http(s):// URL base",
                dir.display()
            );
        }
        // The folder's own path, not `…/mnn/../shared/…`, in every message.
        let dir = dir.canonicalize().unwrap_or(dir);
        Ok(Source::Dir(dir))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(dir) => write!(f, "{}", dir.display()),
            Source::Http(base) => f.write_str(base),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_accepts_urls_and_existing_folders_only() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Source::parse("https://example.invalid/mnist").unwrap(),
            Source::Http(base) if base == "https://example.invalid/mnist/"
        ));
        assert!(matches!(
            Source::parse(dir.path().to_str().unwrap()).unwrap(),
            Source::Dir(_)
        ));
        // A path through `..` is shown as the folder's own path.
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let roundabout = dir.path().join("sub").join("..");
        let Source::Dir(shown) = Source::parse(roundabout.to_str().unwrap()).unwrap() else {
            panic!("a folder is a Dir source");
        };
        assert_eq!(shown, dir.path().canonicalize().unwrap());
        let missing = dir.path().join("nope");
        let message = Source::parse(missing.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(message.contains("no such directory"), "{message}");
    }
}
