//! `mnn tour`: the book's worked examples, computed by mnn's own code, one
//! step at a time (the steps themselves come from the `mnn-tour` library).

use crate::report::outln;
use crate::{DataArgs, UsageError, data};
use anyhow::Result;
use clap::Args;
use std::io::{BufRead, IsTerminal};

/// `mnn tour` flags.
#[derive(Debug, Clone, Args)]
#[command(after_help = "\
Chapters 1-8 replay Part 1 of the book: its small examples, with its numbers, computed \
by mnn-matrix and mnn-net (each step names the book's chapter and page and the function \
that computed it). Where the book's own arithmetic is wrong, the tour prints the correct \
value and says what the book printed. Chapter 9 sends one MNIST test record through the \
book's 784-200-10 network and takes one training step. In a terminal the tour waits for \
Enter after each step (q and Enter to stop); --all, or output to a pipe, prints it \
straight through.")]
pub struct TourArgs {
    /// Print every step without waiting for Enter
    #[arg(long)]
    pub all: bool,
    /// Show only chapter N
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub chapter: Option<u32>,
    /// The test record for the last chapter, counting from 0
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub index: usize,
    #[command(flatten)]
    pub data: DataArgs,
}

pub fn run_tour(args: &TourArgs) -> Result<()> {
    let mut chapters = mnn_tour::book_chapters();
    let count = chapters.len() + 1;
    let wanted = match args.chapter {
        Some(n) if n as usize > count => {
            return Err(
                UsageError(format!("--chapter {n}: the tour has chapters 1 to {count}")).into(),
            );
        }
        Some(n) => Some(n as usize),
        None => None,
    };
    if wanted.is_none_or(|n| n == count) {
        chapters.push(record_chapter(args)?);
    }
    let wait = !args.all && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let mut stdin = std::io::stdin().lock();
    let shown = chapters
        .iter()
        .enumerate()
        .map(|(c, chapter)| (c + 1, chapter))
        .filter(|(number, _)| wanted.is_none_or(|n| n == *number));
    let mut first = true;
    for (number, chapter) in shown {
        for (s, step) in chapter.steps.iter().enumerate() {
            if wait && !first {
                eprint!("[Enter: next step, q Enter: stop] ");
                let mut answer = String::new();
                if stdin.read_line(&mut answer)? == 0 || answer.trim() == "q" {
                    return Ok(());
                }
            }
            first = false;
            if s == 0 {
                outln!("\nChapter {number} of {count}: {}\n", chapter.title);
            }
            outln!(
                "{}",
                mnn_tour::render_step(step, &format!("{number}.{}", s + 1))
            );
        }
    }
    Ok(())
}

/// The last chapter: test record `--index` through 784-200-10.
fn record_chapter(args: &TourArgs) -> Result<mnn_tour::Chapter> {
    let loaded = data::load(&args.data, data::Need::Test)?;
    let test = &loaded.mnist.test;
    data::check_index(args.index, test, "test", &loaded)?;
    let about = format!(
        "record {} of the test set of {}",
        args.index, loaded.description
    );
    Ok(mnn_tour::record_chapter(
        &mnn_tour::record_network(),
        test.image(args.index),
        test.label(args.index),
        &about,
    ))
}
