//! Ctrl-C: the temporary being downloaded into is removed before the process
//! stops.

use std::fs;
use std::path::{Path, PathBuf};

/// The temporary file being downloaded into, removed by Ctrl-C.
static CURRENT_TEMPORARY: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Registers a temporary for [`on_interrupt`] while alive.
pub(super) struct CurrentTemporary;

impl CurrentTemporary {
    pub(super) fn set(path: &Path) -> CurrentTemporary {
        if let Ok(mut current) = CURRENT_TEMPORARY.lock() {
            *current = Some(path.to_path_buf());
        }
        CurrentTemporary
    }
}

impl Drop for CurrentTemporary {
    fn drop(&mut self) {
        if let Ok(mut current) = CURRENT_TEMPORARY.lock() {
            *current = None;
        }
    }
}

/// Ctrl-C during a download: remove the partial file, then stop (exit 130,
/// as a shell reports an interrupted command).
pub fn on_interrupt() {
    if let Ok(current) = CURRENT_TEMPORARY.lock()
        && let Some(path) = current.as_ref()
    {
        let _ = fs::remove_file(path);
        // And the folder, if that left it empty (as a failed run does).
        if let Some(folder) = path.parent() {
            let _ = fs::remove_dir(folder);
        }
    }
    eprintln!("\ninterrupted: no partial download left behind");
    std::process::exit(130);
}
