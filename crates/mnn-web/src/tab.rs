//! Training in the browser tab: a run of the Train panel on the records
//! bundled with the static page, a part of an epoch per call, so the tab's
//! worker can take Pause and Stop between parts.
//!
//! A run here is `mnn train --threads 1` on the same records with the same
//! settings, bit for bit: [`Training::epoch_part`] trains an epoch in parts
//! exactly as whole, and the kernels are AVX2's sums (mnn-matrix's `wasm`).

use crate::start::{Limits, StartRequest};
use mnn_data::{DataError, Dataset, idx};
use mnn_net::Model;
use mnn_train::{RunSettings, Threads, Training};
use serde_json::{Value, json};
use std::path::Path;

/// The records bundled with the static page: training and test sets.
#[derive(Debug, Clone)]
pub struct TabData {
    /// Trained on, in order.
    pub train: Dataset,
    /// Scored after every epoch.
    pub test: Dataset,
}

impl TabData {
    /// The four (decompressed) IDX files: training images and labels, test
    /// images and labels.
    pub fn from_idx(
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<TabData, DataError> {
        let read = |images: &[u8], labels: &[u8], name: &str| {
            idx::read_dataset_from(
                images,
                Path::new(&format!("{name}-images-idx3-ubyte")),
                labels,
                Path::new(&format!("{name}-labels-idx1-ubyte")),
            )
        };
        Ok(TabData {
            train: read(train_images, train_labels, "train")?,
            test: read(test_images, test_labels, "t10k")?,
        })
    }
}

/// A run in the tab: its network being trained, and where the epoch under
/// way has got to.
pub struct TabRun<'d> {
    training: Training<'d>,
    test: &'d Dataset,
    settings: RunSettings,
    /// Samples done in the epoch under way.
    done: usize,
    /// `Σ (target − out)²` over them.
    epoch_error: f64,
}

impl<'d> TabRun<'d> {
    /// A new run of `request` on `data` (the page's limits; `limit` may not
    /// ask for more records than are bundled).
    pub fn start(data: &'d TabData, request: StartRequest) -> Result<TabRun<'d>, String> {
        let (settings, limit) = request.settings()?;
        Limits::SERVE.check(&settings)?;
        if let Some(limit) = limit
            && limit != data.train.len()
        {
            return Err(format!(
                "limit: the tab trains on the {} records bundled with the page, not {limit}",
                data.train.len()
            ));
        }
        let training =
            Training::new(&data.train, &settings, Threads::given(1)).map_err(|e| e.to_string())?;
        Ok(TabRun {
            training,
            test: &data.test,
            settings,
            done: 0,
            epoch_error: 0.0,
        })
    }

    /// The run taken up again from `network` after `epochs_done` epochs
    /// (a kept epoch), training on exactly as the run would have.
    pub fn resume(
        &self,
        data: &'d TabData,
        network: Model,
        epochs_done: usize,
    ) -> Result<TabRun<'d>, String> {
        let training = Training::resume(
            &data.train,
            &self.settings,
            Threads::given(1),
            network,
            epochs_done,
        )
        .map_err(|e| e.to_string())?;
        Ok(TabRun {
            training,
            test: &data.test,
            settings: self.settings.clone(),
            done: 0,
            epoch_error: 0.0,
        })
    }

    /// What the run is: `{description, epochs, records, samples_per_epoch}`.
    pub fn describe(&self) -> Value {
        json!({
            "description": self.settings.description(),
            "epochs": self.settings.epochs,
            "records": self.training.samples_per_epoch(),
            "samples_per_epoch": self.training.samples_per_epoch(),
        })
    }

    /// Epochs trained so far.
    pub fn epochs_done(&self) -> usize {
        self.training.epochs_done()
    }

    /// `true` once every epoch is trained.
    pub fn finished(&self) -> bool {
        self.training.epochs_done() >= self.settings.epochs as usize
    }

    /// The network as trained so far.
    pub fn network(&self) -> &Model {
        self.training.network()
    }

    /// The network as trained so far scored on the test records:
    /// `{accuracy, confusion}`.
    pub fn score(&self) -> Value {
        let evaluation = self.training.evaluate(self.test);
        json!({ "accuracy": evaluation.accuracy(), "confusion": evaluation.confusion })
    }

