//! The Automerge documents that hold every mutable record, and their
//! projection to plain rows. One small document per entity keeps merges
//! fast; a class session's roll is its own document.
//!
//! Every document begins with a *genesis* change that any device produces
//! byte for byte the same (a fixed actor derived from the document id, time
//! 0). Two tablets that open the same roll offline therefore share its
//! `entries` map: were the map created twice, Automerge would keep one and
//! hide the other's check-ins.

mod fields;
pub mod roll;
pub mod staff;
pub mod student;
pub mod tenant;

use automerge::transaction::{CommitOptions, Transactable};
use std::collections::{BTreeSet, HashMap};

use automerge::legacy::{Key, ObjectId};
use automerge::{
    ActorId, AutoCommit, AutomergeError, Change, ChangeHash, ObjType, Prop, ReadDoc, ScalarValue,
};
use serde::{Deserialize, Serialize};

use crate::hash::tagged;
use crate::ids::{DocId, StaffId, StudentId, TenantId};
use crate::people::Staff;
use crate::words::word_enum;
use fields::Obj;

/// The document layout this build reads and writes. Newer documents are
/// refused rather than misread.
pub const SCHEMA: u64 = 1;

/// The kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Name, theme, belt system, classes, schedule, check-in settings, keys.
    Tenant,
    Student,
    Staff,
    /// The attendance sheet of one class session.
    Roll,
}
word_enum!(DocKind, "document kind", {
    Tenant => "tenant",
    Student => "student",
    Staff => "staff",
    Roll => "roll",
});

/// A document that cannot be read or changed as asked.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("{path}: {problem}")]
    Schema { path: String, problem: &'static str },
    #[error("this document was written by a newer version of Tatami (layout {found}); update the app")]
    NewerSchema { found: u64 },
    #[error("expected a {expected} document, found a {found} one")]
    WrongKind { expected: DocKind, found: DocKind },
    #[error("{0}")]
    Invalid(String),
    /// Boxed: Automerge's error is large, and every `Result` carrying a
    /// `DocError` would pay for it.
    #[error(transparent)]
    Automerge(Box<AutomergeError>),
}

impl From<AutomergeError> for DocError {
    fn from(error: AutomergeError) -> Self {
        DocError::Automerge(Box::new(error))
    }
}

/// A document's identity, read from its genesis fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub id: DocId,
    pub kind: DocKind,
}

/// Runs `work` on what came from outside (a device's push, the server's
/// answer), a panic becoming an error. Automerge 0.12 panics on some
/// malformed changes (one naming an actor the document does not know:
/// found by the fuzz targets), so an enrolled device could otherwise crash
/// its academy's writer. After an error the caller drops the document it
/// worked on, or rebuilds it from before.
pub fn guarded<T>(work: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        Err(DocError::Invalid(
            "Automerge could not apply these changes".into(),
        ))
    })
}

/// Refuses a change from outside that Automerge would not have written
/// itself: encoded again, it must give back its own bytes. Automerge 0.12
/// takes some changes in other encodings, then saves documents it cannot
/// load again (found by the fuzz targets): one such change, pushed by a
/// device and sent on to every other, would break every copy of the
/// document.
pub fn canonical(change: &Change) -> Result<(), DocError> {
    let encoded_again = guarded(|| Ok(Change::from(change.decode())))?;
    if encoded_again.raw_bytes() == change.raw_bytes() {
        Ok(())
    } else {
        Err(DocError::Invalid(format!(
            "change {} is not encoded as Automerge encodes it",
            change.hash()
        )))
    }
}

/// Reads the id and kind of any document, refusing newer layouts.
pub fn header(doc: &impl ReadDoc) -> Result<Header, DocError> {
    let root = Obj::root(doc);
    let found = root.req::<u64>("schema")?;
    if found > SCHEMA {
        return Err(DocError::NewerSchema { found });
    }
    Ok(Header {
        id: root.parsed("id", str::parse)?,
        kind: root.parsed("kind", DocKind::parse)?,
    })
}

fn expect_kind(doc: &impl ReadDoc, expected: DocKind) -> Result<Header, DocError> {
    let header = header(doc)?;
    if header.kind != expected {
        return Err(DocError::WrongKind {
            expected,
            found: header.kind,
        });
    }
    Ok(header)
}

/// Checks that `doc` is the `kind` document with id `id` before an edit.
fn expect_doc(doc: &impl ReadDoc, kind: DocKind, id: DocId) -> Result<(), DocError> {
    if expect_kind(doc, kind)?.id != id {
        return Err(DocError::Invalid(format!("this is not the document {id}")));
    }
    Ok(())
}

/// Any document's projection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum View {
    Tenant(tenant::TenantView),
    Student(student::StudentView),
    Staff(Staff),
    Roll(roll::RollView),
}

