//! The staff document: profile, role, whether active, PIN verifier.

use automerge::{ActorId, AutoCommit, ReadDoc};

use super::fields::{Obj, put, put_text, set};
use super::{DocError, DocKind, expect_doc, expect_kind, genesis};
use crate::ids::{DocId, StaffId};
use crate::people::{Role, Staff};
use crate::text::{Email, PersonName};

pub fn doc_id(staff: StaffId) -> DocId {
    DocId::from_uuid(staff.into())
}

pub(super) fn start(id: StaffId, actor: ActorId) -> Result<AutoCommit, DocError> {
    genesis(DocKind::Staff, doc_id(id), &[], &[], actor)
}

pub fn create(staff: &Staff, actor: ActorId) -> Result<AutoCommit, DocError> {
    let mut doc = start(staff.id, actor)?;
    update(&mut doc, staff)?;
    Ok(doc)
}

/// Saves the record as edited; only fields that differ are written.
pub fn update(doc: &mut AutoCommit, staff: &Staff) -> Result<(), DocError> {
    expect_doc(&*doc, DocKind::Staff, doc_id(staff.id))?;
    let root = automerge::ROOT;
    put_text(doc, &root, "name", &staff.name)?;
    put_text(doc, &root, "email", &staff.email)?;
    put_text(doc, &root, "role", &staff.role)?;
    put(doc, &root, "active", &staff.active)?;
    set(doc, &root, "pin_verifier", staff.pin_verifier.as_ref())
}

pub fn project(doc: &impl ReadDoc) -> Result<Staff, DocError> {
    let header = expect_kind(doc, DocKind::Staff)?;
    let root = Obj::root(doc);
    Ok(Staff {
        id: StaffId::from_uuid(header.id.into()),
        name: root.parsed("name", PersonName::parse)?,
        email: root.parsed("email", Email::parse)?,
        role: root.parsed("role", Role::parse)?,
        active: root.req("active")?,
        pin_verifier: root.opt("pin_verifier")?,
    })
}
