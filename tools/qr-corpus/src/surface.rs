//! What the camera sees besides the code: the desk behind, the printed card
//! or phone that carries the code, and a thumb in front of it. Carriers and
//! the thumb live in the code's plane, in modules, the code spanning
//! 0..size on both axes.

use serde::Serialize;

use super::payload::Matrix;
use super::rng::lattice;
use super::texture::{fbm, glyph_ink, lerp};

/// The surface behind the carrier, in frame pixels.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Desk {
    Wood {
        tone: f32,
        angle_deg: f32,
        period_px: f32,
    },
    Laminate {
        tone: f32,
    },
    /// A woven straw mat, as on a dojo's floor.
    Mat {
        tone: f32,
        weave_px: f32,
    },
}

impl Desk {
    pub(crate) fn albedo(&self, seed: u64, x: f32, y: f32) -> f32 {
        match *self {
            Desk::Wood {
                tone,
                angle_deg,
                period_px,
            } => {
                let (sin, cos) = angle_deg.to_radians().sin_cos();
                let (across, along) = (x * cos + y * sin, y * cos - x * sin);
                let warp = 2.0 * fbm(seed, across / 80.0, along / 400.0, 2);
                let rings = 0.5 + 0.5 * (std::f32::consts::TAU * (across / period_px + warp)).sin();
                tone * (0.72 + 0.22 * rings + 0.12 * fbm(seed ^ 0x1, across / 3.0, along / 40.0, 2))
            }
            Desk::Laminate { tone } => {
                tone * (0.9
                    + 0.15 * fbm(seed, x / 30.0, y / 30.0, 2)
                    + 0.06 * lattice(seed, x as i64, y as i64))
            }
            Desk::Mat { tone, weave_px } => {
                let strand = 0.5 + 0.5 * (std::f32::consts::TAU * y / weave_px).cos();
                let straw = fbm(seed, x / 25.0, y / weave_px, 2);
                tone * (0.6 + 0.25 * strand + 0.3 * straw)
            }
        }
    }
}

/// How a card is printed.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Print {
    /// Albedo of the card stock and of solid ink.
    pub(crate) paper: f32,
    pub(crate) ink: f32,
    /// Amplitude of paper grain, as a fraction of the paper's albedo.
    pub(crate) grain: f32,
    /// How far ink spreads past a module's edge, in modules (negative: a
    /// starved printer leaves modules thin).
    pub(crate) bleed: f32,
    /// Patchy ink density: 0 even, 1 some patches as light as half-tone.
    pub(crate) blotch: f32,
    /// Fraction of the ink lost in small specks.
    pub(crate) specks: f32,
}

/// What a phone's screen does.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Screen {
    /// Emitted radiance of white.
    pub(crate) brightness: f32,
    /// Emission of a dark module as a fraction of white.
    pub(crate) dark: f32,
    /// Pitch of the screen's pixels, in modules.
    pub(crate) pitch: f32,
    /// Lit fraction of each screen pixel; the rest is the black matrix the
    /// camera's own pixel grid beats against.
    pub(crate) fill: f32,
    /// A moiré beat in frame space: depth (0..1), period and direction.
    pub(crate) beat: f32,
    pub(crate) beat_period_px: f32,
    pub(crate) beat_angle_deg: f32,
}

/// What carries the code (or, in frames without one, stands in its place).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Carrier {
    Card { print: Print },
    Phone { screen: Screen },
}

/// What a frame without a code shows where the code would be.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Decoy {
    /// Nested squares, like one finder pattern: a logo.
    Logo,
    /// A checkerboard of module-sized squares.
    Checker,
    /// More fake text.
    Text,
}

/// What sits where the code is: the code itself, or in a frame without one
/// a decoy; with the seed of the print around it.
pub(crate) struct Face<'a> {
    pub(crate) seed: u64,
    pub(crate) code: Option<&'a Matrix>,
    pub(crate) decoy: Decoy,
    /// Modules across the code.
    pub(crate) size: f64,
}

/// Where a carrier's parts are, in modules.
struct Layout {
    outer: [f64; 4],
    radius: f64,
    /// A phone's screen inside its body.
    screen: [f64; 4],
}

