//! The roll: one document per class session, one entry per student.
//!
//! An entry is keyed by student, so two tablets that check the same student
//! into the same session merge into one attendance. A mistaken check-in is
//! voided by a field on the entry, never deleted. When two devices create
//! the same student's entry without seeing each other, Automerge keeps both
//! objects under the key; the projection reads them all, so a void made on
//! one of them is never hidden by the other.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::fields::{Field, Obj, put, put_text, set};
use super::{DocError, DocKind, expect_kind, genesis};
use crate::checkin::{PassUse, PriorCheckIn};
use crate::hash::tagged;
use crate::ids::{DeviceId, DocId, StaffId, StudentId, TenantId};
use crate::schedule::SessionKey;
use crate::words::word_enum;

/// How a check-in was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Card,
    Phone,
    Manual,
}
word_enum!(Method, "check-in method", {
    Card => "card",
    Phone => "phone",
    Manual => "manual",
});

/// A check-in as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckIn {
    pub student: StudentId,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    /// The member of staff signed in on the device.
    pub by: StaffId,
    pub device: DeviceId,
    pub method: Method,
    /// The phone pass used, so it cannot be used again.
    pub pass: Option<PassUse>,
}

/// Who voided a check-in, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Void {
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    pub by: StaffId,
}

/// One student's line on the roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attendance {
    #[serde(flatten)]
    pub check_in: CheckIn,
    /// Set when every check-in of this student in the session was voided.
    pub voided: Option<Void>,
}

/// A session's attendance sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollView {
    pub id: DocId,
    pub session: SessionKey,
    /// One per student, by check-in time.
    pub entries: Vec<Attendance>,
}

impl RollView {
    /// The entries that count as attendance.
    pub fn attending(&self) -> impl Iterator<Item = &CheckIn> {
        self.entries
            .iter()
            .filter(|a| a.voided.is_none())
            .map(|a| &a.check_in)
    }

    /// `student`'s check-in here, as the check-in policy needs it.
    pub fn prior(&self, student: StudentId) -> Option<PriorCheckIn> {
        self.attending()
            .find(|c| c.student == student)
            .map(|c| PriorCheckIn {
                session: self.session,
                at: c.at,
                pass: c.pass,
            })
    }
}

/// The roll's id: the same on every device for the same academy, class and
/// day, so that devices offline open the same document.
pub fn doc_id(tenant: TenantId, session: &SessionKey) -> DocId {
    let digest = tagged(
        b"tatami/roll/v1",
        &[
            tenant.as_bytes(),
            session.class.to_string().as_bytes(),
            session.date.to_string().as_bytes(),
        ],
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    DocId::from_uuid(Uuid::new_v8(bytes))
}

/// The roll of `session`, as any device creates it.
pub fn create(tenant: TenantId, session: &SessionKey, actor: ActorId) -> Result<AutoCommit, DocError> {
    genesis(
        DocKind::Roll,
        doc_id(tenant, session),
        &[
            ("class", ScalarValue::Str(session.class.to_string().into())),
            ("date", session.date.to_scalar()),
        ],
        &["entries"],
        actor,
    )
}

/// The entry objects of `student` (several after concurrent creation),
/// each with whether it is voided.
fn entry_objects(doc: &AutoCommit, student: StudentId) -> Result<(ObjId, Vec<(ObjId, bool)>), DocError> {
    expect_kind(doc, DocKind::Roll)?;
    let entries = Obj::root(doc).map("entries")?;
    let objects = entries
        .all_maps(&student.to_string())?
        .into_iter()
        .map(|obj| Ok((obj.id.clone(), obj.opt::<bool>("voided")?.unwrap_or(false))))
        .collect::<Result<_, DocError>>()?;
    Ok((entries.id, objects))
}

/// Records a check-in. Returns `false`, changing nothing, when the student
/// is already checked in; a voided check-in is reinstated with the new
/// details.
pub fn check_in(doc: &mut AutoCommit, entry: &CheckIn) -> Result<bool, DocError> {
    let (entries, existing) = entry_objects(doc, entry.student)?;
    if existing.iter().any(|(_, voided)| !voided) {
        return Ok(false);
    }
    let key = entry.student.to_string();
    let obj = match doc.get(&entries, key.as_str())? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => doc.put_object(&entries, key.as_str(), ObjType::Map)?,
    };
    put(doc, &obj, "at", &entry.at)?;
    put_text(doc, &obj, "by", &entry.by)?;
    put_text(doc, &obj, "device", &entry.device)?;
    put_text(doc, &obj, "method", &entry.method)?;
    set(doc, &obj, "pass_issued", entry.pass.map(|p| p.issued).as_ref())?;
    set(
        doc,
        &obj,
        "pass_nonce",
        entry.pass.map(|p| u64::from(p.nonce)).as_ref(),
    )?;
    put(doc, &obj, "voided", &false)?;
    Ok(true)
}

