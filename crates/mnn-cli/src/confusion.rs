//! `mnn test --confusion` and `--mistakes`: which digits the network mixes
//! up, and a gallery of the test digits it got wrong, worst first, from the
//! one scoring of the test set (`mnn_train::evaluate`).

use crate::pictures::{Canvas, GLYPH_HEIGHT, GLYPH_WIDTH, ink_to_dark, upscale};
use crate::report::Reporter;
use anyhow::Result;
use mnn_data::{DIGITS, Dataset, IMAGE_COLS, IMAGE_ROWS, save_png_gray};
use mnn_train::{Evaluation, Mistake};
use std::path::Path;

/// How many times larger than 28×28 each digit in the gallery is.
const TILE_SCALE: usize = 2;
/// Pictures per row of the gallery.
const GALLERY_COLUMNS: usize = 10;
/// Size of a font pixel of the labels, in image pixels.
const LABEL_SCALE: usize = 2;

/// The confusion matrix as text: a row per true digit, a column per
/// predicted digit, then the row's total and the digit's accuracy.
pub fn confusion_lines(confusion: &[[usize; DIGITS]; DIGITS]) -> Vec<String> {
    let mut lines =
        vec!["confusion matrix (rows: true digit, columns: what the network answered)".to_string()];
    let header: String = (0..DIGITS).map(|d| format!("{d:>6}")).collect();
    lines.push(format!("true {header}   total  accuracy"));
    for (digit, row) in confusion.iter().enumerate() {
        let total: usize = row.iter().sum();
        let cells: String = row.iter().map(|n| format!("{n:>6}")).collect();
        let accuracy = if total == 0 {
            "     -".to_string()
        } else {
            format!("{:.4}", row[digit] as f64 / total as f64)
        };
        lines.push(format!("{digit:>4} {cells} {total:>7}    {accuracy}"));
    }
    lines
}

/// The `limit` worst mistakes as a gallery: each digit dark on white, with
/// "true → predicted" written above it, ten to a row.
pub fn gallery(test: &Dataset, mistakes: &[Mistake], limit: usize) -> Canvas {
    let shown = &mistakes[..mistakes.len().min(limit)];
    let tile = IMAGE_COLS * TILE_SCALE;
    let margin = 8;
    let label_height = GLYPH_HEIGHT * LABEL_SCALE;
    let cell_width = tile + margin;
    let cell_height = label_height + 4 + tile + margin;
    let columns = shown.len().clamp(1, GALLERY_COLUMNS);
    let rows = shown.len().div_ceil(GALLERY_COLUMNS).max(1);
    let mut canvas = Canvas::new(margin + columns * cell_width, margin + rows * cell_height);
    for (i, mistake) in shown.iter().enumerate() {
        let left = margin + (i % GALLERY_COLUMNS) * cell_width;
        let top = margin + (i / GALLERY_COLUMNS) * cell_height;
        draw_label(&mut canvas, left, top, mistake.label, mistake.predicted);
        let picture = upscale(
            &ink_to_dark(test.image(mistake.index)),
            IMAGE_COLS,
            IMAGE_ROWS,
            TILE_SCALE,
        );
        canvas.paste(left, top + label_height + 4, &picture, tile, tile);
    }
    canvas
}

/// "7 → 2" in the built-in font, centred over a tile whose left edge is `left`.
fn draw_label(canvas: &mut Canvas, left: usize, top: usize, label: usize, predicted: usize) {
    let advance = (GLYPH_WIDTH + 1) * LABEL_SCALE;
    let text_width = 3 * advance - LABEL_SCALE;
    let start = left + (IMAGE_COLS * TILE_SCALE).saturating_sub(text_width) / 2;
    canvas.digit(start, top, label, LABEL_SCALE);
    draw_arrow(canvas, start + advance, top);
    canvas.digit(start + 2 * advance, top, predicted, LABEL_SCALE);
}

/// A right arrow the size of a digit of the built-in font.
const ARROW: [u8; GLYPH_HEIGHT] = [
    0b00000, 0b00100, 0b00010, 0b11111, 0b00010, 0b00100, 0b00000,
];

