//! Where the app keeps its store and where frames come from, with
//! environment overrides for tests, demos and kiosks with a fixed setup.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};

/// How this app instance is set up.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The SQLite file (`TATAMI_DATA_DIR`, else the platform's app data
    /// folder).
    pub store: PathBuf,
    /// Frames for the door: a camera number, or an image, folder of images
    /// or `.y4m` video played as a camera (`TATAMI_CAMERA`, default camera 0).
    pub camera: CameraSource,
    /// A server address to offer on the first-run screen (`TATAMI_SERVER`).
    pub server_hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CameraSource {
    Camera(u32),
    Recording(PathBuf),
}

impl CameraSource {
    fn parse(text: &str) -> Self {
        text.parse()
            .map_or_else(|_| Self::Recording(text.into()), Self::Camera)
    }
}

impl Settings {
    pub(crate) fn from_env(app: &AppHandle) -> tauri::Result<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let dir = match var("TATAMI_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_data_dir()?,
        };
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            store: dir.join("tatami.sqlite"),
            camera: var("TATAMI_CAMERA").map_or(CameraSource::Camera(0), |v| CameraSource::parse(&v)),
            server_hint: var("TATAMI_SERVER"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CameraSource;

    #[test]
    fn a_number_names_a_camera_and_anything_else_a_recording() {
        assert_eq!(CameraSource::parse("1"), CameraSource::Camera(1));
        assert_eq!(
            CameraSource::parse("door.y4m"),
            CameraSource::Recording("door.y4m".into())
        );
    }
}
