//! Steps as text for a terminal: lines, matrices side by side, tables.

use crate::{Block, Num, Seg, Step, Term};

/// `value` with `decimals` digits after the point, as the tour prints it
/// (never `-0.00`).
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// The step as text: a heading with its `label` (e.g. "3.2"), where the
/// book shows it, which code computed it, then its blocks.
pub fn render_step(step: &Step, label: &str) -> String {
    let mut out = format!("── {label}  {} ──\n", step.title);
    out.push_str(&format!(
        "book: \"{}\", p. {}\n",
        step.book.chapter, step.book.page
    ));
    out.push_str(&format!("code: {}\n\n", step.code.join(", ")));
    for block in &step.blocks {
        for line in block_lines(block) {
            let line = format!("  {line}");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

fn block_lines(block: &Block) -> Vec<String> {
    match block {
        Block::Line(segs) => vec![segs.iter().map(seg_text).collect()],
        Block::Picture(lines) => lines.clone(),
        Block::Equation(terms) => equation_lines(terms),
        Block::Table { header, rows } => table_lines(header, rows),
    }
}

fn seg_text(seg: &Seg) -> String {
    match seg {
        Seg::Text(t) => t.clone(),
        Seg::Num(n) => n.text(),
        Seg::Quote { text, .. } => text.clone(),
    }
}

/// Terms side by side, each centred on the middle line; matrices in
/// brackets with their columns right-aligned.
fn equation_lines(terms: &[Term]) -> Vec<String> {
    let height = terms
        .iter()
        .map(|t| match t {
            Term::Matrix(rows) => rows.len(),
            Term::Text(_) => 1,
        })
        .max()
        .unwrap_or(1);
    let mut lines = vec![String::new(); height];
    for term in terms {
        let column = match term {
            Term::Text(text) => vec![text.clone()],
            Term::Matrix(rows) => matrix_lines(rows),
        };
        let width = column.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let top = (height - column.len()) / 2;
        for (i, line) in lines.iter_mut().enumerate() {
            let text = i
                .checked_sub(top)
                .and_then(|r| column.get(r))
                .map_or("", String::as_str);
            line.push_str(&format!("{text:<width$}"));
        }
    }
    lines
}

fn matrix_lines(rows: &[Vec<Num>]) -> Vec<String> {
    let texts: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Num::text).collect())
        .collect();
    let cols = texts.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            texts
                .iter()
                .filter_map(|r| r.get(c))
                .map(|t| t.len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let n = texts.len();
    texts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (left, right) = match (n, i) {
                (1, _) => ('[', ']'),
                (_, 0) => ('⎡', '⎤'),
                (_, i) if i == n - 1 => ('⎣', '⎦'),
                _ => ('⎢', '⎥'),
            };
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(t, &w)| format!("{t:>w$}"))
                .collect();
            format!("{left}{}{right}", cells.join("  "))
        })
        .collect()
}

fn table_lines(header: &[String], rows: &[Vec<Seg>]) -> Vec<String> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(seg_text).collect())
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            cells
                .iter()
                .filter_map(|r| r.get(c))
                .chain(std::iter::once(&header[c]))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    // Columns right-aligned, except a last one without a heading (notes).
    let notes = header.last().is_some_and(String::is_empty);
    let line = |texts: &[String]| -> String {
        texts
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (t, &w))| {
                if notes && c + 1 == header.len() {
                    t.clone()
                } else {
                    format!("{t:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    std::iter::once(line(header))
        .chain(cells.iter().map(|r| line(r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn num(value: f64, decimals: usize) -> Num {
        Num {
            value,
            decimals,
            source: Source::Book {
                page: 0,
                pointer: String::new(),
            },
        }
    }

    #[test]
    fn numbers_never_print_minus_zero() {
        assert_eq!(format_number(-0.0001, 3), "0.000");
        assert_eq!(format_number(-0.04969, 5), "-0.04969");
        assert_eq!(format_number(19.0, 0), "19");
    }

    #[test]
    fn equations_put_matrices_side_by_side() {
        let m = Term::Matrix(vec![
            vec![num(0.9, 1), num(0.3, 1)],
            vec![num(0.2, 1), num(10.8, 1)],
        ]);
        let v = Term::Matrix(vec![vec![num(1.0, 1)], vec![num(0.5, 1)]]);
        let lines = equation_lines(&[m, Term::Text(" · ".into()), v]);
        assert_eq!(lines, ["⎡0.9   0.3⎤ · ⎡1.0⎤", "⎣0.2  10.8⎦   ⎣0.5⎦"]);
    }
}
