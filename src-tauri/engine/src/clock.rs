//! Time at the academy. Rules speak of the academy's wall clock (a class
//! at 18:00 Lisbon time); the device may be anywhere and its clock wrong.

use std::sync::Arc;

use tatami_core::text::TimeZoneName;
use time::{OffsetDateTime, UtcOffset};

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

/// `utc` in the academy's time zone. A zone this system does not know
/// falls back to the device's own zone.
pub fn academy_time(utc: OffsetDateTime, zone: &TimeZoneName) -> OffsetDateTime {
    let zone = jiff::tz::TimeZone::get(zone.as_str()).unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let offset = jiff::Timestamp::from_second(utc.unix_timestamp())
        .map(|instant| zone.to_offset(instant).seconds())
        .ok()
        .and_then(|seconds| UtcOffset::from_whole_seconds(seconds).ok())
        .unwrap_or(UtcOffset::UTC);
    utc.to_offset(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_academy_clock_follows_its_zone_and_daylight_saving() {
        let lisbon = TimeZoneName::parse("Europe/Lisbon").unwrap();
        let winter = academy_time(datetime!(2026-01-15 18:00 UTC), &lisbon);
        assert_eq!(winter.offset(), UtcOffset::UTC);
        let summer = academy_time(datetime!(2026-07-15 18:00 UTC), &lisbon);
        assert_eq!(summer.offset().whole_hours(), 1);
        assert_eq!(summer.hour(), 19);
        let sao_paulo = TimeZoneName::parse("America/Sao_Paulo").unwrap();
        assert_eq!(
            academy_time(datetime!(2026-07-15 18:00 UTC), &sao_paulo).hour(),
            15
        );
    }
}
