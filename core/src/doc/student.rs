//! The student document: profile, status, membership, card version,
//! guardians, promotion history and notes.
//!
//! Profile fields are separate keys, so two devices editing different fields
//! offline both keep their edit. Promotions and notes are keyed by their own
//! fresh ids and never rewritten: they are the student's audit trail.

use automerge::{ActorId, AutoCommit, ObjId, ReadDoc, ScalarValue};
use serde::Serialize;

use super::fields::{Obj, put, put_text, set, set_text};
use super::{DocError, DocKind, entry_map, expect_doc, expect_kind, genesis};
use crate::belt::{Grade, Promotion, Standing};
use crate::ids::{DocId, GuardianId, StudentId};
use crate::people::{Guardian, Note, Student, StudentStatus};
use crate::text::{Email, Label, PersonName, Phone, Prose};

const MAPS: [&str; 3] = ["guardians", "promotions", "notes"];

/// A student with everything recorded about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StudentView {
    pub student: Student,
    /// By name.
    pub guardians: Vec<Guardian>,
    /// Oldest first, in the order [`Standing`] applies them.
    pub promotions: Vec<Promotion>,
    /// Oldest first.
    pub notes: Vec<Note>,
}

impl StudentView {
    pub fn standing(&self) -> Standing {
        Standing::from_history(
            &self.student.start_grade,
            self.student.joined_on,
            &self.promotions,
        )
    }
}

pub fn doc_id(student: StudentId) -> DocId {
    DocId::from_uuid(student.into())
}

/// The student document's genesis, every device's alike; the profile is
/// written after it. The first card version is part of it: only the
/// server changes it afterwards.
pub fn start(id: StudentId, actor: ActorId) -> Result<AutoCommit, DocError> {
    genesis(
        DocKind::Student,
        doc_id(id),
        &[("card_version", ScalarValue::Uint(1))],
        &MAPS,
        actor,
    )
}

/// A new student's document.
pub fn create(student: &Student, actor: ActorId) -> Result<AutoCommit, DocError> {
    let mut doc = start(student.id, actor)?;
    update(&mut doc, student)?;
    Ok(doc)
}

/// Saves the profile as edited; only fields that differ are written.
pub fn update(doc: &mut AutoCommit, student: &Student) -> Result<(), DocError> {
    expect_doc(&*doc, DocKind::Student, doc_id(student.id))?;
    let root = automerge::ROOT;
    put_text(doc, &root, "name", &student.name)?;
    set_text(doc, &root, "email", student.email.as_ref())?;
    set_text(doc, &root, "phone", student.phone.as_ref())?;
    set(doc, &root, "born_on", student.born_on.as_ref())?;
    put(doc, &root, "joined_on", &student.joined_on)?;
    put_text(doc, &root, "status", &student.status)?;
    set(doc, &root, "paid_until", student.paid_until.as_ref())?;
    put(doc, &root, "card_version", &u64::from(student.card_version))?;
    put_text(doc, &root, "start_rank", &student.start_grade.rank)?;
    put(
        doc,
        &root,
        "start_stripes",
        &u64::from(student.start_grade.stripes),
    )
}

fn map(doc: &AutoCommit, key: &str) -> Result<ObjId, DocError> {
    Ok(Obj::root(doc).map(key)?.id)
}

fn write_grade(doc: &mut AutoCommit, obj: &ObjId, prefix: &str, grade: &Grade) -> Result<(), DocError> {
    put_text(doc, obj, &format!("{prefix}_rank"), &grade.rank)?;
    put(doc, obj, &format!("{prefix}_stripes"), &u64::from(grade.stripes))
}

fn read_grade<D: ReadDoc>(obj: &Obj<'_, D>, prefix: &str) -> Result<Grade, DocError> {
    Ok(Grade {
        rank: obj.parsed(&format!("{prefix}_rank"), str::parse)?,
        stripes: obj.num(&format!("{prefix}_stripes"))?,
    })
}

pub fn add_promotion(doc: &mut AutoCommit, promotion: &Promotion) -> Result<(), DocError> {
    let promotions = map(doc, "promotions")?;
    let obj = entry_map(doc, &promotions, &promotion.id.to_string())?;
    write_grade(doc, &obj, "from", &promotion.from)?;
    write_grade(doc, &obj, "to", &promotion.to)?;
    put(doc, &obj, "on", &promotion.on)?;
    put_text(doc, &obj, "by", &promotion.by)?;
    put_text(doc, &obj, "notes", &promotion.notes)?;
    put(doc, &obj, "recorded_at", &promotion.recorded_at)
}

