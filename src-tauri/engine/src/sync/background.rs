//! Sync in the background: push as soon as something is made here, pull as
//! soon as the server says something is new (a long poll), and when the
//! server cannot be reached, try again with exponential backoff and jitter.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::Connection;
use crate::engine::Engine;
use crate::store::Meta;

const FIRST_RETRY: Duration = Duration::from_millis(500);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// The running background sync; stops when dropped.
#[derive(Debug)]
pub struct SyncTask {
    task: JoinHandle<()>,
}

impl Drop for SyncTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The wait before retry number `attempt` (0-based): doubling from half a
/// second to at most 30 seconds, each drawn at random from half to all of
/// it so devices that lost the server together do not return together.
fn backoff(attempt: u32) -> Duration {
    let ceiling = FIRST_RETRY.saturating_mul(1 << attempt.min(10)).min(LAST_RETRY);
    let mut random = [0u8; 4];
    let fraction = match getrandom::fill(&mut random) {
        Ok(()) => f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX),
        Err(_) => 1.0,
    };
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

impl Engine {
    /// Starts syncing in the background on the current tokio runtime.
    pub fn start_sync(&self) -> SyncTask {
        let engine = self.clone();
        SyncTask {
            task: tokio::spawn(async move { engine.sync_forever().await }),
        }
    }

    async fn sync_forever(&self) {
        let mut failures = 0;
        loop {
            match self.sync_now().await {
                Ok(_) => {
                    failures = 0;
                    self.wait_for_news().await;
                }
                Err(error) => {
                    let connection = self.status().connection;
                    tracing::info!(%error, "sync failed");
                    if matches!(connection, Connection::EnrolAgain | Connection::UpdateApp) {
                        // Nothing to retry until the user acts; a new
                        // enrolment or app starts a new task.
                        return;
                    }
                    let wait = backoff(failures);
                    failures = failures.saturating_add(1);
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = self.inner.outbox_grew.notified() => {}
                    }
                }
            }
        }
    }

    /// Returns when there is something to sync: a change made here, or
    /// news from the server's long poll (or the poll ended or failed, which
    /// the next sync round finds out about).
    async fn wait_for_news(&self) {
        let Ok((remote, credential, cursor)) = self
            .blocking(|engine| {
                let (remote, credential) = engine.remote()?;
                let cursor = engine.with_store(|store| Meta::Cursor.number(store.read()))?;
                Ok((remote, credential, cursor))
            })
            .await
        else {
            return;
        };
        tokio::select! {
            () = self.inner.outbox_grew.notified() => {}
            _ = remote.wait(&credential, cursor) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling_with_jitter() {
        for attempt in 0..20 {
            let wait = backoff(attempt);
            let ceiling = FIRST_RETRY.saturating_mul(1 << attempt.min(10)).min(LAST_RETRY);
            assert!(wait >= ceiling / 2 && wait <= ceiling, "{attempt}: {wait:?}");
        }
        assert!(backoff(30) <= LAST_RETRY);
    }
}
