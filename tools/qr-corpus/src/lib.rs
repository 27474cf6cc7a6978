//! A hard, deterministic corpus of camera frames of QR codes, to measure
//! decoders on what a door's camera sees: Tatami passes on phones and
//! printed cards, tilted, rotated, blurred, noisy, dim, glared, behind a
//! screen's moiré, far away, under a thumb, on worn cards; and frames with
//! no code or a foreign one.
//!
//! [`plan`] lays out every frame's scene from a seed (cheap, no pixels);
//! [`FrameSpec::render`] draws one frame. Rendering is plain physics kept
//! small: a pinhole camera's homography onto the code's plane, supersampled
//! surfaces, gaussian and motion blur, and a noisy sensor with a gamma curve.

#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    reason = "pixel coordinates, sizes and levels far below 2^23"
)]

mod camera;
mod geometry;
mod payload;
mod plan;
mod raster;
pub mod recording;
mod rng;
mod scene;
mod surface;
mod texture;

use std::collections::BTreeMap;

use serde::Serialize;

pub use payload::{AcademyKeys, Ec, PayloadKind};
pub use plan::{Family, plan};
pub use scene::Scene;

use payload::Matrix;

/// Modules across a version 5 code, the size of every pass.
const VERSION_5_MODULES: usize = 37;

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("a pass could not be signed: {0}")]
    Pass(#[from] tatami_core::pass::OutOfRange),
    #[error("a payload does not fit a QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    #[error("{0}: the camera pose does not project")]
    Pose(String),
}

/// A planned corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub seed: u64,
    /// The academy whose key signed the passes.
    pub academy: AcademyKeys,
    pub frames: Vec<FrameSpec>,
}

/// One frame: what to render, and what a decoder must read from it.
#[derive(Debug, Clone, Serialize)]
pub struct FrameSpec {
    #[serde(skip)]
    pub file: String,
    pub family: Family,
    /// 0 easiest to 1 hardest within the family.
    pub level: f64,
    pub width: u32,
    pub height: u32,
    /// The exact text a decoder must read; None: nothing may be read.
    pub expected: Option<String>,
    pub payload: PayloadKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr: Option<QrInfo>,
    /// The graded distortions applied: the family's own, or those mixed in.
    pub distortions: Vec<Distortion>,
    pub params: Scene,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Distortion {
    pub family: Family,
    pub level: f64,
}

/// The code as encoded.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct QrInfo {
    pub version: i16,
    pub ec: Ec,
    pub modules: usize,
}

/// An 8-bit grayscale frame, row by row.
#[derive(Debug, Clone)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Frame {
    /// What plain rqrr reads here, as its documentation shows it used: the
    /// baseline a pipeline is measured against. It may panic.
    pub fn read_with_plain_rqrr(&self) -> Vec<String> {
        let (w, h) = (self.width as usize, self.height as usize);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| self.pixels[y * w + x]);
        image
            .detect_grids()
            .iter()
            .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
            .collect()
    }
}

/// `manifest.json`: the seed, the academy's public key, and each file's
/// expected text, family, level and scene parameters.
#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub seed: u64,
    pub academy: &'a AcademyKeys,
    pub frames: BTreeMap<&'a str, &'a FrameSpec>,
}

impl Corpus {
    /// The member card frames, the mildest distortion first: a card held up
    /// at the door, clearly, before any hard case.
    pub fn cards_mildest_first(&self) -> Vec<&FrameSpec> {
        let mut cards: Vec<&FrameSpec> = self
            .frames
            .iter()
            .filter(|f| f.payload == PayloadKind::MemberCard)
            .collect();
        cards.sort_by(|a, b| a.level.total_cmp(&b.level));
        cards
    }

    pub fn manifest(&self) -> Manifest<'_> {
        Manifest {
            seed: self.seed,
            academy: &self.academy,
            frames: self.frames.iter().map(|f| (f.file.as_str(), f)).collect(),
        }
    }
}

impl FrameSpec {
    /// The same scene with a code of `text` (of the same length, as another
    /// student's card is) in place of its own.
    #[must_use]
    pub fn showing(&self, text: &str) -> Self {
        Self {
            expected: Some(text.to_owned()),
            ..self.clone()
        }
    }

    pub fn render(&self) -> Result<Frame, CorpusError> {
        let code = match (&self.expected, self.qr) {
            (Some(text), Some(qr)) => Some(Matrix::encode(text, qr.ec)?),
            _ => None,
        };
        let size = self.qr.map_or(VERSION_5_MODULES, |q| q.modules);
        let pixels = self
            .params
            .render(code.as_ref(), size, self.width, self.height)
            .ok_or_else(|| CorpusError::Pose(self.file.clone()))?;
        Ok(Frame {
            width: self.width,
            height: self.height,
            pixels,
        })
    }
}

#[cfg(test)]
mod tests;
