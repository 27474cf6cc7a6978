//! What the screens are told without asking. Each event has a name and one
//! payload type; the TypeScript side gets the same map (`bindings`).

use tatami_client::sync::SyncStatus;
use tatami_client::{DoorOutcome, Event};
use tatami_core::doc::DocKind;
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::door_camera::{CameraState, Preview};
use crate::error::CommandError;

macro_rules! app_events {
    ($($(#[doc = $doc:literal])* $name:literal => $variant:ident($payload:ty),)*) => {
        /// An event for the screens.
        #[derive(Debug, Clone)]
        pub(crate) enum AppEvent {
            $($(#[doc = $doc])* $variant($payload),)*
        }

        impl AppEvent {
            /// Sends the event to every window; a window that is gone is
            /// nobody to tell.
            pub(crate) fn emit(self, app: &AppHandle) {
                let sent = match self {
                    $(AppEvent::$variant(payload) => app.emit($name, payload),)*
                };
                if let Err(error) = sent {
                    tracing::debug!(%error, "an event was not delivered");
                }
            }
        }

        /// Each event's name, documentation and payload, for the bindings.
        #[cfg(test)]
        pub(crate) fn signatures(types: &mut crate::bindings::Types) -> Vec<crate::bindings::EventSignature> {
            vec![$(crate::bindings::EventSignature {
                name: $name,
                docs: concat!($($doc, "\n",)*),
                payload: types.add::<$payload>(),
            },)*]
        }
    };
}

app_events! {
    /// Online or offline, changes waiting, the last sync.
    "sync" => Sync(SyncStatus),
    /// Records of these kinds changed, here or from the server: screens
    /// showing them read again.
    "changed" => Changed(Vec<DocKind>),
    /// Someone showed a pass to the door camera.
    "door" => Door(DoorOutcome),
    /// A pass was read at the door camera but could not be checked.
    "door_failed" => DoorFailed(CommandError),
    /// The door camera started or stopped.
    "camera" => Camera(CameraState),
    /// A small picture of what the door camera sees.
    "preview" => Preview(Preview),
}

/// Forwards the engine's announcements to the screens for the app's life.
pub(crate) fn forward(app: &AppHandle, mut events: broadcast::Receiver<Event>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match events.recv().await {
                Ok(Event::Changed { kinds }) => AppEvent::Changed(kinds),
                Ok(Event::Sync(status)) => AppEvent::Sync(status),
                // Some announcements were missed: every screen reads again.
                Err(RecvError::Lagged(_)) => AppEvent::Changed(DocKind::ALL.to_vec()),
                Err(RecvError::Closed) => break,
            };
            event.emit(&app);
        }
    });
}
