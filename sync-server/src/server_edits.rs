//! Changes the server makes itself (an academy's keys, card versions, staff
//! records). They are stored exactly like a device's: through the academy's
//! writer, into the log every device pulls.

use automerge::{ActorId, AutoCommit};
use tatami_core::ids::{DocId, TenantId};
use tatami_core::policy::Writer;
use tatami_core::sync::{Bytes, DocChanges};

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::sync::Push;
use crate::sync::stored::Stored;

/// Stores every change of `doc` made since `since` (all of them for a new
/// document) as the server's.
async fn store(
    state: &AppState,
    tenant: TenantId,
    id: DocId,
    doc: &mut AutoCommit,
    since: &[automerge::ChangeHash],
) -> Result<(), ApiError> {
    doc.commit();
    let changes = doc
        .get_changes(since)
        .iter()
        .map(|c| Bytes(c.raw_bytes().to_vec()))
        .collect();
    let push = Push {
        writer: Writer::Server,
        device: None,
        docs: vec![DocChanges { doc: id, changes }],
    };
    let refused = state.sync.push(tenant, push).await.map_err(ApiError::internal)?;
    match refused.into_iter().next() {
        None => Ok(()),
        Some(r) => Err(ApiError::internal(std::io::Error::other(format!(
            "the server's own change was refused: {}",
            r.message
        )))),
    }
}

/// Stores a document the server created.
pub async fn create(
    state: &AppState,
    tenant: TenantId,
    id: DocId,
    mut doc: AutoCommit,
) -> Result<(), ApiError> {
    store(state, tenant, id, &mut doc, &[]).await
}

/// Loads the server's copy of document `id`, edits it as the server, and
/// stores the change. `None` when the server has no such document.
pub async fn edit<T>(
    state: &AppState,
    tenant: TenantId,
    id: DocId,
    change: impl FnOnce(&mut AutoCommit) -> Result<T, ApiError> + Send + 'static,
) -> Result<Option<T>, ApiError>
where
    T: Send + 'static,
{
    let mut tx = db::begin(&state.pool, tenant).await?;
    let Some(stored) = Stored::find(&mut tx, tenant, id).await? else {
        return Ok(None);
    };
    tx.commit().await?;
    let (mut doc, before, value) = tokio::task::spawn_blocking(move || {
        let mut doc = stored.open().map_err(ApiError::internal)?;
        // A fresh actor per edit: two concurrent edits must not reuse one.
        doc.set_actor(ActorId::random());
        let before = doc.get_heads();
        let value = change(&mut doc)?;
        Ok::<_, ApiError>((doc, before, value))
    })
    .await
    .map_err(ApiError::internal)??;
    store(state, tenant, id, &mut doc, &before).await?;
    Ok(Some(value))
}
