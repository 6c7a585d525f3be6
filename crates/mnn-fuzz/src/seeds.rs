//! Seeds: small valid files of each kind, where the structure-aware
//! mutations start.

use mnn_data::idx::{write_images, write_labels};

pub(crate) fn idx_images_seeds() -> Vec<Vec<u8>> {
    [1usize, 2]
        .iter()
        .map(|&count| {
            let pixels: Vec<u8> = (0..count * 784).map(|i| (i * 7 % 256) as u8).collect();
            let mut bytes = Vec::new();
            write_images(&mut bytes, 28, 28, &pixels).expect("in memory");
            bytes
        })
        .collect()
}

pub(crate) fn idx_labels_seeds() -> Vec<Vec<u8>> {
    [&[7u8][..], &[0, 9, 4, 1]]
        .iter()
        .map(|labels| {
            let mut bytes = Vec::new();
            write_labels(&mut bytes, labels).expect("in memory");
            bytes
        })
        .collect()
}

pub(crate) fn csv_seeds() -> Vec<Vec<u8>> {
    let line = |label: u8| {
        let pixels: Vec<String> = (0..784).map(|i| ((i * 13) % 256).to_string()).collect();
        format!("{label},{}\n", pixels.join(","))
    };
    vec![
        line(5).into_bytes(),
        format!("{}{}", line(0), line(9)).into_bytes(),
    ]
}

/// Grey 8-bit, a palette with transparency, 16-bit RGBA, 1-bit grey: each a
/// small picture with some ink.
pub fn png_seeds() -> Vec<Vec<u8>> {
    use png::{BitDepth, ColorType};
    let encode =
        |w: u32, h: u32, color, depth, palette: Option<(Vec<u8>, Vec<u8>)>, data: Vec<u8>| {
            let mut bytes = Vec::new();
            let mut encoder = png::Encoder::new(&mut bytes, w, h);
            encoder.set_color(color);
            encoder.set_depth(depth);
            if let Some((plte, trns)) = palette {
                encoder.set_palette(plte);
                encoder.set_trns(trns);
            }
            let mut writer = encoder.write_header().expect("valid header");
            writer.write_image_data(&data).expect("whole image");
            writer.finish().expect("in memory");
            bytes
        };
    let ink = |w: usize, h: usize, samples: usize, dark: &[u8], light: &[u8]| -> Vec<u8> {
        (0..w * h)
            .flat_map(|i| {
                let on_stroke = i % w == w / 2;
                (0..samples).map(move |s| if on_stroke { dark[s] } else { light[s] })
            })
            .collect()
    };
    vec![
        encode(
            6,
            5,
            ColorType::Grayscale,
            BitDepth::Eight,
            None,
            ink(6, 5, 1, &[0], &[255]),
        ),
        encode(
            5,
            4,
            ColorType::Indexed,
            BitDepth::Eight,
            Some((vec![255, 255, 255, 10, 20, 30], vec![255, 200])),
            ink(5, 4, 1, &[1], &[0]),
        ),
        encode(
            3,
            3,
            ColorType::Rgba,
            BitDepth::Sixteen,
            None,
            ink(3, 3, 8, &[0, 0, 0, 0, 0, 0, 255, 255], &[255; 8]),
        ),
        // 1-bit grey, 8 pixels a row: one byte per row.
        encode(
            8,
            4,
            ColorType::Grayscale,
            BitDepth::One,
            None,
            vec![0b1110_1111; 4],
        ),
    ]
}

pub(crate) fn model_seeds() -> Vec<Vec<u8>> {
    let net = mnn_net::NeuralNetwork::new(4, 3, 2, 0.3, 1).expect("valid sizes");
    let info = mnn_net::ModelInfo {
        seed: Some(1),
        epochs: Some(2),
        test_accuracy: Some(0.5),
        rotate_degrees: None,
    };
    // A network beyond the book: two hidden layers, ReLU, biases, softmax.
    let architecture = mnn_net::deep::Architecture {
        layer_sizes: vec![4, 3, 3, 2],
        activation: mnn_net::deep::Activation::Relu,
        loss: mnn_net::deep::Loss::CrossEntropy,
        bias: true,
    };
    let deep = mnn_net::deep::Network::new(architecture, 0.1, 1).expect("valid sizes");
    vec![
        net.to_safetensors(&info),
        net.to_safetensors(&mnn_net::ModelInfo::default()),
        deep.to_safetensors(&info),
    ]
}