pub fn put_guardian(doc: &mut AutoCommit, guardian: &Guardian) -> Result<(), DocError> {
    let guardians = map(doc, "guardians")?;
    let obj = entry_map(doc, &guardians, &guardian.id.to_string())?;
    put_text(doc, &obj, "name", &guardian.name)?;
    set_text(doc, &obj, "relation", guardian.relation.as_ref())?;
    set_text(doc, &obj, "phone", guardian.phone.as_ref())?;
    set_text(doc, &obj, "email", guardian.email.as_ref())
}

pub fn remove_guardian(doc: &mut AutoCommit, guardian: GuardianId) -> Result<(), DocError> {
    let guardians = map(doc, "guardians")?;
    set::<String>(doc, &guardians, &guardian.to_string(), None)
}

pub fn add_note(doc: &mut AutoCommit, note: &Note) -> Result<(), DocError> {
    let notes = map(doc, "notes")?;
    let obj = entry_map(doc, &notes, &note.id.to_string())?;
    put(doc, &obj, "at", &note.at)?;
    put_text(doc, &obj, "by", &note.by)?;
    put_text(doc, &obj, "text", &note.text)
}

pub fn project(doc: &impl ReadDoc) -> Result<StudentView, DocError> {
    let header = expect_kind(doc, DocKind::Student)?;
    let root = Obj::root(doc);
    let student = Student {
        id: StudentId::from_uuid(header.id.into()),
        name: root.parsed("name", PersonName::parse)?,
        email: root.opt_parsed("email", Email::parse)?,
        phone: root.opt_parsed("phone", Phone::parse)?,
        born_on: root.opt("born_on")?,
        joined_on: root.req("joined_on")?,
        status: root.parsed("status", StudentStatus::parse)?,
        paid_until: root.opt("paid_until")?,
        card_version: root.num("card_version")?,
        start_grade: read_grade(&root, "start")?,
    };

    let mut guardians = Vec::new();
    for (key, obj) in root.map("guardians")?.maps()? {
        guardians.push(Guardian {
            id: key
                .parse()
                .map_err(|_| obj.error("", "guardian key is not an id"))?,
            name: obj.parsed("name", PersonName::parse)?,
            relation: obj.opt_parsed("relation", Label::parse)?,
            phone: obj.opt_parsed("phone", Phone::parse)?,
            email: obj.opt_parsed("email", Email::parse)?,
        });
    }
    guardians.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));

    let mut promotions = Vec::new();
    for (key, obj) in root.map("promotions")?.maps()? {
        promotions.push(Promotion {
            id: key
                .parse()
                .map_err(|_| obj.error("", "promotion key is not an id"))?,
            from: read_grade(&obj, "from")?,
            to: read_grade(&obj, "to")?,
            on: obj.req("on")?,
            by: obj.parsed("by", str::parse)?,
            notes: obj.parsed("notes", Prose::parse)?,
            recorded_at: obj.req("recorded_at")?,
        });
    }
    promotions.sort_by_key(Promotion::order_key);

    let mut notes = Vec::new();
    for (key, obj) in root.map("notes")?.maps()? {
        notes.push(Note {
            id: key.parse().map_err(|_| obj.error("", "note key is not an id"))?,
            at: obj.req("at")?,
            by: obj.parsed("by", str::parse)?,
            text: obj.parsed("text", Prose::parse)?,
        });
    }
    notes.sort_by_key(|n| (n.at, n.id));

    Ok(StudentView {
        student,
        guardians,
        promotions,
        notes,
    })
}

/// A first stripe for `s`, as an instructor records it: what the tests
/// need of a promotion.
#[cfg(test)]
pub(crate) fn sample_stripe(s: &Student) -> Promotion {
    Promotion {
        id: crate::ids::PromotionId::new(),
        from: s.start_grade.clone(),
        to: crate::belt::Grade::new(s.start_grade.rank, 1),
        on: time::macros::date!(2026 - 11 - 22),
        by: crate::ids::StaffId::new(),
        notes: crate::text::Prose::default(),
        recorded_at: time::macros::datetime!(2026-11-22 19:00 UTC),
    }
}
