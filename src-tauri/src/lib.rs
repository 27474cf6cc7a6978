//! The app: a thin Tauri shell whose commands are one-line calls into the
//! client engine (`tatami-client`).

#![forbid(unsafe_code)]
