//! Bringing what the server sent into the store: pulled changes, bootstrap
//! pages, and the server's copy of a document it refused changes to. Each
//! batch commits in one transaction with the cursor it reaches.

use automerge::{AutoCommit, Change};
use serde_json::json;
use tatami_core::api::ErrorCode;
use tatami_core::doc::{self, DocError, DocKind};
use tatami_core::ids::DocId;
use tatami_core::sync::{Bootstrap, Bytes, DocState, PROTOCOL_VERSION, Refused, SyncResponse};

use super::Undone;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::remote::{Remote, RemoteError};
use crate::store::{Meta, StoreError, audit, docs, rows};

fn decode(changes: &[Bytes]) -> Result<Vec<Change>, DocError> {
    changes
        .iter()
        .map(|bytes| {
            Change::from_bytes(bytes.0.clone())
                .map_err(|e| DocError::Invalid(format!("a change from the server: {e}")))
        })
        .collect()
}

/// Brings `snapshot` and `changes` into document `id` (created if new),
/// saves it and rewrites its rows. Returns its kind.
fn merge_into(
    conn: &rusqlite::Connection,
    id: DocId,
    snapshot: &[u8],
    changes: &[Bytes],
) -> Result<DocKind, StoreError> {
    let mut doc = match (docs::load(conn, id)?, snapshot.is_empty()) {
        (Some(doc), true) => doc,
        (Some(mut doc), false) => {
            doc.merge(&mut AutoCommit::load(snapshot).map_err(DocError::from)?)
                .map_err(DocError::from)?;
            doc
        }
        (None, true) => AutoCommit::new(),
        (None, false) => AutoCommit::load(snapshot).map_err(DocError::from)?,
    };
    doc.apply_changes(decode(changes)?).map_err(DocError::from)?;
    let kind = doc::header(&doc)?.kind;
    docs::save(conn, id, kind, &mut doc)?;
    project(conn, &doc)?;
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
    /// pulled, with the new cursor, in one transaction.
    pub(crate) fn apply_response(&self, up_to: i64, response: &SyncResponse) -> Result<(), EngineError> {
        protocol(response.protocol)?;
        let refused: Vec<DocId> = response.refused.iter().map(|r| r.doc).collect();
        let mut groups: Vec<(DocId, Vec<Bytes>)> = Vec::new();
        for logged in &response.changes {
            match groups.iter_mut().find(|(doc, _)| *doc == logged.doc) {
                Some((_, changes)) => changes.push(logged.change.clone()),
                None => groups.push((logged.doc, vec![logged.change.clone()])),
            }
        }
        let kinds = self.with_store(|store| {
            store.write(|tx| {
                docs::acknowledge(tx, up_to, &refused)?;
                let kinds = groups
                    .iter()
                    .map(|(doc, changes)| merge_into(tx, *doc, &[], changes))
                    .collect::<Result<Vec<_>, _>>()?;
                Meta::Cursor.set(tx, &response.cursor.to_string())?;
                Ok(kinds)
            })
        })?;
        self.after_arrival(kinds)
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
    /// this device already has. Returns the round trips made.
    pub(super) async fn bootstrap(&self, remote: &Remote, credential: &str) -> Result<u32, EngineError> {
        let mut after = None;
        let mut cursor = None;
        let mut trips = 0;
        loop {
            let page: Bootstrap = remote.bootstrap(credential, after).await?;
            trips += 1;
            protocol(page.protocol)?;
            let start = *cursor.get_or_insert(page.cursor);
            after = page.next;
            let last = after.is_none();
            self.blocking(move |engine| engine.apply_bootstrap_page(&page.docs, last.then_some(start)))
                .await?;
            if last {
                return Ok(trips);
            }
        }
    }

    /// Stores one page of snapshots; on the last page, also the cursor to
    /// pull from.
    fn apply_bootstrap_page(&self, page: &[DocState], cursor: Option<u64>) -> Result<(), EngineError> {
        let kinds = self.with_store(|store| {
            store.write(|tx| {
                let kinds = page
                    .iter()
                    .map(|state| merge_into(tx, state.doc, &state.snapshot.0, &state.changes))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(cursor) = cursor {
                    Meta::Cursor.set(tx, &cursor.to_string())?;
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
                    Some(state) => vec![merge_into(tx, id, &state.snapshot.0, &state.changes)?],
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
