//! A drawing as the page sends it: `{"width", "height", "pixels", "label"}`,
//! greys row by row (0 black ink, 255 white paper).

use mnn_data::GrayImage;
use serde::Deserialize;

/// The widest and tallest drawing accepted, in pixels.
pub const MAX_SIDE: usize = 2048;
/// The most pixels a drawing may have (as JSON or as PNG).
pub const MAX_PIXELS: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Drawing {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
    /// Only for teach and collect.
    #[serde(default)]
    label: Option<i64>,
}

/// The drawing in a JSON body, and its label if any; or why not, in one line.
pub fn from_json(body: &[u8]) -> Result<(GrayImage, Option<i64>), String> {
    let drawing: Drawing = serde_json::from_slice(body).map_err(|e| malformed_json(&e))?;
    let Drawing {
        width,
        height,
        pixels,
        label,
    } = drawing;
    check_size(width, height)?;
    if pixels.len() != width * height {
        return Err(format!(
            "pixels: {} values, but a {width}×{height} drawing has {}",
            pixels.len(),
            width * height
        ));
    }
    Ok((GrayImage::new(width, height, pixels), label))
}

/// How the page refuses a drawing it cannot read: 422 for a blank one, 400
/// otherwise, with the message.
pub fn unreadable(err: &mnn_data::DataError) -> (u16, String) {
    match err {
        mnn_data::DataError::NoInk { .. } => {
            (422, "the drawing is blank: there is no ink to read".into())
        }
        other => (400, other.to_string()),
    }
}

/// The page's message for a body that is not the JSON asked for (serde's
/// message, which may quote the input, cut as mnn cuts such messages).
pub fn malformed_json(err: &serde_json::Error) -> String {
    format!("malformed JSON: {}", mnn_net::shortened(&err.to_string()))
}

/// A drawing's size must be within [`MAX_SIDE`] and [`MAX_PIXELS`].
pub fn check_size(width: usize, height: usize) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("a {width}×{height} drawing has no pixels"));
    }
    if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS {
        return Err(format!(
            "a {width}×{height} drawing is too large: at most {MAX_SIDE} pixels a side and \
             {MAX_PIXELS} pixels in all"
        ));
    }
    Ok(())
}

/// A label sent with a drawing: one digit.
pub fn digit(label: Option<i64>) -> Result<u8, String> {
    let label = label.ok_or("label: missing (a digit 0..9, in the drawing's JSON)")?;
    u8::try_from(label)
        .ok()
        .filter(|&l| l < 10)
        .ok_or_else(|| format!("label {label} is not a digit 0..9"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_is_read_and_its_faults_named() {
        let (image, label) =
            from_json(br#"{"width":2,"height":1,"pixels":[0,255],"label":7}"#).unwrap();
        assert_eq!(
            (image.width, image.height, image.pixels, label),
            (2, 1, vec![0, 255], Some(7))
        );
        let short = from_json(br#"{"width":2,"height":2,"pixels":[0]}"#).unwrap_err();
        assert_eq!(short, "pixels: 1 values, but a 2×2 drawing has 4");
        assert!(
            from_json(br#"{"width":3000,"height":1,"pixels":[]}"#)
                .unwrap_err()
                .contains("too large")
        );
        assert!(from_json(b"{").unwrap_err().starts_with("malformed JSON"));
        assert_eq!(digit(Some(3)), Ok(3));
        assert!(digit(Some(10)).is_err() && digit(None).is_err());
    }
}
