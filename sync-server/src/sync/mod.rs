//! Sync: devices push Automerge changes and pull what came after their
//! cursor in their academy's change log.

pub mod cache;
pub mod listen;
pub mod project;
pub mod screen;
pub mod stored;
pub mod tail;
pub mod writer;

pub use writer::{Push, PushError, SyncHub};
