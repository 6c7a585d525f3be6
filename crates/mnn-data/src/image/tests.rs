use super::png_file::PNG_SIGNATURE;
use super::prepare::{area_resize, centre_of_mass};
use super::*;
use crate::{IMAGE_COLS, IMAGE_PIXELS, IMAGE_ROWS, scale_pixel};
use flate2::Crc;
use flate2::write::ZlibEncoder;
use png::{BitDepth, ColorType};
use proptest::prelude::*;
use std::io::{Cursor, Write};

// ---------------------------------------------------------------------------
// Test pictures in every PNG colour type and bit depth, with the grey we expect.

/// A picture as stored in a PNG file: samples at the file's bit depth, per pixel.
struct Picture {
    name: String,
    width: usize,
    height: usize,
    color: ColorType,
    depth: u8,
    samples: Vec<Vec<u16>>,
    palette: Option<Vec<u8>>,
    trns: Option<Vec<u8>>,
    expected: Vec<u8>,
}

fn grey_at(x: usize, y: usize) -> u8 {
    ((x * 37 + y * 91) % 256) as u8
}

fn alpha_at(x: usize, y: usize) -> u8 {
    ((x * 53 + y * 19 + 7) % 256) as u8
}

fn rgb_at(x: usize, y: usize) -> [u8; 3] {
    [
        grey_at(x, y),
        ((x * 11 + y * 200) % 256) as u8,
        ((x * 170 + y * 3) % 256) as u8,
    ]
}

fn wide(v: u8) -> u16 {
    u16::from(v) * 257
}

fn picture(
    name: &str,
    (width, height): (usize, usize),
    color: ColorType,
    depth: u8,
    pixel: impl Fn(usize, usize) -> (Vec<u16>, u8),
) -> Picture {
    let mut samples = Vec::new();
    let mut expected = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let (s, e) = pixel(x, y);
            samples.push(s);
            expected.push(e);
        }
    }
    Picture {
        name: format!("{name}-{width}x{height}.png"),
        width,
        height,
        color,
        depth,
        samples,
        palette: None,
        trns: None,
        expected,
    }
}

fn palette_colour(k: usize) -> [u8; 3] {
    [
        (k * 37 % 256) as u8,
        (k * 91 % 256) as u8,
        (k * 13 % 256) as u8,
    ]
}

