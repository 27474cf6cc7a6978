//! The `tatami-sync-server` command line, built beside the test drivers so
//! that end-to-end tests run its commands (backup, restore, academies) as
//! an operator would.

fn main() -> std::process::ExitCode {
    tatami_sync_server::cli::main()
}
