//! End-to-end: `mnn tour` prints what the `mnn-tour` library computes.

mod common;

use common::*;

#[test]
fn tour_all_prints_every_chapter_with_the_books_numbers() {
    let empty = tempfile::tempdir().unwrap();
    let out = mnn(&["tour", "--all"], empty.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let chapters = mnn_tour_chapters();
    for (i, title) in chapters.iter().enumerate() {
        let heading = format!("Chapter {} of {}: {title}", i + 1, chapters.len());
        assert!(text.contains(&heading), "no {heading:?} in:\n{text}");
    }
    // A few of the book's figures, and the corrected ones beside its misprints.
    for figure in [
        "0.7408",
        "0.6457",
        "⎣43  50⎦",
        "0.726",
        "2.005",
        "-0.04969",
        "book erratum",
    ] {
        assert!(text.contains(figure), "no {figure} in:\n{text}");
    }
    // Without data/mnist the record comes from the built-in sample.
    assert!(
        text.contains("label 7: record 0 of the test set of the book's sample"),
        "{text}"
    );
}

#[test]
fn tour_chapter_shows_one_chapter_and_refuses_one_past_the_end() {
    let empty = tempfile::tempdir().unwrap();
    let out = mnn(&["tour", "--chapter", "9"], empty.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Chapter 9 of 11: Weight update worked example"),
        "{text}"
    );
    assert!(
        !text.contains("Chapter 8") && !text.contains("Chapter 10"),
        "{text}"
    );
    for args in [["tour", "--chapter", "12"], ["tour", "--index", "10"]] {
        let out = mnn(&args, empty.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(args[1]), "{}", stderr(&out));
    }
}

fn mnn_tour_chapters() -> Vec<String> {
    let mut titles: Vec<String> = mnn_tour::book_chapters()
        .into_iter()
        .map(|c| c.title)
        .collect();
    titles.push("One MNIST record through 784-200-10".into());
    titles
}
