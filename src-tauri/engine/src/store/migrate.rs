//! The store's schema versions. Each step runs once, in order, in its own
//! transaction with the version it brings (`PRAGMA user_version`); a store
//! made by any older build opens and is brought up to date.

use rusqlite::Connection;

use super::StoreError;

const STEPS: [&str; 3] = [
    include_str!("migrations/0001_base.sql"),
    include_str!("migrations/0002_roster_search.sql"),
    include_str!("migrations/0003_member_cards.sql"),
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_wrap, reason = "a handful of steps")]
pub(crate) const VERSION: i64 = STEPS.len() as i64;

pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    run_to(conn, VERSION)
}

/// Brings the store to `target` (tests make old stores with it).
pub(crate) fn run_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > VERSION {
        return Err(StoreError::Newer { found });
    }
    for (version, sql) in (1..=target).zip(STEPS).skip_while(|(v, _)| *v <= found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
