//! Where codes are. A QR code's three finder patterns read, along any line
//! through their centre, dark-light-dark-light-dark in widths 1:1:3:1:1.
//! Scanning rows of the black-and-white frame for that rhythm, then
//! checking it down the column and along the row again, finds the codes the half-size views missed
//! (far ones among them, whose modules are too small for rqrr to find its
//! finders): just their part of the frame is then read at full resolution,
//! enlarged when small. rqrr over a part costs far less than over the frame.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "pixel coordinates, sizes and timings, far below 2^52"
)]

/// A likely finder pattern: its centre and module width, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Finder {
    pub x: f64,
    pub y: f64,
    pub module: f64,
}

/// A part of the frame likely to hold one code, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Region {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
    /// Enlargement that brings its modules to about four pixels (1: none).
    pub scale: usize,
    /// The finder patterns seen in it (at most [`MOST_IN_REGION`]).
    pub finders: Vec<Finder>,
}

/// Codes with modules this wide or wider are read at half size.
const LARGEST_MODULE: f64 = 8.0;

/// At most this many regions per frame, so a busy scene stays cheap.
const MOST_REGIONS: usize = 3;

/// More candidate patterns than this is noise or texture, not codes: the
/// search stops and the frame gets no regions.
const MOST_FINDERS: usize = 48;

/// A code with its quiet zone is at most this many modules across (version
/// 10 is 57, plus the finders' distance to the edge and a margin).
const MOST_MODULES_ACROSS: f64 = 80.0;

/// Finder patterns kept per region: any three of them may be a code's.
const MOST_IN_REGION: usize = 5;

/// Enlarged regions stay within this many pixels a side.
const MOST_ENLARGED: usize = 720;

