//! The page's JSON, the same whether `mnn serve` or the WebAssembly module
//! answers (docs/serve.md describes every field).

use crate::reading::{Answer, Reading};
use crate::start::Limits;
use mnn_net::{Model, ModelInfo};
use serde_json::{Value, json};

/// Signals as JSON numbers, each through its shortest decimal form (0.1f32
/// is 0.1, not 0.10000000149011612): the page reads the `f32` back exactly.
pub fn signals(values: &[f32]) -> Vec<f64> {
    values
        .iter()
        .map(|v| v.to_string().parse().expect("a float prints as a number"))
        .collect()
}

/// One answer: the label, the outputs, every hidden layer, the 28×28 input.
pub fn answer_json(answer: &Answer) -> Value {
    let hidden: Vec<Vec<f64>> = answer.hidden.iter().map(|h| signals(h)).collect();
    json!({
        "label": answer.label,
        "outputs": signals(&answer.outputs),
        // The first hidden layer (the book's only one), then every hidden layer.
        "hidden": hidden[0],
        "hidden_layers": hidden,
        "input": answer.input.to_vec(),
    })
}

/// A drawing read both ways (MNIST's at the top level, the book's as `raw`),
/// and the lessons so far.
pub fn reading_json(reading: &Reading, lessons: usize) -> Value {
    let mut value = answer_json(&reading.mnist);
    value["raw"] = answer_json(&reading.raw);
    value["lessons"] = json!(lessons);
    value
}

/// What the page's header says of a network: its layers and kind, its
/// learning rate, what its file says of its training, where it came from.
/// The server adds what only it has (Save, Collect, its limits).
pub fn model_json(network: &Model, info: &ModelInfo, source: &str, lessons: usize) -> Value {
    let architecture = network.architecture();
    let (off, on) = architecture.loss.targets();
    json!({
        "layers": architecture.layer_sizes,
        "network": network.describe(),
        "activation": architecture.activation.name(),
        "output": architecture.loss.output_activation(),
        "loss": architecture.loss.name(),
        "bias": architecture.bias,
        "targets": signals(&[off, on]),
        "can_backquery": network.can_backquery(),
        "learning_rate": signals(&[network.learning_rate()])[0],
        "test_accuracy": info.test_accuracy,
        "epochs": info.epochs,
        "source": source,
        "lessons": lessons,
        "can_save": false,
        "can_collect": false,
    })
}

/// mnn's named recipes (`mnn train --recipe list`) as the page's start
/// requests. A recipe of more epochs than a run of the page may have
/// ([`Limits::SERVE`]) is offered with as many as it may, and says so.
pub fn recipes_json() -> Value {
    let most = Limits::SERVE.max_epochs;
    let list: Vec<_> = mnn_train::recipes()
        .into_iter()
        .map(|recipe| {
            let s = &recipe.settings;
            let (epochs, figures) = if s.epochs > most {
                let note = format!(
                    "{} (after {} epochs; the page trains at most {most})",
                    recipe.figures, s.epochs
                );
                (most, note)
            } else {
                (s.epochs, recipe.figures.to_string())
            };
            json!({
                "name": recipe.name,
                "summary": recipe.summary,
                "figures": figures,
                "settings": {
                    "hidden": s.hidden,
                    "activation": s.activation.name(),
                    "loss": s.loss.name(),
                    "bias": s.bias,
                    "lr": s.learning_rate,
                    "lr_decay": s.lr_decay,
                    "epochs": epochs,
                    "augment": if s.augmentation.is_none() { String::new() } else { s.augmentation.to_string() },
                    "seed": s.seed,
                    "batch": s.batch,
                },
            })
        })
        .collect();
    json!(list)
}

/// A lesson: the reading after it, the label taught, and the answer before.
pub fn teach_json(before: &Answer, after: &Reading, lessons: usize, label: u8) -> Value {
    let mut value = reading_json(after, lessons);
    value["taught"] = json!(label);
    value["before"] = json!({ "label": before.label, "outputs": signals(&before.outputs) });
    value
}
