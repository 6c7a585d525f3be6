//! Fetching: opening a file at a source (a folder, or a URL with timeouts and
//! a deadline), and copying it with a progress bar.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::files::Expected;
use super::source::Source;

/// One place tried for one file, and why it did not do.
#[derive(Debug)]
pub(super) struct Attempt {
    pub(super) location: String,
    pub(super) reason: String,
    /// The place answered (a file was read or a server replied), so the
    /// failure is about this file, not about reaching the mirror.
    pub(super) reached: bool,
}

pub(super) fn copy_with_progress(
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
pub(super) struct Opened {
    pub(super) reader: Box<dyn Read>,
    pub(super) len: Option<u64>,
    pub(super) location: String,
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

    pub(super) fn open(&self, source: &Source, file: &Expected) -> Result<Opened, Attempt> {
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
