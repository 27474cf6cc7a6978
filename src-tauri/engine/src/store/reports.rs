//! Counts for the reports screen, from the projected rows. Voided
//! check-ins never count.

use rusqlite::Connection;
use tatami_core::people::StudentStatus;
use tatami_core::schedule::ClassRef;
use time::Date;

use super::rows::{attendance, date};
use super::{AttendanceRow, StoreError, parse};

/// Check-ins per class and day from `from` to `to`, inclusive.
pub fn check_ins_by_session(
    conn: &Connection,
    from: Date,
    to: Date,
) -> Result<Vec<(ClassRef, Date, u64)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT class, date, count(*) FROM attendance
         WHERE NOT voided AND date BETWEEN ?1 AND ?2 GROUP BY class, date ORDER BY date, class",
    )?;
    let mut counts = Vec::new();
    let rows = statement.query_map([from.to_string(), to.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (class, day, n) = row?;
        counts.push((parse(&class)?, date(&day)?, u64::try_from(n).unwrap_or(0)));
    }
    Ok(counts)
}

/// How many different students checked in from `from` to `to`.
pub fn students_attending(conn: &Connection, from: Date, to: Date) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(DISTINCT student) FROM attendance WHERE NOT voided AND date BETWEEN ?1 AND ?2",
        [from.to_string(), to.to_string()],
        |row| row.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// How many students have each status.
pub fn students_by_status(conn: &Connection) -> Result<Vec<(StudentStatus, u64)>, StoreError> {
    let mut statement = conn.prepare_cached("SELECT status, count(*) FROM students GROUP BY status")?;
    let mut counts = Vec::new();
    for row in statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))? {
        let (status, n) = row?;
        let status = StudentStatus::parse(&status).map_err(|e| StoreError::Corrupt {
            detail: e.to_string(),
        })?;
        counts.push((status, u64::try_from(n).unwrap_or(0)));
    }
    Ok(counts)
}

/// Every check-in from `from` to `to`, oldest first.
pub fn check_ins_between(conn: &Connection, from: Date, to: Date) -> Result<Vec<AttendanceRow>, StoreError> {
    let mut rows = attendance(
        conn,
        "NOT voided AND date BETWEEN ?1 AND ?2",
        [from.to_string(), to.to_string()],
    )?;
    rows.reverse();
    Ok(rows)
}
