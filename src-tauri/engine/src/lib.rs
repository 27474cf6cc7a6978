//! The client engine behind every tablet and laptop: everything the app does
//! apart from drawing it. It depends on `tatami-core` and never on Tauri.

#![forbid(unsafe_code)]
