//! One writer per academy: it takes pushes in arrival order, applies them
//! to the server's documents and commits each batch in one transaction
//! (group commit). A push is acknowledged only after its batch committed.
//!
//! The transaction first locks the academy's log head, so batches of one
//! academy commit in sequence order even with several servers; a reader's
//! cursor can never pass a sequence number that commits later.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use automerge::AutoCommit;
use serde_json::json;
use sqlx::PgPool;
use tatami_core::ids::{DeviceId, DocId, TenantId};
use tatami_core::policy::Writer;
use tatami_core::sync::{DocChanges, RefusalCode, Refused};
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use super::cache::{Cached, DocCache};
use super::project::Projection;
use super::stored::Stored;
use super::tail::{Entry, Pulled, Tail};
use crate::db::audit::{Actor, insert_audit};
use crate::db::changes::{NewChanges, append, lock_log_head, select_log_head};
use crate::db::documents::{DocumentUpdates, select_documents, update_snapshot};
use crate::db::{self, Tx};
use tatami_core::push::{Accepted, apply};

/// At most this many pushes share one transaction.
const MAX_PUSHES: usize = 512;
/// A document is compacted into a fresh snapshot after this many changes.
const SNAPSHOT_EVERY: i32 = 64;

/// A push failed as a whole: nothing of it was stored.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the changes could not be stored: {0}")]
pub struct PushError(Arc<str>);

impl PushError {
    fn new(error: impl std::fmt::Display) -> Self {
        Self(error.to_string().into())
    }
}

/// Who pushed, and what.
#[derive(Debug, Clone)]
pub struct Push {
    pub writer: Writer,
    /// The pushing device; `None` for the server's own changes.
    pub device: Option<DeviceId>,
    pub docs: Vec<DocChanges>,
    /// Documents already refused on the way in (see [`super::screen`]):
    /// audited and answered with the writer's own refusals.
    pub refused: Vec<Refused>,
}

struct Queued {
    push: Push,
    reply: oneshot::Sender<Result<Vec<Refused>, PushError>>,
}

#[derive(Clone)]
struct Handle {
    queue: mpsc::Sender<Queued>,
    log: Arc<LogEnd>,
}

/// What this server knows of the end of an academy's log: the newest head
/// committed (by any server), and a tail of recent changes.
struct LogEnd {
    head: watch::Sender<i64>,
    tail: Mutex<Tail>,
}

impl LogEnd {
    fn advance(&self, head: i64) {
        self.head.send_if_modified(|current| {
            let moved = head > *current;
            *current = (*current).max(head);
            moved
        });
    }
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct SyncStats {
    pub changes_in: AtomicU64,
    pub changes_refused: AtomicU64,
    pub batches: AtomicU64,
}

/// The academies' writers and the documents they hold.
#[derive(Clone)]
pub struct SyncHub(Arc<Hub>);

struct Hub {
    pool: PgPool,
    /// Whether other servers share the database and hear of commits.
    peers: bool,
    cache: DocCache,
    writers: Mutex<HashMap<TenantId, Handle>>,
    stats: SyncStats,
}

impl std::fmt::Debug for SyncHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHub")
            .field("cached_documents", &self.0.cache.len())
            .finish_non_exhaustive()
    }
}

impl SyncHub {
    /// With `peers`, each commit is announced to the other servers of the
    /// database (see [`crate::sync::listen`]).
    pub fn new(pool: PgPool, cached_documents: usize, peers: bool) -> Self {
        Self(Arc::new(Hub {
            pool,
            peers,
            cache: DocCache::new(cached_documents),
            writers: Mutex::new(HashMap::new()),
            stats: SyncStats::default(),
        }))
    }

    pub fn stats(&self) -> &SyncStats {
        &self.0.stats
    }

    pub fn cached_documents(&self) -> usize {
        self.0.cache.len()
    }

