//! Cameras through nokhwa: V4L2 on Linux and Android-like Linux tablets,
//! Media Foundation on Windows, AVFoundation on macOS and iOS. Each
//! platform's refusal (no device, in use, not allowed, unplugged) becomes
//! one [`SourceError`] the front desk can act on.

use nokhwa::NokhwaError;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};

use super::pixels::{PixelFormat, to_gray};
use super::{FrameSource, GrayFrame, Pace, SourceError};

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    pub index: u32,
    pub name: String,
    pub description: String,
}

/// The cameras connected now; none is an empty list, not an error.
pub fn cameras() -> Result<Vec<CameraInfo>, SourceError> {
    let found = nokhwa::query(ApiBackend::Auto).map_err(|e| camera_error(&e, SourceError::NoCamera))?;
    Ok(found
        .into_iter()
        .filter_map(|camera| match camera.index() {
            CameraIndex::Index(index) => Some(CameraInfo {
                index: *index,
                name: camera.human_name(),
                description: camera.description().to_owned(),
            }),
            CameraIndex::String(_) => None,
        })
        .collect())
}

/// The formats we read, the compressed one first: at 1280x720 and 30
/// frames a second, uncompressed YUYV is more than USB 2 carries.
const FORMATS: [FrameFormat; 4] = [
    FrameFormat::MJPEG,
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::GRAY,
];

/// An open camera, streaming.
pub struct Camera {
    camera: nokhwa::Camera,
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera")
            .field("format", &self.camera.camera_format())
            .finish()
    }
}

impl Camera {
    /// Opens camera `index` at the format closest to `width` × `height`
    /// (1280x720 reads a pass at arm's length) and starts it.
    pub fn open(index: u32, width: u32, height: u32) -> Result<Self, SourceError> {
        if !cameras()?.iter().any(|camera| camera.index == index) {
            return Err(SourceError::NoCamera);
        }
        let wanted = CameraFormat::new(Resolution::new(width, height), FrameFormat::MJPEG, 30);
        let requested = RequestedFormat::with_formats(RequestedFormatType::Closest(wanted), &FORMATS);
        let mut camera = nokhwa::Camera::new(CameraIndex::Index(index), requested)
            .map_err(|e| camera_error(&e, SourceError::NoCamera))?;
        camera
            .open_stream()
            .map_err(|e| camera_error(&e, SourceError::CameraUnplugged))?;
        Ok(Self { camera })
    }
}

impl FrameSource for Camera {
    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError> {
        let buffer = self
            .camera
            .frame()
            .map_err(|e| camera_error(&e, SourceError::CameraUnplugged))?;
        let resolution = buffer.resolution();
        let format = match buffer.source_frame_format() {
            FrameFormat::MJPEG => PixelFormat::Mjpeg,
            FrameFormat::YUYV => PixelFormat::Yuyv,
            FrameFormat::NV12 => PixelFormat::Nv12,
            FrameFormat::GRAY => PixelFormat::Gray,
            FrameFormat::RAWRGB => PixelFormat::Rgb,
            FrameFormat::RAWBGR => PixelFormat::Bgr,
        };
        to_gray(
            format,
            resolution.width() as usize,
            resolution.height() as usize,
            buffer.buffer(),
        )
        .map(Some)
    }

    fn pace(&self) -> Pace {
        Pace::Live
    }
}

/// What a platform's error means at the door. nokhwa reports the OS error
/// as text, so the OS's own words and numbers are matched; `missing` is
/// what "no such device" means at this step (at opening: no camera; once
/// streaming: unplugged).
fn camera_error(error: &NokhwaError, missing: SourceError) -> SourceError {
    let text = error.to_string();
    let says = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if says(&[
        "Permission denied",
        "os error 13",
        "not authorized",
        "E_ACCESSDENIED",
    ]) {
        SourceError::CameraDenied
    } else if says(&["busy", "Busy", "os error 16", "in use"]) {
        SourceError::CameraBusy
    } else if says(&[
        "No such device",
        "os error 19",
        "No such file",
        "os error 2)",
        "disconnected",
    ]) {
        missing
    } else {
        SourceError::Camera(text)
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;
    use crate::CameraCode;

    /// What V4L2 says, as nokhwa passes it on.
    fn v4l2(errno: i32) -> NokhwaError {
        NokhwaError::OpenDeviceError(
            "0".into(),
            format!("V4L2 Error: {}", io::Error::from_raw_os_error(errno)),
        )
    }

    #[test]
    fn each_refusal_of_the_os_is_one_clear_error() {
        assert_eq!(
            camera_error(&v4l2(13), SourceError::NoCamera),
            SourceError::CameraDenied
        );
        assert_eq!(
            camera_error(&v4l2(16), SourceError::NoCamera),
            SourceError::CameraBusy
        );
        assert_eq!(
            camera_error(&v4l2(2), SourceError::NoCamera),
            SourceError::NoCamera
        );
        let streaming = NokhwaError::ReadFrameError(io::Error::from_raw_os_error(19).to_string());
        assert_eq!(
            camera_error(&streaming, SourceError::CameraUnplugged),
            SourceError::CameraUnplugged
        );
        let other = camera_error(&v4l2(5), SourceError::NoCamera);
        assert_eq!(other.code(), CameraCode::CameraFailed);
        assert!(other.to_string().contains("Input/output error"), "{other}");
    }

    #[test]
    fn a_camera_that_is_not_there_is_no_camera() {
        // Listing works with or without cameras; no machine has this many.
        let listed = cameras().expect("cameras are listed");
        let absent = u32::try_from(listed.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1000);
        assert_eq!(Camera::open(absent, 1280, 720).err(), Some(SourceError::NoCamera));
    }
}
