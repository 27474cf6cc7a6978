//! Reading a grid ourselves. rqrr reads each module as one pixel of its
//! black-and-white image; here each module is the mean of five points of
//! the gray frame, dark when darker than the modules around it, so glare, a
//! shadow or a noisy pixel spoil fewer modules, often few enough for error
//! correction. The grid is placed either by the corners rqrr found for a
//! code it could not decode, or by three finder patterns alone, for codes
//! rqrr did not find (its fit needs the alignment pattern, which a thumb or
//! blur can hide).

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "pixel coordinates, sizes and timings, far below 2^52"
)]

use std::time::Instant;

use rqrr::{Grid, Point, SimpleGrid};

use super::GrayFrame;
use super::finders::Finder;

/// The text of the code whose corners rqrr gave as `bounds` (top left, top
/// right, bottom right, bottom left, each one module past the code's
/// `size` modules, as rqrr reports them).
pub(super) fn resample(frame: &GrayFrame, bounds: &[Point; 4], size: usize) -> Option<String> {
    let map = Homography::square_to(bounds.map(|p| (f64::from(p.x), f64::from(p.y))))?;
    let scale = (size + 1) as f64;
    read_grid(frame, size, |u, v| map.apply(u / scale, v / scale))
}

/// Triples of finders tried a region: a code's three are usually among
/// the first, and texture can make many.
const MOST_TRIPLES: usize = 4;

/// The text of a code with finder patterns at `finders` (any three of a
/// few), its grid placed by them; no placement is tried past `deadline`.
pub(super) fn read_by_finders(
    frame: &GrayFrame,
    finders: &[Finder],
    deadline: Option<Instant>,
) -> Option<String> {
    let n = finders.len();
    (0..n)
        .flat_map(|a| (a + 1..n).flat_map(move |b| (b + 1..n).map(move |c| (a, b, c))))
        .filter_map(|(a, b, c)| corner(finders[a], finders[b], finders[c]))
        .take(MOST_TRIPLES)
        .find_map(|corners| read_placed(frame, corners, deadline))
}

/// The code whose top left, top right and bottom left finder patterns are
/// `corners`, at the sizes their distance suggests: placed by the corners
/// and the alignment pattern where one is found (a code seen at an angle),
/// else as a parallelogram.
fn read_placed(
    frame: &GrayFrame,
    [top_left, top_right, bottom_left]: [Finder; 3],
    deadline: Option<Instant>,
) -> Option<String> {
    let fourth = (
        top_right.x + bottom_left.x - top_left.x,
        top_right.y + bottom_left.y - top_left.y,
    );
    let placed = |corner| {
        [
            (top_left.x, top_left.y),
            (top_right.x, top_right.y),
            corner,
            (bottom_left.x, bottom_left.y),
        ]
    };
    sizes(top_left, top_right, bottom_left)
        .into_iter()
        .find_map(|size| {
            // Finder centres are 3.5 modules in from the code's edges.
            let (near, far) = (3.5, size as f64 - 3.5);
            let square = [(near, near), (far, near), (far, far), (near, far)];
            let parallelogram = Homography::between(square, placed(fourth))?;
            let tilted = || {
                // The alignment pattern's centre is 6.5 modules in.
                let inner = size as f64 - 6.5;
                let found = alignment(frame, &parallelogram, size)?;
                Homography::between([square[0], square[1], (inner, inner), square[3]], placed(found))
            };
            // A tilt the alignment pattern did not show (a thumb over it):
            // the fourth corner where the far quarter's modules look
            // sharpest, within three modules of the parallelogram's.
            let sharpest = || {
                let across = far - near;
                let step = |f: Finder| ((f.x - top_left.x) / across, (f.y - top_left.y) / across);
                let (right, down) = (step(top_right), step(bottom_left));
                (-6..=6)
                    .flat_map(|i| (-6..=6).map(move |j| (f64::from(i) / 2.0, f64::from(j) / 2.0)))
                    .filter_map(|(du, dv)| {
                        let corner = (
                            fourth.0 + du * right.0 + dv * down.0,
                            fourth.1 + du * right.1 + dv * down.1,
                        );
                        Homography::between(square, placed(corner))
                    })
                    .map(|map| (sharpness(frame, &map, size), map))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, map)| map)
            };
            // Each placement only when the one before did not read.
            let placements: [&dyn Fn() -> Option<Homography>; 3] = [
                &|| (size > 21).then(tilted).flatten(),
                &|| Some(parallelogram),
                &sharpest,
            ];
            placements
                .into_iter()
                .take_while(|_| deadline.is_none_or(|d| Instant::now() < d))
                .filter_map(|place| place())
                .find_map(|map| read_grid(frame, size, |u, v| map.apply(u, v)))
        })
}

