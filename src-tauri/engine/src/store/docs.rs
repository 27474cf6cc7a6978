//! Documents as saved bytes, and the outbox of changes made here.

use automerge::AutoCommit;
use rusqlite::{Connection, OptionalExtension, params};
use tatami_core::doc::DocKind;
use tatami_core::ids::DocId;
use tatami_core::sync::{Bytes, DocChanges, MAX_PUSH_BYTES, MAX_PUSH_CHANGES};

use super::{StoreError, parse};

/// Loads document `id`, if this device has it.
pub fn load(conn: &Connection, id: DocId) -> Result<Option<AutoCommit>, StoreError> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "SELECT bytes FROM documents WHERE id = ?1",
            [id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    bytes
        .map(|bytes| AutoCommit::load(&bytes).map_err(|e| StoreError::Document(e.into())))
        .transpose()
}

/// Saves document `id` whole.
pub fn save(conn: &Connection, id: DocId, kind: DocKind, doc: &mut AutoCommit) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO documents (id, kind, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
        params![id.to_string(), kind.as_str(), doc.save()],
    )?;
    Ok(())
}

/// Removes document `id` (one the server never accepted).
pub fn delete(conn: &Connection, id: DocId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM documents WHERE id = ?1", [id.to_string()])?;
    Ok(())
}

/// Every document id this device holds, or only those of `kind`.
pub fn ids(conn: &Connection, kind: Option<DocKind>) -> Result<Vec<DocId>, StoreError> {
    let mut statement = conn.prepare("SELECT id FROM documents WHERE ?1 IS NULL OR kind = ?1")?;
    let mut ids = Vec::new();
    for id in statement.query_map([kind.map(DocKind::as_str)], |row| row.get::<_, String>(0))? {
        ids.push(parse(&id?)?);
    }
    Ok(ids)
}

/// Queues `changes` of document `id` for the server, except those already
/// waiting in the outbox.
pub fn enqueue_unless_queued(conn: &Connection, id: DocId, changes: &[Vec<u8>]) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut statement = conn.prepare_cached("SELECT change FROM outbox WHERE doc = ?1")?;
    let queued = statement
        .query_map([id.to_string()], |row| row.get::<_, Vec<u8>>(0))?
        .collect::<Result<std::collections::HashSet<_>, _>>()?;
    let fresh: Vec<Vec<u8>> = changes.iter().filter(|c| !queued.contains(*c)).cloned().collect();
    if fresh.is_empty() {
        return Ok(());
    }
    enqueue(conn, id, &fresh)
}

/// Queues changes made here for the server, in the order given.
pub fn enqueue(conn: &Connection, id: DocId, changes: &[Vec<u8>]) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO outbox (doc, change, edit) \
         VALUES (?1, ?2, coalesce(?3, (SELECT coalesce(max(seq), 0) + 1 FROM outbox))) RETURNING edit",
    )?;
    let doc = id.to_string();
    let mut edit: Option<i64> = None;
    for change in changes {
        edit = Some(insert.query_row(params![doc, change, edit], |row| row.get(0))?);
    }
    Ok(())
}

/// The oldest outbox changes, grouped by document for a push.
#[derive(Debug, Clone, Default)]
pub struct OutboxBatch {
    /// The last outbox position included: what the server's answer
    /// acknowledges.
    pub up_to: i64,
    /// Each document's changes in the order they were made, documents in
    /// the order of their first change.
    pub push: Vec<DocChanges>,
}

/// The oldest outbox changes that fit one push: at most
/// [`MAX_PUSH_CHANGES`] of [`MAX_PUSH_BYTES`] together (at least one).
pub fn outbox(conn: &Connection) -> Result<OutboxBatch, StoreError> {
    let mut statement = conn.prepare_cached("SELECT seq, doc, change FROM outbox ORDER BY seq LIMIT ?1")?;
    let mut batch = OutboxBatch::default();
    let mut bytes = 0;
    let rows = statement.query_map([i64::try_from(MAX_PUSH_CHANGES).unwrap_or(i64::MAX)], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    for row in rows {
        let (seq, doc, change) = row?;
        bytes += change.len();
        if bytes > MAX_PUSH_BYTES && !batch.push.is_empty() {
            break;
        }
        let doc: DocId = parse(&doc)?;
        batch.up_to = seq;
        match batch.push.iter_mut().find(|group| group.doc == doc) {
            Some(group) => group.changes.push(Bytes(change)),
            None => batch.push.push(DocChanges {
                doc,
                changes: vec![Bytes(change)],
            }),
        }
    }
    Ok(batch)
}

/// Drops the outbox up to `up_to`, the server having stored those
/// changes, except those of the documents it refused: they stay until the
/// document is rebuilt, so a rebuild that fails is tried again.
pub fn acknowledge(conn: &Connection, up_to: i64, refused: &[DocId]) -> Result<(), StoreError> {
    let refused: Vec<String> = refused.iter().map(ToString::to_string).collect();
    conn.execute(
        "DELETE FROM outbox WHERE seq <= ?1 AND doc NOT IN (SELECT value FROM json_each(?2))",
        params![up_to, serde_json::to_string(&refused)?],
    )?;
    Ok(())
}

/// Drops every outbox change of document `id` (the server refused it).
pub fn discard(conn: &Connection, id: DocId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM outbox WHERE doc = ?1", [id.to_string()])?;
    Ok(())
}

/// How many local edits wait for the server.
pub fn waiting(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(DISTINCT edit) FROM outbox", [], |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