fn pictures(size: (usize, usize)) -> Vec<Picture> {
    use ColorType::*;
    let mut all = Vec::new();
    for depth in [1u8, 2, 4] {
        let max = (1u16 << depth) - 1;
        all.push(picture(
            &format!("grey{depth}"),
            size,
            Grayscale,
            depth,
            |x, y| {
                let s = u16::from(grey_at(x, y)) >> (8 - depth);
                (vec![s], (s * 255 / max) as u8)
            },
        ));
    }
    all.push(picture("grey8", size, Grayscale, 8, |x, y| {
        (vec![u16::from(grey_at(x, y))], grey_at(x, y))
    }));
    all.push(picture("grey16", size, Grayscale, 16, |x, y| {
        (vec![wide(grey_at(x, y))], grey_at(x, y))
    }));

    // tRNS on grey: one grey value is transparent, so it shows the white paper.
    let mut p = picture("grey8-trns", size, Grayscale, 8, |x, y| {
        let g = if (x + y) % 5 == 0 { 128 } else { grey_at(x, y) };
        (vec![u16::from(g)], if g == 128 { 255 } else { g })
    });
    p.trns = Some(vec![0, 128]);
    all.push(p);
    let mut p = picture("grey4-trns", size, Grayscale, 4, |x, y| {
        let s = u16::from(grey_at(x, y)) >> 4;
        (vec![s], if s == 3 { 255 } else { (s * 17) as u8 })
    });
    p.trns = Some(vec![0, 3]);
    all.push(p);

    for depth in [8u8, 16] {
        let sample = move |v: u8| if depth == 16 { wide(v) } else { u16::from(v) };
        all.push(picture(&format!("rgb{depth}"), size, Rgb, depth, |x, y| {
            let [r, g, b] = rgb_at(x, y);
            (vec![sample(r), sample(g), sample(b)], luminance(r, g, b))
        }));
        all.push(picture(
            &format!("grey-alpha{depth}"),
            size,
            GrayscaleAlpha,
            depth,
            |x, y| {
                let (g, a) = (grey_at(x, y), alpha_at(x, y));
                (vec![sample(g), sample(a)], over_white(g, a))
            },
        ));
        all.push(picture(
            &format!("rgba{depth}"),
            size,
            Rgba,
            depth,
            |x, y| {
                let ([r, g, b], a) = (rgb_at(x, y), alpha_at(x, y));
                (
                    vec![sample(r), sample(g), sample(b), sample(a)],
                    over_white(luminance(r, g, b), a),
                )
            },
        ));
    }
    let mut p = picture("rgb8-trns", size, Rgb, 8, |x, y| {
        let [r, g, b] = if (x + 2 * y) % 3 == 0 {
            [10, 20, 30]
        } else {
            rgb_at(x, y)
        };
        let expected = if [r, g, b] == [10, 20, 30] {
            255
        } else {
            luminance(r, g, b)
        };
        (vec![r.into(), g.into(), b.into()], expected)
    });
    p.trns = Some(vec![0, 10, 0, 20, 0, 30]);
    all.push(p);

    for depth in [1u8, 2, 4, 8] {
        let entries = 1usize << depth;
        let index = move |x: usize, y: usize| (x * 3 + y * 5) % entries;
        let mut p = picture(&format!("palette{depth}"), size, Indexed, depth, |x, y| {
            let [r, g, b] = palette_colour(index(x, y));
            (vec![index(x, y) as u16], luminance(r, g, b))
        });
        p.palette = Some((0..entries).flat_map(palette_colour).collect());
        all.push(p);
    }
    // Palette with per-entry alpha for the first 200 entries (the rest are opaque).
    let alpha_of = |k: usize| (k * 50 % 256) as u8;
    let mut p = picture("palette8-trns", size, Indexed, 8, |x, y| {
        let k = (x * 29 + y * 17) % 256;
        let [r, g, b] = palette_colour(k);
        let lum = luminance(r, g, b);
        (
            vec![k as u16],
            if k < 200 {
                over_white(lum, alpha_of(k))
            } else {
                lum
            },
        )
    });
    p.palette = Some((0..256).flat_map(palette_colour).collect());
    p.trns = Some((0..200).map(alpha_of).collect());
    all.push(p);
    let mut p = picture("palette2-trns", size, Indexed, 2, |x, y| {
        let k = (x + y) % 4;
        let [r, g, b] = palette_colour(k);
        (
            vec![k as u16],
            if k == 0 { 255 } else { luminance(r, g, b) },
        )
    });
    p.palette = Some((0..4).flat_map(palette_colour).collect());
    p.trns = Some(vec![0]);
    all.push(p);
    all
}

/// Pack some pixels' samples into bytes at `depth` bits (MSB first, big-endian).
fn pack<'a>(pixels: impl Iterator<Item = &'a Vec<u16>>, depth: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bits = 0u32;
    let mut used = 0u8;
    for sample in pixels.flatten() {
        match depth {
            16 => out.extend_from_slice(&sample.to_be_bytes()),
            8 => out.push(*sample as u8),
            _ => {
                bits = (bits << depth) | u32::from(*sample);
                used += depth;
                if used == 8 {
                    out.push(bits as u8);
                    (bits, used) = (0, 0);
                }
            }
        }
    }
    if used > 0 {
        out.push((bits << (8 - used)) as u8);
    }
    out
}

/// Encode with the png crate's encoder (not interlaced: it cannot write Adam7).
fn encoded_png(p: &Picture) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, p.width as u32, p.height as u32);
    encoder.set_color(p.color);
    encoder.set_depth(BitDepth::from_u8(p.depth).unwrap());
    if let Some(palette) = &p.palette {
        encoder.set_palette(palette.clone());
    }
    if let Some(trns) = &p.trns {
        encoder.set_trns(trns.clone());
    }
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..p.height)
        .flat_map(|y| pack(p.samples[y * p.width..(y + 1) * p.width].iter(), p.depth))
        .collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    bytes
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

