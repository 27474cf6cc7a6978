//! The sync protocol over HTTP: push and pull, wait for news, bootstrap.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tatami_core::api::{ErrorCode, Head, WaitQuery};
use tatami_core::doc::DocKind;
use tatami_core::ids::{DeviceId, DocId, TenantId};
use tatami_core::policy::Writer;
use tatami_core::sync::{
    Bootstrap, Bytes, DocState, LoggedChange, MAX_PULL, MAX_PULL_BYTES, PROTOCOL_VERSION, SyncRequest,
    SyncResponse,
};
use uuid::Uuid;

use super::json::{ApiJson, ApiPath, ApiQuery};
use crate::auth::Caller;
use crate::db::changes::{select_changes_after, select_log_head};
use crate::db::documents::{select_changes_after_snapshots, select_document_page, select_document_state};
use crate::db::{self};
use crate::error::ApiError;
use crate::state::AppState;
use crate::sync::Push;
use crate::sync::screen::screen;
use crate::sync::tail::Pulled;

/// Documents per bootstrap page.
const BOOTSTRAP_PAGE: i64 = 500;
/// The longest a wait for news is held open.
const MAX_WAIT: Duration = Duration::from_secs(25);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/sync", post(sync))
        .route("/v1/sync/wait", get(wait))
        .route("/v1/bootstrap", get(bootstrap))
        .route("/v1/documents/{id}", get(document))
}

fn check_protocol(protocol: u32) -> Result<(), ApiError> {
    if protocol == PROTOCOL_VERSION {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ProtocolUnsupported,
            format!(
                "this server speaks sync protocol {PROTOCOL_VERSION}, the device {protocol}: update the app or the server"
            ),
        ))
    }
}

fn to_seq(cursor: u64) -> Result<i64, ApiError> {
    i64::try_from(cursor).map_err(|_| ApiError::new(ErrorCode::InvalidCursor, "the cursor is out of range"))
}

/// Stores the device's changes, then returns what came after its cursor.
async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ApiError> {
    check_protocol(request.protocol)?;
    let (device, role) = caller.device()?;
    let tenant = caller.tenant.id;
    let cursor = to_seq(request.cursor)?;

    let refused = if request.push.is_empty() {
        Vec::new()
    } else {
        let screened =
            screen(request.push).map_err(|e| ApiError::new(ErrorCode::BodyTooLarge, e.to_string()))?;
        let push = Push {
            writer: Writer::Device(role),
            device: Some(device),
            docs: screened.docs,
            refused: screened.refused,
        };
        state.sync.push(tenant, push).await.map_err(ApiError::internal)?
    };

    let limit = request.limit.unwrap_or(MAX_PULL).clamp(1, MAX_PULL) as usize;
    let recent = state
        .sync
        .pull_recent(tenant, cursor, limit, Some(device))
        .await
        .map_err(ApiError::internal)?;
    let pulled = match recent {
        Some(pulled) => pulled,
        None => pull_stored(&state, tenant, cursor, limit, device).await?,
    };
    state
        .metrics
        .changes_out
        .fetch_add(pulled.changes.len() as u64, Ordering::Relaxed);
    Ok(Json(SyncResponse {
        protocol: PROTOCOL_VERSION,
        refused,
        changes: pulled.changes,
        cursor: u64::try_from(pulled.cursor).unwrap_or(0),
        more: pulled.more,
        epoch: caller.tenant.epoch,
    }))
}

/// A pull the recent tail does not cover, from the log in the database.
async fn pull_stored(
    state: &AppState,
    tenant: TenantId,
    cursor: i64,
    limit: usize,
    device: DeviceId,
) -> Result<Pulled, ApiError> {
    let mut tx = db::begin(&state.pool, tenant).await?;
    let (rows, more) = select_changes_after(
        &mut *tx,
        tenant,
        cursor,
        i64::try_from(limit).unwrap_or(i64::MAX),
        i64::try_from(MAX_PULL_BYTES).unwrap_or(i64::MAX),
    )
    .await?;
    // Nothing after the cursor: is the cursor even one this server gave?
    if rows.is_empty() && cursor > select_log_head(&mut *tx, tenant).await? {
        return Err(ApiError::new(
            ErrorCode::CursorAhead,
            "this device has seen changes the server does not have: rebuild it from the server",
        ));
    }
    tx.commit().await?;
    let next = rows.last().map_or(cursor, |row| row.seq);
    let own = Some(*device.as_uuid());
    let changes = rows
        .into_iter()
        .filter(|row| row.device_id != own)
        .map(|row| LoggedChange {
            seq: u64::try_from(row.seq).unwrap_or(0),
            doc: DocId::from_uuid(row.doc_id),
            change: Bytes(row.bytes),
        })
        .collect();
    Ok(Pulled {
        changes,
        cursor: next,
        more,
    })
}

