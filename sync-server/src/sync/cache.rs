//! The server's copies of recently used documents, bounded by count.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use automerge::AutoCommit;
use lru::LruCache;
use tatami_core::ids::{DocId, TenantId};

/// A document as of a log position.
#[derive(Debug)]
pub struct Cached {
    pub doc: AutoCommit,
    /// The sequence number of its last change.
    pub last_seq: i64,
}

/// Least-recently-used documents. Each academy's writer takes the documents
/// of a batch out and puts them back after its commit; a failed commit puts
/// nothing back, so the next use reloads from the database.
#[derive(Debug)]
pub struct DocCache(Mutex<LruCache<(TenantId, DocId), Cached>>);

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self(Mutex::new(LruCache::new(
            NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
        )))
    }

    pub fn take(&self, tenant: TenantId, doc: DocId) -> Option<Cached> {
        self.0.lock().ok()?.pop(&(tenant, doc))
    }

    pub fn put(&self, tenant: TenantId, doc: DocId, cached: Cached) {
        if let Ok(mut cache) = self.0.lock() {
            cache.put((tenant, doc), cached);
        }
    }

    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |cache| cache.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