/// Voids `student`'s check-in. Returns `false` when there is none to void.
pub fn void(doc: &mut AutoCommit, student: StudentId, void: &Void) -> Result<bool, DocError> {
    let (_, existing) = entry_objects(doc, student)?;
    let mut changed = false;
    for (obj, voided) in existing {
        if !voided {
            put(doc, &obj, "voided", &true)?;
            put(doc, &obj, "voided_at", &void.at)?;
            put_text(doc, &obj, "voided_by", &void.by)?;
            changed = true;
        }
    }
    Ok(changed)
}

fn read_entry<D: ReadDoc>(student: StudentId, obj: &Obj<'_, D>) -> Result<Attendance, DocError> {
    let pass = match (obj.opt("pass_issued")?, obj.opt_num("pass_nonce")?) {
        (Some(issued), Some(nonce)) => Some(PassUse { issued, nonce }),
        _ => None,
    };
    let voided = if obj.opt::<bool>("voided")?.unwrap_or(false) {
        Some(Void {
            at: obj.req("voided_at")?,
            by: obj.parsed("voided_by", str::parse)?,
        })
    } else {
        None
    };
    Ok(Attendance {
        check_in: CheckIn {
            student,
            at: obj.req("at")?,
            by: obj.parsed("by", str::parse)?,
            device: obj.parsed("device", str::parse)?,
            method: obj.parsed("method", Method::parse)?,
            pass,
        },
        voided,
    })
}

/// The session a roll is for.
pub(super) fn session(doc: &impl ReadDoc) -> Result<SessionKey, DocError> {
    let root = Obj::root(doc);
    Ok(SessionKey {
        class: root.parsed("class", str::parse)?,
        date: root.req("date")?,
    })
}

pub fn project(doc: &impl ReadDoc) -> Result<RollView, DocError> {
    project_where(doc, |_| true)
}

/// The roll with only the entries of the given students (keys as written:
/// student ids): what the server rewrites after changes wrote just those.
pub fn project_students(doc: &impl ReadDoc, students: &BTreeSet<String>) -> Result<RollView, DocError> {
    project_where(doc, |key| students.contains(key))
}

fn project_where(doc: &impl ReadDoc, wanted: impl Fn(&str) -> bool) -> Result<RollView, DocError> {
    let header = expect_kind(doc, DocKind::Roll)?;
    let session = session(doc)?;
    let root = Obj::root(doc);
    let table = root.map("entries")?;
    let mut entries = Vec::new();
    for key in table.keys().filter(|key| wanted(key)) {
        let student: StudentId = key
            .parse()
            .map_err(|_| table.error(key, "entry key is not a student id"))?;
        let mut candidates = table
            .all_maps(key)?
            .iter()
            .map(|obj| read_entry(student, obj))
            .collect::<Result<Vec<_>, _>>()?;
        // A check-in still standing wins over voided ones; among equals the
        // earliest, with ties broken by device and staff so every replica
        // picks the same one.
        candidates.sort_by_key(|a| {
            (
                a.voided.is_some(),
                a.check_in.at,
                a.check_in.device,
                a.check_in.by,
            )
        });
        if let Some(first) = candidates.into_iter().next() {
            entries.push(first);
        }
    }
    entries.sort_by_key(|a| (a.check_in.at, a.check_in.student));
    Ok(RollView {
        id: header.id,
        session,
        entries,
    })
}

/// A card check-in of `student` at the desk before Monday's evening
/// class, by someone at some device: what the tests need of one.
#[cfg(test)]
pub(crate) fn sample_check_in(student: StudentId) -> CheckIn {
    CheckIn {
        student,
        at: time::macros::datetime!(2026-11-23 17:55 UTC),
        by: crate::ids::StaffId::new(),
        device: crate::ids::DeviceId::new(),
        method: Method::Card,
        pass: None,
    }
}
