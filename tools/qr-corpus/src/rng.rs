//! Deterministic randomness: SplitMix64, so a seed gives the same corpus on
//! every machine and release (no dependency on a crate's stream).

#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

/// SplitMix64's output function: a good 64-bit mix of any input.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable value in [0, 1) for a lattice point, for textures.
pub(crate) fn lattice(seed: u64, x: i64, y: i64) -> f32 {
    let h = mix(seed ^ mix(x.cast_unsigned() ^ mix(y.cast_unsigned())));
    (h >> 40) as f32 / (1u64 << 24) as f32
}

impl Rng {
    /// One independent stream per (seed, label, index): each frame can be
    /// planned or rendered alone and still come out the same.
    pub(crate) fn derive(seed: u64, label: &str, index: u64) -> Self {
        let label = label.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Self(mix(seed) ^ mix(label) ^ mix(index.wrapping_add(0x9e37_79b9)))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box-Muller).
    pub(crate) fn gauss(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
