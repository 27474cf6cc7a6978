//! The corpus's frames: for each family, graded levels from easy (0) to
//! hard (1) on top of a realistic base scene that every frame shares.

use serde::Serialize;

use super::camera::{Optics, Sensor};
use super::geometry::Pose;
use super::payload::{Academy, Ec, Matrix, PayloadKind};
use super::rng::Rng;
use super::scene::{Glare, Light, Projection, Scene};
use super::surface::{Carrier, Decoy, Desk, Finger, Print, Screen};
use super::texture::lerp;
use super::{Corpus, CorpusError, Distortion, FrameSpec, QrInfo, VERSION_5_MODULES};

/// A kind of difficulty. The order is the order distortions are applied in
/// a mixture: size and pose before blur, which is relative to module size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Tilted away from the camera, up to nearly edge-on.
    Perspective,
    /// Any in-plane angle, at shrinking module sizes where aliasing bites.
    Rotation,
    /// The code far away: about 3 down to 1 pixel per module.
    SmallModules,
    /// Defocus or motion blur, relative to the module size.
    Blur,
    /// Sensor read and shot noise.
    Noise,
    /// Faded ink or a dim screen, and a dim room.
    LowContrast,
    /// A specular highlight saturating part of the code.
    Glare,
    /// A phone screen's pixel grid and a moiré beat.
    Moire,
    /// A thumb over part of the code, clear of the finder patterns.
    Occlusion,
    /// Paper grain, ink bleed, patchy ink and specks on a printed card.
    PrintTexture,
    /// Three of the above at once.
    Mixture,
    /// No code at all, sometimes with a look-alike: nothing may be read.
    NoCode,
    /// A code that is not a pass of this academy, or a damaged pass: the
    /// exact text must be read all the same.
    ForeignPayload,
}

impl Family {
    pub const ALL: [Family; 13] = [
        Family::Perspective,
        Family::Rotation,
        Family::SmallModules,
        Family::Blur,
        Family::Noise,
        Family::LowContrast,
        Family::Glare,
        Family::Moire,
        Family::Occlusion,
        Family::PrintTexture,
        Family::Mixture,
        Family::NoCode,
        Family::ForeignPayload,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Perspective => "perspective",
            Family::Rotation => "rotation",
            Family::SmallModules => "small_modules",
            Family::Blur => "blur",
            Family::Noise => "noise",
            Family::LowContrast => "low_contrast",
            Family::Glare => "glare",
            Family::Moire => "moire",
            Family::Occlusion => "occlusion",
            Family::PrintTexture => "print_texture",
            Family::Mixture => "mixture",
            Family::NoCode => "no_code",
            Family::ForeignPayload => "foreign_payload",
        }
    }

    /// Families that grade one distortion, which mixtures draw from.
    const MIXABLE: [Family; 9] = [
        Family::Perspective,
        Family::Rotation,
        Family::SmallModules,
        Family::Blur,
        Family::Noise,
        Family::LowContrast,
        Family::Glare,
        Family::Moire,
        Family::Occlusion,
    ];

    fn frames(self, per_family: usize) -> usize {
        match self {
            Family::NoCode | Family::ForeignPayload => per_family * 3 / 4,
            _ => per_family,
        }
    }
}

/// The frames of a corpus: `per_family` graded frames of each distortion
/// family, three quarters as many without a code and with foreign codes.
pub fn plan(seed: u64, per_family: usize) -> Result<Corpus, CorpusError> {
    let academy = Academy::new(&mut Rng::derive(seed, "academy", 0));
    let mut frames = Vec::new();
    for family in Family::ALL {
        let count = family.frames(per_family);
        for index in 0..count {
            frames.push(frame(&academy, seed, family, index, count)?);
        }
    }
    Ok(Corpus {
        seed,
        academy: academy.keys(),
        frames,
    })
}

