//! The device's own database: one SQLite file in WAL mode holding the
//! documents, the outbox, the sync cursor, the projected rows the screens
//! read, and the local audit trail. Every write that must survive a crash
//! commits in one transaction with the document change it comes from.

pub mod audit;
pub mod cards;
pub mod docs;
mod meta;
mod migrate;
pub mod reports;
pub mod rows;

use std::path::{Path, PathBuf};
use std::time::Duration;

use automerge::AutoCommit;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction};
use tatami_core::doc::DocError;
use tatami_core::ids::DocId;

pub use docs::OutboxBatch;
pub use meta::Meta;
pub use rows::{AttendanceRow, RosterFilter, RosterRow};

/// Marks a SQLite file as ours (`PRAGMA application_id`, "TTMI").
const APPLICATION_ID: i32 = 0x5454_4d49;

/// A store that cannot be used as asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} is not a Tatami store: it belongs to another program", .path.display())]
    Foreign { path: PathBuf },
    #[error("the local database is damaged ({detail}); move it aside and enrol this device again")]
    Corrupt { detail: String },
    #[error("the local database was written by a newer version of Tatami (version {found}); update the app")]
    Newer { found: i64 },
    #[error("the local database failed: {0}")]
    Sqlite(rusqlite::Error),
    #[error("a local document cannot be read: {0}")]
    Document(#[from] DocError),
    #[error("a local record cannot be read: {0}")]
    Record(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                detail: error.to_string(),
            },
            _ => StoreError::Sqlite(error),
        }
    }
}

/// The open store. Not shared between threads: the engine keeps it behind
/// a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The document the last local edit saved, as saved: the door edits
    /// the same roll scan after scan, and loading it from its bytes each
    /// time costs more than the rest of a check-in. Any other write drops
    /// it, so it is never older than the stored copy.
    hot: Option<(DocId, AutoCommit)>,
}

impl Store {
    /// Opens the store at `path`, creating it or bringing an older one up to
    /// date. A file that is not a Tatami store is refused untouched.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        claim(&conn, path)?;
        conn.pragma_update(None, "journal_mode", "wal")?;
        // WAL with synchronous=FULL: a commit is on disk when it returns,
        // which is what "confirmed at the door" promises.
        conn.pragma_update(None, "synchronous", "full")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate::run(&mut conn)?;
        Ok(Self { conn, hot: None })
    }

    /// Runs `work` in one transaction: all of it commits, or none.
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.hot = None;
        let tx = self.conn.transaction()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Read access for queries.
    pub fn read(&self) -> &Connection {
        &self.conn
    }

    /// Document `id` as stored: from memory when it is the last one a
    /// local edit saved, else loaded.
    pub fn document(&mut self, id: DocId) -> Result<Option<AutoCommit>, StoreError> {
        match self.hot.take() {
            Some((hot, doc)) if hot == id => Ok(Some(doc)),
            _ => docs::load(&self.conn, id),
        }
    }

    /// Keeps `doc`, just saved as `id`, for the next edit.
    pub fn keep(&mut self, id: DocId, doc: AutoCommit) {
        self.hot = Some((id, doc));
    }
}

/// Parses a value the store wrote; one that does not parse means damage.
fn parse<T: std::str::FromStr>(text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt {
        detail: format!("unreadable value `{text}`: {e}"),
    })
}

/// Checks that `conn` is a Tatami store, or an empty file to become one.
fn claim(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0))?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    if id != 0 || tables > 0 {
        return Err(StoreError::Foreign {
            path: path.to_owned(),
        });
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    Ok(())
}

#[cfg(test)]
mod tests;
