//! Judging a device's push: applying its changes to the server's copy of
//! a document and deciding whether to keep them. Pure CPU work (the server
//! runs it off its async threads), here in core so that the fuzzer drives
//! exactly what the server runs.

use std::collections::{BTreeSet, HashSet};

use crate::doc::{self, DocKind, View};
use crate::ids::{DocId, TenantId};
use crate::policy::{self, Writer};
use crate::sync::RefusalCode;
use automerge::{AutoCommit, Change, ChangeHash};

/// Why a document's pushed changes were not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
}

impl Refusal {
    /// A refusal whose message may quote what the device sent (a field
    /// name): control characters are replaced and the length bounded, so
    /// the message is safe to audit, log and show.
    fn new(code: RefusalCode, message: &str) -> Self {
        const MAX_CHARS: usize = 300;
        let mut message: String = message
            .chars()
            .map(|c| {
                if c.is_control() {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .take(MAX_CHARS + 1)
            .collect();
        if message.chars().count() > MAX_CHARS {
            message = message.chars().take(MAX_CHARS - 1).chain(['…']).collect();
        }
        Self { code, message }
    }

    fn invalid(message: impl AsRef<str>) -> Self {
        Self::new(RefusalCode::Invalid, message.as_ref())
    }
}

/// What accepted changes did to a document.
#[derive(Debug)]
pub struct Accepted {
    pub kind: DocKind,
    /// Changes the server did not have, in causal order: the order to log.
    pub new: Vec<Change>,
    /// The document's rows after the changes.
    pub view: View,
    /// Roll entries (student ids) the changes wrote.
    pub touched_entries: BTreeSet<String>,
}

/// Applies `changes` to `doc`, the server's copy of document `id` (empty
/// if the server has none yet), and checks each one: it must be an
/// Automerge change of this document whose dependencies the server has; a
/// document's first change must be its canonical genesis; `writer` must be
/// allowed every field it writes; and the document must still read. On
/// refusal `doc` is back as it was.
pub fn apply(
    doc: &mut AutoCommit,
    tenant: TenantId,
    id: DocId,
    writer: Writer,
    changes: &[Vec<u8>],
) -> Result<Accepted, Refusal> {
    let before = doc.get_heads();
    let result = apply_and_check(doc, tenant, id, writer, changes, &before);
    if result.is_err() {
        restore(doc, &before);
    }
    result
}

fn restore(doc: &mut AutoCommit, heads: &[ChangeHash]) {
    *doc = if heads.is_empty() {
        AutoCommit::new()
    } else {
        // Refusals are rare: rebuilding the document only then keeps the
        // common path free of copies.
        doc.fork_at(heads).unwrap_or_else(|_| AutoCommit::new())
    };
}

fn apply_and_check(
    doc: &mut AutoCommit,
    tenant: TenantId,
    id: DocId,
    writer: Writer,
    changes: &[Vec<u8>],
    heads_before: &[ChangeHash],
) -> Result<Accepted, Refusal> {
    let decoded = changes
        .iter()
        .map(|bytes| Change::from_bytes(bytes.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Refusal::invalid(format!("not an Automerge change: {e}")))?;
    // What the server lacks, in the order the device made it (causal): the
    // order to log. A retried push brings nothing new.
    let mut seen = HashSet::new();
    let new: Vec<Change> = decoded
        .into_iter()
        .filter(|change| seen.insert(change.hash()) && doc.get_change_by_hash(&change.hash()).is_none())
        .collect();
    for change in &new {
        doc::canonical(change).map_err(|e| Refusal::invalid(e.to_string()))?;
    }
    doc::guarded(|| Ok(doc.apply_changes(new.iter().cloned())?))
        .map_err(|e| Refusal::invalid(format!("the changes do not apply: {e}")))?;
    let missing = doc.get_missing_deps(&[]);
    if !missing.is_empty() {
        return Err(Refusal::new(
            RefusalCode::MissingDependencies,
            &format!(
                "the changes build on {} change(s) the server does not have yet",
                missing.len()
            ),
        ));
    }
    let header = doc::header(&*doc).map_err(|e| Refusal::invalid(e.to_string()))?;
    if header.id != id {
        return Err(Refusal::invalid(format!(
            "these are changes of document {}, not {id}",
            header.id
        )));
    }

    let before = policy::Before::at(&*doc, header.kind, heads_before);
    let mut touched_entries = BTreeSet::new();
    for change in &new {
        let genesis = change.deps().is_empty();
        if genesis {
            let expected =
                doc::expected_genesis(&*doc, tenant).map_err(|e| Refusal::invalid(e.to_string()))?;
            if change.hash() != expected {
                return Err(Refusal::invalid(
                    "the document was not started the way every device starts it",
                ));
            }
        }
        let paths = doc::touched_paths(doc, change);
        policy::check(writer, header.kind, before, genesis, &paths)
            .map_err(|e| Refusal::new(RefusalCode::Forbidden, &e.to_string()))?;
        if header.kind == DocKind::Roll {
            let entries = paths
                .into_iter()
                .filter(|p| p.first().is_some_and(|k| k == "entries"));
            touched_entries.extend(entries.filter_map(|p| p.get(1).cloned()));
        }
    }
    // A roll's untouched entries read before; checking the touched ones is
    // enough, and keeps a push's cost independent of the class's size.
    let view = if header.kind == DocKind::Roll {
        doc::roll::project_students(&*doc, &touched_entries).map(View::Roll)
    } else {
        doc::project(&*doc)
    }
    .map_err(|e| Refusal::invalid(format!("the document no longer reads: {e}")))?;
    Ok(Accepted {
        kind: header.kind,
        new,
        view,
        touched_entries,
    })
}

#[cfg(test)]
mod tests;
