//! What the end-to-end tests share: running `mnn` as a person would, and
//! finding the repository's data.

#![allow(dead_code)] // each test file uses its own share of these

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `mnn args` in `cwd`, with no `MNN_DATA` from the caller's shell.
pub fn mnn(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mnn"))
        .args(args)
        .current_dir(cwd)
        .env_remove("MNN_DATA")
        .output()
        .expect("mnn runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The last line of stdout, parsed as JSON (what `--json` prints).
pub fn last_json(o: &Output) -> serde_json::Value {
    let text = stdout(o);
    let line = text.lines().last().expect("some stdout");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("last line {line:?} is not JSON: {e}"))
}

/// The repository's `data/` folder (the book's samples, and MNIST once
/// downloaded).
pub fn repo_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The full MNIST in `data/mnist`, for the tests marked
/// `#[ignore = "needs full MNIST in data/mnist (cargo xtask download)"]`:
/// they run only when asked for (`cargo test -- --include-ignored`, as CI
/// does), so a missing dataset is a failure.
pub fn full_mnist() -> PathBuf {
    let dir = repo_data().join("mnist");
    assert!(
        dir.join("t10k-labels-idx1-ubyte.gz").exists()
            || dir.join("t10k-labels-idx1-ubyte").exists(),
        "this test needs full MNIST in {}: run `cargo xtask download` first",
        dir.display()
    );
    dir
}