/// Answers as soon as the academy's log passes `cursor`, or after 25
/// seconds: a long poll that tells connected devices to sync.
async fn wait(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<WaitQuery>,
) -> Result<Json<Head>, ApiError> {
    caller.device()?;
    let cursor = to_seq(query.cursor)?;
    let mut head = state
        .sync
        .head(caller.tenant.id)
        .await
        .map_err(ApiError::internal)?;
    let mut stopping = state.stopping.subscribe();
    tokio::select! {
        _ = tokio::time::timeout(MAX_WAIT, head.wait_for(|h| *h > cursor)) => {}
        _ = stopping.wait_for(|stopping| *stopping) => {}
    }
    let current = *head.borrow();
    Ok(Json(Head {
        head: u64::try_from(current).unwrap_or(0),
    }))
}

#[derive(Deserialize)]
struct BootstrapQuery {
    after: Option<DocId>,
}

/// A page of every document's current state, for a fresh device.
async fn bootstrap(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<BootstrapQuery>,
) -> Result<Json<Bootstrap>, ApiError> {
    caller.device()?;
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let cursor = select_log_head(&mut *tx, tenant).await?;
    let after = query.after.map_or(Uuid::nil(), |d| *d.as_uuid());
    let (page, more) = select_document_page(
        &mut *tx,
        tenant,
        after,
        BOOTSTRAP_PAGE,
        i64::try_from(MAX_PULL_BYTES).unwrap_or(i64::MAX),
    )
    .await?;
    let ids: Vec<Uuid> = page.iter().map(|d| d.doc_id).collect();
    let mut changes: HashMap<Uuid, Vec<Bytes>> = HashMap::new();
    for (doc, bytes) in select_changes_after_snapshots(&mut *tx, tenant, &ids).await? {
        changes.entry(doc).or_default().push(Bytes(bytes));
    }
    tx.commit().await?;
    let next = more
        .then(|| page.last().map(|d| DocId::from_uuid(d.doc_id)))
        .flatten();
    let docs = page
        .into_iter()
        .map(|d| {
            let kind = DocKind::parse(&d.kind).map_err(ApiError::internal)?;
            Ok(DocState {
                doc: DocId::from_uuid(d.doc_id),
                kind,
                snapshot: Bytes(d.snapshot.unwrap_or_default()),
                changes: changes.remove(&d.doc_id).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let sent: usize = docs.iter().map(|d| d.changes.len()).sum();
    state
        .metrics
        .changes_out
        .fetch_add(sent as u64, Ordering::Relaxed);
    Ok(Json(Bootstrap {
        protocol: PROTOCOL_VERSION,
        docs,
        next,
        cursor: u64::try_from(cursor).unwrap_or(0),
        epoch: caller.tenant.epoch,
    }))
}

/// One document's state: how a device rebuilds a document whose changes
/// were refused.
async fn document(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<DocId>,
) -> Result<Json<DocState>, ApiError> {
    caller.device()?;
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let row = select_document_state(&mut *tx, tenant, *id.as_uuid())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownDocument, "the server has no such document"))?;
    let changes = select_changes_after_snapshots(&mut *tx, tenant, &[row.doc_id]).await?;
    tx.commit().await?;
    state
        .metrics
        .changes_out
        .fetch_add(changes.len() as u64, Ordering::Relaxed);
    Ok(Json(DocState {
        doc: id,
        kind: DocKind::parse(&row.kind).map_err(ApiError::internal)?,
        snapshot: Bytes(row.snapshot.unwrap_or_default()),
        changes: changes.into_iter().map(|(_, bytes)| Bytes(bytes)).collect(),
    }))
}
