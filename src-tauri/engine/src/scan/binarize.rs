//! Black and white by the neighbourhood, not the row: a pixel is dark when
//! it is darker than the mean of the square around it. This holds where
//! light changes across the code (glare, a shadow, a dim room), which a
//! threshold along each row does not.

use super::GrayFrame;

/// Dark pixels, `true` for black, row by row.
pub(super) fn local_mean(frame: &GrayFrame) -> Vec<bool> {
    let (w, h) = (frame.width, frame.height);
    // A window of about an eighth of the short side: several modules of
    // any code big enough to read, smaller than the light's changes.
    let radius = (w.min(h) / 16).max(4);
    let integral = integral(frame);
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        let (top, bottom) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (left, right) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let area = ((bottom - top) * (right - left)) as u64;
            let sum = integral[bottom * (w + 1) + right] + integral[top * (w + 1) + left]
                - integral[top * (w + 1) + right]
                - integral[bottom * (w + 1) + left];
            // A little below the mean, so flat paper does not speckle.
            dark.push(u64::from(frame.at(x, y)) * area * 100 < sum * 93);
        }
    }
    dark
}

/// Sums over every rectangle from the origin, one row and column of zeros
/// first.
fn integral(frame: &GrayFrame) -> Vec<u64> {
    let (w, h) = (frame.width, frame.height);
    let mut sums = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(frame.at(x, y));
            sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
        }
    }
    sums
}
