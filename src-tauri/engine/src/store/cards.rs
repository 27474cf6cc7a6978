//! Member cards kept as the server signed them.

use rusqlite::{Connection, OptionalExtension, params};
use tatami_core::ids::StudentId;

use super::StoreError;

/// The card last fetched for `student`, if any.
pub fn card(conn: &Connection, student: StudentId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT card FROM member_cards WHERE student = ?1")?
        .query_row([student.to_string()], |row| row.get(0))
        .optional()?)
}

/// Keeps `card` as `student`'s, replacing an older one.
pub fn keep_card(conn: &Connection, student: StudentId, card: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO member_cards (student, card) VALUES (?1, ?2)
         ON CONFLICT (student) DO UPDATE SET card = excluded.card",
    )?
    .execute(params![student.to_string(), card])?;
    Ok(())
}
