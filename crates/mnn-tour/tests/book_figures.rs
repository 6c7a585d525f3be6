//! Every number the tour prints, held against the book's figures
//! (`tests/data/worked_examples.json`) or, for the MNIST record, against a
//! naive f64 reference of the book's formulas.

use mnn_tour::{Block, Chapter, Num, Quantity, Seg, Source, Step, Term, format_number};
use serde_json::Value;
use std::collections::BTreeSet;

fn figures() -> Vec<Value> {
    serde_json::from_str(include_str!("data/worked_examples.json")).expect("valid JSON")
}

fn entry(figures: &[Value], page: u16) -> &Value {
    figures
        .iter()
        .find(|e| e["page"] == u64::from(page))
        .unwrap_or_else(|| panic!("no book entry for page {page}"))
}

fn book_number(figures: &[Value], page: u16, pointer: &str) -> f64 {
    entry(figures, page)
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("p. {page}: no number at {pointer}"))
}

fn all_steps(chapters: &[Chapter]) -> impl Iterator<Item = &Step> {
    chapters.iter().flat_map(|c| &c.steps)
}

/// The decimal numbers in `text` (digits with a point inside, an optional
/// leading minus), in order.
fn decimals_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let start = if i > 0 && chars[i - 1] == '-' {
                i - 1
            } else {
                i
            };
            let mut end = i;
            while end < chars.len()
                && (chars[end].is_ascii_digit()
                    || (chars[end] == '.'
                        && chars.get(end + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                end += 1;
            }
            let token: String = chars[start..end].iter().collect();
            if token.contains('.') {
                out.push(token);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn quotes(step: &Step) -> Vec<(u16, &'static str, &str)> {
    let mut out = vec![];
    for block in &step.blocks {
        if let Block::Line(segs) = block {
            for seg in segs {
                if let Seg::Quote {
                    page,
                    pointer,
                    text,
                } = seg
                {
                    out.push((*page, *pointer, text.as_str()));
                }
            }
        }
    }
    out
}

/// The rendered step's decimal numbers are exactly its [`Num`]s: nothing is
/// printed that the tests do not check.
fn assert_prints_only_its_numbers(step: &Step) {
    let mut text = mnn_tour::render_step(step, "step");
    for (_, _, quote) in quotes(step) {
        text = text.replace(quote, "");
    }
    let mut printed = decimals_in(&text);
    let mut checked: Vec<String> = step
        .numbers()
        .iter()
        .map(|n| n.text())
        .filter(|t| t.contains('.'))
        .collect();
    printed.sort();
    checked.sort();
    assert_eq!(printed, checked, "step {:?}:\n{text}", step.title);
}

#[test]
fn every_number_of_the_worked_examples_is_the_books() {
    let figures = figures();
    let chapters = mnn_tour::book_chapters();
    let mut count = 0;
    for step in all_steps(&chapters) {
        assert_eq!(
            entry(&figures, step.book.page)["chapter"],
            step.book.chapter,
            "step {:?} names the book's chapter of p. {}",
            step.title,
            step.book.page
        );
        for num in step.numbers() {
            let Source::Book { page, pointer } = &num.source else {
                panic!("step {:?}: {num:?} is not the book's", step.title);
            };
            match entry(&figures, *page).pointer(pointer) {
                // A value the book's notes give in their text (recomputed
                // unrounded values).
                Some(Value::String(note)) => assert!(
                    decimals_in(note).contains(&num.text()),
                    "step {:?}: p. {page} {pointer} has no {}",
                    step.title,
                    num.text()
                ),
                _ => {
                    let book = book_number(&figures, *page, pointer);
                    assert_eq!(
                        num.text(),
                        format_number(book, num.decimals),
                        "step {:?}: p. {page} {pointer} is {book} in the book",
                        step.title
                    );
                }
            }
            count += 1;
        }
        for (page, pointer, text) in quotes(step) {
            assert_eq!(
                entry(&figures, page).pointer(pointer),
                Some(&Value::from(text))
            );
        }
        assert_prints_only_its_numbers(step);
    }
    assert!(count > 150, "only {count} numbers checked");
}

/// Pointers to every `{book_printed, recomputed}` pair under `value`.
fn errata(value: &Value, at: String, out: &mut Vec<String>) {
    if let Value::Object(map) = value {
        if map.contains_key("book_printed") && map.contains_key("recomputed") {
            out.push(at.clone());
        }
        for (key, inner) in map {
            errata(inner, format!("{at}/{key}"), out);
        }
    }
}

#[test]
fn every_erratum_of_a_toured_page_is_shown_both_ways() {
    let figures = figures();
    let chapters = mnn_tour::book_chapters();
    let pointers: BTreeSet<(u16, String)> = all_steps(&chapters)
        .flat_map(Step::numbers)
        .filter_map(|n| match &n.source {
            Source::Book { page, pointer } => Some((*page, pointer.clone())),
            Source::Record(_) => None,
        })
        .collect();
    let pages: BTreeSet<u16> = pointers.iter().map(|(p, _)| *p).collect();
    let mut shown = 0;
    for page in pages {
        let mut found = vec![];
        errata(entry(&figures, page), String::new(), &mut found);
        for at in found {
            for side in ["book_printed", "recomputed"] {
                assert!(
                    pointers.contains(&(page, format!("{at}/{side}"))),
                    "p. {page}: {at}/{side} is not shown"
                );
            }
            shown += 1;
        }
    }
    assert_eq!(shown, 8, "the errata of pp. 65 (one) and 100 (seven)");
}

#[test]
fn the_tour_covers_every_page_of_its_test_data() {
    let figures = figures();
    let chapters = mnn_tour::tour(&[0; 784], 0, "a blank record");
    let mut pages: BTreeSet<u16> = all_steps(&chapters).map(|s| s.book.page).collect();
    for step in all_steps(&chapters) {
        for num in step.numbers() {
            if let Source::Book { page, .. } = num.source {
                pages.insert(page);
            }
        }
    }
    let in_data: BTreeSet<u16> = figures
        .iter()
        .map(|e| e["page"].as_u64().unwrap() as u16)
        .collect();
    assert_eq!(pages, in_data);
}

/// The first record of the book's 10-record test sample, in this repository.
fn first_sample_record() -> (Vec<u8>, u8) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/mnist_test_10.csv");
    let text = std::fs::read_to_string(path).expect("the book's sample in data/");
    let values: Vec<u8> = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(|v| v.trim().parse().unwrap())
        .collect();
    (values[1..].to_vec(), values[0])
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `σ(W·x)` in f64, `w` row by row.
fn layer(w: &[Vec<f64>], x: &[f64]) -> Vec<f64> {
    w.iter()
        .map(|row| sigmoid(row.iter().zip(x).map(|(a, b)| a * b).sum()))
        .collect()
}

#[test]
fn the_record_chapter_is_the_books_formulas_in_f64() {
    let (pixels, label) = first_sample_record();
    let net = mnn_tour::record_network();
    let chapter = mnn_tour::record_chapter(&net, &pixels, label, "record 0 of the sample");
    let rows = |m: &mnn_matrix::Matrix| -> Vec<Vec<f64>> {
        m.row_iter()
            .map(|r| r.iter().map(|&v| f64::from(v)).collect())
            .collect()
    };
    let (mut w_ih, mut w_ho) = (
        rows(net.weights_input_hidden()),
        rows(net.weights_hidden_output()),
    );
    let x: Vec<f64> = pixels
        .iter()
        .map(|&p| f64::from(p) / 255.0 * 0.99 + 0.01)
        .collect();
    let targets: Vec<f64> = (0..10)
        .map(|k| if k == usize::from(label) { 0.99 } else { 0.01 })
        .collect();
    let hidden = layer(&w_ih, &x);
    let out = layer(&w_ho, &hidden);
    let e_o: Vec<f64> = targets.iter().zip(&out).map(|(t, o)| t - o).collect();
    let e_h: Vec<f64> = (0..hidden.len())
        .map(|j| (0..10).map(|k| w_ho[k][j] * e_o[k]).sum())
        .collect();
    let lr = 0.1;
    for k in 0..10 {
        for j in 0..hidden.len() {
            w_ho[k][j] += lr * e_o[k] * out[k] * (1.0 - out[k]) * hidden[j];
        }
    }
    for j in 0..hidden.len() {
        for i in 0..x.len() {
            w_ih[j][i] += lr * e_h[j] * hidden[j] * (1.0 - hidden[j]) * x[i];
        }
    }
    let after = layer(&w_ho, &layer(&w_ih, &x));

    let mut shown_hidden = vec![];
    for step in &chapter.steps {
        for num in step.numbers() {
            let Source::Record(quantity) = num.source else {
                panic!("{num:?} in the record chapter");
            };
            let want = match quantity {
                Quantity::Hidden(j) => {
                    shown_hidden.push(hidden[j]);
                    hidden[j]
                }
                Quantity::Output(k) => out[k],
                Quantity::Target(k) => targets[k],
                Quantity::OutputError(k) => e_o[k],
                Quantity::HiddenError(j) => e_h[j],
                Quantity::OutputAfter(k) => after[k],
                Quantity::OutputChange(k) => after[k] - out[k],
            };
            // One unit in the last printed place: f32 against f64 may round
            // a final 5 the other way, never more.
            let unit = 10f64.powi(-(num.decimals as i32));
            assert!(
                (num.value - want).abs() < unit,
                "{quantity:?}: printed {} for {want}",
                num.text()
            );
        }
        assert_prints_only_its_numbers(step);
    }
    // The strongest hidden nodes, strongest first.
    let mut sorted = hidden.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(shown_hidden.len(), mnn_tour::STRONGEST);
    for (shown, best) in shown_hidden.iter().zip(&sorted) {
        assert!(
            (shown - best).abs() < 1e-5,
            "{shown} is not the next strongest {best}"
        );
    }
}

#[test]
fn matrices_are_laid_out_in_brackets() {
    let chapters = mnn_tour::book_chapters();
    let step = &chapters[4].steps[0];
    assert!(step.blocks.iter().any(|b| matches!(b, Block::Equation(t) if t.iter().any(|t| matches!(t, Term::Matrix(m) if m.len() == 3)))));
    let text = mnn_tour::render_step(step, "5.1");
    assert!(text.contains("⎡0.9  0.3  0.4⎤"), "{text}");
    assert!(text.contains("⎣0.1  0.5  0.6⎦"), "{text}");
    assert!(text.contains("book: \"A Three Layer Example with Matrix Multiplication\", p. 65"));
    assert!(text.contains("code: mnn_matrix::Matrix::mul_vec"));
}

#[test]
fn numbers_print_as_the_book_rounds_them() {
    let n = Num {
        value: 0.740_77,
        decimals: 4,
        source: Source::Book {
            page: 54,
            pointer: "/values/y_node1".into(),
        },
    };
    assert_eq!(n.text(), "0.7408");
}
