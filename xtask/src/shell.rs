//! Shell helpers: run a command showing it as a shell would, capture a
//! command's output, find a program on PATH.

use std::env;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

pub(crate) fn is_root() -> bool {
    capture("id", &["-u"]).is_ok_and(|uid| uid.trim() == "0")
}

/// Prints the command like a shell would show it, runs it, and fails on a
/// non-zero exit.
pub(crate) fn run_command(command: &mut Command) -> Result<()> {
    let shown = show(command);
    println!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

pub(crate) fn show(command: &Command) -> String {
    let mut words: Vec<String> = command
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, quote(v?.to_str()?))))
        .collect();
    words.push(command.get_program().to_string_lossy().into_owned());
    words.extend(command.get_args().map(|a| quote(&a.to_string_lossy())));
    words.join(" ")
}

pub(crate) fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Stdout of a command that must succeed.
pub(crate) fn capture(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<String> {
    let program = program.as_ref();
    let out = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("{} not found", program.to_string_lossy()))?;
    if !out.status.success() {
        bail!("{} {} failed", program.to_string_lossy(), args.join(" "));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn find_in_path(program: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_shown_as_a_shell_would_take_them() {
        let mut command = Command::new("cargo");
        command.env("RUNNER", "qemu-aarch64 -L /").args([
            "build",
            "--target",
            "aarch64-unknown-linux-gnu",
            "it's",
        ]);
        assert_eq!(
            show(&command),
            r"RUNNER='qemu-aarch64 -L /' cargo build --target aarch64-unknown-linux-gnu 'it'\''s'"
        );
    }
}
