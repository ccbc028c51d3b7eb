//! The fixed-point arithmetic of every separable kernel (the resampler, the warp's block kernel
//! and the I420 sampler), and the choice of their SIMD twin.
//!
//! Weights are Q14, each set summing to exactly [`ONE`]. The first pass is rounded to Q6
//! ([`first_pass`]): a Q6 sum of bytes fits in 16 bits, so the second pass can take two of them
//! in one 16-bit dot product. The second pass is rounded and clamped to a byte ([`to_u8`]).
//! Integer sums do not depend on their order, so the simd128 (browser) and SSE2 (native x86-64)
//! twins give their scalar reference's bytes by construction, for any thread count.

/// Fraction bits of a weight.
pub const WEIGHT_BITS: u32 = 14;
/// A weight of 1.
pub const ONE: i32 = 1 << WEIGHT_BITS;
/// Bits dropped after the first pass (Q14 → Q6).
pub const FIRST_PASS_SHIFT: u32 = 8;
/// Bits dropped after the second pass: the first pass's remaining Q6 plus the second's Q14.
pub const TOTAL_SHIFT: u32 = 2 * WEIGHT_BITS - FIRST_PASS_SHIFT;
/// Added before [`FIRST_PASS_SHIFT`] so the shift rounds to nearest.
pub const FIRST_PASS_ROUND: i32 = 1 << (FIRST_PASS_SHIFT - 1);
/// Added before [`TOTAL_SHIFT`] so the shift rounds to nearest.
pub const TOTAL_ROUND: i32 = 1 << (TOTAL_SHIFT - 1);

/// A first-pass sum in Q14 to Q6, rounded.
#[inline(always)]
pub fn first_pass(v: i32) -> i32 {
    (v + FIRST_PASS_ROUND) >> FIRST_PASS_SHIFT
}

/// A second-pass sum (Q20) to a byte, rounded and clamped.
#[inline(always)]
pub fn to_u8(v: i32) -> u8 {
    ((v + TOTAL_ROUND) >> TOTAL_SHIFT).clamp(0, 255) as u8
}

/// Calls the twin of a kernel for the target: `simd` in the browser (simd128), `sse2` natively on
/// x86-64 (its baseline, so always there), `scalar` elsewhere.
macro_rules! by_target {
    ($simd:ident, $sse2:ident, $scalar:ident, ($($arg:expr),* $(,)?)) => {{
        #[cfg(target_feature = "simd128")]
        {
            $simd($($arg),*)
        }
        #[cfg(all(not(target_feature = "simd128"), target_arch = "x86_64"))]
        {
            $sse2($($arg),*)
        }
        #[cfg(not(any(target_feature = "simd128", target_arch = "x86_64")))]
        {
            $scalar($($arg),*)
        }
    }};
}
pub(crate) use by_target;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_round_to_nearest_and_clamp() {
        assert_eq!(first_pass(ONE * 200), 200 << 6, "a whole byte passes exactly");
        assert_eq!(first_pass(127), 0);
        assert_eq!(first_pass(128), 1);
        assert_eq!(to_u8((200 << 6) * ONE), 200);
        assert_eq!(to_u8(TOTAL_ROUND - 1), 0);
        assert_eq!(to_u8(TOTAL_ROUND), 1);
        assert_eq!(to_u8(-ONE * 64), 0, "Catmull-Rom's undershoot clamps at 0");
        assert_eq!(to_u8((300 << 6) * ONE), 255, "and its overshoot at 255");
    }
}
