//! Writing files so that a failure never leaves half of one.

use crate::UsageError;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// renamed into place only when complete: a failure never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    check_writable(path)?;
    let dir = folder_of(path);
    let write = || -> std::io::Result<()> {
        let mut builder = tempfile::Builder::new();
        // The finished file gets the permissions any new file would (0666
        // less the umask), not the private 0600 of a temporary file.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut tmp = builder.tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().with_context(|| format!("{}: cannot write", path.display()))
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A usage error (exit status 2) unless a file can be written at `path`:
/// its folder exists and `path` is not a folder. Commands check their
/// output paths with this before the work, so a typo does not cost a
/// training run.
pub fn check_writable(path: &Path) -> Result<()> {
    let folder = folder_of(path);
    let problem = if path.is_dir() {
        "is a directory; give a file name".to_string()
    } else if !folder.is_dir() {
        format!("folder {} does not exist", folder.display())
    } else {
        return Ok(());
    };
    Err(UsageError(format!("{}: {problem}", path.display())).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_are_checked_before_the_work() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("m.safetensors")).is_ok());
        assert!(check_writable(Path::new("bare-name.png")).is_ok());
        let missing = dir.path().join("nodir/m.safetensors");
        let err = check_writable(&missing).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert_eq!(
            err.to_string(),
            format!(
                "{}: folder {} does not exist",
                missing.display(),
                dir.path().join("nodir").display()
            )
        );
        let err = check_writable(dir.path()).unwrap_err().to_string();
        assert!(err.ends_with("is a directory; give a file name"), "{err}");
        assert!(write_atomically(&missing, b"x").is_err());
    }
}
