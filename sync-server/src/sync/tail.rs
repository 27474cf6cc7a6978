//! The end of an academy's change log, in memory, so that a device already
//! close to the end pulls without a database round trip.
//!
//! The tail holds a contiguous run of sequence numbers, `base + 1 ..= end`.
//! It answers a pull only when its `end` is the newest head this server
//! knows of (its own commits, and other servers' through notifications): a
//! change another server committed that this one has not heard of yet is
//! pulled later, never skipped.

use std::collections::VecDeque;

use tatami_core::change_limits::MAX_CHANGE_BYTES;
use tatami_core::ids::{DeviceId, DocId};
use tatami_core::sync::{Bytes, LoggedChange, MAX_PULL_BYTES};

/// Changes kept per academy...
const KEEP: usize = 2048;
/// ...and their bytes together at most (the newest change always kept):
/// with pushed changes limited too, the whole tail fits one pull.
const KEEP_BYTES: usize = 1024 * 1024;
const _: () = assert!(KEEP_BYTES + MAX_CHANGE_BYTES <= MAX_PULL_BYTES);

#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: i64,
    pub doc: DocId,
    pub change: Bytes,
    pub device: Option<DeviceId>,
}

#[derive(Debug)]
pub struct Tail {
    /// The sequence number before the first entry.
    base: i64,
    entries: VecDeque<Entry>,
    /// The entries' change bytes together.
    bytes: usize,
}

/// A pull answered from memory.
#[derive(Debug)]
pub struct Pulled {
    pub changes: Vec<LoggedChange>,
    pub cursor: i64,
    pub more: bool,
}

impl Tail {
    /// An empty tail at `head`.
    pub fn at(head: i64) -> Self {
        Self {
            base: head,
            entries: VecDeque::new(),
            bytes: 0,
        }
    }

    /// The last sequence number held.
    pub fn end(&self) -> i64 {
        self.base + i64::try_from(self.entries.len()).unwrap_or(i64::MAX)
    }

    /// Adds a committed batch whose first sequence number is `first`. If
    /// other servers appended in between, the run restarts with this batch.
    pub fn extend(&mut self, first: i64, batch: impl IntoIterator<Item = Entry>) {
        if first != self.end() + 1 {
            *self = Self::at(first - 1);
        }
        for entry in batch {
            self.bytes += entry.change.0.len();
            self.entries.push_back(entry);
        }
        while self.entries.len() > KEEP || (self.bytes > KEEP_BYTES && self.entries.len() > 1) {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.change.0.len();
            }
            self.base += 1;
        }
    }

    /// Up to `limit` changes after `cursor`, leaving out `device`'s own,
    /// when the tail covers them and is as new as `known_head`.
    pub fn pull(
        &self,
        cursor: i64,
        limit: usize,
        device: Option<DeviceId>,
        known_head: i64,
    ) -> Option<Pulled> {
        if self.end() != known_head || cursor < self.base || cursor > self.end() {
            return None;
        }
        let skip = usize::try_from(cursor - self.base).ok()?;
        let window: Vec<&Entry> = self.entries.iter().skip(skip).take(limit).collect();
        let next = window.last().map_or(cursor, |e| e.seq);
        Some(Pulled {
            more: next < self.end(),
            cursor: next,
            changes: window
                .into_iter()
                .filter(|e| device.is_none() || e.device != device)
                .map(|e| LoggedChange {
                    seq: u64::try_from(e.seq).unwrap_or(0),
                    doc: e.doc,
                    change: e.change.clone(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(from: i64, to: i64, device: Option<DeviceId>) -> Vec<Entry> {
        (from..=to)
            .map(|seq| Entry {
                seq,
                doc: DocId::new(),
                change: Bytes(vec![]),
                device,
            })
            .collect()
    }

    fn seqs(pulled: &Pulled) -> Vec<u64> {
        pulled.changes.iter().map(|c| c.seq).collect()
    }

    #[test]
    fn serves_only_what_it_holds_contiguously() {
        let mut tail = Tail::at(10);
        tail.extend(11, entries(11, 15, None));
        let pulled = tail.pull(12, 2, None, 15).unwrap();
        assert_eq!(
            (seqs(&pulled), pulled.cursor, pulled.more),
            (vec![13, 14], 14, true)
        );
        let last = tail.pull(14, 100, None, 15).unwrap();
        assert_eq!((seqs(&last), last.cursor, last.more), (vec![15], 15, false));
        assert!(tail.pull(15, 10, None, 15).unwrap().changes.is_empty());
        assert!(
            tail.pull(9, 10, None, 15).is_none(),
            "older than the tail: ask the database"
        );
        assert!(
            tail.pull(16, 10, None, 15).is_none(),
            "a cursor past the end is the database's to judge"
        );
        assert!(
            tail.pull(12, 10, None, 18).is_none(),
            "another server committed more"
        );
    }

    #[test]
    fn a_gap_restarts_the_run_and_the_size_is_bounded() {
        let mut tail = Tail::at(0);
        tail.extend(1, entries(1, 5, None));
        tail.extend(9, entries(9, 10, None));
        assert!(
            tail.pull(5, 10, None, 10).is_none(),
            "6 to 8 came from another server"
        );
        assert_eq!(seqs(&tail.pull(8, 10, None, 10).unwrap()), vec![9, 10]);
        tail.extend(11, entries(11, 5000, None));
        assert_eq!(tail.end(), 5000);
        assert!(tail.pull(100, 10, None, 5000).is_none());
        assert_eq!(tail.pull(4990, 100, None, 5000).unwrap().changes.len(), 10);
    }

    #[test]
    fn the_tail_is_bounded_in_bytes() {
        let sized = |seq: i64, len: usize| Entry {
            seq,
            doc: DocId::new(),
            change: Bytes(vec![0; len]),
            device: None,
        };
        let mut tail = Tail::at(0);
        tail.extend(1, (1..=3).map(|seq| sized(seq, KEEP_BYTES / 2)));
        assert!(
            tail.pull(0, 10, None, 3).is_none(),
            "the oldest went to keep 1 MiB"
        );
        assert_eq!(seqs(&tail.pull(1, 10, None, 3).unwrap()), vec![2, 3]);
        tail.extend(4, [sized(4, 2 * KEEP_BYTES)]);
        assert_eq!(
            seqs(&tail.pull(3, 10, None, 4).unwrap()),
            vec![4],
            "the newest change is kept whatever its size"
        );
    }

    #[test]
    fn a_device_does_not_get_its_own_changes_back_but_its_cursor_moves() {
        let me = DeviceId::new();
        let mut tail = Tail::at(0);
        tail.extend(1, entries(1, 3, Some(me)));
        let pulled = tail.pull(0, 10, Some(me), 3).unwrap();
        assert!(pulled.changes.is_empty());
        assert_eq!(pulled.cursor, 3);
    }
}