fn frame(
    academy: &Academy,
    seed: u64,
    family: Family,
    index: usize,
    count: usize,
) -> Result<FrameSpec, CorpusError> {
    let mut rng = Rng::derive(seed, family.name(), index as u64);
    // Stratified: each frame in its own slice of the family's range.
    let level = (index as f64 + rng.unit()) / count as f64;
    // One in four at a webcam's lower resolution.
    let (width, height) = if index % 4 == 3 { (640, 480) } else { (1280, 720) };
    let (payload, text, ec) = payload(academy, family, &mut rng)?;
    let qr = text
        .as_deref()
        .map(|text| Matrix::encode(text, ec))
        .transpose()?
        .map(|m| QrInfo {
            version: m.version,
            ec,
            modules: m.size,
        });
    let size = qr.map_or(VERSION_5_MODULES, |q| q.modules);
    let phone = match (family, payload) {
        (Family::Moire, _) | (_, PayloadKind::PhonePass) => true,
        (Family::PrintTexture, _) | (_, PayloadKind::MemberCard) => false,
        _ => rng.chance(0.5),
    };
    let mut scene = base(&mut rng, width, phone);
    let distortions = match family {
        Family::Mixture => {
            let mut picked: Vec<Family> = Vec::new();
            while picked.len() < 3 {
                let candidate = mixable(&mut rng, phone);
                if !picked.contains(&candidate) {
                    picked.push(candidate);
                }
            }
            picked.sort();
            picked
                .into_iter()
                .map(|family| (family, level * rng.range(0.4, 0.8)))
                .collect()
        }
        // Frames about the payload get one distortion at a mild level.
        Family::NoCode | Family::ForeignPayload => {
            scene.decoy =
                (family == Family::NoCode).then(|| *rng.pick(&[Decoy::Logo, Decoy::Checker, Decoy::Text]));
            vec![(mixable(&mut rng, phone), rng.range(0.0, 0.6))]
        }
        _ => vec![(family, level)],
    };
    for &(family, level) in &distortions {
        distort(&mut scene, family, level, size, &mut rng);
    }
    place(&mut scene, size, width, height, &mut rng);
    Ok(FrameSpec {
        file: format!("{}-{index:03}.png", family.name()),
        family,
        level,
        width,
        height,
        expected: text,
        payload,
        qr,
        distortions: distortions
            .into_iter()
            .map(|(family, level)| Distortion { family, level })
            .collect(),
        params: scene,
    })
}

/// A graded family to mix in; moiré only on a phone.
fn mixable(rng: &mut Rng, phone: bool) -> Family {
    loop {
        let family = *rng.pick(&Family::MIXABLE);
        if family != Family::Moire || phone {
            return family;
        }
    }
}

fn payload(
    academy: &Academy,
    family: Family,
    rng: &mut Rng,
) -> Result<(PayloadKind, Option<String>, Ec), CorpusError> {
    Ok(match family {
        Family::NoCode => (PayloadKind::None, None, Ec::M),
        Family::ForeignPayload => {
            let ec = *rng.pick(&[Ec::L, Ec::M, Ec::Q, Ec::H]);
            if rng.chance(0.6) {
                (PayloadKind::Foreign, Some(Academy::foreign(rng)?), ec)
            } else {
                (PayloadKind::Malformed, Some(academy.malformed(rng)?), ec)
            }
        }
        Family::Moire => (PayloadKind::PhonePass, Some(academy.phone_pass(rng)?), Ec::M),
        Family::PrintTexture => (PayloadKind::MemberCard, Some(academy.member_card(rng)?), Ec::M),
        _ if rng.chance(0.5) => (PayloadKind::PhonePass, Some(academy.phone_pass(rng)?), Ec::M),
        _ => (PayloadKind::MemberCard, Some(academy.member_card(rng)?), Ec::M),
    })
}

