//! Black and white by the neighbourhood, not the row: a pixel is dark when
//! it is darker than the mean of the square around it. This holds where
//! light changes across the code (glare, a shadow, a dim room), which a
//! threshold along each row does not.

use super::GrayFrame;
use super::frame::integral;

/// Dark below 93% of the neighbourhood's mean: flat paper does not speckle.
pub(super) const STRICT: u64 = 93;

/// Dark below the mean itself: the thin light ring of a far or blurred
/// finder pattern, nearly as dark as the mean, stays light.
pub(super) const EVEN: u64 = 100;

/// Dark pixels, `true` for black, row by row: those below `percent`% of
/// their neighbourhood's mean.
pub(super) fn local_mean(frame: &GrayFrame, percent: u64) -> Vec<bool> {
    Neighbourhoods::of(frame).dark(percent)
}

/// A frame's neighbourhood sums, taken once for as many thresholds as
/// are wanted.
pub(super) struct Neighbourhoods<'a> {
    frame: &'a GrayFrame,
    sums: Vec<u32>,
}

impl<'a> Neighbourhoods<'a> {
    pub(super) fn of(frame: &'a GrayFrame) -> Self {
        Self {
            frame,
            sums: integral(frame),
        }
    }

    /// Dark pixels, `true` for black, row by row: those below `percent`%
    /// of their neighbourhood's mean.
    pub(super) fn dark(&self, percent: u64) -> Vec<bool> {
        let (w, h, sums) = (self.frame.width, self.frame.height, &self.sums);
        // A window of about an eighth of the short side: several modules of
        // any code big enough to read, smaller than the light's changes.
        let radius = (w.min(h) / 16).max(4);
        // Each column's window, the same on every row.
        let columns: Vec<(usize, usize)> = (0..w)
            .map(|x| (x.saturating_sub(radius), (x + radius + 1).min(w)))
            .collect();
        let mut dark = Vec::with_capacity(w * h);
        for (y, row) in self.frame.pixels.chunks_exact(w).enumerate() {
            let (top, bottom) = (y.saturating_sub(radius), (y + radius + 1).min(h));
            let above = &sums[top * (w + 1)..(top + 1) * (w + 1)];
            let below = &sums[bottom * (w + 1)..(bottom + 1) * (w + 1)];
            for (&pixel, &(left, right)) in row.iter().zip(&columns) {
                let area = ((bottom - top) * (right - left)) as u64;
                let sum = u64::from(below[right] + above[left] - above[right] - below[left]);
                dark.push(u64::from(pixel) * area * 100 < sum * percent);
            }
        }
        dark
    }
}