/// Projects any document to its rows.
pub fn project(doc: &impl ReadDoc) -> Result<View, DocError> {
    Ok(match header(doc)?.kind {
        DocKind::Tenant => View::Tenant(tenant::project(doc)?),
        DocKind::Student => View::Student(student::project(doc)?),
        DocKind::Staff => View::Staff(staff::project(doc)?),
        DocKind::Roll => View::Roll(roll::project(doc)?),
    })
}

/// The deterministic first change of document `id`: its header, the given
/// scalar fields and empty maps. Afterwards the document writes as `actor`.
fn genesis(
    kind: DocKind,
    id: DocId,
    fields: &[(&str, ScalarValue)],
    maps: &[&str],
    actor: ActorId,
) -> Result<AutoCommit, DocError> {
    let genesis_actor = ActorId::from(&tagged(b"tatami/genesis/v1", &[id.as_bytes()])[..16]);
    let mut doc = AutoCommit::new().with_actor(genesis_actor);
    doc.put(automerge::ROOT, "kind", kind.as_str())?;
    doc.put(automerge::ROOT, "schema", SCHEMA)?;
    doc.put(automerge::ROOT, "id", id.to_string())?;
    for (key, value) in fields {
        doc.put(automerge::ROOT, *key, value.clone())?;
    }
    for key in maps {
        doc.put_object(automerge::ROOT, *key, ObjType::Map)?;
    }
    doc.commit_with(CommitOptions::default().with_time(0));
    doc.set_actor(actor);
    Ok(doc)
}

/// The hash of the genesis change `doc` must begin with when pushed to
/// academy `tenant`: the one every device makes for this document. An
/// academy or roll document of another academy is refused here, since
/// their ids derive from the academy.
pub fn expected_genesis(doc: &impl ReadDoc, tenant: TenantId) -> Result<ChangeHash, DocError> {
    let header = header(doc)?;
    let foreign = |what: &str| DocError::Invalid(format!("this {what} belongs to another academy"));
    // The genesis writes as its own actor; this one is never used.
    let actor = ActorId::from([0u8; 16]);
    let mut fresh = match header.kind {
        DocKind::Tenant => {
            if header.id != DocId::from_uuid(tenant.into()) {
                return Err(foreign("academy document"));
            }
            tenant::start(tenant, actor)?
        }
        DocKind::Student => student::start(StudentId::from_uuid(header.id.into()), actor)?,
        DocKind::Staff => staff::start(StaffId::from_uuid(header.id.into()), actor)?,
        DocKind::Roll => {
            let session = roll::session(doc)?;
            if roll::doc_id(tenant, &session) != header.id {
                return Err(foreign("roll"));
            }
            roll::create(tenant, &session, actor)?
        }
    };
    fresh
        .get_heads()
        .first()
        .copied()
        .ok_or_else(|| DocError::Invalid("a genesis change made nothing".into()))
}

/// The map paths, at most two keys deep, that `change` writes: every
/// operation it carries, including one that loses a conflict to a
/// concurrent write and never shows. `change` must be applied to `doc`. An
/// object whose place the document cannot tell yields the path `["?"]`,
/// which no rule allows.
pub fn touched_paths(doc: &AutoCommit, change: &Change) -> BTreeSet<Vec<String>> {
    let mut places: HashMap<String, Vec<String>> = HashMap::new();
    let mut paths = BTreeSet::new();
    for op in change.decode().operations {
        let mut path = match &op.obj {
            ObjectId::Root => Vec::new(),
            ObjectId::Id(id) => places
                .entry(id.to_string())
                .or_insert_with_key(|id| place_of(doc, id))
                .clone(),
        };
        if let Key::Map(key) = &op.key {
            path.push(key.to_string());
        }
        path.truncate(2);
        paths.insert(path);
    }
    paths
}

/// The map keys leading from the root to object `id` (`counter@actor`).
fn place_of(doc: &AutoCommit, id: &str) -> Vec<String> {
    let parents = doc.import(id).ok().and_then(|(obj, _)| doc.parents(obj).ok());
    let Some(parents) = parents else {
        return vec!["?".to_owned()];
    };
    let mut keys: Vec<String> = parents
        .map(|parent| match parent.prop {
            Prop::Map(key) => key,
            Prop::Seq(_) => "?".to_owned(),
        })
        .collect();
    keys.reverse();
    keys
}

/// The map at `key` of `parent`, created if missing. Used for entries keyed
/// by a fresh id, which no other device can create concurrently.
fn entry_map(
    doc: &mut AutoCommit,
    parent: &automerge::ObjId,
    key: &str,
) -> Result<automerge::ObjId, DocError> {
    match doc.get(parent, key)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Ok(doc.put_object(parent, key, ObjType::Map)?),
    }
}

/// Removes the entries of map `parent` whose keys are not in `keep`.
fn retain_keys(doc: &mut AutoCommit, parent: &automerge::ObjId, keep: &[String]) -> Result<(), DocError> {
    let stale: Vec<String> = doc.keys(parent).filter(|k| !keep.contains(k)).collect();
    for key in stale {
        doc.delete(parent, key.as_str())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
