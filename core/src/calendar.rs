//! Calendar arithmetic the rules need: "three months in rank", "age 16";
//! and the academy's wall clock, which decides what "today" is everywhere.
//! The time-zone rules are the database bundled into the build (see
//! [`TimeZoneName`]), never the system's, so every device and the server
//! decide alike.

use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::text::TimeZoneName;

/// `utc` in the academy's time zone, so a device anywhere and the server
/// agree on the academy's date and hour. Saturates at the ends of time
/// (years beyond ±9999), where no academy opens.
pub fn academy_time(utc: OffsetDateTime, zone: &TimeZoneName) -> OffsetDateTime {
    let instant = jiff::Timestamp::from_second(utc.unix_timestamp()).unwrap_or(if utc.year() < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    });
    let seconds = zone.zone().to_offset(instant).seconds();
    // An offset jiff gives is always within ±26 hours, which time takes.
    utc.to_offset(UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC))
}

/// `date` plus `months` calendar months, clamped to the end of a shorter
/// month (31 January + 1 month = 28 or 29 February). Saturates at the
/// largest representable date.
pub fn add_months(date: Date, months: u32) -> Date {
    let index = i64::from(date.year()) * 12 + i64::from(u8::from(date.month()) - 1) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok();
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    match (year, month) {
        (Some(year), Some(month)) => {
            Date::from_calendar_date(year, month, date.day().min(month.length(year))).unwrap_or(Date::MAX)
        }
        _ => Date::MAX,
    }
}

/// The day someone born on `born` turns `years` old (29 February birthdays
/// count on 28 February in common years).
pub fn birthday(born: Date, years: u8) -> Date {
    add_months(born, u32::from(years) * 12)
}

/// Whole days from `from` to `to`, zero when `to` is not after `from`.
pub fn days_until(from: Date, to: Date) -> u32 {
    u32::try_from((to - from).whole_days()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

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
        let utc = TimeZoneName::parse("UTC").unwrap();
        assert_eq!(
            academy_time(datetime!(2026-07-15 18:00 UTC), &utc).offset(),
            UtcOffset::UTC
        );
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
        assert_eq!(add_months(date!(2026 - 11 - 15), 0), date!(2026 - 11 - 15));
        assert_eq!(add_months(date!(2026 - 11 - 15), 24), date!(2028 - 11 - 15));
    }

    #[test]
    fn leap_day_birthdays() {
        assert_eq!(birthday(date!(2008 - 02 - 29), 18), date!(2026 - 02 - 28));
        assert_eq!(birthday(date!(2008 - 02 - 29), 16), date!(2024 - 02 - 29));
    }

    #[test]
    fn far_future_saturates_instead_of_panicking() {
        assert_eq!(add_months(Date::MAX, 1), Date::MAX);
        assert_eq!(add_months(date!(2026 - 01 - 01), u32::MAX), Date::MAX);
    }

    #[test]
    fn days_until_never_goes_negative() {
        assert_eq!(days_until(date!(2026 - 11 - 22), date!(2026 - 12 - 01)), 9);
        assert_eq!(days_until(date!(2026 - 12 - 01), date!(2026 - 11 - 22)), 0);
    }
}
