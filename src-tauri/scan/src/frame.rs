//! A grayscale frame, row by row, and the cheap views decoding tries.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "pixel coordinates, sizes and timings, far below 2^52"
)]

/// Luminance, one byte per pixel, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayFrame {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// The most pixels a frame may have (4096 × 4096): sums over a frame
/// stay within `u32`.
const MAX_PIXELS: usize = 1 << 24;

impl GrayFrame {
    /// `None` when `pixels` does not hold `width` × `height` bytes, or the
    /// frame is empty or larger than 4096 × 4096 pixels.
    pub fn new(width: usize, height: usize, pixels: Vec<u8>) -> Option<Self> {
        let fits = width > 0 && height > 0 && pixels.len() <= MAX_PIXELS;
        (fits && width.checked_mul(height) == Some(pixels.len())).then_some(Self {
            width,
            height,
            pixels,
        })
    }

    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// The level at (`x`, `y`) between pixel centres, interpolated; mid
    /// gray, neither dark nor light, outside the frame.
    pub fn sample(&self, x: f64, y: f64) -> f64 {
        let inside = x >= 0.0 && y >= 0.0 && x <= (self.width - 1) as f64 && y <= (self.height - 1) as f64;
        if !inside {
            return 128.0;
        }
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (fx, fy) = (x - x0 as f64, y - y0 as f64);
        let level = |x, y| f64::from(self.at(x, y));
        let top = level(x0, y0) * (1.0 - fx) + level(x1, y0) * fx;
        let bottom = level(x0, y1) * (1.0 - fx) + level(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// Half the size, each pixel the mean of a 2×2 block: averages away
    /// sensor noise and a phone screen's pixel grid, and costs a quarter.
    #[must_use]
    pub fn half(&self) -> Self {
        let (width, height) = (self.width / 2, self.height / 2);
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let (top, bottom) = (2 * y * self.width, (2 * y + 1) * self.width);
            for x in 0..width {
                let sum = u16::from(self.pixels[top + 2 * x])
                    + u16::from(self.pixels[top + 2 * x + 1])
                    + u16::from(self.pixels[bottom + 2 * x])
                    + u16::from(self.pixels[bottom + 2 * x + 1]);
                pixels.push(u8::try_from(sum / 4).unwrap_or(u8::MAX));
            }
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    /// Edges steepened: each pixel pushed away from the mean of the 5×5
    /// square around it by as much again. Blur closes the light ring
    /// between a finder pattern's frame and its centre; this opens it.
    #[must_use]
    pub fn sharpened(&self) -> Self {
        const REACH: usize = 2;
        let (w, h) = (self.width, self.height);
        let sums = integral(self);
        let mut pixels = self.pixels.clone();
        for y in REACH..h.saturating_sub(REACH) {
            let (top, bottom) = ((y - REACH) * (w + 1), (y + REACH + 1) * (w + 1));
            for x in REACH..w.saturating_sub(REACH) {
                let (left, right) = (x - REACH, x + REACH + 1);
                let sum = sums[bottom + right] + sums[top + left] - sums[top + right] - sums[bottom + left];
                let mean = i32::try_from(sum / 25).unwrap_or(255);
                let pixel = i32::from(self.pixels[y * w + x]);
                pixels[y * w + x] = u8::try_from((2 * pixel - mean).clamp(0, 255)).unwrap_or(u8::MAX);
            }
        }
        Self {
            width: w,
            height: h,
            pixels,
        }
    }

    /// The part of the frame from (`x`, `y`), `width` × `height` (clipped
    /// to the frame), enlarged `scale` times by bilinear interpolation: a
    /// far code's modules become wide enough for rqrr to find its finders.
    #[must_use]
    pub fn enlarged(&self, x: usize, y: usize, width: usize, height: usize, scale: usize) -> Self {
        let (x, y) = (x.min(self.width - 1), y.min(self.height - 1));
        let (width, height) = (width.min(self.width - x), height.min(self.height - y));
        let (out_w, out_h) = (width * scale, height * scale);
        let mut pixels = Vec::with_capacity(out_w * out_h);
        // Fixed point, 8 bits: output pixel centres in source pixels.
        let source = |i: usize, len: usize| {
            let at = ((2 * i + 1) * 256 / (2 * scale)).saturating_sub(128);
            let (whole, part) = (at / 256, (at % 256) as u32);
            (whole.min(len - 1), (whole + 1).min(len - 1), part)
        };
        let columns: Vec<_> = (0..out_w).map(|i| source(i, width)).collect();
        for j in 0..out_h {
            let (r0, r1, fy) = source(j, height);
            let (row0, row1) = (
                &self.pixels[(y + r0) * self.width + x..],
                &self.pixels[(y + r1) * self.width + x..],
            );
            for &(c0, c1, fx) in &columns {
                let top = u32::from(row0[c0]) * (256 - fx) + u32::from(row0[c1]) * fx;
                let bottom = u32::from(row1[c0]) * (256 - fx) + u32::from(row1[c1]) * fx;
                pixels.push(u8::try_from((top * (256 - fy) + bottom * fy) >> 16).unwrap_or(u8::MAX));
            }
        }
        Self {
            width: out_w,
            height: out_h,
            pixels,
        }
    }
}

/// Sums over every rectangle from the origin, one row and column of zeros
/// first. A frame of up to 16 million pixels fits in `u32`.
pub(super) fn integral(frame: &GrayFrame) -> Vec<u32> {
    let w = frame.width;
    let mut sums = vec![0u32; (w + 1) * (frame.height + 1)];
    for (y, row) in frame.pixels.chunks_exact(w).enumerate() {
        let mut running = 0u32;
        for (x, &pixel) in row.iter().enumerate() {
            running += u32::from(pixel);
            sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + running;
        }
    }
    sums
}
