use super::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

fn small() -> NeuralNetwork {
    NeuralNetwork::new(6, 4, 3, 0.25, 11).unwrap()
}

#[test]
fn round_trip_keeps_weights_and_info() {
    let net = small();
    let info = ModelInfo {
        seed: Some(11),
        epochs: Some(5),
        test_accuracy: Some(0.9712),
        rotate_degrees: None,
    };
    let (loaded, loaded_info) =
        NeuralNetwork::from_safetensors(&net.to_safetensors(&info)).unwrap();
    assert_eq!(loaded.weights_input_hidden(), net.weights_input_hidden());
    assert_eq!(loaded.weights_hidden_output(), net.weights_hidden_output());
    assert_eq!(loaded.learning_rate(), 0.25);
    assert_eq!(loaded_info, info);
    let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    assert_eq!(loaded.query(&x), net.query(&x));
}

#[test]
fn a_network_saves_to_the_same_bytes_every_time_with_a_sorted_header() {
    // Each save builds its metadata in a new HashMap, whose order differs
    // from one map to the next: the header is written sorted all the same.
    let net = small();
    let info = ModelInfo {
        seed: Some(11),
        epochs: Some(5),
        test_accuracy: Some(0.9712),
        rotate_degrees: Some(10.0),
    };
    let first = net.to_safetensors(&info);
    for _ in 0..5 {
        assert_eq!(net.to_safetensors(&info), first);
    }
    let length = usize::try_from(u64::from_le_bytes(first[..8].try_into().unwrap())).unwrap();
    assert_eq!(length % 8, 0, "the header keeps safetensors' alignment");
    let header = std::str::from_utf8(&first[8..8 + length]).unwrap();
    let metadata = &header[header.find("\"__metadata__\"").unwrap()..];
    let keys: Vec<&str> = metadata
        .split('"')
        .skip(3)
        .step_by(4)
        .take_while(|k| !k.starts_with("weights"))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "{header}");
    assert!(keys.len() >= 10, "{keys:?}");
}

#[test]
fn garbage_and_truncated_files_are_errors() {
    assert!(NeuralNetwork::from_safetensors(b"hello, world").is_err());
    let bytes = small().to_safetensors(&ModelInfo::default());
    for cut in [0, 7, 8, 40, bytes.len() - 1] {
        let err = NeuralNetwork::from_safetensors(&bytes[..cut]).unwrap_err();
        assert!(
            err.to_string().contains("not a safetensors file"),
            "{cut}: {err}"
        );
    }
}

#[test]
fn missing_or_misshapen_tensors_are_errors() {
    let one = vec![0u8; 4 * 6];
    let only_one = [(
        WEIGHTS_INPUT_HIDDEN,
        TensorView::new(Dtype::F32, vec![6], &one).unwrap(),
    )];
    let mut meta = HashMap::new();
    meta.insert("learning_rate".to_string(), "0.1".to_string());
    let bytes = safetensors::serialize(only_one, Some(meta.clone())).unwrap();
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected 2 dimensions"), "{err}");

    let w = TensorView::new(Dtype::F32, vec![2, 3], &one).unwrap();
    let bytes = safetensors::serialize([(WEIGHTS_INPUT_HIDDEN, w)], Some(meta)).unwrap();
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no tensor named \"weights_hidden_output\""),
        "{err}"
    );
}

#[test]
fn weights_that_are_not_numbers_are_an_error() {
    let mut values = [0.5f32; 6];
    values[4] = f32::NAN;
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let w = TensorView::new(Dtype::F32, vec![2, 3], &bytes).unwrap();
    let mut meta = HashMap::new();
    meta.insert("learning_rate".to_string(), "0.1".to_string());
    let bytes = safetensors::serialize([(WEIGHTS_INPUT_HIDDEN, w)], Some(meta)).unwrap();
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"weights_input_hidden\": weight 4 (row 1, column 1) is NaN"),
        "{err}"
    );
}

