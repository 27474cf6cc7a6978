//! Keeping the device and the server in step: push the outbox and pull
//! after the cursor in one round trip, bootstrap a fresh device from
//! snapshots, start over (pushing what the server lacks) after the server
//! was restored, rebuild a document the server refused, and report where
//! things stand for the always-visible sync indicator.

mod apply;
mod background;
mod clock_correction;
mod enrol;

use serde::{Deserialize, Serialize};
use tatami_core::api::ErrorCode;
use tatami_core::ids::DocId;
use tatami_core::sync::{PROTOCOL_VERSION, SyncRequest};
use time::OffsetDateTime;

pub use apply::apply_pulled;
pub use background::SyncTask;
pub use enrol::EnrolRequest;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::remote::{Remote, RemoteError};
use crate::store::{Meta, docs};

/// Whether the server can be used, and if not, what the user should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    Online,
    Offline,
    /// The device credential was revoked or expired: enrol again.
    EnrolAgain,
    /// The server speaks a newer protocol: update the app.
    UpdateApp,
}

/// A document whose changes made here the server refused; the device
/// rebuilt it from the server's copy, so those edits are undone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Undone {
    pub doc: DocId,
    pub message: String,
}

/// What the sync indicator shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    pub connection: Connection,
    /// Changes made here that the server has not acknowledged yet.
    pub waiting: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_sync: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub undone: Vec<Undone>,
    /// How far the device clock was from the server's at the last sync,
    /// when more than a minute: the engine uses the server's time, and the
    /// clock should be set right.
    pub clock_off_by_seconds: i64,
}

