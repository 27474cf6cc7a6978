//! The app's state: the engine, its background sync and the door camera.

use std::sync::{Mutex, MutexGuard, PoisonError};

use tatami_client::sync::{EnrolRequest, SyncTask};
use tatami_client::{Engine, EngineError, EngineOptions, Enrolment};
use tauri::{AppHandle, Manager};

use crate::door_camera::DoorCamera;
use crate::error::CommandError;
use crate::events;
use crate::settings::Settings;
use crate::views::{AppState, Period};

pub(crate) struct Shell {
    pub engine: Engine,
    pub settings: Settings,
    app: AppHandle,
    sync: Mutex<Option<SyncTask>>,
    camera: Mutex<Option<DoorCamera>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shell {
    pub(crate) fn open(app: AppHandle, settings: Settings) -> Result<Self, EngineError> {
        let engine = Engine::open(EngineOptions::new(&settings.store))?;
        events::forward(&app, engine.subscribe());
        let shell = Self {
            engine,
            settings,
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

    pub(crate) fn state(&self) -> Result<AppState, EngineError> {
        AppState::of(&self.engine, self.settings.server_hint.clone())
    }

    /// Writes the period's check-ins to `tatami-attendance-<from>-<to>.csv`
    /// in the Downloads folder; the file's path.
    pub(crate) fn export_attendance(&self, period: Period) -> Result<String, CommandError> {
        let csv = self.engine.attendance_csv(period.from, period.to)?;
        let saved = |e: &dyn std::fmt::Display| {
            CommandError::new("export_failed", format!("the file could not be saved: {e}"))
        };
        let dir = self.app.path().download_dir().map_err(|e| saved(&e))?;
        std::fs::create_dir_all(&dir).map_err(|e| saved(&e))?;
        let path = dir.join(format!("tatami-attendance-{}-{}.csv", period.from, period.to));
        std::fs::write(&path, csv).map_err(|e| saved(&e))?;
        Ok(path.display().to_string())
    }

    /// Starts the door camera; a camera already running is kept.
    pub(crate) fn start_camera(&self) -> Result<(), CommandError> {
        let mut camera = lock(&self.camera);
        if camera.as_ref().is_none_or(DoorCamera::stopped) {
            *camera = Some(DoorCamera::start(
                self.engine.clone(),
                self.settings.camera.clone(),
                self.app.clone(),
            )?);
        }
        Ok(())
    }

    pub(crate) fn stop_camera(&self) {
        lock(&self.camera).take();
    }
}