/// How crisply `map` places the far quarter of a `size`-module code: the
/// mean distance of its module centres' levels from their mean. Centres
/// land on whole modules, dark or light, when the placement is right, and
/// on their blurred edges when it is not.
fn sharpness(frame: &GrayFrame, map: &Homography, size: usize) -> f64 {
    let levels: Vec<f64> = (size / 2..size)
        .flat_map(|v| (size / 2..size).map(move |u| (u as f64 + 0.5, v as f64 + 0.5)))
        .map(|(u, v)| {
            let (x, y) = map.apply(u, v);
            frame.sample(x, y)
        })
        .collect();
    let mean = levels.iter().sum::<f64>() / levels.len() as f64;
    levels.iter().map(|level| (level - mean).abs()).sum::<f64>() / levels.len() as f64
}

/// Where the alignment pattern of a `size`-module code is: searched within
/// six modules of where `map`, a parallelogram placement, puts it, as the
/// spot most like a dark module ringed by light and then by dark.
fn alignment(frame: &GrayFrame, map: &Homography, size: usize) -> Option<(f64, f64)> {
    // Levels on a half-module lattice around the expected centre, each
    // sampled once: candidates on it share their samples.
    const REACH: i32 = 12;
    const SIDE: i32 = 2 * (REACH + 4) + 1;
    let expected = size as f64 - 6.5;
    let lattice = |k: i32| expected + f64::from(k - REACH - 4) / 2.0;
    let levels: Vec<f64> = (0..SIDE * SIDE)
        .map(|k| {
            let (x, y) = map.apply(lattice(k % SIDE), lattice(k / SIDE));
            frame.sample(x, y)
        })
        .collect();
    let level = |col: i32, row: i32| levels[(row * SIDE + col) as usize];
    let (score, col, row) = (4..SIDE - 4)
        .flat_map(|row| (4..SIDE - 4).map(move |col| (col, row)))
        .map(|(col, row)| {
            let (mut light, mut dark) = (0.0, level(col, row));
            for i in -2..=2_i32 {
                for j in -2..=2_i32 {
                    let ring = i.abs().max(j.abs());
                    // A module is two lattice steps.
                    let sample = level(col + 2 * i, row + 2 * j);
                    if ring == 1 {
                        light += sample / 8.0;
                    } else if ring == 2 {
                        dark += sample / 16.0;
                    }
                }
            }
            // The light ring against the centre and outer ring, each half.
            (light - dark / 2.0, col, row)
        })
        .fold(
            (f64::MIN, 0, 0),
            |best, next| if next.0 > best.0 { next } else { best },
        );
    // A clear ring, a sixth of the way from black to white at least.
    (score > 40.0).then(|| map.apply(lattice(col), lattice(row)))
}

/// Three finders as the code's top left, top right and bottom left: the
/// top left is the one at the right angle, and the top right is clockwise
/// from the bottom left around it. `None` when no angle is near right.
fn corner(first: Finder, second: Finder, third: Finder) -> Option<[Finder; 3]> {
    let dist = |p: Finder, q: Finder| (p.x - q.x).hypot(p.y - q.y);
    // The corner is opposite the longest side.
    let sides = [dist(first, second), dist(second, third), dist(third, first)];
    let (top_left, one, other, legs) = if sides[1] >= sides[0] && sides[1] >= sides[2] {
        (first, second, third, (sides[0], sides[2]))
    } else if sides[2] >= sides[0] {
        (second, third, first, (sides[0], sides[1]))
    } else {
        (third, first, second, (sides[1], sides[2]))
    };
    let hypotenuse = sides[0].max(sides[1]).max(sides[2]);
    // Legs about equal and the hypotenuse about √2 times a leg.
    let (short, long) = (legs.0.min(legs.1), legs.0.max(legs.1));
    if short < long * 0.5 || (hypotenuse / long.hypot(short) - 1.0).abs() > 0.3 {
        return None;
    }
    let cross = (one.x - top_left.x) * (other.y - top_left.y) - (one.y - top_left.y) * (other.x - top_left.x);
    Some(if cross > 0.0 {
        [top_left, one, other]
    } else {
        [top_left, other, one]
    })
}

