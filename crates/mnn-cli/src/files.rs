//! Writing files so that a failure never leaves half of one: a thin layer
//! over [`mnn_data::write_safely`], the workspace's one atomic-write helper
//! (its doc says why it lives there), turning its refusals into usage errors.

use crate::UsageError;
use anyhow::Result;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// renamed into place only when complete: a failure never leaves half a file,
/// and devices, symbolic links and folders are refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(mnn_data::write_safely(path, |out| out.write_all(bytes))?)
}

/// A usage error (exit status 2) unless a file can be written at `path`: its
/// folder exists and takes new files, and `path` is not a folder, a device or
/// a symbolic link. Commands check their output paths with this before the
/// work, so a typo does not cost a training run.
pub fn check_writable(path: &Path) -> Result<()> {
    mnn_data::check_writable(path).map_err(|e| UsageError(e.to_string()).into())
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
                "{}: cannot write: folder {} does not exist",
                missing.display(),
                dir.path().join("nodir").display()
            )
        );
        let err = check_writable(dir.path()).unwrap_err().to_string();
        assert!(err.ends_with("is a directory; give a file name"), "{err}");
        assert!(write_atomically(&missing, b"x").is_err());
        #[cfg(unix)]
        {
            let err = check_writable(Path::new("/dev/full")).unwrap_err();
            assert!(err.downcast_ref::<UsageError>().is_some());
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let ours = dir.path().join("ours");
        write_atomically(&ours, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        assert_eq!(std::fs::read(&ours).unwrap(), b"x");
    }
}
