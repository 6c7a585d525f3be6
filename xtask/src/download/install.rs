//! Installing: each file checked in place, or fetched from the first source
//! with a verified copy into a temporary, then renamed to its final name; the
//! messages when no copy could be had.

use std::fmt;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::fetch::{Attempt, Fetcher, copy_with_progress};
use super::files::Expected;
use super::interrupt::CurrentTemporary;
use super::source::Source;
use super::temporary::{gzip_to_temp, remove_stale_temporaries, temp_file_in};
use super::verify::{ContentKind, content_sha256, sha256_hex, verify_installed};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AlreadyPresent,
    Installed { from: String },
}

/// The counts printed on the closing line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub dest: PathBuf,
    pub installed: usize,
    pub already_present: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MNIST ready in {}: {} files verified ({} fetched, {} already present)",
            self.dest.display(),
            self.installed + self.already_present,
            self.installed,
            self.already_present
        )
    }
}

/// Makes sure each of `files` is in `dest_dir`, gzipped and verified, fetching
/// the missing or invalid ones from the first of `sources` that has a good copy.
///
/// Every file is attempted; the error, if any, lists each failed file with each
/// place tried and why it was refused.
pub fn install_all(
    dest_dir: &Path,
    files: &[Expected],
    sources: &[Source],
    fetcher: &Fetcher,
) -> Result<Summary> {
    let created = !dest_dir.exists();
    fs::create_dir_all(dest_dir)
        .with_context(|| format!("cannot create {}", dest_dir.display()))?;
    for file in files {
        remove_stale_temporaries(dest_dir, &file.gz_name());
    }
    let result = install_each(dest_dir, files, sources, fetcher);
    if result.is_err() && created {
        // Only if empty: a folder we made and filled with nothing must not
        // make `mnn` believe a download happened.
        let _ = fs::remove_dir(dest_dir);
    }
    result
}

fn install_each(
    dest_dir: &Path,
    files: &[Expected],
    sources: &[Source],
    fetcher: &Fetcher,
) -> Result<Summary> {
    // A mirror that could not be reached at all is not asked again for the
    // next files: without network that would only repeat the same wait.
    let mut unreachable: Vec<Option<String>> = vec![None; sources.len()];
    let mut summary = Summary {
        dest: dest_dir.to_path_buf(),
        ..Summary::default()
    };
    let mut failures = Vec::new();
    for file in files {
        match install_one(dest_dir, file, sources, fetcher, &mut unreachable) {
            Ok(Outcome::AlreadyPresent) => {
                println!("{}: already present", file.gz_name());
                summary.already_present += 1;
            }
            Ok(Outcome::Installed { from }) => {
                println!("{}: verified, installed from {from}", file.gz_name());
                summary.installed += 1;
            }
            Err(failure) => failures.push(failure),
        }
    }
    if failures.is_empty() {
        return Ok(summary);
    }
    let any_reached = failures
        .iter()
        .any(|f| f.attempts.iter().any(|a| a.reached));
    if !any_reached {
        bail!(unreachable_message(sources, &failures));
    }
    let mut message = String::new();
    for failure in &failures {
        message.push_str(&failure.to_string());
    }
    message.push_str(&format!(
        "Nothing unverified was installed in {}.",
        dest_dir.display()
    ));
    bail!(message)
}

/// When no source answered at all (no network, say): one short message, with
/// what still works, rather than one line per file per mirror.
fn unreachable_message(sources: &[Source], failures: &[FileFailure]) -> String {
    let first_reason = failures
        .iter()
        .flat_map(|f| &f.attempts)
        .map(|a| a.reason.as_str())
        .next()
        .unwrap_or("no answer");
    let places = if sources.len() == 1 {
        sources[0].to_string()
    } else {
        format!("any of the {} MNIST mirrors", sources.len())
    };
    format!(
        "cannot reach {places} ({first_reason}).\n\
         `cargo run -p mnn-cli` still works: it trains on the built-in sample (data/mnist_train_100.csv).\n\
         With a copy of the four MNIST .gz files, run: cargo xtask download --from DIR"
    )
}

/// Everything tried for one file.
#[derive(Debug)]
struct FileFailure {
    gz_name: String,
    invalid_existing: Option<String>,
    attempts: Vec<Attempt>,
}