fn ihdr(width: u32, height: u32, depth: u8, color: ColorType, interlaced: bool) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[depth, color as u8, 0, 0, u8::from(interlaced)]);
    data
}

/// Encode with Adam7 interlacing, by hand: seven passes of filter-0 scanlines.
fn interlaced_png(p: &Picture) -> Vec<u8> {
    const ADAM7: [(usize, usize, usize, usize); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in ADAM7 {
        let xs: Vec<usize> = (x0..p.width).step_by(dx).collect();
        if xs.is_empty() {
            continue;
        }
        for y in (y0..p.height).step_by(dy) {
            raw.push(0);
            raw.extend(pack(
                xs.iter().map(|&x| &p.samples[y * p.width + x]),
                p.depth,
            ));
        }
    }
    let mut zlib = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(&raw).unwrap();
    let idat = zlib.finish().unwrap();

    let mut out = PNG_SIGNATURE.to_vec();
    chunk(
        &mut out,
        b"IHDR",
        &ihdr(p.width as u32, p.height as u32, p.depth, p.color, true),
    );
    if let Some(palette) = &p.palette {
        chunk(&mut out, b"PLTE", palette);
    }
    if let Some(trns) = &p.trns {
        chunk(&mut out, b"tRNS", trns);
    }
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn every_colour_type_bit_depth_and_interlacing_decodes_to_the_expected_grey() {
    let mut checked = 0;
    for size in [(13, 11), (3, 2), (1, 1), (9, 17)] {
        for p in pictures(size) {
            for interlaced in [false, true] {
                let bytes = if interlaced {
                    interlaced_png(&p)
                } else {
                    encoded_png(&p)
                };
                let image = decode_png_gray(Cursor::new(bytes), Path::new(&p.name))
                    .unwrap_or_else(|e| panic!("{} interlaced={interlaced}: {e}", p.name));
                assert_eq!((image.width, image.height), size, "{}", p.name);
                assert_eq!(
                    image.pixels, p.expected,
                    "{} interlaced={interlaced}",
                    p.name
                );
                assert_eq!(image.path, Path::new(&p.name));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 20);
}

#[test]
fn luminance_and_alpha_follow_their_formulas() {
    assert_eq!(luminance(0, 0, 0), 0);
    assert_eq!(luminance(255, 255, 255), 255);
    assert_eq!(luminance(255, 0, 0), 76); // 0.299 * 255 = 76.2
    assert_eq!(luminance(0, 255, 0), 150); // 0.587 * 255 = 149.7
    assert_eq!(luminance(0, 0, 255), 29); // 0.114 * 255 = 29.1
    for v in 0..=255u8 {
        assert_eq!(luminance(v, v, v), v);
        assert_eq!(over_white(v, 255), v);
        assert_eq!(over_white(v, 0), 255);
    }
    assert_eq!(over_white(0, 128), 127); // half-transparent black over white
}

#[test]
fn load_png_gray_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = &pictures((13, 11))[0];
    let path = dir.path().join("digit.png");
    std::fs::write(&path, interlaced_png(p)).unwrap();
    let image = load_png_gray(&path).unwrap();
    assert_eq!(image.pixels, p.expected);
    assert_eq!(image.path, path);
}

// ---------------------------------------------------------------------------
// Errors on bad files.

fn png_error_of(bytes: &[u8], name: &str) -> (DataError, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let err = load_png_gray(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: ", path.display())),
        "error must name the file: {text}"
    );
    assert!(!text.contains('\n'), "one line: {text}");
    (err, text)
}

#[test]
fn non_png_files_are_named_and_explained() {
    for bytes in [&b"hello, this is text"[..], b"", b"\x89PNG"] {
        let (err, text) = png_error_of(bytes, "notes.png");
        assert!(matches!(err, DataError::Png { .. }));
        assert!(
            text.ends_with(
                "cannot read PNG image: not a PNG file (it does not start with the PNG signature)"
            ),
            "{text}"
        );
    }
}

#[test]
fn truncated_png_is_a_clear_error() {
    let p = picture("t", (40, 40), ColorType::Rgb, 8, |x, y| {
        let [r, g, b] = rgb_at(x, y);
        (vec![r.into(), g.into(), b.into()], 0)
    });
    let bytes = encoded_png(&p);
    for cut in [20, 40, bytes.len() / 2, bytes.len() - 13] {
        let (err, text) = png_error_of(&bytes[..cut], "cut.png");
        assert!(matches!(err, DataError::Png { .. }), "{text}");
        assert!(text.contains("truncated"), "cut at {cut}: {text}");
    }
}

#[test]
fn corrupt_png_is_a_clear_error() {
    let p = &pictures((13, 11))[3];
    let mut bytes = encoded_png(p);
    let n = bytes.len();
    bytes[n - 20] ^= 0xff; // inside the IDAT data: the CRC no longer matches
    let (err, text) = png_error_of(&bytes, "bad.png");
    assert!(matches!(err, DataError::Png { .. }), "{text}");
}

#[test]
fn huge_dimensions_are_refused_before_allocating() {
    let mut bytes = PNG_SIGNATURE.to_vec();
    chunk(
        &mut bytes,
        b"IHDR",
        &ihdr(20_000, 20_000, 8, ColorType::Rgba, false),
    );
    chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    let (err, text) = png_error_of(&bytes, "huge.png");
    assert!(
        matches!(
            err,
            DataError::TooLarge {
                width: 20_000,
                height: 20_000,
                ..
            }
        ),
        "{text}"
    );
}

/// A 2×2 palette PNG whose PLTE chunk holds `palette_len` bytes (CRCs right).
fn palette_png(palette_len: usize) -> Vec<u8> {
    let mut bytes = PNG_SIGNATURE.to_vec();
    chunk(
        &mut bytes,
        b"IHDR",
        &ihdr(2, 2, 8, ColorType::Indexed, false),
    );
    chunk(&mut bytes, b"PLTE", &vec![200; palette_len]);
    let rows = [0u8, 0, 1, 0, 1, 0];
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&rows).unwrap();
    chunk(&mut bytes, b"IDAT", &z.finish().unwrap());
    chunk(&mut bytes, b"IEND", &[]);
    bytes
}

#[test]
fn a_palette_that_is_not_whole_colours_is_an_error_not_a_panic() {
    // png 0.18.1 panics on these (issue 16); each must be this file's error.
    for len in [1, 7, 0, 771] {
        let (err, text) = png_error_of(&palette_png(len), "palette.png");
        assert!(matches!(err, DataError::Png { .. }), "{text}");
        assert!(
            text.ends_with(&format!(
                "corrupt or unsupported PNG: palette (PLTE) chunk of {len} bytes: a palette is \
                 1 to 256 RGB colours, 3 bytes each"
            )),
            "{text}"
        );
    }
    // A palette of two whole colours (a 7-byte one cut to 6) reads.
    let image = decode_png_gray(Cursor::new(palette_png(6)), Path::new("ok.png")).unwrap();
    assert_eq!(image.pixels, vec![200; 4]);
}

#[test]
fn a_long_thin_bomb_is_refused_in_both_orientations_before_allocating() {
    for (width, height) in [(1, 100_000_000), (100_000_000, 1), (MAX_SIDE + 1, 1)] {
        let mut bytes = PNG_SIGNATURE.to_vec();
        chunk(
            &mut bytes,
            b"IHDR",
            &ihdr(width, height, 8, ColorType::Rgba, false),
        );
        chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
        let (err, text) = png_error_of(&bytes, "thin.png");
        assert!(matches!(err, DataError::TooLarge { .. }), "{text}");
        assert!(
            text.ends_with(&format!(
                "image is {width}×{height} pixels, larger than we accept (at most 20000 pixels \
                 a side and 40000000 in all)"
            )),
            "{text}"
        );
    }
}

#[test]
fn decoder_messages_name_chunks_without_rust_debug_output() {
    // An IDAT before IHDR: png says "ChunkType { type: IDAT, critical: true, ... }".
    let mut bytes = PNG_SIGNATURE.to_vec();
    chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    let (_, text) = png_error_of(&bytes, "order.png");
    assert!(!text.contains('{') && !text.contains("critical"), "{text}");
    assert!(text.contains("IDAT"), "{text}");
}

#[test]
fn a_jpeg_is_told_how_to_become_a_png() {
    let (_, text) = png_error_of(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "photo.jpg");
    assert!(text.contains("this is a JPEG file, not a PNG"), "{text}");
    assert!(text.contains("convert photo.jpg photo.png"), "{text}");
}

#[test]
fn missing_png_is_an_io_error_naming_it() {
    let err = load_png_gray("no/such/digit.png").unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    assert!(err.to_string().starts_with("no/such/digit.png: "));
}

#[test]
fn a_directory_is_unreadable_not_a_bad_png() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_png_gray(dir.path()).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }), "{err}");
    assert!(!err.to_string().contains("not a PNG"), "{err}");
}