impl Carrier {
    fn layout(&self, size: f64) -> Layout {
        match self {
            Carrier::Card { .. } => {
                // An ID-1 card with the code at its right, 5 modules of margin.
                let height = size + 10.0;
                let outer = [size + 5.0 - height * 1.586, -5.0, size + 5.0, size + 5.0];
                Layout {
                    outer,
                    radius: 3.0,
                    screen: outer,
                }
            }
            Carrier::Phone { .. } => {
                let width = size + 16.0;
                let height = width * 2.1;
                let top = -0.45 * (height - size);
                let screen = [-8.0, top, size + 8.0, top + height];
                Layout {
                    outer: [screen[0] - 2.0, screen[1] - 7.0, screen[2] + 2.0, screen[3] + 7.0],
                    radius: 6.0,
                    screen,
                }
            }
        }
    }

    /// The carrier's corners, to bound where it lands in the frame.
    pub(crate) fn corners(&self, size: f64) -> [(f64, f64); 4] {
        let [x0, y0, x1, y1] = self.layout(size).outer;
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    }

    /// Radiance at plane point (x, y) under `light`, or None off the
    /// carrier. `frame` is the frame pixel, for the screen's moiré beat.
    pub(crate) fn radiance(
        &self,
        face: &Face<'_>,
        (x, y): (f64, f64),
        light: f32,
        frame: (f32, f32),
    ) -> Option<f32> {
        let layout = self.layout(face.size);
        if !inside_rounded(layout.outer, layout.radius, x, y) {
            return None;
        }
        Some(match self {
            Carrier::Card { print } => {
                let ink = face.card_ink(print.bleed, layout.outer, x, y);
                print_albedo(face.seed, print, ink, x, y) * light
            }
            Carrier::Phone { screen } => {
                let glass = 0.04 * light;
                if !inside_rounded(layout.screen, 1.0, x, y) {
                    return Some(glass);
                }
                let content = face.screen_content(layout.screen, x, y);
                let shown = lerp(1.0, screen.dark, content);
                glass + screen.brightness * shown * pixel_grid(screen, x, y) * beat(screen, frame)
            }
        })
    }
}

fn inside_rounded([x0, y0, x1, y1]: [f64; 4], r: f64, x: f64, y: f64) -> bool {
    let dx = (x0 + r - x).max(x - (x1 - r)).max(0.0);
    let dy = (y0 + r - y).max(y - (y1 - r)).max(0.0);
    x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r
}

