//! One frame's scene and its rendering: desk, carrier with the code, thumb,
//! light and glare, then the camera. Every parameter is here, so the
//! manifest can record what made each frame.

use serde::Serialize;

use super::camera::{Optics, Sensor};
use super::geometry::{Homography, Pose};
use super::payload::Matrix;
use super::raster::Gray;
use super::rng::Rng;
use super::surface::{Carrier, Decoy, Desk, Face, Finger};

/// Everything that makes one frame.
#[derive(Debug, Clone, Serialize)]
pub struct Scene {
    /// Seeds the textures and the sensor noise.
    pub(crate) seed: u64,
    pub(crate) pose: Pose,
    pub(crate) carrier: Carrier,
    /// Shown in the code's place when the frame has no code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) decoy: Option<Decoy>,
    pub(crate) desk: Desk,
    pub(crate) light: Light,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) glare: Option<Glare>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) finger: Option<Finger>,
    pub(crate) optics: Optics,
    pub(crate) sensor: Sensor,
}

/// Ambient light falling on reflective surfaces: a linear gradient and
/// lens vignetting.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Light {
    pub(crate) ambient: f32,
    pub(crate) gradient: f32,
    pub(crate) gradient_angle_deg: f32,
    pub(crate) vignette: f32,
}

/// A specular highlight on the carrier's glossy surface, in modules; a
/// peak above 1 saturates the sensor.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Glare {
    pub(crate) center: [f64; 2],
    pub(crate) radius: f64,
    /// Length over width of the highlight.
    pub(crate) elongation: f64,
    pub(crate) angle_deg: f64,
    pub(crate) peak: f32,
}

/// Sub-pixel sample positions where the carrier's edges and modules are.
const SUPERSAMPLE: [(f32, f32); 4] = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)];

impl Light {
    fn at(&self, x: f32, y: f32, width: f32, height: f32) -> f32 {
        let (s, c) = self.gradient_angle_deg.to_radians().sin_cos();
        let (nx, ny) = (2.0 * x / width - 1.0, 2.0 * y / height - 1.0);
        let slope = 1.0 + self.gradient * 0.5 * (nx * c + ny * s);
        let edge = 0.5 * (nx * nx + ny * ny);
        self.ambient * slope * (1.0 - self.vignette * edge)
    }
}

impl Glare {
    fn at(&self, x: f64, y: f64) -> f32 {
        let (s, c) = self.angle_deg.to_radians().sin_cos();
        let (dx, dy) = (x - self.center[0], y - self.center[1]);
        let (along, across) = (dx * c + dy * s, dy * c - dx * s);
        let r2 = (along / self.elongation).powi(2) + across.powi(2);
        self.peak * (-r2 / (2.0 * self.radius * self.radius)).exp() as f32
    }
}

/// The plane-to-frame mapping of a scene.
pub(crate) struct Projection {
    pub(crate) to_frame: Homography,
    to_plane: Homography,
}

impl Projection {
    pub(crate) fn new(pose: &Pose, size: f64, width: u32, height: u32) -> Option<Self> {
        let to_frame = pose.homography(size, width, height);
        Some(Self {
            to_plane: to_frame.inverse()?,
            to_frame,
        })
    }
}

impl Scene {
    /// Linear radiance of the scene as the lens passes it to the sensor.
    fn radiance(&self, code: Option<&Matrix>, size: usize, width: u32, height: u32) -> Option<Gray> {
        let size = size as f64;
        let projection = Projection::new(&self.pose, size, width, height)?;
        let (w, h) = (width as usize, height as usize);
        let (fw, fh) = (width as f32, height as f32);
        // Supersample only around the carrier and thumb: elsewhere is desk.
        let mut corners = self.carrier.corners(size).to_vec();
        if let Some(f) = &self.finger {
            for [x, y] in [f.base, f.tip] {
                corners.extend([(x - f.radius, y - f.radius), (x + f.radius, y + f.radius)]);
                corners.extend([(x - f.radius, y + f.radius), (x + f.radius, y - f.radius)]);
            }
        }
        let bounds =
            projection
                .to_frame
                .bounds(&corners)
                .unwrap_or([0.0, 0.0, f64::from(width), f64::from(height)]);
        let near = |x: usize, y: usize| {
            let (x, y) = (x as f64, y as f64);
            x + 1.0 >= bounds[0] && x <= bounds[2] && y + 1.0 >= bounds[1] && y <= bounds[3]
        };
        let face = Face {
            seed: self.seed,
            code,
            decoy: self.decoy.unwrap_or(Decoy::Text),
            size,
        };
        let sample = |u: f32, v: f32| -> f32 {
            let light = self.light.at(u, v, fw, fh);
            if let Some((x, y)) = projection.to_plane.apply(f64::from(u), f64::from(v)) {
                if let Some(finger) = &self.finger
                    && let Some(d) = finger.covers(x, y)
                {
                    return finger.radiance(self.seed, d, x, y, light);
                }
                let on_carrier = self.carrier.radiance(&face, (x, y), light, (u, v));
                if let Some(r) = on_carrier {
                    return r + self.glare.map_or(0.0, |g| g.at(x, y));
                }
            }
            self.desk.albedo(self.seed, u, v) * light
        };
        let mut image = Gray::new(w, h);
        for y in 0..h {
            for x in 0..w {
                let (u, v) = (x as f32, y as f32);
                image.data[y * w + x] = if near(x, y) {
                    SUPERSAMPLE
                        .iter()
                        .map(|(dx, dy)| sample(u + dx, v + dy))
                        .sum::<f32>()
                        / 4.0
                } else {
                    sample(u + 0.5, v + 0.5)
                };
            }
        }
        Some(image)
    }

    /// The 8-bit grayscale frame; None if the pose cannot be projected.
    pub(crate) fn render(
        &self,
        code: Option<&Matrix>,
        size: usize,
        width: u32,
        height: u32,
    ) -> Option<Vec<u8>> {
        let mut image = self.radiance(code, size, width, height)?;
        self.optics.apply(&mut image);
        Some(
            self.sensor
                .expose(&image, &mut Rng::derive(self.seed, "sensor", 0)),
        )
    }
}
