//! The camera: lens blur (defocus and motion), then a sensor with limited
//! range, read and shot noise, a gamma curve and 8-bit output.

use serde::Serialize;

use super::raster::Gray;
use super::rng::Rng;

/// What the lens and the moving hand do to the image.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Optics {
    /// Gaussian sigma in pixels: focus and the lens's own softness.
    pub(crate) defocus_px: f32,
    /// Length of a straight motion streak in pixels.
    pub(crate) motion_px: f32,
    pub(crate) motion_angle_deg: f32,
}

/// How radiance becomes 8-bit values.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Sensor {
    /// Output levels spanned from black to white: 255 in good light, a few
    /// dozen in a dim room.
    pub(crate) range: f32,
    /// Output level of black.
    pub(crate) black: f32,
    /// Signal-independent noise, output levels (one sigma).
    pub(crate) read_noise: f32,
    /// Photon noise, output levels at white (scales with the square root of
    /// the signal).
    pub(crate) shot_noise: f32,
}

impl Optics {
    pub(crate) fn apply(&self, image: &mut Gray) {
        if self.motion_px >= 1.0 {
            *image = motion_blur(image, self.motion_px, self.motion_angle_deg.to_radians());
        }
        if self.defocus_px >= 0.3 {
            gaussian_blur(image, self.defocus_px);
        }
    }
}

impl Sensor {
    pub(crate) fn expose(&self, image: &Gray, rng: &mut Rng) -> Vec<u8> {
        image
            .data
            .iter()
            .map(|&radiance| {
                let tone = radiance.clamp(0.0, 1.0).powf(1.0 / 2.2);
                let noise =
                    self.read_noise * rng.gauss() as f32 + self.shot_noise * tone.sqrt() * rng.gauss() as f32;
                (self.black + self.range * tone + noise).round().clamp(0.0, 255.0) as u8
            })
            .collect()
    }
}

/// Separable gaussian, edges clamped.
fn gaussian_blur(image: &mut Gray, sigma: f32) {
    let radius = (3.0 * sigma).ceil() as isize;
    let weights: Vec<f32> = (-radius..=radius)
        .map(|i| (-((i * i) as f32) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = weights.iter().sum();
    let weights: Vec<f32> = weights.iter().map(|w| w / total).collect();
    let (w, h) = (image.width, image.height);
    let convolve = |src: &[f32], len: usize, stride: usize, out: &mut [f32]| {
        for (i, slot) in out.iter_mut().enumerate().take(len) {
            *slot = weights
                .iter()
                .zip(-radius..)
                .map(|(k, d)| k * src[(i as isize + d).clamp(0, len as isize - 1) as usize * stride])
                .sum();
        }
    };
    let mut line = vec![0.0; w.max(h)];
    for y in 0..h {
        convolve(&image.data[y * w..], w, 1, &mut line);
        image.data[y * w..(y + 1) * w].copy_from_slice(&line[..w]);
    }
    for x in 0..w {
        convolve(&image.data[x..], h, w, &mut line);
        for (y, v) in line[..h].iter().enumerate() {
            image.data[y * w + x] = *v;
        }
    }
}

/// The mean along a centred segment of `length` pixels at `angle`.
fn motion_blur(image: &Gray, length: f32, angle: f32) -> Gray {
    let steps = length.ceil() as usize + 1;
    let (dx, dy) = (angle.cos() * length, angle.sin() * length);
    let offsets: Vec<(f32, f32)> = (0..steps)
        .map(|i| {
            let t = i as f32 / (steps - 1) as f32 - 0.5;
            (t * dx, t * dy)
        })
        .collect();
    let mut out = Gray::new(image.width, image.height);
    for y in 0..image.height {
        for x in 0..image.width {
            let sum: f32 = offsets
                .iter()
                .map(|(ox, oy)| image.bilinear(x as f32 + ox, y as f32 + oy))
                .sum();
            out.data[y * image.width + x] = sum / steps as f32;
        }
    }
    out
}