    /// Trains about `samples` more samples of the epoch under way (a whole
    /// number of windows, and never past the epoch's end): the point of the
    /// learning curve they make, and, if the epoch ended, the epoch's end
    /// (`end`; [`score`](Self::score) then tests the network).
    pub fn step(&mut self, samples: usize) -> Result<Value, String> {
        if self.finished() {
            return Err("the run has trained all its epochs".into());
        }
        let total = self.training.samples_per_epoch();
        let from = self.done;
        let to = (from
            + samples
                .max(1)
                .next_multiple_of(self.training.part_multiple()))
        .min(total);
        let rate = self.training.learning_rate();
        let mut squared_error = 0.0;
        let ended = self
            .training
            .epoch_part(from..to, to - from, |p| squared_error = p.squared_error)
            .map_err(|e| e.to_string())?;
        let outputs = self
            .training
            .network()
            .architecture()
            .layer_sizes
            .last()
            .copied()
            .unwrap_or(1);
        self.epoch_error += squared_error;
        let epochs_before = self.training.epochs_done() - usize::from(ended);
        let point = json!({
            "at": epochs_before as f64 + to as f64 / total as f64,
            "mean_error": squared_error / ((to - from) * outputs) as f64,
        });
        let end = if ended {
            let end = json!({
                "epoch": self.training.epochs_done(),
                "mean_error": self.epoch_error / (total * outputs) as f64,
                "learning_rate": crate::json::signals(&[rate])[0],
            });
            self.done = 0;
            self.epoch_error = 0.0;
            end
        } else {
            self.done = to;
            Value::Null
        };
        Ok(json!({
            "epoch": epochs_before + 1,
            "samples": to,
            "samples_per_epoch": total,
            "point": point,
            "end": end,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> TabData {
        let all = mnn_train::synthetic_digits(60, 5);
        let mut train = all.clone();
        let test = train.split_off(40);
        TabData { train, test }
    }

    fn request(json: &str) -> StartRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_run_in_parts_ends_as_one_epoch_of_mnn_train_and_is_scored() {
        let data = data();
        let mut run = TabRun::start(
            &data,
            request(r#"{"hidden":[16],"lr":0.3,"epochs":1,"seed":4}"#),
        )
        .unwrap();
        let mut ends = Vec::new();
        while !run.finished() {
            let step = run.step(7).unwrap();
            ends.push(step["end"].clone());
        }
        assert_eq!(
            ends.len(),
            5,
            "8 samples a part (7 rounded up to windows of 4), 40 in all"
        );
        assert!(ends[..4].iter().all(Value::is_null));
        let settings = RunSettings {
            hidden: vec![16],
            learning_rate: 0.3,
            epochs: 1,
            seed: 4,
            ..RunSettings::default()
        };
        let mut whole = Training::new(&data.train, &settings, Threads::given(2)).unwrap();
        whole.epoch(|_| {}).unwrap();
        let bytes = |m: &Model| m.to_safetensors(&Default::default());
        assert!(bytes(run.network()) == bytes(whole.network()));
        assert_eq!(ends[4]["epoch"], 1);
        assert_eq!(
            run.score()["accuracy"],
            json!(whole.evaluate(&data.test).accuracy())
        );
        assert!(run.step(4).is_err());
    }

    #[test]
    fn a_run_in_mini_batches_is_cut_at_whole_batches_and_ends_as_one_epoch() {
        let data = data();
        let start = r#"{"hidden":[16],"activation":"relu","loss":"cross-entropy","bias":true,
            "lr":0.05,"epochs":2,"seed":4,"batch":8}"#;
        let mut run = TabRun::start(&data, request(start)).unwrap();
        let mut parts = Vec::new();
        while !run.finished() {
            parts.push(run.step(5).unwrap()["samples"].as_u64().unwrap());
        }
        assert_eq!(
            parts,
            [8, 16, 24, 32, 40, 8, 16, 24, 32, 40],
            "whole batches of 8"
        );
        let (settings, _) = request(start).settings().unwrap();
        assert_eq!(settings.batch, 8);
        let mut whole = Training::new(&data.train, &settings, Threads::given(2)).unwrap();
        whole.epoch(|_| {}).unwrap();
        whole.epoch(|_| {}).unwrap();
        let bytes = |m: &Model| m.to_safetensors(&Default::default());
        assert!(bytes(run.network()) == bytes(whole.network()));
    }

    #[test]
    fn a_run_beyond_the_limits_or_the_bundle_is_refused() {
        let data = data();
        let too_big = TabRun::start(&data, request(r#"{"hidden":[5000]}"#))
            .err()
            .unwrap();
        assert!(too_big.contains("hidden"), "{too_big}");
        let more = TabRun::start(&data, request(r#"{"limit":100}"#))
            .err()
            .unwrap();
        assert!(more.contains("40 records"), "{more}");
    }
}