// ---------------------------------------------------------------------------
// Preparing a digit.

/// White paper with a thick dark "7" whose top-left corner is at (left, top).
fn seven(width: usize, height: usize, left: usize, top: usize, paper: u8, ink: u8) -> GrayImage {
    let mut pixels = vec![paper; width * height];
    let mut dab = |x: usize, y: usize| {
        for yy in y..y + 6 {
            for xx in x..x + 6 {
                pixels[yy * width + xx] = ink;
            }
        }
    };
    for x in 0..40 {
        dab(left + x, top); // the bar
    }
    for step in 0..55 {
        dab(left + 40 - step * 25 / 55, top + step); // the stroke down to the left
    }
    GrayImage::new(width, height, pixels)
}

fn ink_box(pixels: &[u8]) -> (usize, usize) {
    let xs = (0..IMAGE_PIXELS)
        .filter(|&i| pixels[i] > 0)
        .map(|i| i % IMAGE_COLS);
    let ys = (0..IMAGE_PIXELS)
        .filter(|&i| pixels[i] > 0)
        .map(|i| i / IMAGE_COLS);
    let width = xs.clone().max().unwrap() - xs.min().unwrap() + 1;
    let height = ys.clone().max().unwrap() - ys.min().unwrap() + 1;
    (width, height)
}