    async fn handle(&self, tenant: TenantId) -> Result<Handle, PushError> {
        if let Some(handle) = self.0.writers.lock().map_err(PushError::new)?.get(&tenant) {
            return Ok(handle.clone());
        }
        let mut tx = db::begin(&self.0.pool, tenant).await.map_err(PushError::new)?;
        let head = select_log_head(&mut *tx, tenant).await.map_err(PushError::new)?;
        tx.commit().await.map_err(PushError::new)?;
        let mut writers = self.0.writers.lock().map_err(PushError::new)?;
        // Another request may have started the writer meanwhile.
        let handle = writers.entry(tenant).or_insert_with(|| {
            let (queue, receiver) = mpsc::channel(4 * MAX_PUSHES);
            let log = Arc::new(LogEnd {
                head: watch::channel(head).0,
                tail: Mutex::new(Tail::at(head)),
            });
            tokio::spawn(run(Arc::clone(&self.0), tenant, receiver, Arc::clone(&log)));
            Handle { queue, log }
        });
        Ok(handle.clone())
    }

    /// Stores a push durably and reports the documents refused.
    pub async fn push(&self, tenant: TenantId, push: Push) -> Result<Vec<Refused>, PushError> {
        let handle = self.handle(tenant).await?;
        let (reply, answer) = oneshot::channel();
        handle
            .queue
            .send(Queued { push, reply })
            .await
            .map_err(|_| PushError::new("the academy's writer stopped"))?;
        answer
            .await
            .map_err(|_| PushError::new("the academy's writer stopped"))?
    }

    /// The academy's last committed sequence number, updated live.
    pub async fn head(&self, tenant: TenantId) -> Result<watch::Receiver<i64>, PushError> {
        Ok(self.handle(tenant).await?.log.head.subscribe())
    }

    /// A pull answered from memory, when the recent tail covers it.
    pub async fn pull_recent(
        &self,
        tenant: TenantId,
        cursor: i64,
        limit: usize,
        device: Option<DeviceId>,
    ) -> Result<Option<Pulled>, PushError> {
        let log = self.handle(tenant).await?.log;
        let known = *log.head.borrow();
        let tail = log.tail.lock().map_err(PushError::new)?;
        Ok(tail.pull(cursor, limit, device, known))
    }

    /// Another server committed up to `head`: wakes waiting devices, and
    /// keeps this server's tail from answering for what it does not hold.
    pub fn observe(&self, tenant: TenantId, head: i64) {
        let log = self
            .0
            .writers
            .lock()
            .ok()
            .and_then(|w| w.get(&tenant).map(|h| Arc::clone(&h.log)));
        if let Some(log) = log {
            log.advance(head);
        }
    }
}

async fn run(hub: Arc<Hub>, tenant: TenantId, mut queue: mpsc::Receiver<Queued>, log: Arc<LogEnd>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_PUSHES {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let (pushes, senders): (Vec<Push>, Vec<_>) = batch.into_iter().map(|q| (q.push, q.reply)).unzip();
        let replies = commit_apart(&hub, tenant, pushes.into(), &log).await;
        for (sender, reply) in senders.into_iter().zip(replies) {
            let _ = sender.send(reply);
        }
    }
}

/// Commits `pushes` in one transaction. When the database refuses what a
/// push holds (a value or key it cannot take), commits each push on its
/// own, and a push's documents each on its own, so that only the document
/// at fault is refused. Any other failure fails every push of the batch.
async fn commit_apart(
    hub: &Hub,
    tenant: TenantId,
    pushes: Arc<[Push]>,
    log: &LogEnd,
) -> Vec<Result<Vec<Refused>, PushError>> {
    let count = pushes.len();
    match commit(hub, tenant, Arc::clone(&pushes)).await {
        Ok(committed) => {
            // The tail first: a pull that sees the new head finds it.
            if let Some((first, entries)) = committed.appended
                && let Ok(mut tail) = log.tail.lock()
            {
                tail.extend(first, entries);
            }
            log.advance(committed.head);
            committed.refusals.into_iter().map(Ok).collect()
        }
        Err(CommitError::Content(error)) if count > 1 => {
            tracing::warn!(%tenant, %error, "a batch of pushes was refused by the database; committing each apart");
            let mut replies = Vec::with_capacity(count);
            for push in pushes.iter() {
                replies.extend(Box::pin(commit_apart(hub, tenant, Arc::new([push.clone()]), log)).await);
            }
            replies
        }
        Err(CommitError::Content(error)) => {
            vec![commit_docs_apart(hub, tenant, &pushes[0], &error, log).await]
        }
        Err(CommitError::Other(error)) => {
            tracing::error!(%tenant, %error, "a batch of pushes failed");
            vec![Err(error); count]
        }
    }
}

