//! `cargo xtask download`: fetch the four MNIST files into `data/mnist/`.
//!
//! Each file is kept gzipped, as the loader reads it, and is trusted only once
//! the SHA-256 of its *decompressed* content matches the canonical value below
//! (mirrors compress differently, so the `.gz` bytes themselves differ).
//!
//! A download goes to a temporary file inside the destination folder and is
//! renamed to its final name only after it was verified, so an interrupted or
//! corrupted download never leaves a file the loader would pick up.
//!
//! Nothing is left behind either, and nothing can take forever: a mirror may
//! send at most what the file's known size allows ([`Expected::max_download`])
//! within [`FILE_DEADLINE`]; temporaries are named `.<file>.<pid>.<random>.tmp`
//! and those of earlier, killed runs are removed at the start; Ctrl-C removes
//! the current one; a run that fetched nothing into a folder it created
//! removes the folder again, so a failed first download does not hide the
//! built-in sample from `mnn`.
//!
//! The temporaries are tempfile's, persisted by rename, as in mnn-data's
//! `write_safely` (the workspace's one atomic-write helper); xtask may depend
//! on no mnn crate, so the few lines naming and tidying them are repeated here.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

/// One file of the data set: its name without `.gz`, the SHA-256 of its
/// decompressed content, and that content's size in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    pub size: u64,
}

impl Expected<'_> {
    /// The name the file is stored under: gzipped.
    pub fn gz_name(&self) -> String {
        format!("{}.gz", self.name)
    }

    /// The most a mirror may send for this file: its content uncompressed,
    /// or gzipped with no compression at all (deflate's stored blocks add 5
    /// bytes per 64 KiB; the gzip header and trailer are small), with margin.
    pub fn max_download(&self) -> u64 {
        self.size + self.size / 1000 + 1024
    }
}

/// The longest one file's download may take, from asking to the last byte: a
/// mirror that drips a byte now and then is given up on.
pub const FILE_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// The canonical MNIST files (LeCun & Cortes), hashed decompressed.
pub const MNIST_FILES: [Expected<'static>; 4] = [
    Expected {
        name: "train-images-idx3-ubyte",
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        size: 47_040_016,
    },
    Expected {
        name: "train-labels-idx1-ubyte",
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        size: 60_008,
    },
    Expected {
        name: "t10k-images-idx3-ubyte",
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        size: 7_840_016,
    },
    Expected {
        name: "t10k-labels-idx1-ubyte",
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        size: 10_008,
    },
];

/// Public mirrors, tried in this order.
pub const PUBLIC_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];

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

