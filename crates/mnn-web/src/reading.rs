//! A drawing read by a network, both ways: prepared as MNIST's digits were
//! (the same code as `mnn query`) and the book's raw way (`mnn query --raw`);
//! what the network answers for each, with the signals of every hidden layer.

use mnn_data::{DIGITS, DataError, GrayImage, IMAGE_PIXELS};
use mnn_net::{Model, argmax};

/// The network's answer for one prepared 28×28 input.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The digit with the highest output.
    pub label: usize,
    /// The ten output signals, 0..1.
    pub outputs: Vec<f32>,
    /// The signals leaving each hidden layer, the first hidden layer first.
    pub hidden: Vec<Vec<f32>>,
    /// The 28×28 image the network saw, 0 = paper, 255 = full ink.
    pub input: [u8; IMAGE_PIXELS],
}

/// A drawing read both ways.
#[derive(Debug, Clone)]
pub struct Reading {
    /// Prepared as MNIST's digits were (cropped, fitted into 20×20, centred by mass).
    pub mnist: Answer,
    /// The book's way (the whole image shrunk and inverted).
    pub raw: Answer,
}

/// The 28×28 image the network will see, as MNIST bytes (0 = background,
/// 255 = full ink), prepared MNIST's way or, with `raw`, the book's way.
pub fn prepare(image: &GrayImage, raw: bool) -> Result<[u8; IMAGE_PIXELS], DataError> {
    if raw {
        mnn_data::prepare_raw_pixels(image)
    } else {
        mnn_data::prepare_digit_pixels(image)
    }
}

/// `image` read both ways by `network`.
pub fn read(network: &Model, image: &GrayImage) -> Result<Reading, DataError> {
    let mnist = prepare(image, false)?;
    let raw = prepare(image, true)?;
    Ok(Reading {
        mnist: answer(network, mnist),
        raw: answer(network, raw),
    })
}

/// The book's input scaling of a prepared image: `p/255·0.99 + 0.01`.
pub fn scaled(pixels: &[u8; IMAGE_PIXELS]) -> [f32; IMAGE_PIXELS] {
    pixels.map(mnn_data::scale_pixel)
}

/// One forward pass, keeping the hidden signals for the page.
pub fn answer(network: &Model, input: [u8; IMAGE_PIXELS]) -> Answer {
    let mut hidden = network.signals(&scaled(&input));
    let outputs = hidden.pop().expect("an output layer");
    Answer {
        label: argmax(&outputs).expect("ten outputs"),
        outputs,
        hidden,
        input,
    }
}

/// The book's backquery targets for `digit`: 0.99 there, 0.01 elsewhere
/// (as `mnn backquery` uses them, whatever the network's loss).
pub fn backquery_targets(digit: usize) -> [f32; DIGITS] {
    let mut targets = [0.0; DIGITS];
    mnn_data::fill_targets(digit as u8, &mut targets);
    targets
}

/// Values as the book plots them with `imshow(..., cmap='Greys')`: the
/// smallest value white, the largest black, linear in between (matplotlib
/// scales to the data's own range). A constant image is white.
pub fn greys(values: &[f32]) -> Vec<u8> {
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let range = max - min;
    values
        .iter()
        .map(|&v| {
            let ink = if range > 0.0 { (v - min) / range } else { 0.0 };
            255 - (ink * 255.0).round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greys_run_from_white_to_black_over_the_values_range() {
        assert_eq!(greys(&[0.0, 0.5, 1.0]), [255, 127, 0]);
        assert_eq!(greys(&[2.0, 2.0]), [255, 255]);
    }

    #[test]
    fn a_drawing_is_read_both_ways_and_a_blank_page_is_refused() {
        let network = Model::Book(mnn_net::NeuralNetwork::new(784, 20, 10, 0.1, 1).unwrap());
        let mut pixels = vec![255u8; 60 * 60];
        for y in 10..50 {
            pixels[y * 60 + 30] = 0;
            pixels[y * 60 + 31] = 0;
        }
        let reading = read(&network, &GrayImage::new(60, 60, pixels)).unwrap();
        assert_eq!(reading.mnist.hidden.len(), 1);
        assert_eq!(reading.mnist.hidden[0].len(), 20);
        assert_eq!(reading.mnist.outputs.len(), 10);
        // MNIST's way fits the stroke into the middle; the book's way keeps it where it was.
        assert!(reading.mnist.input.iter().any(|&p| p > 200));
        assert_ne!(reading.mnist.input, reading.raw.input);
        let blank = GrayImage::new(30, 30, vec![255; 900]);
        assert!(matches!(
            read(&network, &blank),
            Err(DataError::NoInk { .. })
        ));
    }
}
