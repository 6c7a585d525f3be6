//! The temporaries downloads are written to: named `.<file>.gz.<pid>.<random>.tmp`
//! in the destination folder, so that those of killed runs can be told apart
//! and removed.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use tempfile::NamedTempFile;

use super::files::Expected;

/// `.<file>.gz.<pid>.<random>.tmp`: the pid says whether its maker still runs.
pub(super) fn temp_file_in(dest_dir: &Path, file: &Expected) -> io::Result<NamedTempFile> {
    let prefix = format!(".{}.{}.", file.gz_name(), std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Readable by all once installed, like any data file (not the private
    // 0600 a temporary file gets by default).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    builder.tempfile_in(dest_dir)
}

/// Remove `.<gz_name>.*.tmp` files of earlier runs that are no longer
/// running (killed mid-download): those named with a pid that is not alive,
/// and those of older versions, named without one. On systems without
/// `/proc`, only those older than a day.
pub(super) fn remove_stale_temporaries(dest_dir: &Path, gz_name: &str) {
    let Ok(entries) = fs::read_dir(dest_dir) else {
        return;
    };
    let prefix = format!(".{gz_name}.");
    let has_proc = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        if !rest.ends_with(".tmp") {
            continue;
        }
        let pid = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
        let alive = match pid {
            Some(pid) if pid == std::process::id() => true,
            Some(pid) if has_proc => Path::new("/proc").join(pid.to_string()).exists(),
            None if has_proc => false,
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age < Duration::from_secs(24 * 60 * 60)),
        };
        if !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

pub(super) fn gzip_to_temp(
    raw: &Path,
    dest_dir: &Path,
    file: &Expected,
) -> io::Result<NamedTempFile> {
    let mut temp = temp_file_in(dest_dir, file)?;
    let mut encoder = GzEncoder::new(temp.as_file_mut(), Compression::default());
    io::copy(&mut File::open(raw)?, &mut encoder)?;
    encoder.finish()?.flush()?;
    Ok(temp)
}
