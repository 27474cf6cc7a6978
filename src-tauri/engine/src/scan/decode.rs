//! Decoding a frame: rqrr over a few views of it, cheapest first.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rqrr::PreparedImage;

use super::{GrayFrame, binarize};

/// What a frame gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Every code read, in the order found.
    pub payloads: Vec<String>,
    /// rqrr panicked on one of the views (the others were still tried).
    pub panicked: bool,
}

/// The views tried, in order: the frame at half size (a quarter of the
/// work, and the 2×2 mean averages away sensor noise and screen moiré) by
/// rqrr's own binarization; the half frame thresholded by its
/// neighbourhoods (uneven light, glare, low contrast); the full frame so
/// thresholded (small codes).
pub fn decode(frame: &GrayFrame) -> Decoded {
    let mut decoded = Decoded::default();
    // Smaller than the smallest QR code at a pixel a module.
    if frame.width.min(frame.height) < 21 {
        return decoded;
    }
    let half = frame.half();
    let views: [&dyn Fn() -> Vec<String>; 3] =
        [&|| read_gray(&half), &|| read_dark(&half), &|| read_dark(frame)];
    for view in views {
        match catch_unwind(AssertUnwindSafe(view)) {
            Ok(payloads) if !payloads.is_empty() => {
                decoded.payloads = payloads;
                return decoded;
            }
            Ok(_) => {}
            Err(_) => decoded.panicked = true,
        }
    }
    decoded
}

/// rqrr with its own binarization.
fn read_gray(frame: &GrayFrame) -> Vec<String> {
    texts(
        PreparedImage::prepare_from_greyscale(frame.width, frame.height, |x, y| frame.at(x, y))
            .detect_grids(),
    )
}

/// rqrr over the frame thresholded by its neighbourhoods.
fn read_dark(frame: &GrayFrame) -> Vec<String> {
    let dark = binarize::local_mean(frame);
    let mut prepared =
        PreparedImage::prepare_from_bitmap(frame.width, frame.height, |x, y| dark[y * frame.width + x]);
    texts(prepared.detect_grids())
}

/// The text of every grid that decodes.
fn texts<G: rqrr::BitGrid>(grids: Vec<rqrr::Grid<G>>) -> Vec<String> {
    grids
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}