fn centre_of_bytes(pixels: &[u8]) -> (f64, f64) {
    let values: Vec<f32> = pixels.iter().map(|&p| f32::from(p)).collect();
    centre_of_mass(&values, IMAGE_COLS, IMAGE_ROWS)
}

#[test]
fn a_digit_is_fitted_into_20_by_20_and_centred_by_mass() {
    let image = seven(120, 90, 17, 9, 255, 20);
    let pixels = prepare_digit_pixels(&image).unwrap();
    let (w, h) = ink_box(&pixels);
    assert!(w <= DIGIT_BOX && h <= DIGIT_BOX, "{w}×{h}");
    assert!(h >= DIGIT_BOX - 1, "the taller side fills the box: {w}×{h}");
    // The 7 is 46 wide and 61 tall: its shape is kept.
    let expected_w = 46.0 * 20.0 / 61.0;
    assert!((w as f64 - expected_w).abs() <= 1.5, "{w} vs {expected_w}");
    let (cx, cy) = centre_of_bytes(&pixels);
    assert!(
        (cx - 14.0).abs() <= 0.75 && (cy - 14.0).abs() <= 0.75,
        "({cx}, {cy})"
    );
    assert_eq!(pixels.iter().max(), Some(&255));
    // Ink is high, as in MNIST: the corners are background.
    assert_eq!(pixels[0], 0);
    assert_eq!(pixels[IMAGE_PIXELS - 1], 0);

    let inputs = prepare_digit(&image).unwrap();
    for (x, &p) in inputs.iter().zip(&pixels) {
        assert_eq!(*x, scale_pixel(p));
    }
}

