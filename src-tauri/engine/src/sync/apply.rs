//! Bringing what the server sent into the store: pulled changes, bootstrap
//! pages, and the server's copy of a document it refused changes to. Each
//! batch commits in one transaction with the cursor it reaches.

use std::collections::HashSet;

use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use serde_json::json;
use tatami_core::api::ErrorCode;
use tatami_core::change_limits::{MAX_CHANGE_BYTES, measure};
use tatami_core::doc::{self, DocError, DocKind};
use tatami_core::ids::DocId;
use tatami_core::sync::{Bootstrap, Bytes, DocState, LogEpoch, PROTOCOL_VERSION, Refused, SyncResponse};

use super::Undone;
use crate::engine::{Engine, actor_of, own_devices};
use crate::error::EngineError;
use crate::remote::{Remote, RemoteError};
use crate::store::{Meta, StoreError, audit, docs, rows};

/// Decodes changes from the server, each measured first within the limits
/// the server holds devices to (a change claiming 2^62 operations, or
/// inflating to gigabytes, is refused before Automerge sees it) and in
/// Automerge's own encoding (see [`doc::canonical`]).
fn decode(changes: &[Bytes]) -> Result<Vec<Change>, DocError> {
    let invalid = |e: &dyn std::fmt::Display| DocError::Invalid(format!("a change from the server: {e}"));
    changes
        .iter()
        .map(|bytes| {
            measure(&bytes.0, MAX_CHANGE_BYTES).map_err(|e| invalid(&e))?;
            let change = Change::from_bytes(bytes.0.clone()).map_err(|e| invalid(&e))?;
            doc::canonical(&change)?;
            Ok(change)
        })
        .collect()
}

/// Applies changes pulled from the server to document `id` (created if
/// new), saves it and rewrites its rows. Returns its kind. Whatever the
/// server sends, this fails cleanly or keeps a document that reads (the
/// `engine_apply` fuzz target drives it).
pub fn apply_pulled(
    conn: &rusqlite::Connection,
    id: DocId,
    changes: &[Bytes],
) -> Result<DocKind, StoreError> {
    let mut doc = docs::load(conn, id)?.unwrap_or_default();
    doc::guarded(|| Ok(doc.apply_changes(decode(changes)?)?))?;
    keep(conn, id, &mut doc)
}

/// The server's copy of a document: its snapshot and the changes after it.
fn server_copy(state: &DocState) -> Result<AutoCommit, DocError> {
    let mut doc = if state.snapshot.0.is_empty() {
        AutoCommit::new()
    } else {
        AutoCommit::load(&state.snapshot.0)?
    };
    doc.apply_changes(decode(&state.changes)?)?;
    Ok(doc)
}

/// Merges the server's copy of a document into this device's (or takes
/// it, when new here), saves it and rewrites its rows. What this device
/// made that the server lacks is queued for the server again. Returns the
/// document's kind.
fn merge_server_copy(
    conn: &rusqlite::Connection,
    state: &DocState,
    own: &[ActorId],
) -> Result<DocKind, StoreError> {
    let mut theirs = doc::guarded(|| server_copy(state))?;
    let Some(mut doc) = docs::load(conn, state.doc)? else {
        return keep(conn, state.doc, &mut theirs);
    };
    let server_heads = theirs.get_heads();
    doc::guarded(|| Ok(doc.merge(&mut theirs).map(drop)?))?;
    push_again(conn, state.doc, &mut doc, &server_heads, own)?;
    keep(conn, state.doc, &mut doc)
}