/// `bytes` with their JSON header changed by `edit`.
fn with_header(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    edit(&mut header);
    let text = serde_json::to_vec(&header).unwrap();
    let mut file = (text.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(&text);
    file.extend_from_slice(&bytes[8 + header_len..]);
    file
}

#[test]
fn a_test_accuracy_that_is_not_one_is_refused() {
    for bad in ["NaN", "2", "-0.5"] {
        let bytes = small().to_safetensors(&ModelInfo::default());
        let file = with_header(&bytes, |header| {
            header["__metadata__"]["test_accuracy"] = bad.into();
        });
        let err = NeuralNetwork::from_safetensors(&file)
            .unwrap_err()
            .to_string();
        assert!(err.contains("test_accuracy"), "{bad}: {err}");
    }
}

#[test]
fn data_not_covering_the_file_names_the_tensor() {
    let mut bytes = small().to_safetensors(&ModelInfo::default());
    bytes.extend_from_slice(&[0; 4]);
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(err.contains("tensor \"weights_"), "{err}");
    assert!(err.contains("but the file holds"), "{err}");
}

#[test]
fn a_shape_that_does_not_match_its_data_names_the_tensor() {
    let bytes = small().to_safetensors(&ModelInfo::default());
    let file = with_header(&bytes, |header| {
        let shape = &mut header[WEIGHTS_HIDDEN_OUTPUT]["shape"];
        shape[0] = (shape[0].as_u64().unwrap() + 1).into();
    });
    let err = NeuralNetwork::from_safetensors(&file)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tensor \"weights_hidden_output\": shape"),
        "{err}"
    );
}

#[test]
fn metadata_that_contradicts_the_weights_is_an_error() {
    let mut bytes = small().to_safetensors(&ModelInfo::default());
    // Same length, so the header stays valid: "hidden_nodes":"4" → "5".
    let key = b"\"hidden_nodes\":\"4\"";
    let at = bytes.windows(key.len()).position(|w| w == key).unwrap();
    bytes[at + key.len() - 2] = b'5';
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("hidden_nodes = 5 but the weights have 4"),
        "{err}"
    );
}

fn deep_network(bias: bool) -> deep::Network {
    let architecture = Architecture {
        layer_sizes: vec![6, 5, 4, 3],
        activation: Activation::Tanh,
        loss: Loss::CrossEntropy,
        bias,
    };
    let mut net = deep::Network::new(architecture, 0.05, 3).unwrap();
    // Train a little so the biases are not all 0.
    for _ in 0..5 {
        net.train(&[0.1, 0.9, 0.3, 0.5, 0.2, 0.7], &[0.0, 1.0, 0.0]);
    }
    net
}

#[test]
fn tensor_names_generalise_the_books() {
    let names = layer_tensor_names(2);
    assert_eq!(names[0].0, WEIGHTS_INPUT_HIDDEN);
    assert_eq!(names[1].0, WEIGHTS_HIDDEN_OUTPUT);
    assert_eq!(names[1].1, "bias_output");
    let names: Vec<_> = layer_tensor_names(3).into_iter().map(|(w, _)| w).collect();
    assert_eq!(
        names,
        [
            "weights_input_hidden1",
            "weights_hidden1_hidden2",
            "weights_hidden2_output"
        ]
    );
    assert_eq!(layer_tensor_names(1)[0].0, "weights_input_output");
}

#[test]
fn deep_round_trip_keeps_every_layer_bias_and_kind() {
    for bias in [false, true] {
        let net = deep_network(bias);
        let info = ModelInfo {
            seed: Some(3),
            epochs: Some(2),
            test_accuracy: Some(0.99),
            rotate_degrees: None,
        };
        let bytes = net.to_safetensors(&info);
        let (loaded, loaded_info) = deep::Network::from_safetensors(&bytes).unwrap();
        assert_eq!(loaded.layers(), net.layers());
        assert_eq!(loaded.architecture(), net.architecture());
        assert_eq!(loaded.learning_rate(), net.learning_rate());
        assert_eq!(loaded_info, info);
        let x = [0.3, 0.1, 0.4, 0.1, 0.5, 0.9];
        assert_eq!(loaded.query(&x), net.query(&x));
        // The book's loader refuses it rather than misreading it.
        let err = NeuralNetwork::from_safetensors(&bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("a 6-5-4-3, tanh, softmax with cross-entropy")
                && err.ends_with("not the book's three-layer sigmoid network"),
            "{err}"
        );
    }
}