impl SyncStatus {
    pub(crate) fn offline(waiting: u64) -> Self {
        Self {
            connection: Connection::Offline,
            waiting,
            last_sync: None,
            last_error: None,
            undone: Vec::new(),
            clock_off_by_seconds: 0,
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    pub round_trips: u32,
    pub cursor: u64,
}

impl Engine {
    pub fn status(&self) -> SyncStatus {
        self.inner.status.borrow().clone()
    }

    /// Re-reads what waits and what was undone from the store, applies
    /// `update`, and tells listeners when anything changed.
    pub(crate) fn refresh_status(&self, update: impl FnOnce(&mut SyncStatus)) -> Result<(), EngineError> {
        let (waiting, undone, last_sync) = self.with_store(|store| {
            let conn = store.read();
            let undone: Vec<Undone> = match Meta::Undone.get(conn)? {
                Some(json) => serde_json::from_str(&json)?,
                None => Vec::new(),
            };
            Ok((docs::waiting(conn)?, undone, Meta::LastSync.number(conn)?))
        })?;
        let mut changed = None;
        self.inner.status.send_if_modified(|status| {
            let before = status.clone();
            status.waiting = waiting;
            status.undone = undone;
            status.clock_off_by_seconds = -self.clock_correction() / 1000;
            status.last_sync = (last_sync > 0)
                .then(|| OffsetDateTime::from_unix_timestamp_nanos(i128::from(last_sync) * 1_000_000).ok())
                .flatten();
            update(status);
            let modified = *status != before;
            if modified {
                changed = Some(status.clone());
            }
            modified
        });
        if let Some(status) = changed {
            let _ = self.inner.events.send(crate::engine::Event::Sync(status));
        }
        Ok(())
    }

    /// The user has seen what was undone.
    pub fn dismiss_undone(&self) -> Result<(), EngineError> {
        self.with_store(|store| store.write(|tx| Meta::Undone.clear(tx)))?;
        self.refresh_status(|_| {})
    }

    pub(crate) fn remote(&self) -> Result<(Remote, String), EngineError> {
        let enrolment = self.require_enrolment()?;
        let credential = self
            .inner
            .credentials
            .load(enrolment.device)?
            .ok_or(EngineError::Remote(RemoteError::Refused {
                status: 401,
                code: Some(ErrorCode::DeviceRevoked),
                message: "this device's credential is missing from the keyring: enrol it again".into(),
            }))?;
        let remote = self
            .inner
            .transport
            .remote(&enrolment.server, &enrolment.academy)?;
        Ok((remote, credential))
    }

    /// Syncs now: bootstraps a fresh device, then pushes everything waiting
    /// and pulls everything new. The indicator follows the outcome.
    pub async fn sync_now(&self) -> Result<SyncReport, EngineError> {
        let result = self.sync_rounds().await;
        let failure = result
            .as_ref()
            .err()
            .map(|error| (connection_after(error), error.to_string()));
        self.blocking(move |engine| engine.record_sync(failure)).await?;
        result
    }

    /// Shows how the last sync went: online, or why not.
    fn record_sync(&self, failure: Option<(Connection, String)>) -> Result<(), EngineError> {
        match failure {
            None => {
                let at = crate::store::rows::millis(self.now()).to_string();
                self.with_store(|store| store.write(|tx| Meta::LastSync.set(tx, &at)))?;
                self.refresh_status(|s| {
                    s.connection = Connection::Online;
                    s.last_error = None;
                })
            }
            Some((connection, message)) => self.refresh_status(|s| {
                s.connection = connection;
                s.last_error = Some(message);
            }),
        }
    }

    async fn sync_rounds(&self) -> Result<SyncReport, EngineError> {
        let (remote, credential, bootstrapped) = self
            .blocking(|engine| {
                let (remote, credential) = engine.remote()?;
                let bootstrapped = engine.with_store(|store| Meta::Bootstrapped.number(store.read()))?;
                Ok((remote, credential, bootstrapped))
            })
            .await?;
        let mut report = SyncReport::default();
        if bootstrapped == 0 {
            report.round_trips += self.bootstrap(&remote, &credential).await?;
        }
        loop {
            let (batch, cursor, waiting_before) = self
                .blocking(|engine| {
                    engine.with_store(|store| {
                        let conn = store.read();
                        Ok((
                            docs::outbox(conn)?,
                            Meta::Cursor.number(conn)?,
                            docs::waiting(conn)?,
                        ))
                    })
                })
                .await?;
            let request = SyncRequest {
                protocol: PROTOCOL_VERSION,
                cursor,
                push: batch.push.clone(),
                limit: None,
            };
            let sent = self.device_clock();
            let (response, server_time) = match remote.sync(&credential, &request).await {
                Err(RemoteError::Refused {
                    code: Some(ErrorCode::CursorAhead),
                    ..
                }) => {
                    report.round_trips += 1 + self.start_over(&remote, &credential).await?;
                    continue;
                }
                other => other?,
            };
            let received = self.device_clock();
            report.round_trips += 1;
            report.pushed += batch.push.iter().map(|g| g.changes.len() as u64).sum::<u64>();
            report.pulled += response.changes.len() as u64;
            report.cursor = response.cursor;
            let more = response.more;
            let refused = response.refused.clone();
            let restored = self
                .blocking(move |engine| {
                    if let Some(server_time) = server_time {
                        engine.check_clock(server_time, sent, received)?;
                    }
                    engine.apply_response(batch.up_to, &response)
                })
                .await?;
            for refusal in refused.into_iter().filter(|r| r.code.undoes()) {
                self.rebuild(&remote, &credential, refusal).await?;
                report.round_trips += 1;
            }
            if restored {
                report.round_trips += self.start_over(&remote, &credential).await?;
                continue;
            }
            let waiting = self
                .blocking(|engine| engine.with_store(|store| docs::waiting(store.read())))
                .await?;
            // Changes that wait for another device's (after a restore) stay
            // queued for the next sync; nothing else is left to do now.
            let stuck = waiting >= waiting_before;
            if !more && (waiting == 0 || stuck) {
                return Ok(report);
            }
        }
    }

    /// The server lost changes this device has seen (a restored backup):
    /// loads its documents again, merging, and queues every change of this
    /// device's that the server lacks. Returns the round trips made.
    async fn start_over(&self, remote: &Remote, credential: &str) -> Result<u32, EngineError> {
        self.blocking(|engine| {
            engine.with_store(|store| {
                store.write(|tx| {
                    Meta::Cursor.clear(tx)?;
                    Meta::LogEpoch.clear(tx)?;
                    Meta::Bootstrapped.clear(tx)
                })
            })
        })
        .await?;
        self.bootstrap(remote, credential).await
    }

    /// Runs store and keyring work (blocking IO) on a blocking thread, so
    /// the async threads stay free for the HTTP client, timers and events.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> Result<T, EngineError> + Send + 'static,
    ) -> Result<T, EngineError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || work(&engine))
            .await
            .map_err(|e| EngineError::Invalid(format!("background work failed: {e}")))?
    }
}

