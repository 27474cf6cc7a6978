//! The device's own audit trail: who unlocked it, who checked whom in,
//! refused scans, promotions, documents the server refused. Append-only.

use rusqlite::{Connection, params};
use serde::Serialize;
use tatami_core::ids::StaffId;
use time::OffsetDateTime;

use super::rows::millis;
use super::{StoreError, parse};

pub fn record(
    conn: &Connection,
    at: OffsetDateTime,
    staff: Option<StaffId>,
    action: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO audit (at_ms, staff, action, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            millis(at),
            staff.map(|s| s.to_string()),
            action,
            detail.to_string()
        ])?;
    Ok(())
}

/// An audit line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub at_ms: i64,
    pub staff: Option<StaffId>,
    pub action: String,
    pub detail: serde_json::Value,
}

/// The newest `limit` lines, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT at_ms, staff, action, detail FROM audit ORDER BY seq DESC LIMIT ?1")?;
    let rows = statement.query_map([limit], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (at_ms, staff, action, detail) = row?;
        entries.push(AuditEntry {
            at_ms,
            staff: staff.as_deref().map(parse).transpose()?,
            action,
            detail: serde_json::from_str(&detail)?,
        });
    }
    Ok(entries)
}
