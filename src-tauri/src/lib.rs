//! The app: a thin Tauri shell over the client engine (`tatami-client`).
//! Commands are one-line calls into the engine; what the engine announces
//! (sync status, changes, check-ins at the door camera) reaches the screens
//! as events. The screens' TypeScript types are generated from these Rust
//! types (`bindings`), so the two cannot drift apart unnoticed.

#![forbid(unsafe_code)]

#[cfg(test)]
mod bindings;
mod commands;
mod config;
mod door_camera;
mod error;
mod events;
mod screen_types;
mod shell;

use std::process::ExitCode;

use tauri::Manager;

use crate::config::AppConfig;
use crate::shell::Shell;

/// Opens the device's store and shows the window. A store that cannot be
/// opened (damaged, from a newer app) is reported and the app ends: it is
/// never overwritten.
#[allow(
    clippy::disallowed_methods,
    reason = "Tauri's generated context may exit the process"
)]
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let result = tauri::Builder::default()
        .setup(|app| {
            let config = AppConfig::from_env(app.handle())?;
            let shell = Shell::open(app.handle().clone(), config)?;
            app.manage(std::sync::Arc::new(shell));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the app could not run");
            ExitCode::FAILURE
        }
    }
}

/// The entry point on phones and tablets (Android, iOS).
#[cfg(mobile)]
#[tauri::mobile_entry_point]
fn mobile_main() {
    let _ = run();
}
