//! The client engine behind every tablet and laptop: everything the app does
//! apart from drawing it. It depends on `tatami-core` and `tatami-scan` and
//! never on Tauri; the app's commands are one-line calls into [`Engine`].
//!
//! - [`store`]: the device's SQLite file (documents, outbox, cursor,
//!   projected rows with roster search, audit trail);
//! - [`Engine`]: enrolment, PIN unlock, the door (and the door camera's
//!   loop over a `tatami_scan::Scanner`), records, screens' reads;
//! - [`sync`]: push, pull, bootstrap, rebuild, and the background task.

#![forbid(unsafe_code)]

pub mod academy;
pub mod clock;
pub mod credentials;
mod engine;
pub mod error;
pub mod remote;
pub mod store;
pub mod sync;
pub mod transport;

pub use engine::{
    AttendanceReport, ClassCount, DoorOutcome, DoorStudent, Engine, EngineOptions, Enrolment, Event,
    MemberCard, NewStudent, Profile, SessionInfo, StudentPatch, WeekCount,
};
pub use error::EngineError;
