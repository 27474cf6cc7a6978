//! Procedural textures: smooth value noise for paper, wood and light, and
//! text-like glyph rows, since real scenes put print next to the code.

use super::rng::lattice;

/// Smooth noise in [0, 1] with features about one unit apart.
pub(crate) fn value(seed: u64, x: f32, y: f32) -> f32 {
    let (fx, fy) = (x.floor(), y.floor());
    let (ix, iy) = (fx as i64, fy as i64);
    let smooth = |t: f32| t * t * (3.0 - 2.0 * t);
    let (tx, ty) = (smooth(x - fx), smooth(y - fy));
    let top = lerp(lattice(seed, ix, iy), lattice(seed, ix + 1, iy), tx);
    let bottom = lerp(lattice(seed, ix, iy + 1), lattice(seed, ix + 1, iy + 1), tx);
    lerp(top, bottom, ty)
}

/// Octaves of value noise, each half the size and half the weight; about
/// [0, 1] with mean 0.5.
pub(crate) fn fbm(seed: u64, x: f32, y: f32, octaves: u32) -> f32 {
    let (mut sum, mut weight, mut scale, mut total) = (0.0, 1.0, 1.0, 0.0);
    for octave in 0..octaves {
        sum += weight * value(seed.wrapping_add(u64::from(octave)), x * scale, y * scale);
        total += weight;
        weight *= 0.5;
        scale *= 2.0;
    }
    sum / total
}

pub(crate) fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Whether (x, y) is ink in rows of fake text `line` apart: glyphs of 3x5
/// random dots with spacing, words split by spaces.
pub(crate) fn glyph_ink(seed: u64, x: f32, y: f32, line: f32) -> bool {
    let row = (y / line).floor();
    let in_row = y / line - row;
    let cell_w = line / 1.6;
    let cell = (x / cell_w).floor();
    let in_cell = x / cell_w - cell;
    let gy = (in_row * 7.0).floor() as i64 - 1;
    let gx = (in_cell * 4.0).floor() as i64;
    if !(0..5).contains(&gy) || gx > 2 {
        return false;
    }
    let (row, cell) = (row as i64, cell as i64);
    if lattice(seed, cell, row * 131 + 7) < 0.17 {
        return false; // a space between words
    }
    lattice(seed ^ 0x5eed, cell * 16 + gx, row * 8 + gy) < 0.5
}