/// One push the database refused: each document committed on its own, and
/// the one it refuses alone refused to the device with the reason. A push
/// of refusals alone that still fails is no document's fault: it fails.
async fn commit_docs_apart(
    hub: &Hub,
    tenant: TenantId,
    push: &Push,
    error: &PushError,
    log: &LogEnd,
) -> Result<Vec<Refused>, PushError> {
    if push.docs.is_empty() {
        return Err(error.clone());
    }
    let one = |docs: Vec<DocChanges>, refused: Vec<Refused>| Push {
        writer: push.writer,
        device: push.device,
        docs,
        refused,
    };
    if push.docs.len() == 1 {
        let mut refused = push.refused.clone();
        refused.extend(push.docs.iter().map(|group| Refused {
            doc: group.doc,
            code: RefusalCode::Invalid,
            message: format!("the server cannot store these changes: {error}"),
        }));
        return only(
            Box::pin(commit_apart(
                hub,
                tenant,
                Arc::new([one(Vec::new(), refused)]),
                log,
            ))
            .await,
        );
    }
    let mut refused = Vec::new();
    let mut parts = vec![one(Vec::new(), push.refused.clone())];
    parts.extend(push.docs.iter().map(|group| one(vec![group.clone()], Vec::new())));
    for part in parts {
        refused.extend(only(
            Box::pin(commit_apart(hub, tenant, Arc::new([part]), log)).await,
        )?);
    }
    Ok(refused)
}

/// The one reply of a batch of one push.
fn only(mut replies: Vec<Result<Vec<Refused>, PushError>>) -> Result<Vec<Refused>, PushError> {
    replies.pop().unwrap_or_else(|| Ok(Vec::new()))
}

/// Why a batch was not committed.
#[derive(Debug)]
enum CommitError {
    /// The database refused a value or key the pushes hold: a fault of a
    /// push, found again when it is committed alone.
    Content(PushError),
    /// Anything else (the database unreachable, a bug): no push's fault.
    Other(PushError),
}

impl From<sqlx::Error> for CommitError {
    fn from(error: sqlx::Error) -> Self {
        // SQLSTATE classes 22 (data exception) and 23 (integrity
        // constraint violation).
        let content = matches!(&error, sqlx::Error::Database(e)
            if e.code().is_some_and(|c| c.starts_with("22") || c.starts_with("23")));
        let error = PushError::new(error);
        if content {
            Self::Content(error)
        } else {
            Self::Other(error)
        }
    }
}

impl From<PushError> for CommitError {
    fn from(error: PushError) -> Self {
        Self::Other(error)
    }
}

impl From<tokio::task::JoinError> for CommitError {
    fn from(error: tokio::task::JoinError) -> Self {
        Self::Other(PushError::new(error))
    }
}

/// Where a document of the batch starts from.
enum Start {
    Cached(Box<AutoCommit>),
    Stored(Stored),
    New,
}

/// A document of the batch while it is worked on.
struct Working {
    doc: AutoCommit,
    existed: bool,
    unsnapshotted: i32,
    snapshot: Option<Vec<u8>>,
}

/// What the CPU work decided.
struct Outcome {
    docs: HashMap<DocId, Working>,
    refused: Vec<Vec<Refused>>,
    /// Accepted changes by push, in order.
    accepted: Vec<(usize, DocId, Accepted)>,
}

/// A committed batch.
struct Committed {
    /// Each push's refused documents.
    refusals: Vec<Vec<Refused>>,
    /// The log head after the batch.
    head: i64,
    /// The first sequence number appended and the changes, if any.
    appended: Option<(i64, Vec<Entry>)>,
}

