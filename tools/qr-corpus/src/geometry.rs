//! Where the code is: a pinhole camera looking at a rolled and tilted plane,
//! as a homography from plane units (QR modules) to frame pixels.

#![allow(clippy::many_single_char_names, reason = "the camera model's own symbols")]

use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Homography([[f64; 3]; 3]);

impl Homography {
    /// None for points behind the camera.
    pub(crate) fn apply(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let m = &self.0;
        let w = m[2][0] * x + m[2][1] * y + m[2][2];
        (w > 1e-12).then(|| {
            (
                (m[0][0] * x + m[0][1] * y + m[0][2]) / w,
                (m[1][0] * x + m[1][1] * y + m[1][2]) / w,
            )
        })
    }

    pub(crate) fn inverse(&self) -> Option<Self> {
        let m = &self.0;
        let cofactor =
            |r0: usize, r1: usize, c0: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
        let adj = [
            [cofactor(1, 2, 1, 2), -cofactor(0, 2, 1, 2), cofactor(0, 1, 1, 2)],
            [-cofactor(1, 2, 0, 2), cofactor(0, 2, 0, 2), -cofactor(0, 1, 0, 2)],
            [cofactor(1, 2, 0, 1), -cofactor(0, 2, 0, 1), cofactor(0, 1, 0, 1)],
        ];
        let det = m[0][0] * adj[0][0] + m[0][1] * adj[1][0] + m[0][2] * adj[2][0];
        // The exact inverse maps a pixel to (X, Y, 1) / depth: w stays
        // positive in front of the camera.
        (det.abs() > 1e-12).then(|| Self(adj.map(|row| row.map(|v| v / det))))
    }

    /// The pixel box of plane points, or None if one is behind the camera.
    pub(crate) fn bounds(&self, points: &[(f64, f64)]) -> Option<[f64; 4]> {
        points.iter().try_fold(
            [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
            |[x0, y0, x1, y1], &(x, y)| {
                let (u, v) = self.apply(x, y)?;
                Some([x0.min(u), y0.min(v), x1.max(u), y1.max(v)])
            },
        )
    }
}

/// How the camera sees the code.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Pose {
    /// Focal length in pixels (the lens's field of view at this resolution).
    pub(crate) focal_px: f64,
    /// Module size in pixels at the code's centre, before tilt.
    pub(crate) module_px: f64,
    /// In-plane rotation.
    pub(crate) roll_deg: f64,
    /// Rotation of the plane away from facing the camera, about an axis in
    /// the plane at `tilt_axis_deg`.
    pub(crate) tilt_deg: f64,
    pub(crate) tilt_axis_deg: f64,
    /// Where the code's centre lands in the frame.
    pub(crate) center_px: [f64; 2],
}

impl Pose {
    /// Plane (modules, the code spanning 0..`code_size`) to pixels of a
    /// `width` x `height` frame: H = K [r1 r2 t].
    pub(crate) fn homography(&self, code_size: f64, width: u32, height: u32) -> Homography {
        let f = self.focal_px;
        let (px, py) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
        let (ax, ay) = (
            self.tilt_axis_deg.to_radians().cos(),
            self.tilt_axis_deg.to_radians().sin(),
        );
        let tilt = rotation([ax, ay, 0.0], self.tilt_deg.to_radians());
        let roll = rotation([0.0, 0.0, 1.0], self.roll_deg.to_radians());
        // Turn the untilted code to face the ray through its centre, so the
        // tilt is the obliquity the camera really sees, wherever the code is.
        let (rx, ry) = ((self.center_px[0] - px) / f, (self.center_px[1] - py) / f);
        let off_axis = rx.hypot(ry);
        let toward = rotation(
            [-ry / off_axis.max(1e-12), rx / off_axis.max(1e-12), 0.0],
            off_axis.atan(),
        );
        let r = mul(&toward, &mul(&roll, &tilt));
        let depth = f / self.module_px;
        let c = code_size / 2.0;
        let t = [
            depth * rx - (r[0][0] + r[0][1]) * c,
            depth * ry - (r[1][0] + r[1][1]) * c,
            depth - (r[2][0] + r[2][1]) * c,
        ];
        let m = [
            [r[0][0], r[0][1], t[0]],
            [r[1][0], r[1][1], t[1]],
            [r[2][0], r[2][1], t[2]],
        ];
        let k = [[f, 0.0, px], [0.0, f, py], [0.0, 0.0, 1.0]];
        Homography(mul(&k, &m))
    }
}

/// Rotation by `angle` about the unit `axis` (Rodrigues).
fn rotation([x, y, z]: [f64; 3], angle: f64) -> [[f64; 3]; 3] {
    let (s, c) = angle.sin_cos();
    let t = 1.0 - c;
    [
        [c + x * x * t, x * y * t - z * s, x * z * t + y * s],
        [y * x * t + z * s, c + y * y * t, y * z * t - x * s],
        [z * x * t - y * s, z * y * t + x * s, c + z * z * t],
    ]
}

fn mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facing_code_lands_centred_with_its_module_size() {
        let pose = Pose {
            focal_px: 900.0,
            module_px: 5.0,
            roll_deg: 0.0,
            tilt_deg: 0.0,
            tilt_axis_deg: 0.0,
            center_px: [640.0, 360.0],
        };
        let h = pose.homography(37.0, 1280, 720);
        let (u, v) = h.apply(18.5, 18.5).unwrap();
        assert!((u - 640.0).abs() < 1e-9 && (v - 360.0).abs() < 1e-9);
        let (u1, _) = h.apply(19.5, 18.5).unwrap();
        assert!((u1 - u - 5.0).abs() < 1e-9);
        let (x, y) = h.inverse().unwrap().apply(u1, v).unwrap();
        assert!((x - 19.5).abs() < 1e-9 && (y - 18.5).abs() < 1e-9);
    }

    #[test]
    fn tilt_is_seen_from_the_ray_through_the_code_wherever_it_is() {
        // Tilted 60 degrees about the vertical axis, modules across it are
        // half as wide as untilted ones, in the middle or in a corner.
        let width = |tilt_deg: f64, center_px: [f64; 2]| {
            let pose = Pose {
                focal_px: 900.0,
                module_px: 8.0,
                roll_deg: 0.0,
                tilt_deg,
                tilt_axis_deg: 90.0,
                center_px,
            };
            let h = pose.homography(37.0, 1280, 720);
            let (u0, v0) = h.apply(18.4, 18.5).unwrap();
            let (u1, v1) = h.apply(18.6, 18.5).unwrap();
            (u1 - u0).hypot(v1 - v0)
        };
        for center in [[640.0, 360.0], [150.0, 100.0]] {
            let ratio = width(60.0, center) / width(0.0, center);
            assert!((ratio - 0.5).abs() < 0.03, "{ratio} at {center:?}");
        }
    }
}
