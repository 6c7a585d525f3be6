//! The book's worked examples, replayed by mnn's own code: `mnn tour`.
//!
//! *Make Your Own Neural Network* teaches with small numbers a reader can
//! check by hand. This crate recomputes each of them with the types the rest
//! of mnn is built from ([`mnn_matrix::Matrix`], [`mnn_net::NeuralNetwork`],
//! [`mnn_net::sigmoid`]) and lays them out as the book does, step by step.
//! Each [`Step`] names the book's chapter and page and the functions that
//! computed it; each printed number is a [`Num`] that says where the book
//! prints it ([`Source::Book`], a JSON pointer into the book's figures) or
//! which quantity of the MNIST pass it is ([`Source::Record`]), so a test can
//! hold every number against the book. Where the book's own arithmetic is
//! wrong the tour prints the correct value and says what the book printed.
//!
//! ```
//! let chapters = mnn_tour::book_chapters();
//! let first = &chapters[0].steps[0];
//! assert_eq!(first.book.page, 14);
//! print!("{}", mnn_tour::render_step(first, "1.1"));
//!
//! // One MNIST record through the book's 784-200-10 network:
//! let pixels = [0u8; 784];
//! let record = mnn_tour::record_chapter(&mnn_tour::record_network(), &pixels, 7, "a blank 7");
//! assert_eq!(record.steps.len(), 3);
//! ```
//!
//! The binary (`mnn tour`) only prints these steps and waits for Enter.

#![forbid(unsafe_code)]

mod book;
mod record;
mod render;

pub use book::book_chapters;
pub use record::{STRONGEST, record_chapter, record_network};
pub use render::{format_number, render_step};

/// A part of the tour: one chapter of the book (or the MNIST record).
#[derive(Debug, Clone)]
pub struct Chapter {
    pub title: String,
    pub steps: Vec<Step>,
}

/// One screenful: a piece of the book's arithmetic, computed by mnn.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    /// Where the book shows it.
    pub book: BookRef,
    /// The functions that computed the numbers, e.g. `mnn_matrix::Matrix::mul_vec`.
    pub code: Vec<&'static str>,
    pub blocks: Vec<Block>,
}

/// A chapter and page of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookRef {
    pub chapter: &'static str,
    pub page: u16,
}

/// A piece of a step's layout.
#[derive(Debug, Clone)]
pub enum Block {
    /// One line of text and numbers.
    Line(Vec<Seg>),
    /// Matrices and vectors side by side, e.g. `W · I = X`.
    Equation(Vec<Term>),
    /// A picture drawn with block characters (holds no numbers).
    Picture(Vec<String>),
    /// A table: a header row, then rows of cells.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Seg>>,
    },
}

/// Part of a line: text, or a number.
#[derive(Debug, Clone)]
pub enum Seg {
    Text(String),
    Num(Num),
    /// Text quoted from the book (e.g. a formula), at a JSON pointer.
    Quote {
        page: u16,
        pointer: &'static str,
        text: String,
    },
}

/// Part of an equation: an operator or name, or a matrix (a column vector
/// is a matrix of one column).
#[derive(Debug, Clone)]
pub enum Term {
    Text(String),
    Matrix(Vec<Vec<Num>>),
}

/// A number as the tour prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    pub value: f64,
    /// Digits after the decimal point, as the book prints it.
    pub decimals: usize,
    pub source: Source,
}

impl Num {
    /// The number as printed.
    pub fn text(&self) -> String {
        format_number(self.value, self.decimals)
    }
}

/// Where a printed number can be checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The book's figure on `page`: `pointer` is a JSON pointer into that
    /// page's entry of the book's figures (`worked_examples.json`), e.g.
    /// `/values/y_node1`; for the book's errata, `.../recomputed` is the
    /// correct value and `.../book_printed` what the book printed.
    Book { page: u16, pointer: String },
    /// A quantity of the MNIST record's pass (no book figure).
    Record(Quantity),
}

/// A quantity of the MNIST record's pass through the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Hidden node `j`'s output, `σ(W_ih·x)[j]`.
    Hidden(usize),
    /// Output node `k`, `σ(W_ho·hidden)[k]`.
    Output(usize),
    /// The target of output `k`: 0.99 at the label, 0.01 elsewhere.
    Target(usize),
    /// `target − out` at output `k`.
    OutputError(usize),
    /// Hidden node `j`'s error `(W_hoᵀ·e_o)[j]`.
    HiddenError(usize),
    /// Output `k` after one train step on the record.
    OutputAfter(usize),
    /// How far output `k` moved in that step.
    OutputChange(usize),
}

impl Step {
    /// Every number the step prints, in order.
    pub fn numbers(&self) -> Vec<&Num> {
        fn segs<'a>(segs: &'a [Seg], out: &mut Vec<&'a Num>) {
            for seg in segs {
                if let Seg::Num(n) = seg {
                    out.push(n);
                }
            }
        }
        let mut out = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Line(line) => segs(line, &mut out),
                Block::Equation(terms) => {
                    for term in terms {
                        if let Term::Matrix(rows) = term {
                            out.extend(rows.iter().flatten());
                        }
                    }
                }
                Block::Picture(_) => {}
                Block::Table { rows, .. } => rows.iter().for_each(|r| segs(r, &mut out)),
            }
        }
        out
    }
}

/// The whole tour: the book's worked examples, then one MNIST record
/// (`pixels`, 0..=255 row by row, and its `label`) through the book's
/// 784-200-10 network; `about` says where the record came from.
pub fn tour(pixels: &[u8], label: u8, about: &str) -> Vec<Chapter> {
    let mut chapters = book_chapters();
    chapters.push(record_chapter(&record_network(), pixels, label, about));
    chapters
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
