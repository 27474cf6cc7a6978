//! Decoding a frame: rqrr over a few views of it, cheapest first.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "pixel coordinates, sizes and timings, far below 2^52"
)]

use std::cell::OnceCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use rqrr::{BitGrid, PreparedImage};

use super::finders::{self, Region};
use super::sample::{read_by_finders, resample};
use super::{GrayFrame, binarize};

/// What a frame gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Every code read, in the order found.
    pub payloads: Vec<String>,
    /// rqrr panicked on one of the views (the others were still tried).
    pub panicked: bool,
    /// Views were left untried for want of time.
    pub cut_short: bool,
}

/// Decodes `frame` through every view until one reads.
pub fn decode(frame: &GrayFrame) -> Decoded {
    decode_within(frame, Duration::MAX)
}

/// Decodes `frame`, trying views cheapest and likeliest first until one
/// reads, and not starting a view that would end past `budget`: a camera's
/// next frame is a better use of the time than the last views of this one.
///
/// The views: the frame at half size (a quarter of the work, and the 2×2
/// mean averages away sensor noise and screen moiré) by rqrr's own
/// binarization; the parts of the full frame where finder patterns are (see
/// [`read_regions`]); the half frame thresholded by its neighbourhoods
/// (uneven light, glare, low contrast); the half frame sharpened (blur).
pub fn decode_within(frame: &GrayFrame, budget: Duration) -> Decoded {
    let mut views = Views::new(budget);
    // Smaller than the smallest QR code at a pixel a module.
    if frame.width.min(frame.height) < 21 {
        return views.decoded;
    }
    let half = frame.half();
    let size = half.pixels.len();
    let _ = views.read(size, &|| read_gray(&half))
        || read_regions(frame, &mut views, size)
        || views.read(size, &|| {
            read_dark(&half, &binarize::local_mean(&half, binarize::STRICT))
        })
        || views.read(size, &|| read_gray(&half.sharpened()));
    views.decoded
}

/// The parts of `frame` where finder patterns are, found in the frame made
/// black and white strictly, then evenly: each part read by
/// [`read_region`]. Each search costs about a view of `half_size` pixels.
fn read_regions(frame: &GrayFrame, views: &mut Views, half_size: usize) -> bool {
    let mut neighbourhoods = None;
    for percent in [binarize::STRICT, binarize::EVEN] {
        if !views.afford(half_size) {
            return false;
        }
        let dark = neighbourhoods
            .get_or_insert_with(|| binarize::Neighbourhoods::of(frame))
            .dark(percent);
        if finders::code_regions(&dark, frame.width)
            .iter()
            .any(|region| read_region(frame, views, region))
        {
            return true;
        }
    }
    false
}

/// One part of `frame`: the grid placed by its finder patterns, then rqrr
/// over the part, enlarged when the code is small.
fn read_region(frame: &GrayFrame, views: &mut Views, region: &Region) -> bool {
    let enlarged = OnceCell::new();
    let enlarged = || {
        enlarged.get_or_init(|| frame.enlarged(region.x, region.y, region.width, region.height, region.scale))
    };
    let area = region.width * region.height * region.scale * region.scale;
    let deadline = views.deadline();
    // Sampling is cheap; each placement tried stops at the deadline.
    views.read(0, &|| {
        read_by_finders(frame, &region.finders, deadline)
            .into_iter()
            .collect()
    }) || views.read(area, &|| read_gray(enlarged()))
        || views.read(area, &|| {
            read_dark(enlarged(), &binarize::local_mean(enlarged(), binarize::STRICT))
        })
}

/// Views this large set the expected rate; a smaller one's time is mostly
/// fixed costs, which say nothing of a larger view's.
const RATED_PIXELS: usize = 50_000;

/// The views of one frame tried so far, and the time they took.
struct Views {
    decoded: Decoded,
    started: Instant,
    budget: Duration,
    /// The slowest rate seen, in nanoseconds a pixel: noise and texture
    /// make every view of a frame slow alike.
    nanos_per_pixel: f64,
}

impl Views {
    fn new(budget: Duration) -> Self {
        Self {
            decoded: Decoded::default(),
            started: Instant::now(),
            budget,
            nanos_per_pixel: 0.0,
        }
    }

    /// Whether a view of `pixels` would end within the budget; if not, the
    /// decode is cut short.
    fn afford(&mut self, pixels: usize) -> bool {
        let expected = Duration::from_nanos((self.nanos_per_pixel * pixels as f64) as u64);
        let affordable = self.started.elapsed() + expected <= self.budget;
        self.decoded.cut_short |= !affordable;
        affordable
    }

    /// When the budget runs out; `None` for no budget.
    fn deadline(&self) -> Option<Instant> {
        self.started.checked_add(self.budget)
    }

    /// Runs `view` over `pixels` pixels if affordable; true when it read.
    fn read(&mut self, pixels: usize, view: &dyn Fn() -> Vec<String>) -> bool {
        if !self.afford(pixels) {
            return false;
        }
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(view));
        if pixels >= RATED_PIXELS {
            let rate = start.elapsed().as_nanos() as f64 / pixels as f64;
            self.nanos_per_pixel = self.nanos_per_pixel.max(rate);
        }
        match outcome {
            Ok(payloads) if !payloads.is_empty() => {
                self.decoded.payloads = payloads;
                true
            }
            Ok(_) => false,
            Err(_) => {
                self.decoded.panicked = true;
                false
            }
        }
    }
}

/// rqrr with its own binarization.
fn read_gray(frame: &GrayFrame) -> Vec<String> {
    let mut prepared =
        PreparedImage::prepare_from_greyscale(frame.width, frame.height, |x, y| frame.at(x, y));
    texts(frame, prepared.detect_grids())
}

/// rqrr over the frame made black and white as `dark`.
fn read_dark(frame: &GrayFrame, dark: &[bool]) -> Vec<String> {
    let mut prepared =
        PreparedImage::prepare_from_bitmap(frame.width, frame.height, |x, y| dark[y * frame.width + x]);
    texts(frame, prepared.detect_grids())
}

/// The text of every grid found that decodes as rqrr read it, or as
/// [`resample`]d from `frame`.
fn texts<G: BitGrid>(frame: &GrayFrame, grids: Vec<rqrr::Grid<G>>) -> Vec<String> {
    grids
        .into_iter()
        .filter_map(|grid| match grid.decode() {
            Ok((_, text)) => Some(text),
            Err(_) => resample(frame, &grid.bounds, grid.grid.size()),
        })
        .collect()
}
