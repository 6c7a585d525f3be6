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
//! send at most what the file's known size allows
//! ([`files::Expected::max_download`]) within [`files::FILE_DEADLINE`];
//! temporaries are named `.<file>.<pid>.<random>.tmp` and those of earlier,
//! killed runs are removed at the start; Ctrl-C removes the current one; a
//! run that fetched nothing into a folder it created removes the folder
//! again, so a failed first download does not hide the built-in sample from
//! `mnn`.
//!
//! The temporaries are tempfile's, persisted by rename, as in mnn-data's
//! `write_safely` (the workspace's one atomic-write helper); xtask may depend
//! on no mnn crate, so the few lines naming and tidying them are repeated here.
//!
//! The modules, one job each: [`files`] (what is fetched), [`source`]
//! (`--from`), [`fetch`] (opening a file at a source, copying it), [`verify`]
//! (SHA-256 of the content), [`temporary`] (naming and tidying temporaries),
//! [`interrupt`] (Ctrl-C) and [`install`] (putting it together: check, fetch,
//! verify, rename, and the messages).

mod fetch;
mod files;
mod install;
mod interrupt;
mod source;
mod temporary;
mod verify;

#[cfg(test)]
mod tests;

use anyhow::Result;

use fetch::Fetcher;
use files::{FILE_DEADLINE, MNIST_FILES, PUBLIC_MIRRORS};
use install::install_all;
pub use interrupt::on_interrupt;
use source::Source;

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