/// The largest QR version read by its finders alone (57 modules): passes
/// are version 5, and a larger estimate is texture, not a code.
const LARGEST_VERSION: f64 = 10.0;

/// The QR sizes (17 + 4 × version modules) nearest what the finders'
/// distances in modules suggest, likeliest first.
fn sizes(top_left: Finder, top_right: Finder, bottom_left: Finder) -> Vec<usize> {
    let measured = (top_left.module + top_right.module + bottom_left.module) / 3.0;
    // Finder modules were measured along rows and columns: a code turned
    // by an angle crosses them aslant, longer by 1 / max(|cos|, |sin|).
    // Tilt changes module widths too, so the measure as taken is tried
    // after the turned one.
    let (dx, dy) = (top_right.x - top_left.x, top_right.y - top_left.y);
    let turned = measured * dx.abs().max(dy.abs()) / dx.hypot(dy);
    let across = dx.hypot(dy);
    let down = (top_left.x - bottom_left.x).hypot(top_left.y - bottom_left.y);
    let version = |module: f64| (f64::midpoint(across, down) / module + 7.0 - 17.0) / 4.0;
    let (estimate, untilted) = (version(turned), version(measured));
    let next = if estimate < estimate.round() {
        estimate.round() - 1.0
    } else {
        estimate.round() + 1.0
    };
    let mut sizes = Vec::new();
    for v in [estimate.round(), next, untilted.round()] {
        let size = 17 + 4 * v as usize;
        if (1.0..=LARGEST_VERSION).contains(&v) && !sizes.contains(&size) {
            sizes.push(size);
        }
    }
    sizes
}

/// Reads a `size`-module grid whose module coordinates (from 0 at the top
/// left corner to `size`) `map` places in the frame.
fn read_grid(frame: &GrayFrame, size: usize, map: impl Fn(f64, f64) -> (f64, f64)) -> Option<String> {
    let levels: Vec<f64> = (0..size * size)
        .map(|i| {
            let (u, v) = ((i % size) as f64 + 0.5, (i / size) as f64 + 0.5);
            POINTS
                .iter()
                .map(|(du, dv)| {
                    let (x, y) = map(u + du, v + dv);
                    frame.sample(x, y)
                })
                .sum::<f64>()
                / POINTS.len() as f64
        })
        .collect();
    let dark = module_threshold(&levels, size);
    // rqrr takes a millisecond or two to refuse a misplaced grid; the
    // timing patterns tell one in microseconds.
    if !timing_holds(&dark, size) {
        return None;
    }
    let grid = Grid::new(SimpleGrid::from_func(size, |x, y| dark[y * size + x]));
    grid.decode().ok().map(|(_, text)| text)
}

/// Whether the timing patterns (row and column 6 between the finders,
/// alternating dark and light) are mostly where the grid was placed: a
/// grid of the wrong size or off by a module fails this at once.
fn timing_holds(dark: &[bool], size: usize) -> bool {
    let span = 8..size - 8;
    let agree = span
        .clone()
        .map(|i| {
            usize::from(dark[6 * size + i] == (i % 2 == 0)) + usize::from(dark[i * size + 6] == (i % 2 == 0))
        })
        .sum::<usize>();
    // Three in four, leaving room for a thumb or a glint over the pattern.
    agree * 4 >= span.len() * 2 * 3
}

/// Where a module is sampled: its centre and four points a fifth of a
/// module away, clear of its neighbours even when the fit is a little off.
const POINTS: [(f64, f64); 5] = [(0.0, 0.0), (-0.2, 0.0), (0.2, 0.0), (0.0, -0.2), (0.0, 0.2)];

/// Modules across the neighbourhood a module is compared with: wide enough
/// to hold both colours, narrow enough to follow light across the code.
const WINDOW: usize = 9;