/// `cargo xtask download [--from DIR_OR_URL]`.
pub fn run(from: Option<&str>) -> Result<()> {
    let dest = crate::project_root().join("data").join("mnist");
    let sources = match from {
        Some(from) => vec![Source::parse(from)?],
        None => PUBLIC_MIRRORS
            .iter()
            .map(|base| Source::Http(base.to_string()))
            .collect(),
    };
    let summary = install_all(&dest, &MNIST_FILES, &sources, &Fetcher::new(FILE_DEADLINE))?;
    println!("{summary}");
    Ok(())
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

/// One place tried for one file, and why it did not do.
#[derive(Debug)]
struct Attempt {
    location: String,
    reason: String,
    /// The place answered (a file was read or a server replied), so the
    /// failure is about this file, not about reaching the mirror.
    reached: bool,
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

/// `.<file>.gz.<pid>.<random>.tmp`: the pid says whether its maker still runs.
fn temp_file_in(dest_dir: &Path, file: &Expected) -> io::Result<NamedTempFile> {
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
fn remove_stale_temporaries(dest_dir: &Path, gz_name: &str) {
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

/// The temporary file being downloaded into, removed by Ctrl-C.
static CURRENT_TEMPORARY: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// Registers a temporary for [`on_interrupt`] while alive.
struct CurrentTemporary;

impl CurrentTemporary {
    fn set(path: &Path) -> CurrentTemporary {
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

/// A file installed under its final name must be gzip and decompress to the
/// expected content. The error is a short reason for a message.
fn verify_installed(path: &Path, expected_sha256: &str) -> Result<(), String> {
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
enum ContentKind {
    Gzip,
    Raw,
}

impl ContentKind {
    fn describe(self) -> &'static str {
        match self {
            ContentKind::Gzip => "decompressed content",
            ContentKind::Raw => "uncompressed file",
        }
    }
}

struct Content {
    kind: ContentKind,
    sha256: String,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The SHA-256 of what a file holds: of its decompressed stream when it
/// starts with the gzip magic bytes, else of its bytes as they are.
fn content_sha256(path: &Path) -> io::Result<Content> {
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

fn sha256_hex(mut reader: impl Read) -> io::Result<String> {
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

fn gzip_to_temp(raw: &Path, dest_dir: &Path, file: &Expected) -> io::Result<NamedTempFile> {
    let mut temp = temp_file_in(dest_dir, file)?;
    let mut encoder = GzEncoder::new(temp.as_file_mut(), Compression::default());
    io::copy(&mut File::open(raw)?, &mut encoder)?;
    encoder.finish()?.flush()?;
    Ok(temp)
}

fn copy_with_progress(
    reader: impl Read,
    len: Option<u64>,
    label: &str,
    out: &mut File,
) -> io::Result<u64> {
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    let template = "{msg:28} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    let copied = io::copy(&mut bar.wrap_read(reader), out);
    bar.finish_and_clear();
    let copied = copied?;
    out.flush()?;
    Ok(copied)
}

/// A readable file at a source.
struct Opened {
    reader: Box<dyn Read>,
    len: Option<u64>,
    location: String,
}

/// Opens files at sources; holds the HTTP agent, with short timeouts so that
/// a machine without network fails quickly (two mirrors in under 30 s), and
/// a deadline for each whole file.
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    /// `deadline`: the longest one file may take, from asking to the last byte.
    pub fn new(deadline: Duration) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(deadline))
            .timeout_resolve(Some(Duration::from_secs(5)))
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_recv_response(Some(Duration::from_secs(20)))
            .timeout_per_read(Some(Duration::from_secs(30)))
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    fn open(&self, source: &Source, file: &Expected) -> Result<Opened, Attempt> {
        match source {
            Source::Dir(dir) => open_in_dir(dir, file),
            Source::Http(base) => self.open_url(&format!("{base}{}", file.gz_name())),
        }
    }

    fn open_url(&self, url: &str) -> Result<Opened, Attempt> {
        match self.agent.get(url).call() {
            Ok(response) => {
                let body = response.into_body();
                Ok(Opened {
                    len: body.content_length(),
                    reader: Box::new(body.into_reader()),
                    location: url.to_string(),
                })
            }
            Err(ureq::Error::StatusCode(code)) => Err(Attempt {
                location: url.to_string(),
                reason: format!("HTTP status {code}"),
                reached: true,
            }),
            Err(e) => Err(Attempt {
                location: url.to_string(),
                reason: e.to_string(),
                reached: false,
            }),
        }
    }
}

/// A folder mirror holds `NAME.gz`, or else `NAME` uncompressed.
fn open_in_dir(dir: &Path, file: &Expected) -> Result<Opened, Attempt> {
    let gz = dir.join(file.gz_name());
    let raw = dir.join(file.name);
    let path = if gz.exists() || !raw.exists() {
        gz
    } else {
        raw
    };
    match File::open(&path) {
        Ok(f) => Ok(Opened {
            len: f.metadata().ok().map(|m| m.len()),
            reader: Box::new(f),
            location: path.display().to_string(),
        }),
        Err(e) => Err(Attempt {
            location: path.display().to_string(),
            reason: e.to_string(),
            // The folder is there (checked by `Source::parse`); a missing
            // file is about this file only.
            reached: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufWriter};
    use std::net::TcpListener;

    /// SHA-256 of the five bytes `hello`, a well-known value.
    const HELLO_SHA256: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    const HELLO: Expected<'static> = Expected {
        name: "fake-hello",
        sha256: HELLO_SHA256,
        size: 5,
    };

    /// [`install_all`] with a short deadline per file.
    fn install(dest: &Path, files: &[Expected], sources: &[Source]) -> Result<Summary> {
        install_all(dest, files, sources, &Fetcher::new(Duration::from_secs(3)))
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    }

    /// The names in a folder, sorted: to check nothing but what we expect is left.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The message of an [`install`] that must fail.
    fn refusal(dest: &Path, files: &[Expected], sources: &[Source]) -> String {
        install(dest, files, sources).unwrap_err().to_string()
    }

    /// Checks that a refused download left nothing in `dir`.
    fn assert_left_empty(dir: &Path) {
        assert!(names_in(dir).is_empty(), "{:?}", names_in(dir));
    }

    fn mirror_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
        let mirror = tempfile::tempdir().unwrap();
        fs::write(mirror.path().join(name), bytes).unwrap();
        mirror
    }

    #[test]
    fn sha256_of_raw_file_is_the_known_value() {
        let dir = mirror_with("hello", b"hello");
        let content = content_sha256(&dir.path().join("hello")).unwrap();
        assert_eq!(content.kind, ContentKind::Raw);
        assert_eq!(content.sha256, HELLO_SHA256);
    }

    #[test]
    fn valid_gzip_is_installed_as_downloaded() {
        let served = gzip(b"hello");
        let mirror = mirror_with("fake-hello.gz", &served);
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Dir(mirror.path().to_path_buf())];

        let summary = install(dest.path(), &[HELLO], &sources).unwrap();

        assert_eq!((summary.installed, summary.already_present), (1, 0));
        assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
        assert_eq!(fs::read(dest.path().join("fake-hello.gz")).unwrap(), served);
    }

    #[test]
    fn valid_file_already_present_is_skipped() {
        let mirror = mirror_with("fake-hello.gz", &gzip(b"hello"));
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Dir(mirror.path().to_path_buf())];
        install(dest.path(), &[HELLO], &sources).unwrap();

        // With the mirror emptied, only a skip can succeed.
        fs::remove_file(mirror.path().join("fake-hello.gz")).unwrap();
        let summary = install(dest.path(), &[HELLO], &sources).unwrap();

        assert_eq!((summary.installed, summary.already_present), (0, 1));
        assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
    }

    #[test]
    fn wrong_content_is_refused_and_leaves_no_file() {
        let served = gzip(b"jello");
        let mirror = mirror_with("fake-hello.gz", &served);
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Dir(mirror.path().to_path_buf())];

        let message = refusal(dest.path(), &[HELLO], &sources);

        let mut actual = Sha256::new();
        actual.update(b"jello");
        let actual: String = actual
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(message.contains("fake-hello.gz"), "{message}");
        assert!(message.contains(HELLO_SHA256), "{message}");
        assert!(message.contains(&actual), "{message}");
        assert_left_empty(dest.path());
    }

    #[test]
    fn truncated_gzip_is_refused_and_leaves_no_file() {
        let whole = gzip(&[7u8; 10_000]);
        let truncated = &whole[..whole.len() / 2];
        let mirror = mirror_with("fake-hello.gz", truncated);
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Dir(mirror.path().to_path_buf())];

        let message = refusal(dest.path(), &[HELLO], &sources);

        assert!(message.contains("not a valid gzip stream"), "{message}");
        assert!(message.contains(HELLO_SHA256), "{message}");
        assert_left_empty(dest.path());
    }

    #[test]
    fn invalid_existing_file_is_replaced_only_by_a_verified_one() {
        let dest = tempfile::tempdir().unwrap();
        let final_path = dest.path().join("fake-hello.gz");
        let stale = gzip(b"stale");
        fs::write(&final_path, &stale).unwrap();

        // A bad mirror does not replace it...
        let bad = mirror_with("fake-hello.gz", &gzip(b"jello"));
        let message = refusal(dest.path(), &[HELLO], &[Source::Dir(bad.path().into())]);
        assert!(message.contains("already there is invalid"), "{message}");
        assert_eq!(fs::read(&final_path).unwrap(), stale);

        // ...a good one does.
        let good = mirror_with("fake-hello.gz", &gzip(b"hello"));
        let summary = install(dest.path(), &[HELLO], &[Source::Dir(good.path().into())]).unwrap();
        assert_eq!(summary.installed, 1);
        assert_eq!(gunzip(&fs::read(&final_path).unwrap()), b"hello");
        assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
    }

    #[test]
    fn uncompressed_mirror_file_is_stored_gzipped() {
        let mirror = mirror_with("fake-hello", b"hello");
        let dest = tempfile::tempdir().unwrap();

        install(dest.path(), &[HELLO], &[Source::Dir(mirror.path().into())]).unwrap();

        let stored = fs::read(dest.path().join("fake-hello.gz")).unwrap();
        assert_eq!(stored[..2], GZIP_MAGIC);
        assert_eq!(gunzip(&stored), b"hello");
    }

    #[test]
    fn later_source_is_tried_when_the_first_lacks_the_file() {
        let empty = tempfile::tempdir().unwrap();
        let good = mirror_with("fake-hello.gz", &gzip(b"hello"));
        let dest = tempfile::tempdir().unwrap();
        let sources = [
            Source::Dir(empty.path().into()),
            Source::Dir(good.path().into()),
        ];

        install(dest.path(), &[HELLO], &sources).unwrap();

        assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
    }

    #[test]
    fn unreachable_mirror_gives_a_clear_message() {
        // Nothing listens on port 1 of the loopback address: refused at once.
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Http("http://127.0.0.1:1/mnist/".into())];
        let other = Expected {
            name: "fake-other",
            sha256: HELLO_SHA256,
            size: 5,
        };

        let message = refusal(dest.path(), &[HELLO, other], &sources);

        // One short message, not one line per file per mirror.
        assert_eq!(message.lines().count(), 3, "{message}");
        assert!(
            message.starts_with("cannot reach http://127.0.0.1:1/mnist/ ("),
            "{message}"
        );
        assert!(
            message.contains("`cargo run -p mnn-cli` still works"),
            "{message}"
        );
        assert!(message.contains("--from DIR"), "{message}");
        assert_left_empty(dest.path());

        // A folder the failed download created is not left behind, empty.
        let fresh = dest.path().join("data/mnist");
        install(&fresh, &[HELLO], &sources).unwrap_err();
        assert!(!fresh.exists());
        assert!(dest.path().join("data").exists());
    }

    #[test]
    fn temporaries_of_killed_runs_are_removed() {
        let mirror = mirror_with("fake-hello.gz", &gzip(b"hello"));
        let dest = tempfile::tempdir().unwrap();
        let live = format!(".fake-hello.gz.{}.XyZ.tmp", std::process::id());
        for name in [
            ".fake-hello.gz.4294967.AbC.tmp", // a pid that cannot exist
            ".fake-hello.gz.AbCdEf.tmp",      // an older version's name
            live.as_str(),
        ] {
            fs::write(dest.path().join(name), b"partial").unwrap();
        }
        install(dest.path(), &[HELLO], &[Source::Dir(mirror.path().into())]).unwrap();
        if Path::new("/proc/self").exists() {
            let mut expected = vec![live, "fake-hello.gz".to_string()];
            expected.sort();
            assert_eq!(names_in(dest.path()), expected);
        }
    }

    #[test]
    fn a_mirror_announcing_or_sending_too_much_is_cut_off() {
        let dest = tempfile::tempdir().unwrap();
        let max = HELLO.max_download() as usize;
        let announced = serve(vec![("200 OK", vec![0; max + 1])]);
        let message = refusal(dest.path(), &[HELLO], &[Source::Http(announced)]);
        assert!(
            message.contains("more than this file can take"),
            "{message}"
        );

        // No Content-Length: the body is read only as far as the cap.
        let endless = serve_without_length(vec![7; 10 * max]);
        let message = refusal(dest.path(), &[HELLO], &[Source::Http(endless)]);
        assert!(
            message.contains("sent more than this file can take"),
            "{message}"
        );
        assert_left_empty(dest.path());
    }

    #[test]
    fn a_dripping_mirror_meets_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for _ in 0..100 {
                if stream.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let dest = tempfile::tempdir().unwrap();
        let start = std::time::Instant::now();
        let fetcher = Fetcher::new(Duration::from_secs(1));
        let err = install_all(dest.path(), &[HELLO], &[Source::Http(base)], &fetcher).unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        assert!(err.to_string().contains("fake-hello.gz"), "{err}");
        assert_left_empty(dest.path());
    }

    /// Accepts the next connection and reads its request up to the blank
    /// line; the answer goes to the writer returned.
    fn next_request(listener: &TcpListener) -> BufWriter<std::net::TcpStream> {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        BufWriter::new(stream)
    }

    /// Serves `body` once with no Content-Length (the body ends when the
    /// connection closes). Returns the URL base.
    fn serve_without_length(body: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let mut out = next_request(&listener);
            let _ = out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let _ = out.write_all(&body);
            let _ = out.flush();
        });
        base
    }

    /// Serves `responses` (status line + body) to successive connections on
    /// loopback, then stops. Returns the URL base.
    fn serve(responses: Vec<(&'static str, Vec<u8>)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (status, body) in responses {
                let mut out = next_request(&listener);
                write!(
                    out,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .unwrap();
                out.write_all(&body).unwrap();
                out.flush().unwrap();
            }
        });
        base
    }

    #[test]
    fn http_mirror_is_used_after_a_404() {
        let served = gzip(b"hello");
        let missing = serve(vec![("404 Not Found", Vec::new())]);
        let good = serve(vec![("200 OK", served.clone())]);
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Http(missing), Source::Http(good)];

        install(dest.path(), &[HELLO], &sources).unwrap();

        assert_eq!(fs::read(dest.path().join("fake-hello.gz")).unwrap(), served);
    }

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

    /// The real thing, against the shared copy of MNIST beside the repository
    /// (`<dir>/repo` next to `<dir>/shared`), installed into a temporary folder.
    #[test]
    #[ignore = "needs the shared copy of MNIST in ../shared/data/mnist, beside the repository"]
    fn real_mnist_from_the_shared_copy_verifies() {
        let shared = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/mnist"
        ));
        assert!(
            shared.is_dir(),
            "this test needs the shared copy of MNIST at {} (the repository beside shared/)",
            shared.display()
        );
        let dest = tempfile::tempdir().unwrap();
        let sources = [Source::Dir(shared.to_path_buf())];

        let summary = install(dest.path(), &MNIST_FILES, &sources).unwrap();

        assert_eq!(summary.installed, 4);
        let again = install(dest.path(), &MNIST_FILES, &sources).unwrap();
        assert_eq!(again.already_present, 4);
    }
}
