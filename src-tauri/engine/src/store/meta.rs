//! Small named values: who this device is, where it syncs, how far.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// The keys of the `meta` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// The enrolment, as JSON.
    Enrolment,
    /// The log position applied up to.
    Cursor,
    /// Set once every document of the first bootstrap is stored.
    Bootstrapped,
    /// Unix milliseconds of the last sync that reached the server.
    LastSync,
    /// Documents the server refused and this device rebuilt, as JSON, for
    /// the user to be told.
    Undone,
    /// Wrong PINs in a row, as JSON.
    UnlockFailures,
    /// Milliseconds to add to the device clock to read the server's.
    ClockCorrection,
    /// The epoch of the server's log the cursor belongs to.
    LogEpoch,
    /// Every device id this store was enrolled as, as JSON: the Automerge
    /// actors whose changes are this device's own.
    Actors,
}

impl Meta {
    fn key(self) -> &'static str {
        match self {
            Meta::Enrolment => "enrolment",
            Meta::Cursor => "cursor",
            Meta::Bootstrapped => "bootstrapped",
            Meta::LastSync => "last_sync",
            Meta::Undone => "undone",
            Meta::UnlockFailures => "unlock_failures",
            Meta::ClockCorrection => "clock_correction",
            Meta::LogEpoch => "log_epoch",
            Meta::Actors => "actors",
        }
    }

    pub fn get(self, conn: &Connection) -> Result<Option<String>, StoreError> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [self.key()], |row| {
                row.get(0)
            })
            .optional()?)
    }

    pub fn set(self, conn: &Connection, value: &str) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![self.key(), value],
        )?;
        Ok(())
    }

    pub fn clear(self, conn: &Connection) -> Result<(), StoreError> {
        conn.execute("DELETE FROM meta WHERE key = ?1", [self.key()])?;
        Ok(())
    }

    /// A number stored under this key; 0 when unset.
    pub fn number(self, conn: &Connection) -> Result<u64, StoreError> {
        Ok(self.get(conn)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }
}
