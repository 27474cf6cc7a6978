//! How this app instance is set up: where it keeps its store, where the
//! door camera's frames come from, which server to offer; from the
//! environment, for tests, demos and kiosks with a fixed setup. (The
//! academy's own settings are in its document, not here.)

use std::path::PathBuf;

use tatami_client::transport::TransportOptions;
use tauri::{AppHandle, Manager};

/// How this app instance is set up.
#[derive(Debug, Clone)]
pub(crate) struct AppConfig {
    /// The SQLite file (`TATAMI_DATA_DIR`, else the platform's app data
    /// folder).
    pub store: PathBuf,
    /// Frames for the door: a camera number, an image, folder of images or
    /// `.y4m` video played as a camera, or `webview`: frames the screens
    /// send from the webview's camera (`TATAMI_CAMERA`; camera 0 on
    /// desktops, the webview's camera on phones and tablets).
    pub camera: CameraSource,
    /// A server address to offer on the first-run screen (`TATAMI_SERVER`).
    pub server_hint: Option<String>,
    /// An academy's own certificate authority to trust beside the
    /// platform's (`TATAMI_CA_FILE`, else `academy-ca.pem` in the data
    /// folder if there), and plain HTTP to other machines
    /// (`TATAMI_ALLOW_PLAIN_HTTP=1`, for a test network only).
    pub transport: TransportOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CameraSource {
    Camera(u32),
    Recording(PathBuf),
    Webview,
}

impl CameraSource {
    fn parse(text: &str) -> Self {
        if text == "webview" {
            return Self::Webview;
        }
        text.parse()
            .map_or_else(|_| Self::Recording(text.into()), Self::Camera)
    }
}

/// On phones and tablets the platform gives the camera to the webview.
#[cfg(mobile)]
const DEFAULT_CAMERA: CameraSource = CameraSource::Webview;
#[cfg(not(mobile))]
const DEFAULT_CAMERA: CameraSource = CameraSource::Camera(0);

impl AppConfig {
    pub(crate) fn from_env(app: &AppHandle) -> tauri::Result<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let dir = match var("TATAMI_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_data_dir()?,
        };
        std::fs::create_dir_all(&dir)?;
        let ca = var("TATAMI_CA_FILE").map_or_else(|| dir.join("academy-ca.pem"), PathBuf::from);
        let extra_roots_pem = match std::fs::read(&ca) {
            Ok(pem) => Some(pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && var("TATAMI_CA_FILE").is_none() => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            store: dir.join("tatami.sqlite"),
            camera: var("TATAMI_CAMERA").map_or(DEFAULT_CAMERA, |v| CameraSource::parse(&v)),
            server_hint: var("TATAMI_SERVER"),
            transport: TransportOptions {
                extra_roots_pem,
                allow_plain_http: var("TATAMI_ALLOW_PLAIN_HTTP").is_some_and(|v| v == "1"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::CameraSource;

    #[test]
    fn a_number_names_a_camera_webview_the_screens_and_anything_else_a_recording() {
        assert_eq!(CameraSource::parse("1"), CameraSource::Camera(1));
        assert_eq!(CameraSource::parse("webview"), CameraSource::Webview);
        assert_eq!(
            CameraSource::parse("door.y4m"),
            CameraSource::Recording("door.y4m".into())
        );
    }
}
