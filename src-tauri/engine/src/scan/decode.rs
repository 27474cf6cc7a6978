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

/// The views tried, in order: the frame at half size (fast, and it
/// averages away sensor noise and screen moiré); the frame as it is, by
/// rqrr's own binarization (small codes); the frame thresholded by its
/// neighbourhoods (uneven light, glare, low contrast).
pub fn decode(frame: &GrayFrame) -> Decoded {
    let mut decoded = Decoded::default();
    // Smaller than the smallest QR code at a pixel a module.
    if frame.width.min(frame.height) < 21 {
        return decoded;
    }
    let views: [&dyn Fn() -> Vec<String>; 3] = [
        &|| {
            let half = frame.half();
            texts(
                PreparedImage::prepare_from_greyscale(half.width, half.height, |x, y| half.at(x, y))
                    .detect_grids(),
            )
        },
        &|| {
            let half = frame.half();
            let dark = binarize::local_mean(&half);
            let mut prepared =
                PreparedImage::prepare_from_bitmap(half.width, half.height, |x, y| dark[y * half.width + x]);
            texts(prepared.detect_grids())
        },
        &|| {
            let dark = binarize::local_mean(frame);
            let mut prepared = PreparedImage::prepare_from_bitmap(frame.width, frame.height, |x, y| {
                dark[y * frame.width + x]
            });
            texts(prepared.detect_grids())
        },
    ];
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

/// The text of every grid that decodes.
fn texts<G: rqrr::BitGrid>(grids: Vec<rqrr::Grid<G>>) -> Vec<String> {
    grids
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}
