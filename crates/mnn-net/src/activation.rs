//! The activation function and its inverse.

/// The logistic sigmoid `σ(x) = 1 / (1 + e^(−x))` (book: "the sigmoid function").
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-x))
}

/// The inverse of the sigmoid, `logit(y) = ln(y / (1 − y))` (book: "backquery").
#[inline]
pub fn logit(y: f32) -> f32 {
    libm::logf(y / (1.0 - y))
}

/// Applies the sigmoid to every value in place.
pub fn sigmoid_inplace(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = sigmoid(*v));
}

/// Applies the logit to every value in place.
pub fn logit_inplace(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = logit(*v));
}

/// Maps the values linearly onto `low..low + width` (book: `x -= min;
/// x /= max; x *= 0.98; x += 0.01` for 0.01..0.99). A constant signal has no
/// range and becomes the middle of it.
pub(crate) fn rescale(values: &mut [f32], low: f32, width: f32) {
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let range = max - min;
    for v in values.iter_mut() {
        *v = if range > 0.0 {
            (*v - min) / range * width + low
        } else {
            low + width / 2.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sigmoid_of_zero_is_one_half() {
        assert_eq!(sigmoid(0.0), 0.5);
    }

    proptest! {
        #[test]
        fn logit_inverts_sigmoid(x in -8.0f32..8.0) {
            prop_assert!((logit(sigmoid(x)) - x).abs() < 1e-3);
        }

        #[test]
        fn sigmoid_matches_f64(x in -30.0f32..30.0) {
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            prop_assert!((sigmoid(x) as f64 - want).abs() < 1e-6);
        }
    }
}