impl fmt::Display for FileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: no verified copy could be had:", self.gz_name)?;
        for attempt in &self.attempts {
            writeln!(f, "  {}: {}", attempt.location, attempt.reason)?;
        }
        if let Some(reason) = &self.invalid_existing {
            writeln!(
                f,
                "  (the {} already there is invalid: {reason}; it was left untouched)",
                self.gz_name
            )?;
        }
        Ok(())
    }
}

fn install_one(
    dest_dir: &Path,
    file: &Expected,
    sources: &[Source],
    fetcher: &Fetcher,
    unreachable: &mut [Option<String>],
) -> Result<Outcome, FileFailure> {
    let final_path = dest_dir.join(file.gz_name());
    let mut invalid_existing = None;
    if final_path.exists() {
        match verify_installed(&final_path, file.sha256) {
            Ok(()) => return Ok(Outcome::AlreadyPresent),
            Err(reason) => {
                eprintln!(
                    "{}: present but invalid ({reason}); fetching a fresh copy",
                    final_path.display()
                );
                invalid_existing = Some(reason);
            }
        }
    }
    let mut attempts = Vec::new();
    for (source, dead) in sources.iter().zip(unreachable.iter_mut()) {
        if let Some(reason) = dead {
            attempts.push(Attempt {
                location: source.to_string(),
                reason: format!("not tried again ({reason})"),
                reached: false,
            });
            continue;
        }
        match fetch_verified(dest_dir, file, source, fetcher) {
            Ok(location) => return Ok(Outcome::Installed { from: location }),
            Err(attempt) => {
                if !attempt.reached {
                    *dead = Some(attempt.reason.clone());
                }
                attempts.push(attempt);
            }
        }
    }
    Err(FileFailure {
        gz_name: file.gz_name(),
        invalid_existing,
        attempts,
    })
}

/// Copies `file` from `source` into a temporary file in `dest_dir`, verifies
/// it and renames it to its final name. On error the temporary file is gone
/// (dropping a `NamedTempFile` deletes it).
fn fetch_verified(
    dest_dir: &Path,
    file: &Expected,
    source: &Source,
    fetcher: &Fetcher,
) -> Result<String, Attempt> {
    let opened = fetcher.open(source, file)?;
    let location = opened.location;
    let fail = |reason: String| Attempt {
        location: location.clone(),
        reason,
        reached: true,
    };
    let max = file.max_download();
    if let Some(len) = opened.len.filter(|&len| len > max) {
        return Err(fail(format!(
            "announces {len} bytes, more than this file can take ({max}); not downloaded"
        )));
    }
    let mut temp = temp_file_in(dest_dir, file).map_err(|e| fail(e.to_string()))?;
    let _interrupt_guard = CurrentTemporary::set(temp.path());
    let copied = copy_with_progress(
        opened.reader.take(max + 1),
        opened.len,
        &file.gz_name(),
        temp.as_file_mut(),
    )
    .map_err(|e| fail(format!("read failed: {e}")))?;
    if copied > max {
        return Err(fail(format!(
            "sent more than this file can take ({max} bytes); stopped there"
        )));
    }

    let content = content_sha256(temp.path()).map_err(|e| {
        // Still say what was expected, and what the served bytes hash to.
        let served = File::open(temp.path()).and_then(sha256_hex);
        let served = served.map_or_else(|e| e.to_string(), |sha| format!("SHA-256 {sha}"));
        fail(format!(
            "{e} (expected decompressed content with SHA-256 {}; the file as served has {served})",
            file.sha256
        ))
    })?;
    if content.sha256 != file.sha256 {
        return Err(fail(format!(
            "wrong content: SHA-256 of the {} is {}, expected {}",
            content.kind.describe(),
            content.sha256,
            file.sha256
        )));
    }
    let temp = match content.kind {
        ContentKind::Gzip => temp,
        // A mirror that serves the file uncompressed: store it gzipped, as
        // the loader expects, and check the compressed copy reads back right.
        ContentKind::Raw => {
            let gz = gzip_to_temp(temp.path(), dest_dir, file).map_err(|e| fail(e.to_string()))?;
            verify_installed(gz.path(), file.sha256).map_err(fail)?;
            gz
        }
    };
    temp.as_file()
        .sync_all()
        .map_err(|e| fail(format!("cannot flush the download to disk: {e}")))?;
    let final_path = dest_dir.join(file.gz_name());
    temp.persist(&final_path).map_err(|e| {
        fail(format!(
            "cannot rename the verified download to {}: {}",
            final_path.display(),
            e.error
        ))
    })?;
    Ok(location)
}
