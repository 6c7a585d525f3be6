//! `--data`, `--train-csv`, `--test-csv`: where the MNIST data comes from,
//! read from the flags and loaded by mnn-train.

use crate::{DataArgs, UsageError};
use anyhow::Result;
use mnn_data::Dataset;
use mnn_train::{DataSource, Folder, LoadedData};
use std::path::Path;

pub use mnn_train::{DEFAULT_DIR, Need};

/// The data `need` asks for: the book's CSV files (`--train-csv`,
/// `--test-csv`), the MNIST directory from `--data` / `MNN_DATA` (which must
/// exist), or `data/mnist`; when none was asked for and `data/mnist` is
/// missing, the built-in sample, with a note.
pub fn load(args: &DataArgs, need: Need) -> Result<LoadedData> {
    let source = match (&args.train_csv, &args.test_csv, need) {
        (train, Some(test), Need::Test) | (train @ Some(_), Some(test), Need::TrainAndTest) => {
            DataSource::Csv {
                train: train.clone(),
                test: test.clone(),
            }
        }
        (Some(_), None, _) => {
            return Err(UsageError("--train-csv needs --test-csv too".into()).into());
        }
        (None, Some(_), Need::TrainAndTest) => {
            return Err(UsageError("--test-csv needs --train-csv too".into()).into());
        }
        (None, None, _) => match &args.data {
            Some(dir) => {
                check_dir(dir)?;
                DataSource::Dir(dir.clone())
            }
            None => DataSource::Default,
        },
    };
    let loaded = mnn_train::load(&source, need)?;
    if let Some(folder) = &loaded.fallback {
        eprintln!("{}", fallback_note(folder, in_checkout()));
    }
    Ok(loaded)
}

/// The note when `data/mnist` did not hold the files a run needs: what was
/// found there, that the run uses the built-in sample, and how to get the
/// full set from where `mnn` was started (`in_checkout`: an mnn checkout,
/// where `cargo xtask download` fills `data/mnist`).
fn fallback_note(folder: &Folder, in_checkout: bool) -> String {
    let found = match folder {
        Folder::Missing | Folder::Complete => format!("{DEFAULT_DIR} not found"),
        Folder::Incomplete { found, .. } if found.is_empty() => {
            format!("{DEFAULT_DIR} holds none of the MNIST files")
        }
        Folder::Incomplete { found, missing } => format!(
            "{DEFAULT_DIR} holds {} but not {} (raw or .gz)",
            found.join(", "),
            missing.join(", ")
        ),
    };
    let advice = if in_checkout {
        "for the full MNIST run `cargo xtask download` first (or `cargo xtask download --from DIR` \
         with a folder holding the four .gz files)"
    } else {
        "for the full MNIST give `--data DIR` or set MNN_DATA to a folder with the four MNIST \
         files (`cargo xtask download` in the mnn checkout puts them in its data/mnist)"
    };
    format!(
        "note: {found}, so this runs on the book's sample of 100 training and 10 test records; \
         {advice}"
    )
}

/// Whether `mnn` runs at the top of an mnn checkout, where `cargo xtask`
/// works and downloads into the `data/mnist` looked at.
fn in_checkout() -> bool {
    Path::new("Cargo.toml").is_file() && Path::new("xtask").is_dir()
}

/// A usage error (exit status 2) unless `dir`, given with `--data` or
/// `MNN_DATA`, is a directory.
pub fn check_dir(dir: &Path) -> Result<()> {
    let problem = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => "is a file, not a directory",
        Err(_) => "no such directory",
    };
    Err(UsageError(format!(
        "{} {}: {problem} (get MNIST with `cargo xtask download`)",
        data_option(),
        dir.display()
    ))
    .into())
}

/// How the data directory was given: `--data` on the command line, else the
/// `MNN_DATA` environment variable.
fn data_option() -> &'static str {
    let on_command_line = std::env::args_os().any(|arg| {
        let arg = arg.to_string_lossy();
        arg == "--data" || arg.starts_with("--data=")
    });
    if on_command_line {
        "--data"
    } else {
        "MNN_DATA"
    }
}

/// A usage error (exit status 2) unless `--index` `index` is a record of
/// `set`, the `name` set ("test", "training") of `loaded`.
pub fn check_index(index: usize, set: &Dataset, name: &str, loaded: &LoadedData) -> Result<()> {
    if index < set.len() {
        return Ok(());
    }
    Err(UsageError(format!(
        "--index {index}: the {name} set of {} has {} records (0..={})",
        loaded.description,
        set.len(),
        set.len().saturating_sub(1)
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_note_says_what_was_found_and_what_helps_from_here() {
        let half = Folder::Incomplete {
            found: vec!["train-images-idx3-ubyte"],
            missing: vec!["t10k-images-idx3-ubyte"],
        };
        let note = fallback_note(&half, true);
        assert!(
            note.starts_with(
                "note: data/mnist holds train-images-idx3-ubyte but not t10k-images-idx3-ubyte"
            ),
            "{note}"
        );
        assert!(note.contains("cargo xtask download"), "{note}");
        let empty = Folder::Incomplete {
            found: vec![],
            missing: vec!["t10k-images-idx3-ubyte"],
        };
        let note = fallback_note(&empty, false);
        assert!(note.contains("holds none of the MNIST files"), "{note}");
        assert!(
            note.contains("--data DIR") && note.contains("MNN_DATA"),
            "{note}"
        );
        assert!(fallback_note(&Folder::Missing, false).starts_with("note: data/mnist not found"));
    }
}
