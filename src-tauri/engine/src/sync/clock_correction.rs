//! The device clock checked against the server's at every sync. A tablet
//! whose clock is set a day wrong would otherwise check students into the
//! wrong day's classes and call valid passes expired.

use time::{Duration, OffsetDateTime};

use crate::engine::Engine;
use crate::error::EngineError;

/// Errors smaller than this are left alone: a pass lasts minutes and a
/// check-in window is wider, while the server's `Date` header only reads
/// whole seconds.
const TOLERANCE: Duration = Duration::minutes(1);

/// Milliseconds to add to the device clock to read the server's: 0 within
/// the tolerance. `server` is the server's reading (whole seconds) of a
/// moment between `sent` and `received` by the device clock.
pub(crate) fn correction(server: OffsetDateTime, sent: OffsetDateTime, received: OffsetDateTime) -> i64 {
    let midpoint = sent + (received - sent) / 2;
    // The header truncates: the server's true time is half a second later
    // on average.
    let error: Duration = server + Duration::milliseconds(500) - midpoint;
    if error.abs() < TOLERANCE {
        0
    } else {
        i64::try_from(error.whole_milliseconds()).unwrap_or(0)
    }
}

impl Engine {
    /// Takes the server's clock reading of a request made between `sent`
    /// and `received` by the device clock.
    pub(super) fn check_clock(
        &self,
        server: OffsetDateTime,
        sent: OffsetDateTime,
        received: OffsetDateTime,
    ) -> Result<(), EngineError> {
        let millis = correction(server, sent, received);
        if millis != self.clock_correction() {
            tracing::warn!(
                seconds = millis / 1000,
                "the device clock is off; using the server's time"
            );
            self.set_clock_correction(millis)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_clock_a_day_fast_is_corrected_and_small_errors_are_left_alone() {
        let sent = datetime!(2026-11-24 18:00:00 UTC);
        let received = sent + Duration::milliseconds(200);
        let server = datetime!(2026-11-23 18:00:00 UTC);
        let millis = correction(server, sent, received);
        assert!((millis + 86_400_000).abs() < 1_000, "{millis}");
        assert_eq!(correction(sent + Duration::seconds(20), sent, received), 0);
        assert_eq!(correction(sent - Duration::seconds(40), sent, received), 0);
        assert!(correction(sent + Duration::minutes(5), sent, received) > 0);
    }
}
