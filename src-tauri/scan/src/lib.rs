//! Reading QR codes from camera frames: the door's front end.
//!
//! A [`FrameSource`] (a `Camera` with the `camera` feature, a [`Recording`],
//! or frames the caller pushes) gives frames; the [`Scanner`] decodes the
//! newest on its own thread and reports each code once it is believed: at
//! once when the caller's [`Verify`] says it is authentic (a signed pass),
//! else once read twice. Frames are grayscale; decoding tries a few views
//! of the frame, cheapest first, and stops at the first that reads. rqrr
//! can panic on some images, so every call into it is caught: a bad frame
//! is a frame that did not read.
//!
//! Nothing here knows about passes or academies, and without the `camera`
//! feature nothing needs libclang or V4L2.

#![forbid(unsafe_code)]

mod accept;
mod binarize;
#[cfg(feature = "camera")]
mod camera;
mod decode;
mod files;
mod finders;
mod frame;
mod pixels;
mod sample;
mod scanner;
mod source;

pub use accept::Verify;
#[cfg(feature = "camera")]
pub use camera::{Camera, CameraInfo, cameras};
pub use decode::{Decoded, decode, decode_within};
pub use files::{Recording, open_recording};
pub use frame::GrayFrame;
pub use pixels::{PixelFormat, to_gray};
pub use scanner::{ScanEvent, ScanOptions, ScanStats, Scanner};
pub use source::{CameraCode, FrameSource, Pace, SourceError};
