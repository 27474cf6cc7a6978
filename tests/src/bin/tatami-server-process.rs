//! The sync server as a process of its own, configured from `TATAMI_*`
//! variables as the `tatami-sync-server serve` binary is, for end-to-end
//! tests that kill it with SIGKILL mid-request, or stop it with SIGTERM as
//! an operator would. Prints `serving <address>` once it accepts
//! connections.

use std::io::Write;

use tatami_sync_server::settings::Settings;
use tatami_sync_server::startup::build;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = build(Settings::load(None)?).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "serving {}", app.local_addr()?)?;
    stdout.flush()?;
    app.run_until(tatami_sync_server::cli::shutdown_signal()).await?;
    Ok(())
}
