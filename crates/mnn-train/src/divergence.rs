//! Noticing that training diverged: a learning rate so large that the
//! weights blow up, every sigmoid saturates and the outputs stick at 0 or 1,
//! after which the error no longer falls (the gradient `out·(1 − out)` is 0).

use mnn_data::{Dataset, IMAGE_PIXELS};
use mnn_net::Queries;

/// Records looked at: enough to tell, few enough to cost nothing.
const RECORDS_LOOKED_AT: usize = 200;

/// An output this close to 0 or 1 is stuck: its gradient `out·(1 − out)`
/// is below 10⁻⁶, and the book's targets (0.01 and 0.99) are far away.
const STUCK: f32 = 1e-6;

/// Training has diverged when more than this share of the outputs is stuck.
/// A healthy network's outputs sit near the targets 0.01 and 0.99.
const STUCK_SHARE: f64 = 0.5;

/// What was seen of a diverged training run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence {
    /// Share of the outputs (over the first records) stuck at 0 or 1, or not numbers.
    pub stuck_outputs: f64,
}

/// `Some` if `net`'s outputs on the first records of `data` are mostly
/// stuck at 0 or 1 (or not numbers): training diverged, the learning rate
/// was too large.
pub fn divergence(net: &(impl Queries + ?Sized), data: &Dataset) -> Option<Divergence> {
    let records = data.len().min(RECORDS_LOOKED_AT);
    if records == 0 {
        return None;
    }
    let mut inputs = [0.0f32; IMAGE_PIXELS];
    let (mut stuck, mut total) = (0usize, 0usize);
    for i in 0..records {
        data.scaled_input(i, &mut inputs);
        for out in net.query(&inputs) {
            total += 1;
            if !(STUCK..=1.0 - STUCK).contains(&out) {
                stuck += 1;
            }
        }
    }
    let stuck_outputs = stuck as f64 / total as f64;
    (stuck_outputs > STUCK_SHARE).then_some(Divergence { stuck_outputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunSettings, Threads, Training, synthetic_digits};
    use mnn_net::Model;

    fn settings(learning_rate: f64) -> RunSettings {
        RunSettings {
            hidden: vec![30],
            learning_rate,
            ..RunSettings::default()
        }
    }

    fn trained(learning_rate: f64) -> (Model, Dataset) {
        let data = synthetic_digits(300, 7);
        let settings = settings(learning_rate);
        let mut training = Training::new(&data, &settings, Threads::given(1)).unwrap();
        training.epoch(|_| {}).unwrap();
        (training.into_network(), data)
    }

    #[test]
    fn a_huge_learning_rate_is_seen_to_diverge() {
        let (net, data) = trained(1e9);
        let seen = divergence(&net, &data).expect("diverged");
        assert!(seen.stuck_outputs > 0.9, "{seen:?}");
    }

    #[test]
    fn the_books_learning_rate_does_not_diverge() {
        let (net, data) = trained(0.1);
        assert_eq!(divergence(&net, &data), None);
        assert_eq!(divergence(&settings(0.1).build().unwrap(), &data), None);
    }
}
