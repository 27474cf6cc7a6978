//! The app's state: the engine, its background sync and the door camera.

use std::sync::{Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use tatami_client::sync::{EnrolRequest, SyncTask};
use tatami_client::{Engine, EngineError, EngineOptions, Enrolment};
use tatami_scan::{CameraCode, GrayFrame};
use tauri::{AppHandle, Manager};

use crate::config::AppConfig;
use crate::door_camera::{CameraFeed, DoorCamera};
use crate::error::{CommandError, ShellCode};
use crate::events;
use crate::screen_types::{DeviceState, Period};

pub(crate) struct Shell {
    pub engine: Engine,
    pub config: AppConfig,
    app: AppHandle,
    sync: Mutex<Option<SyncTask>>,
    camera: Mutex<Option<DoorCamera>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shell {
    pub(crate) fn open(app: AppHandle, config: AppConfig) -> Result<Self, EngineError> {
        let mut options = EngineOptions::new(&config.store);
        options.transport = config.transport.clone();
        let engine = Engine::open(options)?;
        events::forward(&app, engine.subscribe());
        let shell = Self {
            engine,
            config,
            app,
            sync: Mutex::new(None),
            camera: Mutex::new(None),
        };
        if shell.engine.enrolment().is_some() {
            shell.start_sync();
        }
        Ok(shell)
    }

    /// Background sync on the app's runtime, from any thread.
    fn start_sync(&self) {
        let _runtime = tauri::async_runtime::handle().inner().enter();
        *lock(&self.sync) = Some(self.engine.start_sync());
    }

    pub(crate) async fn enrol(&self, request: EnrolRequest) -> Result<Enrolment, EngineError> {
        let enrolment = self.engine.enrol(request).await?;
        self.start_sync();
        Ok(enrolment)
    }

    pub(crate) fn state(&self) -> Result<DeviceState, EngineError> {
        DeviceState::of(&self.engine, self.config.server_hint.clone())
    }

    /// Writes the period's check-ins to `tatami-attendance-<from>-<to>.csv`
    /// in the Downloads folder; the file's path.
    pub(crate) fn export_attendance(&self, period: Period) -> Result<String, CommandError> {
        let csv = self.engine.attendance_csv(period.from, period.to)?;
        let saved = |e: &dyn std::fmt::Display| {
            CommandError::new(
                ShellCode::ExportFailed,
                format!("the file could not be saved: {e}"),
            )
        };
        let dir = self.app.path().download_dir().map_err(|e| saved(&e))?;
        std::fs::create_dir_all(&dir).map_err(|e| saved(&e))?;
        let path = dir.join(format!("tatami-attendance-{}-{}.csv", period.from, period.to));
        std::fs::write(&path, csv).map_err(|e| saved(&e))?;
        Ok(path.display().to_string())
    }

    /// Starts the door camera; a camera already running is kept. Where its
    /// frames come from.
    pub(crate) fn start_camera(&self) -> Result<CameraFeed, CommandError> {
        let mut camera = lock(&self.camera);
        if let Some(running) = camera.as_ref().filter(|c| !c.stopped()) {
            return Ok(running.feed());
        }
        let started = DoorCamera::start(self.engine.clone(), self.config.camera.clone(), self.app.clone())?;
        let feed = started.feed();
        *camera = Some(started);
        Ok(feed)
    }

    /// A frame from the webview's camera: `pixels` is its gray bytes, row
    /// by row, in base64.
    pub(crate) fn push_frame(&self, width: usize, height: usize, pixels: &str) -> Result<(), CommandError> {
        let bad =
            |why: &str| CommandError::new(CameraCode::BadFrame, format!("a frame could not be read: {why}"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(pixels)
            .map_err(|_| bad("not base64"))?;
        let frame =
            GrayFrame::new(width, height, bytes).ok_or_else(|| bad("its size does not match its bytes"))?;
        lock(&self.camera)
            .as_ref()
            .ok_or_else(|| CommandError::new(ShellCode::CameraOff, "the door camera is off"))?
            .push(frame)
    }

    pub(crate) fn stop_camera(&self) {
        lock(&self.camera).take();
    }
}