#[test]
fn where_the_digit_sits_and_which_way_round_its_colours_are_do_not_matter() {
    let reference = prepare_digit_pixels(&seven(120, 90, 17, 9, 255, 20)).unwrap();
    let moved = prepare_digit_pixels(&seven(120, 90, 60, 25, 255, 20)).unwrap();
    assert_eq!(moved, reference);
    let bigger_canvas = prepare_digit_pixels(&seven(300, 200, 100, 100, 255, 20)).unwrap();
    assert_eq!(bigger_canvas, reference);
    // Light ink on dark paper (like MNIST itself) gives the same digit.
    let mut negative = seven(120, 90, 17, 9, 255, 20);
    negative.pixels.iter_mut().for_each(|p| *p = 255 - *p);
    assert_eq!(prepare_digit_pixels(&negative).unwrap(), reference);
}

#[test]
fn grey_textured_paper_becomes_clean_background() {
    let mut image = seven(120, 90, 17, 9, 190, 60);
    for (i, p) in image.pixels.iter_mut().enumerate() {
        if *p == 190 {
            *p = 190 - (i * 7 % 21) as u8 + 10; // paper grain 180..=200
        }
    }
    let pixels = prepare_digit_pixels(&image).unwrap();
    let clean = prepare_digit_pixels(&seven(120, 90, 17, 9, 255, 20)).unwrap();
    assert_eq!(pixels[0], 0);
    assert_eq!(pixels.iter().max(), Some(&255));
    assert_eq!(ink_box(&pixels), ink_box(&clean));
}

#[test]
fn a_tall_thin_stroke_keeps_its_aspect_ratio() {
    let (width, height) = (50, 100);
    let mut pixels = vec![255u8; width * height];
    for y in 20..80 {
        for x in 20..29 {
            pixels[y * width + x] = 0;
        }
    }
    let out = prepare_digit_pixels(&GrayImage::new(width, height, pixels)).unwrap();
    assert_eq!(ink_box(&out), (3, 20)); // 9 × 60 → 3 × 20
    let (cx, cy) = centre_of_bytes(&out);
    assert!(
        (cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5,
        "({cx}, {cy})"
    );
}

#[test]
fn an_image_without_ink_is_refused() {
    let cases = [
        GrayImage::new(30, 30, vec![255; 900]),
        GrayImage::new(30, 30, vec![0; 900]),
        GrayImage::new(30, 30, vec![128; 900]),
        // Faint noise is not ink.
        GrayImage::new(30, 30, (0..900).map(|i| 240 + (i * 7 % 16) as u8).collect()),
        GrayImage::new(1, 1, vec![0]),
        GrayImage::new(0, 0, vec![]),
    ];
    for mut image in cases {
        image.path = PathBuf::from("scan.png");
        let err = prepare_digit(&image).unwrap_err();
        assert!(matches!(err, DataError::NoInk { .. }));
        assert_eq!(
            err.to_string(),
            "scan.png: no ink found: the image is a single shade, there is no digit to read"
        );
    }
}

// ---------------------------------------------------------------------------
// The book's own preparation, and going back to bytes.

#[test]
fn prepare_raw_inverts_and_scales_a_28_by_28_image() {
    let pixels: Vec<u8> = (0..IMAGE_PIXELS).map(|i| (i * 13 % 256) as u8).collect();
    let image = GrayImage::new(28, 28, pixels.clone());
    let inputs = prepare_raw(&image);
    for (x, &p) in inputs.iter().zip(&pixels) {
        assert_eq!(*x, scale_pixel(255 - p));
    }
}

#[test]
fn prepare_raw_averages_a_larger_image_down() {
    // 56×56 in 2×2 blocks of one value each, and a 2×1 stretch: both shrink exactly.
    let small: Vec<u8> = (0..IMAGE_PIXELS).map(|i| (i * 29 % 256) as u8).collect();
    let doubled: Vec<u8> = (0..56 * 56)
        .map(|i| small[(i / 56 / 2) * 28 + (i % 56) / 2])
        .collect();
    let expected = prepare_raw(&GrayImage::new(28, 28, small.clone()));
    assert_eq!(prepare_raw(&GrayImage::new(56, 56, doubled)), expected);
    let wide: Vec<u8> = (0..56 * 28)
        .map(|i| small[(i / 56) * 28 + (i % 56) / 2])
        .collect();
    assert_eq!(prepare_raw(&GrayImage::new(56, 28, wide)), expected);
    assert_eq!(
        prepare_raw(&GrayImage::new(0, 0, vec![])),
        [scale_pixel(0); IMAGE_PIXELS]
    );
}

#[test]
fn input_to_pixels_undoes_the_scaling() {
    let all: Vec<u8> = (0..=255).collect();
    let inputs: Vec<f32> = all.iter().map(|&p| scale_pixel(p)).collect();
    assert_eq!(input_to_pixels(&inputs), all);
    assert_eq!(
        input_to_pixels(&[-3.0, 0.0, 7.0, f32::NAN]),
        vec![0, 0, 255, 0]
    );
}

#[test]
fn save_png_gray_round_trips_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.png");
    let pixels: Vec<u8> = (0..IMAGE_PIXELS).map(|i| (i * 7 % 256) as u8).collect();
    save_png_gray(&path, 28, 28, &pixels).unwrap();
    // Overwriting works too.
    save_png_gray(&path, 28, 28, &pixels).unwrap();
    let image = load_png_gray(&path).unwrap();
    assert_eq!((image.width, image.height), (28, 28));
    assert_eq!(image.pixels, pixels);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("input.png")]);
    image.save_png(dir.path().join("again.png")).unwrap();
    assert_eq!(
        load_png_gray(dir.path().join("again.png")).unwrap().pixels,
        pixels
    );
}