/// Regions likely to hold a code in the `width`-wide bitmap `dark`: groups
/// of three finders first, then those with the larger modules.
pub(super) fn code_regions(dark: &[bool], width: usize) -> Vec<Region> {
    let height = dark.len() / width;
    let Some(finders) = finders(dark, width) else {
        return Vec::new();
    };
    let finders = finders.into_iter().filter(|f| f.module < LARGEST_MODULE);
    let mut groups: Vec<Vec<Finder>> = Vec::new();
    for finder in finders {
        // A version 10 code is 57 modules across: finders of one code lie
        // within that of each other, and their modules are alike.
        let reach = 60.0 * finder.module;
        let alike = |g: &Finder| {
            (g.x - finder.x).hypot(g.y - finder.y) < reach
                && g.module.max(finder.module) < 1.6 * g.module.min(finder.module)
        };
        match groups.iter_mut().find(|group| group.iter().any(alike)) {
            Some(group) => group.push(finder),
            None => groups.push(vec![finder]),
        }
    }
    groups.retain(|group| group.len() >= 2);
    // A code has three finders; speckle and texture make many small ones.
    groups.sort_by(|a, b| {
        let key = |g: &Vec<Finder>| {
            (
                g.len().abs_diff(3),
                -g.iter().map(|f| f.module).sum::<f64>() / g.len() as f64,
            )
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    groups
        .iter()
        .filter_map(|group| region(group, width, height))
        .take(MOST_REGIONS)
        .collect()
}

/// The box around a group's finders, out to the code's edge and its quiet
/// zone; `None` when it is too large to be one code.
fn region(group: &[Finder], width: usize, height: usize) -> Option<Region> {
    let module = group.iter().map(|f| f.module).sum::<f64>() / group.len() as f64;
    let margin = 9.0 * module;
    let least = |pick: fn(&Finder) -> f64| group.iter().map(pick).fold(f64::MAX, f64::min);
    let most = |pick: fn(&Finder) -> f64| group.iter().map(pick).fold(f64::MIN, f64::max);
    let clamp = |v: f64, len: usize| (v.max(0.0) as usize).min(len);
    let (left, top) = (
        clamp(least(|f| f.x) - margin, width),
        clamp(least(|f| f.y) - margin, height),
    );
    let (right, bottom) = (
        clamp(most(|f| f.x) + margin, width),
        clamp(most(|f| f.y) + margin, height),
    );
    let (across, down) = (right - left, bottom - top);
    let longest = across.max(down);
    if longest as f64 > MOST_MODULES_ACROSS * module {
        return None;
    }
    let scale = ((4.0 / module).ceil() as usize)
        .clamp(1, 4)
        .min(MOST_ENLARGED / longest.max(1));
    (scale > 0).then_some(Region {
        x: left,
        y: top,
        width: across,
        height: down,
        scale,
        finders: group.iter().take(MOST_IN_REGION).copied().collect(),
    })
}

/// Finder patterns found along rows, confirmed down their column and along
/// the row through that centre, which places them to a fraction of a
/// module; one per pattern. `None` when there are too many to be codes.
fn finders(dark: &[bool], width: usize) -> Option<Vec<Finder>> {
    let height = dark.len() / width;
    let mut found: Vec<(Finder, f64)> = Vec::new();
    for (y, row) in dark.chunks_exact(width).enumerate() {
        let (mut runs, mut count) = ([0usize; 5], 0);
        let mut x = 0;
        while x < width {
            let colour = row[x];
            let start = x;
            while x < width && row[x] == colour {
                x += 1;
            }
            runs.rotate_left(1);
            runs[4] = x - start;
            count += 1;
            // Five runs, the last dark, so the first is dark too.
            if !colour || count < 5 {
                continue;
            }
            let Some(across) = rhythm(&runs) else { continue };
            let centre = x - runs[4] - runs[3] - runs[2].div_ceil(2);
            let Some(finder) = confirm(dark, width, height, centre, y, across) else {
                continue;
            };
            // The same pattern seen on another row: the mean of the sightings.
            match found
                .iter_mut()
                .find(|(f, _)| (f.x - finder.x).hypot(f.y - finder.y) < 3.0 * f.module)
            {
                Some((known, seen)) => {
                    let weight = 1.0 / (*seen + 1.0);
                    known.x += (finder.x - known.x) * weight;
                    known.y += (finder.y - known.y) * weight;
                    known.module += (finder.module - known.module) * weight;
                    *seen += 1.0;
                }
                None => found.push((finder, 1.0)),
            }
            if found.len() > MOST_FINDERS {
                return None;
            }
        }
    }
    Some(found.into_iter().map(|(finder, _)| finder).collect())
}

/// The finder pattern seen along row `y` centred near `x` with modules
/// `across` wide, if the column through it and then the row through its
/// vertical centre show the same rhythm at about the same module width.
fn confirm(dark: &[bool], width: usize, height: usize, x: usize, y: usize, across: f64) -> Option<Finder> {
    let (cy, down) = line_rhythm(height, |i| dark[i * width + x], y)?;
    let row = cy.round() as usize;
    let (cx, along) = line_rhythm(width, |i| dark[row * width + i], x)?;
    let module = (across + down + along) / 3.0;
    let agree = [across, down, along]
        .iter()
        .all(|m| (m - module).abs() <= module * 0.4);
    agree.then_some(Finder { x: cx, y: cy, module })
}

/// The module width when `runs` are 1:1:3:1:1, within half a module each.
fn rhythm(runs: &[usize; 5]) -> Option<f64> {
    let total: usize = runs.iter().sum();
    if total < 7 {
        return None;
    }
    let module = total as f64 / 7.0;
    let near =
        |run: usize, modules: f64| (run as f64 - modules * module).abs() <= module * 0.5 * modules.sqrt();
    (near(runs[0], 1.0)
        && near(runs[1], 1.0)
        && near(runs[2], 3.0)
        && near(runs[3], 1.0)
        && near(runs[4], 1.0))
    .then_some(module)
}

/// The rhythm along a line of `len` pixels, `dark(i)` each, through the
/// dark pixel `from` of a pattern's centre: the centre's position on the
/// line and the module width.
fn line_rhythm(len: usize, dark: impl Fn(usize) -> bool, from: usize) -> Option<(f64, f64)> {
    if !dark(from) {
        return None;
    }
    // From `from` each way: the rest of the centre, the light ring, the
    // dark frame. A ring or frame missing, or cut by the line's end: none.
    let mut before = [0usize; 3];
    let mut at = from;
    for (i, run) in before.iter_mut().enumerate() {
        let colour = i % 2 == 0;
        while at > 0 && dark(at - 1) == colour {
            at -= 1;
            *run += 1;
        }
        if i > 0 && (*run == 0 || at == 0) {
            return None;
        }
    }
    let mut after = [0usize; 3];
    let mut at = from;
    for (i, run) in after.iter_mut().enumerate() {
        let colour = i % 2 == 0;
        while at + 1 < len && dark(at + 1) == colour {
            at += 1;
            *run += 1;
        }
        if i > 0 && (*run == 0 || at + 1 == len) {
            return None;
        }
    }
    let centre = before[0] + 1 + after[0];
    let module = rhythm(&[before[2], before[1], centre, after[1], after[2]])?;
    Some(((from - before[0]) as f64 + (centre - 1) as f64 / 2.0, module))
}
