//! A grayscale frame, row by row, and the cheap views decoding tries.

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
}