#[test]
fn a_two_layer_network_with_biases_is_not_read_as_the_books() {
    let architecture = Architecture {
        layer_sizes: vec![6, 4, 3],
        activation: Activation::Sigmoid,
        loss: Loss::Squared,
        bias: true,
    };
    let net = deep::Network::new(architecture, 0.1, 1).unwrap();
    let bytes = net.to_safetensors(&ModelInfo::default());
    let err = NeuralNetwork::from_safetensors(&bytes)
        .unwrap_err()
        .to_string();
    assert!(err.contains("6-4-3, sigmoid, biases network"), "{err}");
    assert!(matches!(
        Model::from_safetensors(&bytes).unwrap().0,
        Model::Deep(_)
    ));
    let (loaded, _) = deep::Network::from_safetensors(&bytes).unwrap();
    assert_eq!(loaded.layers(), net.layers());
}

#[test]
fn book_networks_save_the_same_bytes_either_way_and_old_files_load() {
    let book = small();
    let info = ModelInfo {
        seed: Some(11),
        ..ModelInfo::default()
    };
    let general = deep::Network::from_book(&book);
    let (a, b) = (book.to_safetensors(&info), general.to_safetensors(&info));
    assert_eq!(a, b, "one network, the same bytes by either kind");
    let (from_a, info_a) = NeuralNetwork::from_safetensors(&a).unwrap();
    let (from_b, info_b) = NeuralNetwork::from_safetensors(&b).unwrap();
    assert_eq!(from_a.weights_input_hidden(), from_b.weights_input_hidden());
    assert_eq!(
        from_a.weights_hidden_output(),
        from_b.weights_hidden_output()
    );
    assert_eq!(info_a, info_b);
    let (_, meta) = SafeTensors::read_metadata(&b).unwrap();
    let meta = meta.metadata().clone().unwrap();
    assert_eq!(meta["format_version"], "1");
    assert!(!meta.contains_key("layer_sizes"));
    // A book file loads as a general network with the same answers.
    let (loaded, _) = deep::Network::from_safetensors(&a).unwrap();
    assert!(loaded.architecture().is_book());
    let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    assert_eq!(loaded.query(&x), book.query(&x));
}

#[test]
fn deep_files_with_wrong_shapes_or_metadata_are_errors() {
    let bytes = deep_network(true).to_safetensors(&ModelInfo::default());
    let replace = |from: &str, to: &str| {
        assert_eq!(from.len(), to.len(), "same length keeps the header valid");
        let mut changed = bytes.clone();
        let at = changed
            .windows(from.len())
            .position(|w| w == from.as_bytes())
            .unwrap();
        changed[at..at + to.len()].copy_from_slice(to.as_bytes());
        deep::Network::from_safetensors(&changed)
            .unwrap_err()
            .to_string()
    };
    let err = replace("\"6,5,4,3\"", "\"6,5,3,3\"");
    assert!(err.contains("has shape (4, 5) but layer_sizes"), "{err}");
    let err = replace("\"tanh\"", "\"tang\"");
    assert!(err.contains("unknown activation \"tang\""), "{err}");
    let err = replace("\"bias_hidden2\"", "\"bias_hiddenX\"");
    assert!(err.contains("no tensor named \"bias_hidden2\""), "{err}");
    let err = replace("\"6,5,4,3\"", "\"6,5,x,3\"");
    assert!(err.contains("not a list of numbers"), "{err}");
}

#[test]
fn a_header_past_the_limit_is_refused_before_it_is_parsed() {
    let good = small().to_safetensors(&ModelInfo::default());
    let padded = |bytes: usize| {
        with_header(&good, |h| {
            h["__metadata__"]["padding"] = serde_json::json!("x".repeat(bytes));
        })
    };
    // a little under the limit reads; past it is refused from the length alone
    assert!(Model::from_safetensors(&padded(1 << 19)).is_ok());
    let err = Model::from_safetensors(&padded(1 << 20))
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than the 1048576"), "{err}");
    assert!(err.len() < 200, "{err}");
    // and so is a length that the bytes do not hold
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(Model::from_safetensors(&huge).is_err());
}