impl Face<'_> {
    /// Ink coverage (0 to 1) of a card: the code, or a decoy, at the right;
    /// a header band, name and rank in fake text, and a belt bar at the left.
    fn card_ink(&self, bleed: f32, [x0, y0, _, _]: [f64; 4], x: f64, y: f64) -> f32 {
        let seed = self.seed;
        // The code keeps its quiet zone: the left part stops 5 modules short.
        if x >= -5.0 {
            return self.ink(bleed, x, y);
        }
        let left = x - x0;
        let top = y - y0;
        let text_end = -7.0;
        if top < 9.0 {
            // The header band, with the academy's name knocked out in paper.
            let name = left > 4.0 && x < text_end && (2.5..6.5).contains(&top);
            return if name && glyph_ink(seed, left as f32, (top - 2.5) as f32, 4.0) {
                0.0
            } else {
                0.75
            };
        }
        if left > 4.0 && x < text_end && (13.0..25.0).contains(&top) {
            return f32::from(u8::from(glyph_ink(
                seed ^ 0x2,
                left as f32,
                (top - 13.0) as f32,
                3.0,
            )));
        }
        if left > 4.0 && x < text_end && (29.0..33.0).contains(&top) {
            return 0.5; // the belt's colour, grey on a grey camera
        }
        0.0
    }

    /// The code (with its ink bleed) or what stands in its place.
    fn ink(&self, bleed: f32, x: f64, y: f64) -> f32 {
        let size = self.size;
        if let Some(code) = self.code {
            return f32::from(u8::from(code_ink(code, x, y, f64::from(bleed))));
        }
        if !(0.0..size).contains(&x) || !(0.0..size).contains(&y) {
            return 0.0;
        }
        let dark = match self.decoy {
            Decoy::Logo => {
                let d = ((x - size / 2.0).abs()).max((y - size / 2.0).abs()) / (size / 2.0);
                (d < 1.0 && d > 0.8) || (d < 0.55 && d > 0.4) || d < 0.15
            }
            Decoy::Checker => ((x / 2.0).floor() as i64 + (y / 2.0).floor() as i64) % 2 == 0,
            Decoy::Text => glyph_ink(self.seed ^ 0x3, x as f32, y as f32, 3.0),
        };
        f32::from(u8::from(dark))
    }

    /// What a phone's screen shows, as darkness 0 (white) to 1: an app bar
    /// with a title, text above and below the code.
    fn screen_content(&self, [_, y0, _, y1]: [f64; 4], x: f64, y: f64) -> f32 {
        let (seed, size) = (self.seed, self.size);
        let from_top = y - y0;
        if from_top < 3.0 {
            return 0.9; // status bar
        }
        if from_top < 14.0 {
            let title = (6.0..11.0).contains(&from_top) && (-4.0..size * 0.7).contains(&x);
            return if title && glyph_ink(seed ^ 0x8, x as f32, (from_top - 6.0) as f32, 5.0) {
                0.0
            } else {
                0.55
            };
        }
        let text_rows = (from_top > 18.0 && y < -8.0) || (y > size + 8.0 && y < y1 - 10.0);
        if text_rows && (-4.0..size + 4.0).contains(&x) {
            return f32::from(u8::from(glyph_ink(seed ^ 0x9, x as f32, y as f32, 4.0)));
        }
        self.ink(0.0, x, y)
    }
}

/// Whether (x, y) is inked: inside a dark module grown (or shrunk) by
/// `bleed` modules, with rounded corners as real ink spreads.
fn code_ink(code: &Matrix, x: f64, y: f64, bleed: f64) -> bool {
    let (i, j) = (x.floor() as i64, y.floor() as i64);
    let own = code.dark(i, j);
    if bleed == 0.0 {
        return own;
    }
    // Distance to the nearest module of the other colour among neighbours.
    let mut nearest = f64::MAX;
    for nj in j - 1..=j + 1 {
        for ni in i - 1..=i + 1 {
            if code.dark(ni, nj) != own {
                let dx = (ni as f64 - x).max(x - (ni + 1) as f64).max(0.0);
                let dy = (nj as f64 - y).max(y - (nj + 1) as f64).max(0.0);
                nearest = nearest.min(dx.hypot(dy));
            }
        }
    }
    if own { nearest > -bleed } else { nearest <= bleed }
}

/// Paper grain, patchy ink and specks over an ink coverage.
fn print_albedo(seed: u64, print: &Print, ink: f32, x: f64, y: f64) -> f32 {
    let (fx, fy) = (x as f32, y as f32);
    let grain = 1.0 + print.grain * 2.0 * (fbm(seed ^ 0x5, fx * 4.0, fy * 4.0, 3) - 0.5);
    let paper = print.paper * grain;
    if ink <= 0.0 {
        return paper;
    }
    let speck = lattice(seed ^ 0x6, (fx * 5.0) as i64, (fy * 5.0) as i64) < print.specks;
    if speck {
        return paper;
    }
    let density = 1.0 - print.blotch * 0.6 * fbm(seed ^ 0x7, fx / 5.0, fy / 5.0, 2);
    let ink_albedo = lerp(paper, print.ink, density);
    lerp(paper, ink_albedo, ink)
}

fn pixel_grid(screen: &Screen, x: f64, y: f64) -> f32 {
    let side = f64::from(screen.fill.sqrt());
    let (u, v) = (x / f64::from(screen.pitch), y / f64::from(screen.pitch));
    let lit = u - u.floor() < side && v - v.floor() < side;
    if lit { 1.0 / screen.fill } else { 0.0 }
}

