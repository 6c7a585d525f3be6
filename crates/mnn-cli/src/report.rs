//! Where results go: human lines, progress bars and the `--json` line.

use indicatif::{HumanCount, ProgressBar, ProgressState, ProgressStyle};
use mnn_train::{Divergence, Event, Stall};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// `println!` for `mnn`: when stdout is closed early (`mnn query … | head`),
/// the lines after that are dropped instead of panicking, and the command
/// finishes its work (`mnn train --save m.safetensors | head -1` still saves).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::report::write_stdout_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Set once a write to stdout found its reader gone. This is a fact about the
/// process's stdout, not configuration: every later line is dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line to stdout. After a closed pipe the lines go nowhere and
/// the program carries on; any other write error ends it with a message and
/// exit code 1.
pub fn write_stdout_line(line: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    if let Err(err) = writeln!(std::io::stdout().lock(), "{line}") {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            return;
        }
        eprintln!("error: cannot write to stdout: {err}");
        std::process::exit(1);
    }
}

/// `x` as the `f64` of its shortest decimal form, so that `--json` prints
/// 0.1f32 as 0.1, not as 0.10000000149011612. (Serializing the `f32` itself
/// would print some values differently from the `f64`s around them, e.g.
/// 9.529001e-6 as 0.000009529001.)
pub fn shortest_decimal(x: f32) -> f64 {
    x.to_string().parse().expect("a float prints as a number")
}

/// A number as a person reads it: `1e30` rather than thirty-one digits
/// (from 10⁻⁶ to 10¹⁰ as it is written, `0.001`, `1000000000`).
pub fn short_number(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e10).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The warning for a run that diverged (`mnn train`, each training of a
/// sweep), without the `warning: ` in front.
pub fn divergence_warning(seen: &Divergence, learning_rate: f64) -> String {
    format!(
        "training diverged with learning rate {}: {:.0}% of the outputs are stuck at 0 or 1, \
         where the error no longer falls; try a smaller --lr (the book's are 0.1 to 0.3)",
        short_number(learning_rate),
        seen.stuck_outputs * 100.0
    )
}

/// Learning rates below this that learn nothing are taken to be too small
/// rather than too large (the book's smallest is 0.01).
const TOO_SMALL_LR: f64 = 1e-3;

/// What to try when a run with `learning_rate` learned nothing: the likely
/// cause and a learning rate ten times smaller (or, below [`TOO_SMALL_LR`],
/// larger).
fn stall_advice(learning_rate: f64) -> (String, f64) {
    let three_digits = |x: f64| format!("{x:.2e}").parse::<f64>().unwrap_or(x);
    if learning_rate < TOO_SMALL_LR {
        let larger = three_digits(learning_rate * 10.0);
        let cause = format!(
            "learning rate {} is probably too small to move the weights; try a larger --lr \
             (e.g. {})",
            short_number(learning_rate),
            short_number(larger)
        );
        (cause, larger)
    } else {
        let smaller = three_digits(learning_rate / 10.0);
        let cause = format!(
            "learning rate {} is probably too large for this network (tanh, ReLU and \
             cross-entropy often need a smaller one than the book's sigmoid); try a smaller --lr \
             (e.g. {})",
            short_number(learning_rate),
            short_number(smaller)
        );
        (cause, smaller)
    }
}

/// The warning for a run that learned nothing (`mnn train`, each training
/// of a sweep), without the `warning: ` in front: what was seen, the likely
/// cause and what to try.
pub fn stall_warning(stall: &Stall, learning_rate: f64) -> String {
    let (advice, _) = stall_advice(learning_rate);
    match *stall {
        Stall::NearChance {
            epoch,
            samples,
            accuracy,
        } => format!(
            "the network learned nothing: after epoch {epoch} ({samples} samples) its test \
             accuracy is {accuracy:.4}, near chance (0.1); {advice}"
        ),
        Stall::ErrorNotFalling {
            epoch,
            first,
            error,
        } => format!(
            "the network stopped learning: the mean training error of epoch {epoch} ({error:.5}) \
             is no lower than the first epoch's ({first:.5}); {advice}"
        ),
    }
}

/// `--json`'s `stalled`: `null`, or what was seen and the learning rate to try.
pub fn stall_json(stall: Option<&Stall>, learning_rate: f64) -> serde_json::Value {
    let Some(stall) = stall else {
        return serde_json::Value::Null;
    };
    let (_, suggested_lr) = stall_advice(learning_rate);
    match *stall {
        Stall::NearChance {
            epoch,
            samples,
            accuracy,
        } => serde_json::json!({
            "reason": "accuracy near chance",
            "epoch": epoch,
            "samples": samples,
            "accuracy": accuracy,
            "suggested_lr": suggested_lr,
        }),
        Stall::ErrorNotFalling {
            epoch,
            first,
            error,
        } => serde_json::json!({
            "reason": "training error not falling",
            "epoch": epoch,
            "first_error": first,
            "error": error,
            "suggested_lr": suggested_lr,
        }),
    }
}

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
            outln!("{text}");
        }
    }

    /// The machine-readable result: one JSON object as the last stdout line.
    pub fn json(&self, value: &serde_json::Value) {
        if self.json {
            outln!("{value}");
        }
    }

    /// A progress bar on stderr (drawn only when stderr is a terminal).
    pub fn progress(&self, len: u64, prefix: String) -> ProgressBar {
        let bar = ProgressBar::new(len).with_prefix(prefix);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40.cyan/blue}] {human_pos}/{human_len} {rate} eta {eta}",
            )
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&per_second(state.per_sec()));
                },
            )
            .progress_chars("=> "),
        );
        bar
    }
}

