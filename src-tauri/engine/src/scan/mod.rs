//! Reading QR codes from camera frames: the door's front end. Frames are
//! grayscale; decoding tries a few views of the frame, cheapest first, and
//! stops at the first that reads. rqrr can panic on some images, so every
//! call into it is caught: a bad frame is a frame that did not read.

mod binarize;
mod decode;
mod frame;

pub use decode::{Decoded, decode};
pub use frame::GrayFrame;