/// Dark modules: darker than the mean of the window around them.
fn module_threshold(levels: &[f64], size: usize) -> Vec<bool> {
    let reach = WINDOW / 2;
    (0..size * size)
        .map(|i| {
            let (x, y) = (i % size, i / size);
            let (xs, ys) = (
                x.saturating_sub(reach)..(x + reach + 1).min(size),
                y.saturating_sub(reach)..(y + reach + 1).min(size),
            );
            let (mut sum, mut count) = (0.0, 0.0);
            for row in ys {
                for level in &levels[row * size + xs.start..row * size + xs.end] {
                    sum += level;
                    count += 1.0;
                }
            }
            levels[i] * count < sum
        })
        .collect()
}

/// A projective map of the plane, as a 3×3 matrix row by row.
#[derive(Clone, Copy)]
struct Homography([f64; 9]);

impl Homography {
    /// Maps (0,0), (1,0), (1,1), (0,1) to `corners`; `None` when three
    /// corners are in a line.
    fn square_to(corners: [(f64, f64); 4]) -> Option<Self> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = corners;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let det = dx1 * dy2 - dx2 * dy1;
        if det.abs() < 1e-9 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / det;
        let h = (dx1 * dy3 - dx3 * dy1) / det;
        Some(Self([
            x1 - x0 + g * x1,
            x3 - x0 + h * x3,
            x0,
            y1 - y0 + g * y1,
            y3 - y0 + h * y3,
            y0,
            g,
            h,
            1.0,
        ]))
    }

    /// Maps each of `from` to the same of `to`.
    fn between(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Self> {
        let onto = Self::square_to(to)?;
        let back = Self::square_to(from)?.inverse()?;
        Some(onto.after(&back))
    }

    /// This map applied after `first`.
    fn after(&self, first: &Self) -> Self {
        let (a, b) = (&self.0, &first.0);
        Self(std::array::from_fn(|i| {
            let (row, col) = (i / 3, i % 3);
            (0..3).map(|k| a[row * 3 + k] * b[k * 3 + col]).sum()
        }))
    }

    fn inverse(&self) -> Option<Self> {
        let m = &self.0;
        let cofactor = |r0: usize, r1: usize, c0: usize, c1: usize| {
            m[r0 * 3 + c0] * m[r1 * 3 + c1] - m[r0 * 3 + c1] * m[r1 * 3 + c0]
        };
        let adjugate = [
            cofactor(1, 2, 1, 2),
            -cofactor(0, 2, 1, 2),
            cofactor(0, 1, 1, 2),
            -cofactor(1, 2, 0, 2),
            cofactor(0, 2, 0, 2),
            -cofactor(0, 1, 0, 2),
            cofactor(1, 2, 0, 1),
            -cofactor(0, 2, 0, 1),
            cofactor(0, 1, 0, 1),
        ];
        let det = m[0] * adjugate[0] + m[1] * adjugate[3] + m[2] * adjugate[6];
        (det.abs() > 1e-12).then(|| Self(adjugate.map(|v| v / det)))
    }

    fn apply(&self, across: f64, down: f64) -> (f64, f64) {
        let c = &self.0;
        let depth = c[6] * across + c[7] * down + c[8];
        (
            (c[0] * across + c[1] * down + c[2]) / depth,
            (c[3] * across + c[4] * down + c[5]) / depth,
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A quadrilateral near the square of side `side` at `origin`, each
    /// corner moved by up to a quarter side: convex, as a code seen at an angle.
    fn quad() -> impl Strategy<Value = [(f64, f64); 4]> {
        (
            1.0..500.0f64,
            -1e3..1e3f64,
            -1e3..1e3f64,
            prop::array::uniform8(-0.25..0.25f64),
        )
            .prop_map(|(side, x, y, moves)| {
                let square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
                std::array::from_fn(|i| {
                    let (u, v) = square[i];
                    (x + side * (u + moves[2 * i]), y + side * (v + moves[2 * i + 1]))
                })
            })
    }

    proptest! {
        #[test]
        fn a_homography_maps_four_points_onto_four(from in quad(), to in quad()) {
            let map = Homography::between(from, to).unwrap();
            for (p, q) in from.into_iter().zip(to) {
                let (x, y) = map.apply(p.0, p.1);
                let scale = q.0.abs().max(q.1.abs()).max(1.0);
                prop_assert!((x - q.0).abs() < 1e-6 * scale && (y - q.1).abs() < 1e-6 * scale, "{p:?} went to ({x}, {y}), not {q:?}");
            }
        }
    }

    #[test]
    fn three_corners_in_a_line_place_nothing() {
        assert!(Homography::square_to([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)]).is_none());
    }
}