fn draw_arrow(canvas: &mut Canvas, left: usize, top: usize) {
    for (row, bits) in ARROW.iter().enumerate() {
        for col in 0..GLYPH_WIDTH {
            if bits & (1 << (GLYPH_WIDTH - 1 - col)) == 0 {
                continue;
            }
            for dy in 0..LABEL_SCALE {
                for dx in 0..LABEL_SCALE {
                    let (x, y) = (left + col * LABEL_SCALE + dx, top + row * LABEL_SCALE + dy);
                    if x < canvas.width && y < canvas.height {
                        canvas.pixels[y * canvas.width + x] = 0;
                    }
                }
            }
        }
    }
}

/// The extra reports of `mnn test`: the confusion matrix and per-digit
/// accuracy (`confusion`), and the gallery of at most `limit` mistakes
/// (`mistakes_png`).
pub fn report(
    score: &Evaluation,
    test: &Dataset,
    confusion: bool,
    mistakes_png: Option<&Path>,
    limit: usize,
    out: &Reporter,
) -> Result<()> {
    if !confusion && mistakes_png.is_none() {
        return Ok(());
    }
    if confusion {
        for line in confusion_lines(&score.confusion) {
            out.line(line);
        }
    }
    if let Some(path) = mistakes_png {
        let canvas = gallery(test, &score.mistakes, limit);
        save_png_gray(path, canvas.width, canvas.height, &canvas.pixels)?;
        out.line(format_args!(
            "wrote {} ({} of {} mistakes, largest error first, each labelled true → predicted)",
            path.display(),
            score.mistakes.len().min(limit),
            score.mistakes.len(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mnn_data::IMAGE_PIXELS;

    fn dataset(labels: &[u8]) -> Dataset {
        let mut data = Dataset::new(IMAGE_ROWS, IMAGE_COLS);
        for &label in labels {
            data.push(label, &[label * 20; IMAGE_PIXELS]);
        }
        data
    }

    #[test]
    fn the_matrix_text_has_a_row_per_digit_with_its_accuracy() {
        let mut confusion = [[0; DIGITS]; DIGITS];
        confusion[2][2] = 3;
        confusion[2][5] = 1;
        let lines = confusion_lines(&confusion);
        assert_eq!(lines.len(), 2 + DIGITS);
        let row2: Vec<&str> = lines[4].split_whitespace().collect();
        assert_eq!(
            row2,
            [
                "2", "0", "0", "3", "0", "0", "1", "0", "0", "0", "0", "4", "0.7500"
            ]
        );
        assert!(lines[2].trim_end().ends_with('-'), "{}", lines[2]);
    }

    #[test]
    fn the_gallery_has_a_labelled_tile_per_mistake_up_to_the_limit() {
        let test = dataset(&[1, 2, 3]);
        let mistakes: Vec<Mistake> = (0..3)
            .map(|index| Mistake {
                index,
                label: index + 1,
                predicted: 0,
                error: 0.5,
            })
            .collect();
        let canvas = gallery(&test, &mistakes, 2);
        let tile = IMAGE_COLS * TILE_SCALE;
        assert_eq!(canvas.width, 8 + 2 * (tile + 8));
        // Each tile shows its digit's ink (255 - label * 20) under a label.
        let label_bottom = 8 + GLYPH_HEIGHT * LABEL_SCALE;
        let at = |x: usize, y: usize| canvas.pixels[y * canvas.width + x];
        assert_eq!(at(8 + tile / 2, label_bottom + 4 + tile / 2), 255 - 20);
        assert_eq!(
            at(8 + tile + 8 + tile / 2, label_bottom + 4 + tile / 2),
            255 - 40
        );
        for left in [8, 8 + tile + 8] {
            let ink = (8..label_bottom)
                .flat_map(|y| (left..left + tile).map(move |x| (x, y)))
                .filter(|&(x, y)| at(x, y) == 0)
                .count();
            assert!(
                ink > 20,
                "label above the tile at {left} has {ink} dark pixels"
            );
        }
    }
}
