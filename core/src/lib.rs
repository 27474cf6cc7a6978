//! Tatami's domain: the rules every device and the server must agree on,
//! as pure functions over plain types. No IO lives here.

#![forbid(unsafe_code)]

/// A type that crosses JSON as a string of its own format: to TypeScript,
/// a `string`.
#[cfg(feature = "ts")]
macro_rules! ts_as_string {
    ($type:ty) => {
        impl ts_rs::TS for $type {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;

            fn name(_: &ts_rs::Config) -> String {
                "string".to_owned()
            }

            fn inline(config: &ts_rs::Config) -> String {
                Self::name(config)
            }
        }
    };
}

pub mod api;
pub mod belt;
pub mod calendar;
pub mod change_limits;
pub mod checkin;
pub mod doc;
mod hash;
pub mod ids;
pub mod pass;
pub mod people;
pub mod policy;
pub mod push;
pub mod schedule;
pub mod sync;
pub mod text;
pub mod wire;
mod words;
