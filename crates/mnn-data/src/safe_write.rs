//! Writing a file so that a failure never leaves half of one: the one home of
//! mnn's atomic writes.
//!
//! [`write_safely`] writes through a temporary file in the same folder,
//! synced and renamed over the target only when complete (tempfile's
//! `persist`, a well-kept implementation of exactly that). Around it, what a
//! save needs and tempfile does not decide for us:
//!
//! - [`check_writable`], also called by commands *before* long work, refuses a
//!   target that is a folder, a device (`/dev/full`, `/dev/null`), a pipe or a
//!   symbolic link (a rename would replace the link or the device node
//!   itself), a missing folder, and a folder we cannot create files in;
//! - temporaries are named `.<file>.<pid>.<random>.tmp`, so the next write of
//!   the same file removes those left by a process that was killed mid-write
//!   ([`remove_stale_temporaries`]) and never those of one still running.
//!
//! mnn-data and mnn-cli (models, charts, CSVs, pictures) write through this
//! function. xtask, which may depend on no mnn crate, uses the same tempfile
//! `persist` and the same naming for its verified downloads.

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::DataError;

/// Write `path` by calling `write` on a buffered temporary file beside it,
/// then syncing it to disk and renaming it over `path`.
///
/// `path` must pass [`check_writable`]. On any error the temporary file is
/// removed and `path` is untouched. Temporaries of this file left by killed
/// processes are removed first.
pub fn write_safely(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), DataError> {
    check_writable(path)?;
    let error = |source: io::Error| DataError::Write {
        path: path.to_path_buf(),
        reason: source.to_string(),
    };
    let folder = folder_of(path);
    let name = path.file_name().expect("check_writable: a file name");
    remove_stale_temporaries(folder, name);
    let mut temp = temp_file_for(folder, name).map_err(error)?;
    let mut out = BufWriter::new(temp.as_file_mut());
    write(&mut out).map_err(error)?;
    out.flush().map_err(error)?;
    drop(out);
    temp.as_file().sync_all().map_err(error)?;
    temp.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// Refuse, before any work, a `path` that [`write_safely`] could not write
/// as a regular file: its folder must exist and take new files, and `path`
/// must not exist or be a regular file.
pub fn check_writable(path: &Path) -> Result<(), DataError> {
    let refuse = |reason: String| {
        Err(DataError::Write {
            path: path.to_path_buf(),
            reason,
        })
    };
    let folder = folder_of(path);
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => return refuse("is a directory; give a file name".into()),
        Ok(meta) if meta.file_type().is_symlink() => {
            let target =
                fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
            return refuse(format!(
                "is a symbolic link (to {target}); mnn replaces only regular files, \
                 give the file's own path"
            ));
        }
        Ok(meta) if !meta.is_file() => {
            return refuse(
                "is not a regular file (a device, pipe or socket); mnn writes only regular files"
                    .into(),
            );
        }
        _ => {}
    }
    let Some(name) = path.file_name() else {
        return refuse("not a file name".into());
    };
    if !folder.is_dir() {
        return refuse(format!("folder {} does not exist", folder.display()));
    }
    // The one sure test that the folder takes new files (permissions, a
    // read-only mount, root's privileges): make one, which is then removed.
    if let Err(e) = temp_file_for(folder, name) {
        return refuse(format!("folder {} is not writable: {e}", folder.display()));
    }
    Ok(())
}

/// Remove `.<name>.<pid>.*.tmp` files in `folder` left by processes that are
/// no longer running (on systems without `/proc`: older than a day). Errors
/// are ignored: this is tidying, not the write.
pub fn remove_stale_temporaries(folder: &Path, name: &std::ffi::OsStr) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    let prefix = temp_prefix(name);
    let prefix = prefix.to_string_lossy();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(rest) = file_name.strip_prefix(&*prefix) else {
            continue;
        };
        if !rest.ends_with(".tmp") {
            continue;
        }
        let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !process_is_running(pid, &entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the process that made a temporary file may still be writing it.
fn process_is_running(pid: u32, entry: &fs::DirEntry) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    let age = entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    age.is_none_or(|age| age.as_secs() < 24 * 60 * 60)
}

/// `.<name>.<pid>.`: the start of this process's temporaries for `name`.
fn temp_prefix(name: &std::ffi::OsStr) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    prefix
}

/// A new temporary file for `name` in `folder`, named `.<name>.<pid>.<random>.tmp`.
fn temp_file_for(folder: &Path, name: &std::ffi::OsStr) -> io::Result<tempfile::NamedTempFile> {
    let mut prefix = temp_prefix(name);
    prefix.push(format!("{}.", std::process::id()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // The finished file gets the permissions any new file would (0666 less
    // the umask), not the private 0600 of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(folder)
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_replaces_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        write_safely(&path, |w| w.write_all(b"one")).unwrap();
        write_safely(&path, |w| w.write_all(b"two")).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(names_in(dir.path()), ["m.bin"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        fs::write(&path, b"old").unwrap();
        let err = write_safely(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: cannot write: disk on fire", path.display())
        );
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(names_in(dir.path()), ["m.bin"]);
    }

    #[test]
    fn devices_links_folders_and_missing_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cases: Vec<(std::path::PathBuf, &str)> = vec![
            (dir.path().into(), "is a directory"),
            (dir.path().join("no/m.bin"), "does not exist"),
            #[cfg(unix)]
            ("/dev/null".into(), "is not a regular file"),
            #[cfg(unix)]
            ("/dev/full".into(), "is not a regular file"),
        ];
        #[cfg(unix)]
        let cases = {
            let mut cases = cases;
            let link = dir.path().join("link.bin");
            std::os::unix::fs::symlink(dir.path().join("target.bin"), &link).unwrap();
            cases.push((link, "is a symbolic link"));
            cases
        };
        for (path, reason) in cases {
            let err = write_safely(&path, |w| w.write_all(b"x")).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with(&path.display().to_string()), "{text}");
            assert!(text.contains(reason), "{text}");
        }
        #[cfg(unix)]
        assert!(
            fs::symlink_metadata(dir.path().join("link.bin"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_folder_is_found_before_the_work() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ro = dir.path().join("ro");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        let probe = ro.join("probe");
        let writable = fs::write(&probe, b"").is_ok(); // root writes anyway
        let _ = fs::remove_file(&probe);
        let result = check_writable(&ro.join("m.bin"));
        assert_eq!(result.is_ok(), writable, "{result:?}");
        if let Err(err) = result {
            assert!(err.to_string().contains("is not writable"), "{err}");
        }
        assert!(names_in(&ro).is_empty());
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn temporaries_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.bin");
        // pid 4294967 cannot exist (Linux pids are at most 2^22); our own is alive.
        let dead = ".m.bin.4294967.AbC123.tmp";
        let live = format!(".m.bin.{}.XyZ789.tmp", std::process::id());
        let other = ".other.bin.4294967.AbC123.tmp";
        for name in [dead, live.as_str(), other] {
            fs::write(dir.path().join(name), b"partial").unwrap();
        }
        write_safely(&path, |w| w.write_all(b"done")).unwrap();
        let mut expected = vec![other.to_string(), live, "m.bin".to_string()];
        expected.sort();
        if Path::new("/proc/self").exists() {
            assert_eq!(names_in(dir.path()), expected);
        }
    }
}
