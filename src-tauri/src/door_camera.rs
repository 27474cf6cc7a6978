//! The door camera: frames from the configured source are scanned off the
//! UI thread, every pass read is checked in, and the outcome goes to the
//! screens as a `door` event. A few small pictures a second go with it as
//! the kiosk's live preview. On phones and tablets the frames come from
//! the webview's camera instead, pushed by the screens (`push_frame`).

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::Serialize;
use tatami_client::Engine;
use tatami_scan::{CameraCode, FrameSource, GrayFrame, Pace, ScanOptions, Scanner, SourceError};
use tauri::AppHandle;
use ts_rs::TS;

use crate::config::CameraSource;
use crate::error::{CommandError, ShellCode};
use crate::events::AppEvent;

/// Recordings stand in for a camera at its pace.
const RECORDING_FPS: u32 = 30;
const PREVIEW_EVERY: Duration = Duration::from_millis(150);
const PREVIEW_WIDTH: usize = 320;

/// Where the door camera's frames come from, as the kiosk needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CameraFeed {
    /// A camera or recording the app reads itself.
    Device,
    /// The screens send frames from the webview's camera (`push_frame`).
    Webview,
}

/// Whether the door camera runs, and if it stopped on its own, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(crate) enum CameraState {
    On,
    Off { error: Option<CommandError> },
}

/// A small grayscale picture of the camera's view, as a PNG data URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub(crate) struct Preview {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// The running door camera; stops when dropped.
#[derive(Debug)]
pub(crate) struct DoorCamera {
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    /// Where the screens' frames go, for a webview feed.
    pushed: Option<SyncSender<GrayFrame>>,
}

impl DoorCamera {
    pub(crate) fn start(engine: Engine, source: CameraSource, app: AppHandle) -> Result<Self, CommandError> {
        let previews = app.clone();
        // One pushed frame waits at most: one pushed while the decoder is
        // busy is dropped, as a live camera's would be.
        let (sender, frames) = std::sync::mpsc::sync_channel(1);
        let pushed = (source == CameraSource::Webview).then_some(sender);
        let scanner = Scanner::start(
            move || Ok(Previewed::new(open(&source, frames)?, previews)),
            engine.clone(),
            ScanOptions::default(),
        )?;
        AppEvent::Camera(CameraState::On).emit(&app);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let reader = std::thread::Builder::new()
            .name("door".into())
            .spawn(move || {
                let stopped = engine.check_in_reads(&scanner, &stopping, |outcome| match outcome {
                    Ok(outcome) => AppEvent::Door(outcome).emit(&app),
                    Err(error) => AppEvent::DoorFailed(error.into()).emit(&app),
                });
                let error = stopped.map(CommandError::from);
                AppEvent::Camera(CameraState::Off { error }).emit(&app);
            })
            .map_err(|e| {
                CommandError::new(
                    CameraCode::CameraFailed,
                    format!("no thread for the door camera: {e}"),
                )
            })?;
        Ok(Self {
            stop,
            reader: Some(reader),
            pushed,
        })
    }

    pub(crate) fn feed(&self) -> CameraFeed {
        if self.pushed.is_some() {
            CameraFeed::Webview
        } else {
            CameraFeed::Device
        }
    }

    /// A frame from the screens; dropped if the decoder is still busy.
    pub(crate) fn push(&self, frame: GrayFrame) -> Result<(), CommandError> {
        let off = || {
            CommandError::new(
                ShellCode::CameraOff,
                "the door camera is not taking frames from the screens",
            )
        };
        match self.pushed.as_ref().ok_or_else(off)?.try_send(frame) {
            Ok(()) | Err(TrySendError::Full(_)) => Ok(()),
            Err(TrySendError::Disconnected(_)) => Err(off()),
        }
    }

    /// The camera stopped on its own (unplugged, recording ended).
    pub(crate) fn stopped(&self) -> bool {
        self.reader.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for DoorCamera {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // A capture thread waiting for pushed frames ends with the feed.
        self.pushed.take();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

fn open(source: &CameraSource, pushed: Receiver<GrayFrame>) -> Result<Box<dyn FrameSource>, SourceError> {
    Ok(match source {
        CameraSource::Camera(index) => camera(*index)?,
        CameraSource::Recording(path) => {
            Box::new(tatami_scan::open_recording(path)?.played_at(RECORDING_FPS))
        }
        CameraSource::Webview => Box::new(Pushed { frames: pushed }),
    })
}

/// Camera `index` at what the kiosk asks of it: enough to read a phone
/// held at arm's length, little enough to decode within a frame.
#[cfg(desktop)]
fn camera(index: u32) -> Result<Box<dyn FrameSource>, SourceError> {
    Ok(Box::new(tatami_scan::Camera::open(index, 1280, 720)?))
}

/// Phones and tablets give the camera to the webview only.
#[cfg(mobile)]
fn camera(_index: u32) -> Result<Box<dyn FrameSource>, SourceError> {
    Err(SourceError::NoCamera)
}

/// Frames the screens push from the webview's camera, as they arrive.
struct Pushed {
    frames: Receiver<GrayFrame>,
}

impl FrameSource for Pushed {
    /// Ends once the door camera stops (the sending side is dropped).
    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError> {
        Ok(self.frames.recv().ok())
    }

    fn pace(&self) -> Pace {
        Pace::Live
    }
}

/// A frame source that also sends a preview now and then.
struct Previewed {
    source: Box<dyn FrameSource>,
    app: AppHandle,
    last: Option<Instant>,
}

impl Previewed {
    fn new(source: Box<dyn FrameSource>, app: AppHandle) -> Self {
        Self {
            source,
            app,
            last: None,
        }
    }
}

impl FrameSource for Previewed {
    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError> {
        let frame = self.source.next_frame()?;
        if let Some(frame) = &frame
            && self.last.is_none_or(|last| last.elapsed() >= PREVIEW_EVERY)
        {
            self.last = Some(Instant::now());
            if let Some(preview) = preview(frame) {
                AppEvent::Preview(preview).emit(&self.app);
            }
        }
        Ok(frame)
    }

    fn pace(&self) -> Pace {
        self.source.pace()
    }
}

/// The frame shrunk to `PREVIEW_WIDTH` (every n-th pixel: a preview only
/// shows where the card is) and encoded as PNG.
fn preview(frame: &GrayFrame) -> Option<Preview> {
    let step = frame.width.div_ceil(PREVIEW_WIDTH).max(1);
    let (width, height) = (frame.width / step, frame.height / step);
    let pixels: Vec<u8> = (0..height)
        .flat_map(|y| (0..width).map(move |x| frame.at(x * step, y * step)))
        .collect();
    let (width, height) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
    let image = image::GrayImage::from_raw(width, height, pixels)?;
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    let url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    Some(Preview { url, width, height })
}

#[cfg(test)]
mod tests {
    use tatami_scan::GrayFrame;

    use super::{PREVIEW_WIDTH, preview};

    #[test]
    fn a_preview_is_a_small_png_of_the_frame() {
        let pixels = (0..1280 * 720)
            .map(|i| u8::try_from(i % 251).unwrap_or(0))
            .collect();
        let frame = GrayFrame::new(1280, 720, pixels).unwrap_or_else(|| unreachable!());
        let shown = preview(&frame).unwrap_or_else(|| unreachable!());
        assert_eq!((shown.width, shown.height), (320, 180));
        assert!(shown.width as usize <= PREVIEW_WIDTH);
        assert!(
            shown.url.starts_with("data:image/png;base64,iVBOR"),
            "{}",
            &shown.url[..40]
        );
    }
}
