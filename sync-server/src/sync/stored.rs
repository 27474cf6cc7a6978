//! A document as the database holds it: a snapshot and the changes logged
//! after it.

use automerge::{AutoCommit, AutomergeError};
use tatami_core::doc::{self, DocKind};
use tatami_core::ids::{DocId, TenantId};

use crate::db::Tx;
use crate::db::changes::select_doc_changes_after;
use crate::db::documents::{select_documents, select_snapshot};

#[derive(Debug, Default)]
pub struct Stored {
    snapshot: Option<Vec<u8>>,
    changes: Vec<Vec<u8>>,
}

impl Stored {
    /// Reads document `id`, whose snapshot holds the changes up to
    /// `snapshot_seq`.
    pub async fn fetch(
        tx: &mut Tx,
        tenant: TenantId,
        id: DocId,
        snapshot_seq: i64,
    ) -> Result<Self, sqlx::Error> {
        Ok(Self {
            snapshot: select_snapshot(tx, tenant, *id.as_uuid()).await?,
            changes: select_doc_changes_after(tx, tenant, *id.as_uuid(), snapshot_seq).await?,
        })
    }

    /// Reads document `id`, if the server has it.
    pub async fn find(tx: &mut Tx, tenant: TenantId, id: DocId) -> Result<Option<Self>, sqlx::Error> {
        let Some(row) = select_documents(tx, tenant, &[*id.as_uuid()]).await?.pop() else {
            return Ok(None);
        };
        Self::fetch(tx, tenant, id, row.snapshot_seq).await.map(Some)
    }

    /// The document, when it is a `kind` document; `None` for another
    /// kind (an id of a staff member given where a student's is expected,
    /// say). CPU work.
    pub fn open_as(self, kind: DocKind) -> Result<Option<AutoCommit>, AutomergeError> {
        let doc = self.open()?;
        let is_kind = doc::header(&doc).is_ok_and(|header| header.kind == kind);
        Ok(is_kind.then_some(doc))
    }

    /// The document itself (CPU work).
    pub fn open(self) -> Result<AutoCommit, AutomergeError> {
        let mut doc = match self.snapshot {
            Some(bytes) => AutoCommit::load(&bytes)?,
            None => AutoCommit::new(),
        };
        for bytes in self.changes {
            doc.load_incremental(&bytes)?;
        }
        Ok(doc)
    }
}