async fn commit(hub: &Hub, tenant: TenantId, pushes: Arc<[Push]>) -> Result<Committed, CommitError> {
    let mut ids: Vec<DocId> = pushes.iter().flat_map(|p| p.docs.iter().map(|d| d.doc)).collect();
    ids.sort();
    ids.dedup();

    let mut tx = db::begin(&hub.pool, tenant).await?;
    let mut next_seq = lock_log_head(&mut tx, tenant).await?;
    let uuids: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    let known: HashMap<Uuid, _> = select_documents(&mut tx, tenant, &uuids)
        .await?
        .into_iter()
        .map(|row| (row.doc_id, row))
        .collect();

    let mut starts = HashMap::new();
    for &id in &ids {
        let cached = hub.cache.take(tenant, id);
        let (start, existed, unsnapshotted) = match known.get(id.as_uuid()) {
            None => (Start::New, false, 0),
            Some(row) => match cached {
                Some(c) if c.last_seq == row.last_seq => {
                    (Start::Cached(Box::new(c.doc)), true, row.unsnapshotted)
                }
                _ => {
                    let stored = Stored::fetch(&mut tx, tenant, id, row.snapshot_seq).await?;
                    (Start::Stored(stored), true, row.unsnapshotted)
                }
            },
        };
        starts.insert(id, (start, existed, unsnapshotted));
    }

    let inputs = Arc::clone(&pushes);
    let outcome = tokio::task::spawn_blocking(move || process(tenant, starts, &inputs)).await?;

    let (last_seqs, changes) = write(&mut tx, tenant, &pushes, &outcome, &mut next_seq, hub.peers).await?;
    tx.commit().await?;
    let first = changes.seqs.first().copied();
    let appended = first.map(|first| (first, tail_entries(changes)));

    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    hub.stats.batches.fetch_add(1, Ordering::Relaxed);
    let accepted: usize = outcome.accepted.iter().map(|(_, _, a)| a.new.len()).sum();
    hub.stats.changes_in.fetch_add(count(accepted), Ordering::Relaxed);
    let refused: usize = outcome.refused.iter().map(Vec::len).sum();
    hub.stats
        .changes_refused
        .fetch_add(count(refused), Ordering::Relaxed);
    for (id, working) in outcome.docs {
        // Documents the server never had and still has not stay out.
        if let Some(&last_seq) = last_seqs
            .get(&id)
            .or_else(|| known.get(id.as_uuid()).map(|r| &r.last_seq))
        {
            hub.cache.put(
                tenant,
                id,
                Cached {
                    doc: working.doc,
                    last_seq,
                },
            );
        }
    }
    Ok(Committed {
        refusals: outcome.refused,
        head: next_seq - 1,
        appended,
    })
}

fn tail_entries(changes: NewChanges) -> Vec<Entry> {
    let NewChanges {
        seqs,
        docs,
        bytes,
        devices,
        ..
    } = changes;
    seqs.into_iter()
        .zip(docs)
        .zip(bytes)
        .zip(devices)
        .map(|(((seq, doc), bytes), device)| Entry {
            seq,
            doc: DocId::from_uuid(doc),
            change: tatami_core::sync::Bytes(bytes),
            device: device.map(DeviceId::from_uuid),
        })
        .collect()
}

fn open(start: Start) -> Result<AutoCommit, automerge::AutomergeError> {
    match start {
        Start::Cached(doc) => Ok(*doc),
        Start::New => Ok(AutoCommit::new()),
        Start::Stored(stored) => stored.open(),
    }
}

