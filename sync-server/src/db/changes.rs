//! The change log.

use sqlx::PgExecutor;
use tatami_core::ids::TenantId;
use uuid::Uuid;

use super::Tx;

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

pub async fn update_log_head(tx: &mut Tx, tenant: TenantId, next_seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE log_heads SET next_seq = $2 WHERE tenant_id = $1",
        tenant.as_uuid(),
        next_seq
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
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

pub async fn insert_changes(tx: &mut Tx, tenant: TenantId, changes: &NewChanges) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO changes (tenant_id, seq, doc_id, hash, bytes, device_id)
         SELECT $1, * FROM UNNEST($2::bigint[], $3::uuid[], $4::bytea[], $5::bytea[], $6::uuid[])",
        tenant.as_uuid(),
        &changes.seqs,
        &changes.docs,
        &changes.hashes,
        &changes.bytes,
        &changes.devices as &[Option<Uuid>]
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

/// Up to `limit` changes after `cursor`, in log order.
pub async fn select_changes_after(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    cursor: i64,
    limit: i64,
) -> Result<Vec<LoggedRow>, sqlx::Error> {
    sqlx::query_as!(
        LoggedRow,
        "SELECT seq, doc_id, bytes, device_id FROM changes WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        tenant.as_uuid(),
        cursor,
        limit
    )
    .fetch_all(db)
    .await
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