/// A training run's progress bars: one per epoch, `epoch 2/5`, from the
/// run's events, cleared when the epoch ends.
pub struct EpochBars<'a> {
    out: &'a Reporter,
    epochs: u32,
    bar: Option<ProgressBar>,
}

impl<'a> EpochBars<'a> {
    /// The bars of a run of `epochs` epochs, drawn by `out`.
    pub fn new(out: &'a Reporter, epochs: u32) -> Self {
        Self {
            out,
            epochs,
            bar: None,
        }
    }

    /// Starts, moves or clears the bar as `event` says.
    pub fn show(&mut self, event: &Event) {
        match *event {
            Event::EpochStarted { epoch, samples } => {
                let prefix = format!("epoch {epoch}/{}", self.epochs);
                self.bar = Some(self.out.progress(samples as u64, prefix));
            }
            Event::Samples { done } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(done as u64);
                }
            }
            Event::EpochEnded(_) => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
            Event::ThreadFallback(_) | Event::Diverged(_) | Event::Stalled(_) => {}
        }
    }
}

/// A rate as a whole number of samples a second with thousands separators,
/// e.g. `81,205/s` (indicatif's own `{per_sec}` shows `81,204.8518/s`).
pub fn per_second(rate: f64) -> String {
    format!("{}/s", thousands(rate.max(0.0).round() as usize))
}

/// A count with thousands separators: 10000 as `10,000`.
pub fn thousands(n: usize) -> String {
    HumanCount(n as u64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_as_whole_numbers_with_separators() {
        assert_eq!(per_second(81_204.851_8), "81,205/s");
        assert_eq!(per_second(12.4), "12/s");
        assert_eq!(per_second(f64::NAN), "0/s");
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(thousands(10), "10");
        assert_eq!(thousands(10000), "10,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn floats_print_as_the_decimal_they_were_written_as() {
        assert_eq!(serde_json::json!(shortest_decimal(0.1)).to_string(), "0.1");
        assert_eq!(shortest_decimal(0.3), 0.3);
        assert_eq!(shortest_decimal(9.529001e-6), 9.529001e-6);
        assert_eq!(shortest_decimal(1.0), 1.0);
    }
}