/// The CPU part: opens documents, applies every push in order, and
/// compacts documents that grew enough.
fn process(tenant: TenantId, starts: HashMap<DocId, (Start, bool, i32)>, pushes: &[Push]) -> Outcome {
    let mut docs = HashMap::new();
    for (id, (start, existed, unsnapshotted)) in starts {
        match open(start) {
            Ok(doc) => {
                docs.insert(
                    id,
                    Working {
                        doc,
                        existed,
                        unsnapshotted,
                        snapshot: None,
                    },
                );
            }
            Err(error) => {
                tracing::error!(%tenant, doc = %id, %error, "the stored copy of a document does not load");
            }
        }
    }
    let mut refused: Vec<Vec<Refused>> = pushes.iter().map(|p| p.refused.clone()).collect();
    let mut accepted = Vec::new();
    for (index, push) in pushes.iter().enumerate() {
        for group in &push.docs {
            let Some(working) = docs.get_mut(&group.doc) else {
                refused[index].push(Refused {
                    doc: group.doc,
                    code: RefusalCode::Invalid,
                    message: "the server's copy of this document is damaged; it has been reported".into(),
                });
                continue;
            };
            let bytes: Vec<Vec<u8>> = group.changes.iter().map(|c| c.0.clone()).collect();
            match apply(&mut working.doc, tenant, group.doc, push.writer, &bytes) {
                Ok(result) if result.new.is_empty() => {}
                Ok(result) => {
                    working.unsnapshotted += i32::try_from(result.new.len()).unwrap_or(i32::MAX);
                    accepted.push((index, group.doc, result));
                }
                Err(refusal) => refused[index].push(Refused {
                    doc: group.doc,
                    code: refusal.code,
                    message: refusal.message,
                }),
            }
        }
    }
    for working in docs.values_mut() {
        if working.unsnapshotted >= SNAPSHOT_EVERY {
            working.snapshot = Some(working.doc.save());
            working.unsnapshotted = 0;
        }
    }
    Outcome {
        docs,
        refused,
        accepted,
    }
}

/// Appends the accepted changes, rewrites projections and document records,
/// and audits refusals. Returns each changed document's last sequence
/// number, and the changes appended.
async fn write(
    tx: &mut Tx,
    tenant: TenantId,
    pushes: &[Push],
    outcome: &Outcome,
    next_seq: &mut i64,
    notify: bool,
) -> Result<(BTreeMap<DocId, i64>, NewChanges), sqlx::Error> {
    let mut changes = NewChanges::default();
    let mut projection = Projection::default();
    let mut last_seqs = BTreeMap::new();
    let mut kinds = BTreeMap::new();
    for (index, id, accepted) in &outcome.accepted {
        let device = pushes[*index].device.map(|d| *d.as_uuid());
        for change in &accepted.new {
            changes.seqs.push(*next_seq);
            changes.docs.push(*id.as_uuid());
            changes.hashes.push(change.hash().0.to_vec());
            changes.bytes.push(change.raw_bytes().to_vec());
            changes.devices.push(device);
            last_seqs.insert(*id, *next_seq);
            *next_seq += 1;
        }
        let first_in_batch = kinds.insert(*id, accepted.kind).is_none();
        projection.add(*id, accepted, first_in_batch && !outcome.docs[id].existed);
    }
    if !changes.seqs.is_empty() {
        let mut documents = DocumentUpdates::default();
        for (id, last_seq) in &last_seqs {
            documents.ids.push(*id.as_uuid());
            documents
                .kinds
                .push(kinds.get(id).map_or("", |k| k.as_str()).to_owned());
            documents.last_seqs.push(*last_seq);
            documents.unsnapshotted.push(outcome.docs[id].unsnapshotted);
        }
        append(tx, tenant, &changes, &documents, *next_seq, notify).await?;
        for (id, last_seq) in &last_seqs {
            if let Some(snapshot) = &outcome.docs[id].snapshot {
                update_snapshot(tx, tenant, *id.as_uuid(), snapshot, *last_seq).await?;
            }
        }
        projection.write(tx, tenant).await?;
    }
    for (index, refused) in outcome.refused.iter().enumerate() {
        let actor = pushes[index]
            .device
            .map_or(Actor::Server, |d| Actor::Device(*d.as_uuid()));
        // A push that waits for another device's changes is no misdeed,
        // and it comes again at every sync until they arrive.
        for r in refused.iter().filter(|r| r.code.undoes()) {
            let detail = json!({ "doc": r.doc, "code": r.code, "message": r.message });
            insert_audit(tx, tenant, actor, "change_refused", &detail).await?;
        }
    }
    Ok((last_seqs, changes))
}
