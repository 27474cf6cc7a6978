//! Changes the server makes itself (an academy's keys, card versions, staff
//! records). They are stored exactly like a device's: through the academy's
//! writer, into the log every device pulls.

use automerge::{ActorId, AutoCommit};
use tatami_core::doc::DocKind;
use tatami_core::ids::{DocId, TenantId};
use tatami_core::policy::Writer;
use tatami_core::sync::{Bytes, DocChanges};

use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use crate::sync::Push;
use crate::sync::stored::Stored;

/// Documents pushed at once: a push of the server's is one transaction of
/// the academy's writer, which other devices' pushes wait behind.
const PUSH_DOCS: usize = 40;

/// The changes of `doc` made since `since` (all of them for a new
/// document), committed first.
fn changes_since(id: DocId, doc: &mut AutoCommit, since: &[automerge::ChangeHash]) -> DocChanges {
    doc.commit();
    let changes = doc
        .get_changes(since)
        .iter()
        .map(|c| Bytes(c.raw_bytes().to_vec()))
        .collect();
    DocChanges { doc: id, changes }
}

/// Stores `docs` as the server's changes, a few documents a push.
async fn store(state: &AppState, tenant: TenantId, docs: Vec<DocChanges>) -> Result<(), ApiError> {
    let mut docs = docs.into_iter().peekable();
    while docs.peek().is_some() {
        let push = Push {
            writer: Writer::Server,
            device: None,
            docs: docs.by_ref().take(PUSH_DOCS).collect(),
            refused: Vec::new(),
        };
        let refused = state.sync.push(tenant, push).await.map_err(ApiError::internal)?;
        if let Some(r) = refused.into_iter().next() {
            return Err(ApiError::internal(std::io::Error::other(format!(
                "the server's own change was refused: {}",
                r.message
            ))));
        }
    }
    Ok(())
}

/// Stores a document the server created.
pub async fn create(state: &AppState, tenant: TenantId, id: DocId, doc: AutoCommit) -> Result<(), ApiError> {
    create_all(state, tenant, vec![(id, doc)]).await
}

/// Stores documents the server created.
pub async fn create_all(
    state: &AppState,
    tenant: TenantId,
    docs: Vec<(DocId, AutoCommit)>,
) -> Result<(), ApiError> {
    let changes = docs
        .into_iter()
        .map(|(id, mut doc)| changes_since(id, &mut doc, &[]))
        .collect();
    store(state, tenant, changes).await
}

/// Loads the server's copy of document `id`, edits it as the server, and
/// stores the change. `None` when the server has no such `kind` document.
pub async fn edit<T>(
    state: &AppState,
    tenant: TenantId,
    id: DocId,
    kind: DocKind,
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
    let edited = tokio::task::spawn_blocking(move || {
        let Some(mut doc) = stored.open_as(kind).map_err(ApiError::internal)? else {
            return Ok(None);
        };
        // A fresh actor per edit: two concurrent edits must not reuse one.
        doc.set_actor(ActorId::random());
        let before = doc.get_heads();
        let value = change(&mut doc)?;
        Ok::<_, ApiError>(Some((doc, before, value)))
    })
    .await
    .map_err(ApiError::internal)??;
    let Some((mut doc, before, value)) = edited else {
        return Ok(None);
    };
    store(state, tenant, vec![changes_since(id, &mut doc, &before)]).await?;
    Ok(Some(value))
}
