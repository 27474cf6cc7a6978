//! Tatami's domain: the rules every device and the server must agree on,
//! as pure functions over plain types. No IO lives here.

#![forbid(unsafe_code)]

pub mod api;
pub mod belt;
pub mod calendar;
pub mod checkin;
pub mod doc;
mod hash;
pub mod ids;
pub mod pass;
pub mod people;
pub mod policy;
pub mod schedule;
pub mod sync;
pub mod text;
pub mod wire;
mod words;
