//! Pictures for people: digits drawn as the book draws them (dark ink on white
//! paper, like matplotlib's `cmap='Greys'`), blown up, laid out in a labelled
//! grid, or drawn in the terminal with shade characters.
//!
//! Images here are 8-bit grey, row by row, 0 = black and 255 = white, as
//! [`mnn_data::save_png_gray`] writes them.

/// The paper around and between pictures.
const PAPER: u8 = 255;
/// The colour of label text.
const TEXT: u8 = 0;

/// A grey image being composed.
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Canvas {
    /// A blank sheet of white paper.
    pub fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![PAPER; width * height],
        }
    }

    /// Copies the `width`×`height` image `pixels` with its top-left corner at
    /// (`left`, `top`); whatever falls outside the canvas is cut off.
    pub fn paste(&mut self, left: usize, top: usize, pixels: &[u8], width: usize, height: usize) {
        for y in 0..height.min(self.height.saturating_sub(top)) {
            let n = width.min(self.width.saturating_sub(left));
            let to = (top + y) * self.width + left;
            self.pixels[to..to + n].copy_from_slice(&pixels[y * width..y * width + n]);
        }
    }

    /// Writes `digit` (0..=9) in the built-in 5×7 font, each font pixel
    /// `scale`×`scale`, with its top-left corner at (`left`, `top`).
    pub fn digit(&mut self, left: usize, top: usize, digit: usize, scale: usize) {
        let glyph = &FONT[digit % 10];
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..GLYPH_WIDTH {
                if bits & (1 << (GLYPH_WIDTH - 1 - col)) != 0 {
                    self.fill(left + col * scale, top + row * scale, scale, scale, TEXT);
                }
            }
        }
    }

    fn fill(&mut self, left: usize, top: usize, width: usize, height: usize, value: u8) {
        for y in top..(top + height).min(self.height) {
            for x in left..(left + width).min(self.width) {
                self.pixels[y * self.width + x] = value;
            }
        }
    }
}

/// Width of a glyph of the built-in font, in font pixels.
pub const GLYPH_WIDTH: usize = 5;
/// Height of a glyph of the built-in font, in font pixels.
pub const GLYPH_HEIGHT: usize = 7;

/// The digits 0..=9 in a 5×7 bitmap font: one byte per row, the low five
/// bits left to right.
const FONT: [[u8; GLYPH_HEIGHT]; 10] = [
    [
        0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110,
    ],
    [
        0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110,
    ],
    [
        0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111,
    ],
    [
        0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110,
    ],
    [
        0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010,
    ],
    [
        0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110,
    ],
    [
        0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110,
    ],
    [
        0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000,
    ],
    [
        0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110,
    ],
    [
        0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100,
    ],
];

pub use mnn_web::reading::greys;

/// MNIST bytes (0 = background, 255 = full ink) as the book shows them: dark
/// ink on white paper, `255 - p`.
pub fn ink_to_dark(pixels: &[u8]) -> Vec<u8> {
    pixels.iter().map(|&p| 255 - p).collect()
}

/// The `width`×`height` image blown up `scale` times, each pixel becoming a
/// `scale`×`scale` square (nearest neighbour, so pixels stay sharp).
pub fn upscale(pixels: &[u8], width: usize, height: usize, scale: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(pixels.len() * scale * scale);
    for row in pixels.chunks_exact(width).take(height) {
        let wide: Vec<u8> = row
            .iter()
            .flat_map(|&p| std::iter::repeat_n(p, scale))
            .collect();
        for _ in 0..scale {
            out.extend_from_slice(&wide);
        }
    }
    out
}

/// Square `size`×`size` pictures side by side on white paper, each with its
/// index written above it: the book's row of backquery images. Returns the
/// canvas.
pub fn labelled_row(pictures: &[Vec<u8>], size: usize) -> Canvas {
    let margin = (size / 8).max(4);
    let font_scale = (size / 28).max(1);
    let label_height = GLYPH_HEIGHT * font_scale;
    let width = margin + pictures.len() * (size + margin);
    let height = margin + label_height + margin + size + margin;
    let mut canvas = Canvas::new(width, height);
    for (i, picture) in pictures.iter().enumerate() {
        let left = margin + i * (size + margin);
        let label_left = left + size.saturating_sub(GLYPH_WIDTH * font_scale) / 2;
        canvas.digit(label_left, margin, i, font_scale);
        canvas.paste(left, margin + label_height + margin, picture, size, size);
    }
    canvas
}

/// Shade characters from paper to full ink.
const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

/// MNIST bytes (0 = background, 255 = full ink) as lines of shade
/// characters, two per pixel so the digit keeps its shape in a terminal.
pub fn shade_lines(pixels: &[u8], width: usize) -> Vec<String> {
    pixels
        .chunks_exact(width)
        .map(|row| {
            row.iter()
                .flat_map(|&p| {
                    // 0 → ' ', 1..=63 → '░', ..., 192..=255 → '█'
                    let level = if p == 0 { 0 } else { 1 + usize::from(p) / 64 };
                    let shade = SHADES[level.min(SHADES.len() - 1)];
                    [shade, shade]
                })
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greys_maps_the_range_onto_white_to_black() {
        assert_eq!(greys(&[0.01, 0.5, 0.99]), vec![255, 127, 0]);
        assert_eq!(greys(&[0.3, 0.3]), vec![255, 255]);
    }

    #[test]
    fn upscale_repeats_each_pixel_in_a_square() {
        let big = upscale(&[1, 2, 3, 4], 2, 2, 2);
        assert_eq!(big, vec![1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    }

    #[test]
    fn digits_are_drawn_from_the_font() {
        let mut canvas = Canvas::new(GLYPH_WIDTH, GLYPH_HEIGHT);
        canvas.digit(0, 0, 1, 1);
        let rows: Vec<String> = canvas
            .pixels
            .chunks(GLYPH_WIDTH)
            .map(|r| {
                r.iter()
                    .map(|&p| if p == TEXT { '#' } else { '.' })
                    .collect()
            })
            .collect();
        assert_eq!(
            rows,
            [
                "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."
            ]
        );
    }

    #[test]
    fn labelled_row_places_every_picture_below_its_label() {
        let black = vec![0u8; 16 * 16];
        let canvas = labelled_row(&[black.clone(), black], 16);
        // margin 4, label 7 high, margin 4: pictures start at row 15.
        assert_eq!(
            (canvas.width, canvas.height),
            (4 + 2 * 20, 4 + 7 + 4 + 16 + 4)
        );
        let at = |x: usize, y: usize| canvas.pixels[y * canvas.width + x];
        assert_eq!(at(4, 15), 0);
        assert_eq!(at(24 + 15, 15 + 15), 0);
        assert_eq!(at(22, 20), PAPER); // between the pictures
        // Some ink in each label's box, none beside it.
        assert!((4..11).any(|y| (4..20).any(|x| at(x, y) == TEXT)));
        assert!((4..11).any(|y| (24..40).any(|x| at(x, y) == TEXT)));
        assert!((0..canvas.width).all(|x| at(x, 0) == PAPER));
    }

    #[test]
    fn shade_lines_use_two_characters_per_pixel() {
        let lines = shade_lines(&[0, 255, 100, 0], 2);
        assert_eq!(lines, ["  ██", "▒▒"]);
    }
}