/// Queues the changes of document `id` that are not among `server_heads`
/// or before them, and that this device made (its `own` actors), or that
/// start the document (every device makes the same). Another device's
/// changes are its own to push again: pushed from here, the server would
/// judge them by this device's role.
fn push_again(
    conn: &rusqlite::Connection,
    id: DocId,
    doc: &mut AutoCommit,
    server_heads: &[ChangeHash],
    own: &[ActorId],
) -> Result<(), StoreError> {
    let lacking: Vec<Vec<u8>> = doc
        .get_changes(server_heads)
        .into_iter()
        .filter(|change| change.deps().is_empty() || own.contains(change.actor_id()))
        .map(|change| change.raw_bytes().to_vec())
        .collect();
    docs::enqueue_unless_queued(conn, id, &lacking)
}

/// Saves document `id` and rewrites its rows. Returns its kind.
fn keep(conn: &rusqlite::Connection, id: DocId, doc: &mut AutoCommit) -> Result<DocKind, StoreError> {
    let kind = doc::header(&*doc)?.kind;
    docs::save(conn, id, kind, doc)?;
    project(conn, doc)?;
    Ok(kind)
}

/// Rewrites a document's rows. A document that no longer reads keeps its
/// bytes (nothing is lost) and its old rows, and says so in the log.
fn project(conn: &rusqlite::Connection, doc: &AutoCommit) -> Result<(), StoreError> {
    match doc::project(doc) {
        Ok(view) => rows::project(conn, &view),
        Err(error) => {
            tracing::warn!(%error, "a document from the server does not read; its rows are left as they were");
            Ok(())
        }
    }
}

/// Whether `epoch` is another log than the one this device followed; the
/// first epoch seen is remembered.
fn log_restored(conn: &rusqlite::Connection, epoch: LogEpoch) -> Result<bool, StoreError> {
    let epoch = epoch.0.to_string();
    match Meta::LogEpoch.get(conn)? {
        Some(followed) => Ok(followed != epoch),
        None => Meta::LogEpoch.set(conn, &epoch).map(|()| false),
    }
}

/// What the last bootstrap page completes.
struct Finish {
    cursor: u64,
    epoch: LogEpoch,
    /// Every document the server sent.
    seen: HashSet<DocId>,
}

fn protocol(found: u32) -> Result<(), EngineError> {
    if found == PROTOCOL_VERSION {
        return Ok(());
    }
    Err(EngineError::Remote(RemoteError::Refused {
        status: 409,
        code: Some(ErrorCode::ProtocolUnsupported),
        message: format!("the server speaks protocol {found}: update the app"),
    }))
}

impl Engine {
    /// Acknowledges the pushed outbox up to `up_to` and applies what was
    /// pulled, with the new cursor, in one transaction. Returns whether the
    /// server's log is another than the one this device followed (a
    /// restore).
    pub(crate) fn apply_response(&self, up_to: i64, response: &SyncResponse) -> Result<bool, EngineError> {
        protocol(response.protocol)?;
        let refused: Vec<DocId> = response.refused.iter().map(|r| r.doc).collect();
        let mut groups: Vec<(DocId, Vec<Bytes>)> = Vec::new();
        for logged in &response.changes {
            match groups.iter_mut().find(|(doc, _)| *doc == logged.doc) {
                Some((_, changes)) => changes.push(logged.change.clone()),
                None => groups.push((logged.doc, vec![logged.change.clone()])),
            }
        }
        let (kinds, restored) = self.with_store(|store| {
            store.write(|tx| {
                docs::acknowledge(tx, up_to, &refused)?;
                let kinds = groups
                    .iter()
                    .map(|(doc, changes)| apply_pulled(tx, *doc, changes))
                    .collect::<Result<Vec<_>, _>>()?;
                Meta::Cursor.set(tx, &response.cursor.to_string())?;
                Ok((kinds, log_restored(tx, response.epoch)?))
            })
        })?;
        self.after_arrival(kinds)?;
        Ok(restored)
    }

    /// Reloads what depends on arrived documents and tells the screens.
    fn after_arrival(&self, mut kinds: Vec<DocKind>) -> Result<(), EngineError> {
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        if kinds.contains(&DocKind::Tenant) {
            self.reload_academy()?;
        }
        if !kinds.is_empty() {
            self.announce(kinds);
        }
        self.refresh_status(|_| {})
    }