fn beat(screen: &Screen, (u, v): (f32, f32)) -> f32 {
    if screen.beat <= 0.0 {
        return 1.0;
    }
    let (s, c) = screen.beat_angle_deg.to_radians().sin_cos();
    let phase = std::f32::consts::TAU * (u * c + v * s) / screen.beat_period_px;
    1.0 - screen.beat * (0.5 + 0.5 * phase.cos())
}

/// A thumb over the carrier: a capsule from `base` to `tip`.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Finger {
    pub(crate) base: [f64; 2],
    pub(crate) tip: [f64; 2],
    pub(crate) radius: f64,
    pub(crate) tone: f32,
    /// Fraction of the code's area under the thumb.
    pub(crate) covered: f64,
}

impl Finger {
    pub(crate) fn covers(&self, x: f64, y: f64) -> Option<f64> {
        // Distance to the nearest point of the segment, in radii.
        let ([x0, y0], [x1, y1]) = (self.base, self.tip);
        let (ux, uy) = (x1 - x0, y1 - y0);
        let along = (((x - x0) * ux + (y - y0) * uy) / (ux * ux + uy * uy)).clamp(0.0, 1.0);
        let d = (x - x0 - along * ux).hypot(y - y0 - along * uy) / self.radius;
        (d <= 1.0).then_some(d)
    }

    /// Skin shaded as a cylinder: lit along its middle, darker at its sides.
    pub(crate) fn radiance(&self, seed: u64, d: f64, x: f64, y: f64, light: f32) -> f32 {
        let skin = 0.9 + 0.2 * fbm(seed ^ 0xa, x as f32 / 2.0, y as f32 / 2.0, 2);
        self.tone * (1.0 - 0.55 * (d * d) as f32) * skin * light
    }

    /// Where a thumb coming in from the right (or from below) covers about
    /// `target` of a `size` code, without touching the finder patterns.
    pub(crate) fn reaching(size: f64, target: f64, along: f64, from_below: bool, tone: f32) -> Self {
        let radius = 0.3 * size;
        // Keep the capsule's edge clear of the finders (7 modules and a
        // separator) on the sides it enters from.
        let lane = f64::from(lerp(9.0 + radius as f32, (size - 2.0) as f32, along as f32));
        let make = |depth: f64| {
            let (base, tip) = if from_below {
                ([lane, 4.0 * size], [lane, size - depth])
            } else {
                ([4.0 * size, lane], [size - depth, lane])
            };
            let mut finger = Finger {
                base,
                tip,
                radius,
                tone,
                covered: 0.0,
            };
            finger.covered = finger.coverage(size);
            finger
        };
        // Coverage grows with depth: bisect for the target, stopping
        // before the tip reaches the far finder.
        let (mut lo, mut hi) = (-radius, size - 9.0 - radius);
        for _ in 0..30 {
            let mid = 0.5 * (lo + hi);
            if make(mid).covered < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        make(hi)
    }

    fn coverage(&self, size: f64) -> f64 {
        let steps = (size * 4.0) as usize;
        let step = size / steps as f64;
        let inside = (0..steps * steps)
            .filter(|k| {
                let (i, j) = (k % steps, k / steps);
                self.covers((i as f64 + 0.5) * step, (j as f64 + 0.5) * step)
                    .is_some()
            })
            .count();
        inside as f64 / (steps * steps) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumb_covers_its_target_and_no_finder_pattern() {
        for (target, along, from_below) in [(0.03, 0.0, false), (0.12, 0.5, true), (0.16, 1.0, false)] {
            let thumb = Finger::reaching(37.0, target, along, from_below, 0.6);
            assert!(
                (thumb.covered - target).abs() < 0.005,
                "{} for {target}",
                thumb.covered
            );
            // The finders with their separators: 8 modules in three corners.
            for (x0, y0) in [(0.0, 0.0), (29.0, 0.0), (0.0, 29.0)] {
                for k in 0..32 * 32 {
                    let (x, y) = (x0 + f64::from(k % 32) / 4.0, y0 + f64::from(k / 32) / 4.0);
                    assert!(thumb.covers(x, y).is_none(), "({x}, {y}) covered");
                }
            }
        }
    }
}
