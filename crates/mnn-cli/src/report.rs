//! Where results go: human lines, progress bars and the `--json` line.

use indicatif::{ProgressBar, ProgressStyle};

/// Prints human-readable lines to stdout, or to stderr under `--json` so that
/// stdout carries the JSON object alone.
pub struct Reporter {
    json: bool,
}

impl Reporter {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// One human-readable line.
    pub fn line(&self, text: impl std::fmt::Display) {
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }

    /// The machine-readable result: one JSON object as the last stdout line.
    pub fn json(&self, value: &serde_json::Value) {
        if self.json {
            println!("{value}");
        }
    }

    /// A progress bar on stderr (drawn only when stderr is a terminal).
    pub fn progress(&self, len: u64, prefix: String) -> ProgressBar {
        let bar = ProgressBar::new(len).with_prefix(prefix);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40.cyan/blue}] {human_pos}/{human_len} {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    }
}
