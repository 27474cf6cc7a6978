//! `tatami-sync-server`: see [`tatami_sync_server::cli`].

fn main() -> std::process::ExitCode {
    tatami_sync_server::cli::main()
}
