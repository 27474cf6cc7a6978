//! The change log.

use sqlx::PgExecutor;
use tatami_core::ids::TenantId;
use uuid::Uuid;

use super::Tx;
use super::documents::DocumentUpdates;

/// The notification channel of log heads.
pub const LOG_CHANNEL: &str = "tatami_log";

/// Locks the academy's log head until the transaction ends and returns the
/// next sequence number. Appends of one academy therefore commit in
/// sequence order: a reader can never see number n+1 before n.
pub async fn lock_log_head(tx: &mut Tx, tenant: TenantId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT next_seq FROM log_heads WHERE tenant_id = $1 FOR UPDATE",
        tenant.as_uuid()
    )
    .fetch_one(&mut **tx)
    .await
}

/// The last committed sequence number (0 for an empty log).
pub async fn select_log_head(db: impl PgExecutor<'_>, tenant: TenantId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT next_seq - 1 FROM log_heads WHERE tenant_id = $1",
        tenant.as_uuid()
    )
    .fetch_one(db)
    .await
    .map(|seq| seq.unwrap_or(0))
}

/// Changes to append, one entry per column.
#[derive(Debug, Default)]
pub struct NewChanges {
    pub seqs: Vec<i64>,
    pub docs: Vec<Uuid>,
    pub hashes: Vec<Vec<u8>>,
    pub bytes: Vec<Vec<u8>>,
    pub devices: Vec<Option<Uuid>>,
}

/// Appends `changes`, records the documents they belong to, and moves the
/// log head to `next_seq`: one statement, so a batch costs one round trip.
/// With `notify`, on commit PostgreSQL tells every server listening on
/// [`LOG_CHANNEL`] the academy's new head (`"<tenant id> <head>"`).
pub async fn append(
    tx: &mut Tx,
    tenant: TenantId,
    changes: &NewChanges,
    documents: &DocumentUpdates,
    next_seq: i64,
    notify: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH head AS (
             UPDATE log_heads SET next_seq = $2::bigint WHERE tenant_id = $1
             RETURNING CASE WHEN $12::bool THEN pg_notify('tatami_log', $1::text || ' ' || ($2::bigint - 1)::text) END
         ), logged AS (
             INSERT INTO changes (tenant_id, seq, doc_id, hash, bytes, device_id)
             SELECT $1, * FROM UNNEST($3::bigint[], $4::uuid[], $5::bytea[], $6::bytea[], $7::uuid[])
         )
         INSERT INTO documents (tenant_id, doc_id, kind, last_seq, unsnapshotted)
         SELECT $1, * FROM UNNEST($8::uuid[], $9::text[], $10::bigint[], $11::int[])
         ON CONFLICT (tenant_id, doc_id) DO UPDATE
             SET last_seq = EXCLUDED.last_seq, unsnapshotted = EXCLUDED.unsnapshotted",
        tenant.as_uuid(),
        next_seq,
        &changes.seqs,
        &changes.docs,
        &changes.hashes,
        &changes.bytes,
        &changes.devices as &[Option<Uuid>],
        &documents.ids,
        &documents.kinds,
        &documents.last_seqs,
        &documents.unsnapshotted,
        notify
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct LoggedRow {
    pub seq: i64,
    pub doc_id: Uuid,
    pub bytes: Vec<u8>,
    pub device_id: Option<Uuid>,
}

/// Up to `limit` changes after `cursor`, in log order, of `max_bytes`
/// together at most (the change that crosses it included), and whether
/// more follow.
pub async fn select_changes_after(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    cursor: i64,
    limit: i64,
    max_bytes: i64,
) -> Result<(Vec<LoggedRow>, bool), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT seq AS "seq!", doc_id AS "doc_id!", bytes AS "bytes!", device_id, fetched AS "fetched!"
           FROM (SELECT *, sum(octet_length(bytes)) OVER (ORDER BY seq) - octet_length(bytes) AS before,
                        count(*) OVER () AS fetched
                 FROM (SELECT seq, doc_id, bytes, device_id FROM changes
                       WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3::bigint + 1) next) page
           WHERE before < $4
           ORDER BY seq"#,
        tenant.as_uuid(),
        cursor,
        limit,
        max_bytes
    )
    .fetch_all(db)
    .await?;
    let fetched = rows.first().map_or(0, |r| r.fetched);
    let mut rows: Vec<LoggedRow> = rows
        .into_iter()
        .map(|r| LoggedRow {
            seq: r.seq,
            doc_id: r.doc_id,
            bytes: r.bytes,
            device_id: r.device_id,
        })
        .collect();
    let kept = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let more = fetched > kept || kept > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more))
}

/// One document's changes after `after`, in log order.
pub async fn select_doc_changes_after(
    tx: &mut Tx,
    tenant: TenantId,
    doc: Uuid,
    after: i64,
) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT bytes FROM changes WHERE tenant_id = $1 AND doc_id = $2 AND seq > $3 ORDER BY seq",
        tenant.as_uuid(),
        doc,
        after
    )
    .fetch_all(&mut **tx)
    .await
}
