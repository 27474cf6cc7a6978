//! Reading QR codes from camera frames: the door's front end.
//!
//! A [`FrameSource`] (a [`Camera`] or a [`Recording`]) gives frames; the
//! [`Scanner`] decodes the newest on its own thread and reports each code
//! once it is believed. Frames are grayscale; decoding tries a few views of
//! the frame, cheapest first, and stops at the first that reads. rqrr can
//! panic on some images, so every call into it is caught: a bad frame is a
//! frame that did not read.

mod accept;
mod binarize;
mod camera;
mod decode;
mod files;
mod finders;
mod frame;
mod pixels;
mod sample;
mod scanner;
mod source;

pub use camera::{Camera, CameraInfo, cameras};
pub use decode::{Decoded, decode, decode_within};
pub use files::{Recording, open_recording};
pub use frame::GrayFrame;
pub use pixels::{PixelFormat, to_gray};
pub use scanner::{ScanEvent, ScanOptions, ScanStats, Scanner};
pub use source::{FrameSource, Pace, SourceError};
