//! How the threads share out layer 1: thread `t` of `T` owns the band of
//! `W_1`'s rows (and their biases) for nodes `nodes·t/T .. nodes·(t+1)/T`,
//! for a whole epoch, in the per-sample engine and in mini-batches alike.

use std::ops::Range;

/// One thread's band: its nodes, their rows of `W_1` and their biases.
pub(crate) type Band<'a> = (Range<usize>, &'a mut [f32], Option<&'a mut [f32]>);

/// `w_1` (`nodes` rows of `inputs` values) and its biases split into
/// `threads` bands, in order.
pub(crate) fn bands<'a>(
    w_1: &'a mut [f32],
    biases: Option<&'a mut [f32]>,
    inputs: usize,
    threads: usize,
) -> Vec<Band<'a>> {
    let nodes = w_1.len() / inputs.max(1);
    let (mut rows, mut biases) = (w_1, biases);
    let mut bands = Vec::with_capacity(threads);
    for t in 0..threads {
        let owned = nodes * t / threads..nodes * (t + 1) / threads;
        let (mine, others) = std::mem::take(&mut rows).split_at_mut(owned.len() * inputs);
        rows = others;
        let my_biases = biases.take().map(|b| {
            let (mine, others) = b.split_at_mut(owned.len());
            biases = Some(others);
            mine
        });
        bands.push((owned, mine, my_biases));
    }
    bands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_row_once_in_order() {
        let (nodes, inputs) = (7, 3);
        let mut w_1: Vec<f32> = (0..nodes * inputs).map(|v| v as f32).collect();
        let mut b_1: Vec<f32> = (0..nodes).map(|v| v as f32).collect();
        for threads in 1..=nodes {
            let split = bands(&mut w_1, Some(&mut b_1), inputs, threads);
            assert_eq!(split.len(), threads);
            let mut next = 0;
            for (owned, rows, biases) in split {
                assert_eq!(owned.start, next);
                next = owned.end;
                assert_eq!(rows.len(), owned.len() * inputs);
                assert_eq!(
                    rows.first().copied(),
                    (!owned.is_empty()).then_some((owned.start * inputs) as f32)
                );
                let biases = biases.expect("biases given");
                assert_eq!(
                    biases.first().copied(),
                    (!owned.is_empty()).then_some(owned.start as f32)
                );
            }
            assert_eq!(next, nodes);
        }
        assert!(
            bands(&mut w_1, None, inputs, 2)
                .iter()
                .all(|b| b.2.is_none())
        );
    }
}
