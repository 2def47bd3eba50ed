//! Comparing two implementations' outputs (ONNX Runtime against tch, PyTorch or Triton): the
//! largest absolute difference, where a value that is not finite poisons the comparison.
//!
//! `f32::max` ignores NaN (`0.0_f32.max(f32::NAN)` is `0.0`), so a fold of differences with it
//! passes a graph that emits NaN. Here any non-finite value, or outputs of different sizes, give
//! NaN, and [`within`] is `worst <= tolerance`, which NaN never is.

/// The largest `|a[i] - b[i]|`; NaN when the lengths differ or any value is not finite.
pub fn max_abs_difference(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::NAN;
    }
    let mut worst = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        if !(x.is_finite() && y.is_finite()) {
            return f32::NAN;
        }
        worst = worst.max((x - y).abs());
    }
    worst
}

/// The larger of two differences, NaN if either is (unlike `f32::max`).
pub fn worse(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        a.max(b)
    }
}

/// Whether `worst` is a difference within `tolerance`: false for NaN.
pub fn within(worst: f32, tolerance: f32) -> bool {
    worst <= tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_value_or_a_size_mismatch_fails_every_tolerance() {
        assert_eq!(max_abs_difference(&[0.5, 0.25], &[0.5, 0.5]), 0.25);
        assert!(within(max_abs_difference(&[0.5, 0.25], &[0.5, 0.5]), 0.25));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let worst = max_abs_difference(&[0.1, bad], &[0.1, 0.2]);
            assert!(worst.is_nan());
            assert!(!within(worst, f32::MAX), "{bad} must fail");
            assert!(max_abs_difference(&[0.1, 0.2], &[bad, 0.2]).is_nan());
        }
        assert!(!within(max_abs_difference(&[0.1], &[0.1, 0.2]), 1.0));
        // The folding that hid NaN before: f32::max drops it, `worse` keeps it.
        assert_eq!(0.0f32.max(f32::NAN), 0.0);
        assert!(worse(0.0, f32::NAN).is_nan() && worse(f32::NAN, 1.0).is_nan());
        assert_eq!(worse(0.5, 0.25), 0.5);
    }
}
