//! Records the git commit `mnn` is built from, for `mnn bench --json`
//! (as `MNN_COMMIT`; nothing outside a git checkout, and `mnn` then says
//! `unknown`).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    if let Some(commit) = git(&["rev-parse", "--short=10", "HEAD"]) {
        println!("cargo:rustc-env=MNN_COMMIT={commit}");
        // Rebuild when HEAD moves: HEAD itself, and the branch it points to.
        // (A file that does not exist would rebuild every time: left out.)
        let branch = git(&["symbolic-ref", "-q", "HEAD"]);
        let watched = ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref());
        for path in watched {
            if let Some(file) = git(&["rev-parse", "--git-path", path])
                && std::path::Path::new(&file).exists()
            {
                println!("cargo:rerun-if-changed={file}");
            }
        }
    }
}