    /// Loads every document from the server's snapshots, merging into any
    /// this device already has, and queues what this device made that the
    /// server lacks (after a restore, say). Returns the round trips made.
    pub(super) async fn bootstrap(&self, remote: &Remote, credential: &str) -> Result<u32, EngineError> {
        let mut after = None;
        let mut start = None;
        let mut seen = HashSet::new();
        let mut trips = 0;
        loop {
            let page: Bootstrap = remote.bootstrap(credential, after).await?;
            trips += 1;
            protocol(page.protocol)?;
            let (cursor, epoch) = *start.get_or_insert((page.cursor, page.epoch));
            after = page.next;
            seen.extend(page.docs.iter().map(|state| state.doc));
            let last = after.is_none().then(|| Finish {
                cursor,
                epoch,
                seen: std::mem::take(&mut seen),
            });
            self.blocking(move |engine| engine.apply_bootstrap_page(&page.docs, last.as_ref()))
                .await?;
            if after.is_none() {
                return Ok(trips);
            }
        }
    }

    /// Stores one page of snapshots; on the last page, also pushes again
    /// what the server has no copy of at all, and sets where to pull from.
    fn apply_bootstrap_page(&self, page: &[DocState], last: Option<&Finish>) -> Result<(), EngineError> {
        let device = self.require_enrolment()?.device;
        let kinds = self.with_store(|store| {
            store.write(|tx| {
                let mut own: Vec<ActorId> = own_devices(tx)?.into_iter().map(actor_of).collect();
                own.push(actor_of(device));
                let kinds = page
                    .iter()
                    .map(|state| merge_server_copy(tx, state, &own))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(last) = last {
                    for id in docs::ids(tx, None)? {
                        if !last.seen.contains(&id)
                            && let Some(mut doc) = docs::load(tx, id)?
                        {
                            push_again(tx, id, &mut doc, &[], &own)?;
                        }
                    }
                    Meta::Cursor.set(tx, &last.cursor.to_string())?;
                    Meta::LogEpoch.set(tx, &last.epoch.0.to_string())?;
                    Meta::Bootstrapped.set(tx, "1")?;
                }
                Ok(kinds)
            })
        })?;
        self.after_arrival(kinds)
    }

    /// Replaces a document the server refused changes to with the server's
    /// copy (or drops it, when the server never had it), and records what
    /// was undone for the user.
    pub(super) async fn rebuild(
        &self,
        remote: &Remote,
        credential: &str,
        refusal: Refused,
    ) -> Result<(), EngineError> {
        let state = remote.document(credential, refusal.doc).await?;
        self.blocking(move |engine| engine.replace_document(&refusal, state.as_ref()))
            .await
    }

    fn replace_document(&self, refusal: &Refused, state: Option<&DocState>) -> Result<(), EngineError> {
        let id = refusal.doc;
        let at = self.now();
        let kinds = self.with_store(|store| {
            store.write(|tx| {
                docs::discard(tx, id)?;
                docs::delete(tx, id)?;
                rows::forget(tx, id)?;
                let kinds = match state {
                    Some(state) => vec![merge_server_copy(tx, state, &[])?],
                    None => Vec::new(),
                };
                let mut undone: Vec<Undone> = match Meta::Undone.get(tx)? {
                    Some(json) => serde_json::from_str(&json)?,
                    None => Vec::new(),
                };
                undone.push(Undone {
                    doc: id,
                    message: refusal.message.clone(),
                });
                Meta::Undone.set(tx, &serde_json::to_string(&undone)?)?;
                let detail = json!({ "doc": id, "code": refusal.code, "message": refusal.message });
                audit::record(tx, at, None, "change_refused", &detail)?;
                Ok(kinds)
            })
        })?;
        self.after_arrival(kinds)
    }
}