/// A code held in front of a desk webcam in a lit room, slightly soft and
/// noisy, roughly upright: what every frame starts from.
fn base(rng: &mut Rng, width: u32, phone: bool) -> Scene {
    let small_frame = width < 1000;
    // Typical webcam fields of view: 70 degrees at 720p, 60 at 480p.
    let half_fov = if small_frame { 30.0_f64 } else { 35.0 };
    let carrier = if phone {
        Carrier::Phone {
            screen: Screen {
                brightness: rng.range(0.75, 1.0) as f32,
                dark: rng.range(0.02, 0.05) as f32,
                pitch: 0.06,
                fill: rng.range(0.85, 0.95) as f32,
                beat: 0.0,
                beat_period_px: 10.0,
                beat_angle_deg: 0.0,
            },
        }
    } else {
        Carrier::Card {
            print: Print {
                paper: rng.range(0.78, 0.9) as f32,
                ink: rng.range(0.04, 0.08) as f32,
                grain: rng.range(0.0, 0.04) as f32,
                bleed: 0.0,
                blotch: 0.0,
                specks: 0.0,
            },
        }
    };
    let tone = rng.range(0.25, 0.7) as f32;
    let desk = match rng.below(3) {
        0 => Desk::Wood {
            tone,
            angle_deg: rng.range(0.0, 180.0) as f32,
            period_px: rng.range(8.0, 30.0) as f32,
        },
        1 => Desk::Laminate { tone },
        _ => Desk::Mat {
            tone,
            weave_px: rng.range(4.0, 10.0) as f32,
        },
    };
    Scene {
        seed: rng.next_u64(),
        pose: Pose {
            focal_px: f64::from(width) / (2.0 * half_fov.to_radians().tan()),
            module_px: if small_frame {
                rng.range(2.8, 4.5)
            } else {
                rng.range(3.8, 7.0)
            },
            roll_deg: rng.range(-25.0, 25.0),
            tilt_deg: rng.range(0.0, 15.0),
            tilt_axis_deg: rng.range(0.0, 360.0),
            center_px: [0.0, 0.0],
        },
        carrier,
        decoy: None,
        desk,
        light: Light {
            ambient: rng.range(0.8, 1.05) as f32,
            gradient: rng.range(0.0, 0.35) as f32,
            gradient_angle_deg: rng.range(0.0, 360.0) as f32,
            vignette: rng.range(0.05, 0.3) as f32,
        },
        glare: None,
        finger: None,
        optics: Optics {
            defocus_px: rng.range(0.5, 0.9) as f32,
            motion_px: 0.0,
            motion_angle_deg: 0.0,
        },
        sensor: Sensor {
            range: rng.range(215.0, 245.0) as f32,
            black: rng.range(4.0, 12.0) as f32,
            read_noise: rng.range(1.5, 3.0) as f32,
            shot_noise: rng.range(1.0, 3.0) as f32,
        },
    }
}

