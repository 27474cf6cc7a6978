//! A grayscale image of linear radiance (1.0: white paper in nominal light),
//! before the camera turns it into 8-bit pixels.

#[derive(Debug, Clone)]
pub(crate) struct Gray {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) data: Vec<f32>,
}

impl Gray {
    pub(crate) fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            data: vec![0.0; width * height],
        }
    }

    pub(crate) fn get(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Bilinear sample at a pixel-centre coordinate, clamped at the edges.
    pub(crate) fn bilinear(&self, x: f32, y: f32) -> f32 {
        let max_x = (self.width - 1) as f32;
        let max_y = (self.height - 1) as f32;
        let (x, y) = (x.clamp(0.0, max_x), y.clamp(0.0, max_y));
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (x - x0 as f32, y - y0 as f32);
        let top = self.get(x0, y0) * (1.0 - tx) + self.get(x1, y0) * tx;
        let bottom = self.get(x0, y1) * (1.0 - tx) + self.get(x1, y1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}