/// What an error means for the indicator. Every server code is named, so
/// a code added to the protocol is not missed here.
fn connection_after(error: &EngineError) -> Connection {
    use ErrorCode as C;
    let code = match error {
        EngineError::Keyring(_) => return Connection::EnrolAgain,
        EngineError::Remote(RemoteError::Refused { code: Some(code), .. }) => *code,
        _ => return Connection::Offline,
    };
    match code {
        C::DeviceRevoked | C::DeviceExpired | C::InvalidToken | C::WrongTenant => Connection::EnrolAgain,
        C::ProtocolUnsupported => Connection::UpdateApp,
        // A device is refused these only while the server cannot help it now.
        C::InvalidBody
        | C::InvalidPath
        | C::InvalidQuery
        | C::InvalidField
        | C::BodyTooLarge
        | C::TooManyRequests
        | C::Internal
        | C::NoTenant
        | C::UnknownTenant
        | C::SlugTaken
        | C::Unauthenticated
        | C::TokenExpired
        | C::InvalidCredentials
        | C::InvalidRefreshToken
        | C::RefreshTokenReused
        | C::AccountDisabled
        | C::Forbidden
        | C::EmailTaken
        | C::WeakPassword
        | C::InvalidPin
        | C::NotStaff
        | C::UnknownUser
        | C::UnknownDevice
        | C::InvalidCursor
        | C::CursorAhead
        | C::UnknownDocument
        | C::UnknownStudent
        | C::StudentInactive
        | C::NoSigningKey
        | C::PassTagCollision
        | C::CardVersionsExhausted => Connection::Offline,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use tatami_core::people::Role;

    use super::*;
    use crate::engine::testing::Device;
    use crate::store::StoreError;

    /// A sync meets the store held by a slow command (a long export, say):
    /// it waits on a blocking thread, and the async thread it runs on stays
    /// free for timers and events. Here that thread is the only one, and
    /// only it can let the store go.
    #[test]
    fn a_sync_waiting_for_the_store_leaves_its_async_thread_free() {
        let device = Device::enrolled(Role::FrontDesk);
        let (held, holding) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let engine = device.engine.clone();
        let holder = std::thread::spawn(move || {
            engine.with_store(|_| {
                let _ = held.send(());
                Ok(released.recv_timeout(Duration::from_secs(10)).is_ok())
            })
        });
        holding.recv().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let engine = device.engine.clone();
            let syncing = tokio::spawn(async move { engine.sync_now().await });
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = release.send(());
            let _ = syncing.await;
        });
        let released_in_time = holder.join().unwrap().unwrap();
        assert!(
            released_in_time,
            "the sync held the async thread while it waited for the store"
        );
    }

    fn refused(code: Option<ErrorCode>) -> EngineError {
        EngineError::Remote(RemoteError::Refused {
            status: 401,
            code,
            message: String::new(),
        })
    }

    #[test]
    fn each_failure_tells_the_user_what_to_do() {
        for code in [
            ErrorCode::DeviceRevoked,
            ErrorCode::DeviceExpired,
            ErrorCode::InvalidToken,
            ErrorCode::WrongTenant,
        ] {
            assert_eq!(
                connection_after(&refused(Some(code))),
                Connection::EnrolAgain,
                "{code}"
            );
        }
        assert_eq!(
            connection_after(&refused(Some(ErrorCode::ProtocolUnsupported))),
            Connection::UpdateApp
        );
        assert_eq!(
            connection_after(&refused(Some(ErrorCode::Internal))),
            Connection::Offline
        );
        assert_eq!(
            connection_after(&refused(None)),
            Connection::Offline,
            "a newer server's code"
        );
        let unreachable = EngineError::Remote(RemoteError::Unreachable("connection refused".into()));
        assert_eq!(connection_after(&unreachable), Connection::Offline);
        let busy = EngineError::Store(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        assert_eq!(connection_after(&busy), Connection::Offline);
    }
}