#[test]
fn save_png_gray_refuses_bad_input_without_leaving_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.png");
    let err = save_png_gray(&path, 28, 28, &[0; 10]).unwrap_err();
    assert!(matches!(err, DataError::PngWrite { .. }));
    assert!(
        err.to_string()
            .contains("10 pixels do not make a 28×28 image")
    );
    let err = save_png_gray(dir.path().join("no/such/dir/x.png"), 1, 1, &[0]).unwrap_err();
    assert!(
        err.to_string()
            .contains("no/such/dir/x.png: cannot write: folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

// ---------------------------------------------------------------------------
// Area averaging against a naive reference.

/// Naive area averaging: blow each source pixel up into `dst_w × dst_h` copies,
/// then average blocks of `src_w × src_h`.
fn naive_area_resize(
    src: &[f32],
    src_w: usize,
    src_h: usize,
    dst_w: usize,
    dst_h: usize,
) -> Vec<f64> {
    let big_w = src_w * dst_w;
    let mut out = vec![0.0f64; dst_w * dst_h];
    for by in 0..src_h * dst_h {
        for bx in 0..big_w {
            let v = f64::from(src[(by / dst_h) * src_w + bx / dst_w]);
            out[(by / src_h) * dst_w + bx / src_w] += v;
        }
    }
    let block = (src_w * src_h) as f64;
    out.iter().map(|v| v / block).collect()
}

proptest! {
    #[test]
    fn area_resize_matches_the_naive_reference(
        (src_w, src_h, src) in (1usize..12, 1usize..12).prop_flat_map(|(w, h)| {
            (Just(w), Just(h), proptest::collection::vec(0.0f32..255.0, w * h))
        }),
        dst_w in 1usize..12,
        dst_h in 1usize..12,
    ) {
        let fast = area_resize(&src, src_w, src_h, dst_w, dst_h);
        let slow = naive_area_resize(&src, src_w, src_h, dst_w, dst_h);
        for (f, s) in fast.iter().zip(&slow) {
            prop_assert!((f64::from(*f) - s).abs() < 1e-3, "{f} vs {s}");
        }
    }
}

#[test]
fn raw_preparation_refuses_a_blank_page_and_inverts_ink() {
    let blank = GrayImage::new(4, 4, vec![250; 16]);
    assert!(matches!(
        prepare_raw_pixels(&blank),
        Err(DataError::NoInk { .. })
    ));
    let mut page = vec![255u8; IMAGE_PIXELS];
    page[0] = 0;
    let pixels = prepare_raw_pixels(&GrayImage::new(28, 28, page)).unwrap();
    assert_eq!((pixels[0], pixels[1]), (255, 0));
}
