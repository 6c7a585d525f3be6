//! A sweep's results file: one CSV row per run.

use super::run::Run;
use crate::TrainError;

/// The runs as CSV, a header and then a row per run: `parameter, value, seed,
/// hidden, lr, epochs, rotate, accuracy, train_seconds`, with
/// `validation_accuracy` after `accuracy` when records are held out and
/// `beyond` when the sweep goes beyond the book.
pub fn csv_bytes(runs: &[Run]) -> Result<Vec<u8>, TrainError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for run in runs {
        writer.serialize(run).map_err(TrainError::csv)?;
    }
    writer
        .into_inner()
        .map_err(|e| TrainError::csv(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_per_run_under_a_header() {
        let run = Run {
            parameter: "lr",
            value_index: 0,
            value: 0.3,
            seed: 1,
            hidden: vec![100],
            lr: 0.3,
            epochs: 1,
            rotate: 0.0,
            accuracy: 0.9448,
            validation_accuracy: None,
            train_seconds: 2.5,
            beyond: None,
        };
        let text = String::from_utf8(csv_bytes(std::slice::from_ref(&run)).unwrap()).unwrap();
        assert_eq!(
            text,
            "parameter,value,seed,hidden,lr,epochs,rotate,accuracy,train_seconds\n\
             lr,0.3,1,100,0.3,1,0.0,0.9448,2.5\n"
        );
        // Beyond the book: every hidden layer, and a column for the options.
        let deep = Run {
            hidden: vec![500, 150],
            beyond: Some("relu, cross-entropy, biases".into()),
            ..run
        };
        let text = String::from_utf8(csv_bytes(&[deep]).unwrap()).unwrap();
        assert_eq!(
            text,
            "parameter,value,seed,hidden,lr,epochs,rotate,accuracy,train_seconds,beyond\n\
             lr,0.3,1,\"500,150\",0.3,1,0.0,0.9448,2.5,\"relu, cross-entropy, biases\"\n"
        );
        // With records held out: their accuracy beside the test accuracy.
        let validated = Run {
            validation_accuracy: Some(0.95),
            ..run
        };
        let text = String::from_utf8(csv_bytes(&[validated]).unwrap()).unwrap();
        assert_eq!(
            text,
            "parameter,value,seed,hidden,lr,epochs,rotate,accuracy,validation_accuracy,train_seconds\n\
             lr,0.3,1,100,0.3,1,0.0,0.9448,0.95,2.5\n"
        );
    }
}
