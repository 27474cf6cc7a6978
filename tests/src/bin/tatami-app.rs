//! The app, built beside the end-to-end tests so they always drive the
//! current code (cargo builds a test package's own binaries for its tests;
//! `src-tauri`'s `tatami` binary is the same call).

fn main() -> std::process::ExitCode {
    tatami_app::run()
}
