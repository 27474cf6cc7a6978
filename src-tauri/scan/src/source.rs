//! Where frames come from: a camera, or recorded frames (images, a folder
//! of them, a video file) for tests, demos and IP cameras that record.

use std::time::Duration;

use super::GrayFrame;

/// A stream of frames. A camera is not `Send` on every platform, so a
/// source is opened and read on the scanner's capture thread.
pub trait FrameSource {
    /// The next frame; `Ok(None)` when a recording has ended. An error that
    /// is not [`SourceError::is_fatal`] spoils one frame only.
    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError>;

    /// How frames arrive, which decides whether the scanner may skip some.
    fn pace(&self) -> Pace;
}

/// How a source's frames arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// On the source's own clock (a camera): when decoding falls behind,
    /// the scanner skips to the newest frame, so what it reads is current.
    Live,
    /// Recorded frames played as a camera at one frame an interval: late
    /// frames are skipped as for a camera.
    Played(Duration),
    /// Recorded frames, every one read in order (tests, batch checks).
    Every,
}

/// Why frames stopped, or why one frame was unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("no camera is connected")]
    NoCamera,
    #[error("the camera is in use by another application")]
    CameraBusy,
    #[error("this app is not allowed to use the camera: allow it in the system's privacy settings")]
    CameraDenied,
    #[error("the camera was disconnected")]
    CameraUnplugged,
    #[error("the camera sent no picture for {} s", .0.as_secs())]
    CameraSilent(Duration),
    #[error("the camera failed: {0}")]
    Camera(String),
    #[error("{path}: {reason}")]
    Recording { path: String, reason: String },
    /// One frame could not be decoded; the next may be fine.
    #[error("a frame could not be read: {0}")]
    BadFrame(String),
}

/// Why frames stopped, as a stable code for the app to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CameraCode {
    NoCamera,
    CameraBusy,
    CameraDenied,
    CameraUnplugged,
    CameraSilent,
    CameraFailed,
    RecordingUnreadable,
    BadFrame,
}

impl SourceError {
    pub fn code(&self) -> CameraCode {
        match self {
            Self::NoCamera => CameraCode::NoCamera,
            Self::CameraBusy => CameraCode::CameraBusy,
            Self::CameraDenied => CameraCode::CameraDenied,
            Self::CameraUnplugged => CameraCode::CameraUnplugged,
            Self::CameraSilent(_) => CameraCode::CameraSilent,
            Self::Camera(_) => CameraCode::CameraFailed,
            Self::Recording { .. } => CameraCode::RecordingUnreadable,
            Self::BadFrame(_) => CameraCode::BadFrame,
        }
    }

    /// Frames stopped; false when only one frame was spoiled.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Self::BadFrame(_))
    }
}
