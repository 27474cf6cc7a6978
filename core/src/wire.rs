//! How times cross JSON where time's default is not what people and the
//! screens read. Dates are ISO 8601 ("2026-12-01") by time's own
//! human-readable format; instants are RFC 3339 (`time::serde::rfc3339`).

use time::{PrimitiveDateTime, Time};

time::serde::format_description!(pub mod clock_time [Time] = "[hour]:[minute]");
time::serde::format_description!(pub mod local_date_time [PrimitiveDateTime] = "[year]-[month]-[day]T[hour]:[minute]");
