//! Per-document bookkeeping: kind, last change, compacted snapshot.

use sqlx::PgExecutor;
use tatami_core::ids::TenantId;
use uuid::Uuid;

use super::Tx;

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub doc_id: Uuid,
    pub last_seq: i64,
    pub snapshot_seq: i64,
    pub unsnapshotted: i32,
}

pub async fn select_documents(
    tx: &mut Tx,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<DocumentRow>, sqlx::Error> {
    sqlx::query_as!(
        DocumentRow,
        "SELECT doc_id, last_seq, snapshot_seq, unsnapshotted FROM documents WHERE tenant_id = $1 AND doc_id = ANY($2)",
        tenant.as_uuid(),
        ids
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn select_snapshot(
    tx: &mut Tx,
    tenant: TenantId,
    doc: Uuid,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT snapshot FROM documents WHERE tenant_id = $1 AND doc_id = $2",
        tenant.as_uuid(),
        doc
    )
    .fetch_optional(&mut **tx)
    .await
    .map(Option::flatten)
}

/// Documents a batch changed, one entry per column.
#[derive(Debug, Default)]
pub struct DocumentUpdates {
    pub ids: Vec<Uuid>,
    pub kinds: Vec<String>,
    pub last_seqs: Vec<i64>,
    /// Changes logged since the snapshot, counting this batch's.
    pub unsnapshotted: Vec<i32>,
}

pub async fn update_snapshot(
    tx: &mut Tx,
    tenant: TenantId,
    doc: Uuid,
    snapshot: &[u8],
    seq: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE documents SET snapshot = $3, snapshot_seq = $4, unsnapshotted = 0 WHERE tenant_id = $1 AND doc_id = $2",
        tenant.as_uuid(),
        doc,
        snapshot,
        seq
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct DocumentState {
    pub doc_id: Uuid,
    pub kind: String,
    pub snapshot: Option<Vec<u8>>,
}

/// A page of up to `limit` documents in id order after `after`, of
/// `max_bytes` of snapshots and later changes together at most (the
/// document that crosses it included), and whether more follow.
pub async fn select_document_page(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    after: Uuid,
    limit: i64,
    max_bytes: i64,
) -> Result<(Vec<DocumentState>, bool), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT doc_id AS "doc_id!", kind AS "kind!", snapshot, fetched AS "fetched!"
           FROM (SELECT d.*, (sum(size) OVER (ORDER BY doc_id))::bigint - size AS before, count(*) OVER () AS fetched
                 FROM (SELECT doc_id, kind, snapshot, snapshot_seq FROM documents
                       WHERE tenant_id = $1 AND doc_id > $2 ORDER BY doc_id LIMIT $3) d
                 CROSS JOIN LATERAL (
                     SELECT (coalesce(octet_length(d.snapshot), 0)
                            + coalesce(sum(octet_length(c.bytes)), 0))::bigint AS size
                     FROM changes c
                     WHERE c.tenant_id = $1 AND c.doc_id = d.doc_id AND c.seq > d.snapshot_seq) sizes) page
           WHERE before < $4
           ORDER BY doc_id"#,
        tenant.as_uuid(),
        after,
        limit,
        max_bytes
    )
    .fetch_all(db)
    .await?;
    let fetched = rows.first().map_or(0, |r| r.fetched);
    let more = fetched > i64::try_from(rows.len()).unwrap_or(i64::MAX) || fetched == limit;
    let page = rows
        .into_iter()
        .map(|r| DocumentState {
            doc_id: r.doc_id,
            kind: r.kind,
            snapshot: r.snapshot,
        })
        .collect();
    Ok((page, more))
}

pub async fn select_document_state(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    doc: Uuid,
) -> Result<Option<DocumentState>, sqlx::Error> {
    sqlx::query_as!(
        DocumentState,
        "SELECT doc_id, kind, snapshot FROM documents WHERE tenant_id = $1 AND doc_id = $2",
        tenant.as_uuid(),
        doc
    )
    .fetch_optional(db)
    .await
}

/// For the given documents, the changes logged after their snapshot, in
/// log order.
pub async fn select_changes_after_snapshots(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, Vec<u8>)>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT c.doc_id, c.bytes FROM changes c
         JOIN documents d ON d.tenant_id = c.tenant_id AND d.doc_id = c.doc_id
         WHERE c.tenant_id = $1 AND c.doc_id = ANY($2) AND c.seq > d.snapshot_seq
         ORDER BY c.seq",
        tenant.as_uuid(),
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.doc_id, r.bytes)).collect())
}