/// One family's distortion at level `t` (0 easy, 1 hard).
fn distort(scene: &mut Scene, family: Family, t: f64, size: usize, rng: &mut Rng) {
    let size = size as f64;
    let ft = t as f32;
    match family {
        Family::Perspective => {
            scene.pose.tilt_deg = lerp64(15.0, 78.0, t);
            scene.pose.tilt_axis_deg = rng.range(0.0, 360.0);
        }
        Family::Rotation => {
            scene.pose.roll_deg = rng.range(0.0, 360.0);
            scene.pose.module_px = lerp64(5.0, 1.4, t);
        }
        Family::SmallModules => {
            // Far away: the lens's blur stays what it is in pixels.
            scene.pose.module_px = lerp64(3.0, 1.2, t);
            scene.pose.tilt_deg = rng.range(0.0, 10.0);
            scene.optics.defocus_px = rng.range(0.4, 0.6) as f32;
        }
        Family::Blur => {
            let module = scene.pose.module_px as f32;
            if rng.chance(0.5) {
                scene.optics.defocus_px = module * lerp(0.15, 0.6, ft);
            } else {
                scene.optics.motion_px = module * lerp(0.3, 2.0, ft);
                scene.optics.motion_angle_deg = rng.range(0.0, 180.0) as f32;
            }
        }
        Family::Noise => {
            scene.sensor.read_noise = lerp(4.0, 55.0, ft);
            scene.sensor.shot_noise = lerp(3.0, 20.0, ft);
        }
        Family::LowContrast => {
            // Faded ink and dim light, one of them at full strength.
            let (ink, dim) = if rng.chance(0.5) {
                (1.0, rng.unit())
            } else {
                (rng.unit(), 1.0)
            };
            let (ink, dim) = ((t * ink) as f32, (t * dim) as f32);
            match &mut scene.carrier {
                Carrier::Card { print } => print.ink = lerp(print.ink, print.paper * 0.82, ink),
                Carrier::Phone { screen } => screen.dark = lerp(screen.dark, 0.82, ink),
            }
            scene.sensor.range *= lerp(1.0, 0.05, dim);
        }
        Family::Glare => {
            scene.glare = Some(Glare {
                center: [rng.range(0.1, 0.9) * size, rng.range(0.1, 0.9) * size],
                radius: size * lerp64(0.06, 0.2, t),
                elongation: rng.range(1.0, 2.5),
                angle_deg: rng.range(0.0, 180.0),
                peak: lerp(0.3, 1.6, ft),
            });
        }
        Family::Moire => {
            if let Carrier::Phone { screen } = &mut scene.carrier {
                // Screen pixels a fraction of a camera pixel: they alias.
                screen.pitch = (rng.range(0.25, 0.6) / scene.pose.module_px) as f32;
                screen.fill = lerp(0.8, 0.3, ft);
                screen.beat = lerp(0.1, 0.7, ft);
                screen.beat_period_px = rng.range(5.0, 25.0) as f32;
                screen.beat_angle_deg = rng.range(0.0, 180.0) as f32;
            }
        }
        Family::Occlusion => {
            // Error correction M restores about 15% of the codewords; a
            // region of modules spoils more codewords than its area.
            let target = lerp64(0.02, 0.16, t);
            let tone = rng.range(0.45, 0.7) as f32;
            scene.finger = Some(Finger::reaching(size, target, rng.unit(), rng.chance(0.5), tone));
        }
        Family::PrintTexture => {
            if let Carrier::Card { print } = &mut scene.carrier {
                print.grain = lerp(0.02, 0.2, ft);
                print.bleed = lerp(0.0, 0.3, ft) * if rng.chance(0.75) { 1.0 } else { -0.5 };
                print.blotch = lerp(0.0, 0.8, ft);
                print.specks = lerp(0.0, 0.12, ft);
            }
        }
        Family::Mixture | Family::NoCode | Family::ForeignPayload => {}
    }
}

fn lerp64(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// Puts the code somewhere in the frame with its quiet zone inside, moving
/// the camera back (smaller modules) if it does not fit.
fn place(scene: &mut Scene, size: usize, width: u32, height: u32, rng: &mut Rng) {
    let n = size as f64;
    let quiet = [(-4.0, -4.0), (n + 4.0, -4.0), (n + 4.0, n + 4.0), (-4.0, n + 4.0)];
    let (w, h) = (f64::from(width), f64::from(height));
    for attempt in 0..200 {
        if attempt % 20 == 19 {
            scene.pose.module_px *= 0.9;
        }
        scene.pose.center_px = [rng.range(0.2, 0.8) * w, rng.range(0.2, 0.8) * h];
        let fits = Projection::new(&scene.pose, n, width, height)
            .and_then(|p| p.to_frame.bounds(&quiet))
            .is_some_and(|[x0, y0, x1, y1]| x0 >= 4.0 && y0 >= 4.0 && x1 <= w - 4.0 && y1 <= h - 4.0);
        if fits {
            return;
        }
    }
    scene.pose.center_px = [w / 2.0, h / 2.0];
}
