//! Where the engine's "now" comes from. The device may be anywhere and its
//! clock wrong; the academy's wall clock is `tatami_core::calendar`'s.

use std::sync::Arc;

use time::OffsetDateTime;

/// Where "now" comes from: the system clock, or a fixed or shifted one in
/// tests and demos.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

pub fn system() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

/// A clock running `offset` ahead of the system's (behind when negative).
pub fn shifted(offset: time::Duration) -> Clock {
    Arc::new(move || OffsetDateTime::now_utc() + offset)
}
