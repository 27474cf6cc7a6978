//! Editing records: students, promotions, classes, the schedule, belt
//! rules and check-in settings. Each checks the role core's write policy
//! asks for, so the app offers only what the server will accept.

use automerge::AutoCommit;
use serde::{Deserialize, Deserializer};
use serde_json::json;
use tatami_core::belt::{BeltSystem, Grade, Promotion, Rank};
use tatami_core::checkin::CheckInSettings;
use tatami_core::doc::tenant::Theme;
use tatami_core::doc::{DocError, DocKind, student, tenant};
use tatami_core::ids::{DocId, NoteId, PromotionId, StudentId};
use tatami_core::people::{Note, Role, Student, StudentStatus};
use tatami_core::policy::required_role;
use tatami_core::schedule::{Class, Schedule, WeeklySlot};
use tatami_core::text::{Email, PersonName, Phone, Prose};
use time::Date;

use super::Engine;
use crate::error::EngineError;

/// A student to add.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewStudent {
    pub name: PersonName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub born_on: Option<Date>,
    /// Their grade on joining; the belt system's first grade when `None`.
    pub grade: Option<Grade>,
}

/// Fields to change on a student; `None` leaves a field as it is. Only the
/// fields given are written, so edits made elsewhere to other fields
/// survive the merge.
/// In JSON a field left out is left as it is and `null` clears it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct StudentPatch {
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<PersonName>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "ts", ts(optional, type = "Email | null"))]
    pub email: Option<Option<Email>>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "ts", ts(optional, type = "Phone | null"))]
    pub phone: Option<Option<Phone>>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub born_on: Option<Option<Date>>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<StudentStatus>,
    #[serde(deserialize_with = "present")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub paid_until: Option<Option<Date>>,
}

/// A field that is present, `null` or not: a missing one stays `None`
/// (by `#[serde(default)]`).
#[allow(
    clippy::option_option,
    reason = "left out, cleared and set are three different edits"
)]
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl StudentPatch {
    /// The document fields this patch writes.
    fn fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("email", self.email.is_some()),
            ("phone", self.phone.is_some()),
            ("born_on", self.born_on.is_some()),
            ("status", self.status.is_some()),
            ("paid_until", self.paid_until.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, set)| set.then_some(field))
        .collect()
    }

    fn apply(self, student: &mut Student) {
        if let Some(name) = self.name {
            student.name = name;
        }
        if let Some(email) = self.email {
            student.email = email;
        }
        if let Some(phone) = self.phone {
            student.phone = phone;
        }
        if let Some(born_on) = self.born_on {
            student.born_on = born_on;
        }
        if let Some(status) = self.status {
            student.status = status;
        }
        if let Some(paid_until) = self.paid_until {
            student.paid_until = paid_until;
        }
    }
}

/// The least role that may write every one of `fields` of a `kind`
/// document.
fn role_for(kind: DocKind, fields: &[&str]) -> Role {
    fields
        .iter()
        .map(|field| required_role(kind, field).unwrap_or(Role::Owner))
        // Roles order from most to least powerful.
        .min()
        .unwrap_or(Role::FrontDesk)
}

/// For edits of a document that must exist here already: the student (or
/// academy) may not have reached this device yet.
fn missing(kind: &'static str) -> impl FnOnce(automerge::ActorId) -> Result<AutoCommit, EngineError> {
    move |_| Err(EngineError::NotFound(kind))
}

impl Engine {
    /// Adds a student; returns their id.
    pub fn add_student(&self, new: NewStudent) -> Result<StudentId, EngineError> {
        let (staff, _) = self.actor(role_for(DocKind::Student, &["name"]))?;
        let academy = self.require_academy()?;
        let grade = match new.grade {
            Some(grade) => grade,
            None => academy
                .belts
                .as_ref()
                .map(BeltSystem::first_grade)
                .ok_or_else(|| EngineError::Invalid("the academy has no belt system yet".into()))?,
        };
        let today = academy.local(self.now()).date();
        let record = Student {
            email: new.email,
            phone: new.phone,
            born_on: new.born_on,
            ..Student::new(StudentId::new(), new.name, today, grade)
        };
        self.change(
            student::doc_id(record.id),
            DocKind::Student,
            |actor| Ok(student::start(record.id, actor)?),
            |doc| Ok(student::update(doc, &record)?),
            Some((staff.id, "student_added", &json!({ "student": record.id }))),
        )?;
        Ok(record.id)
    }

    /// Changes the fields `patch` gives.
    pub fn edit_student(&self, id: StudentId, patch: StudentPatch) -> Result<(), EngineError> {
        let fields = patch.fields();
        let (staff, _) = self.actor(role_for(DocKind::Student, &fields))?;
        self.change(
            student::doc_id(id),
            DocKind::Student,
            missing("student"),
            |doc| {
                let mut record = student::project(&*doc)?.student;
                patch.apply(&mut record);
                Ok(student::update(doc, &record)?)
            },
            Some((
                staff.id,
                "student_edited",
                &json!({ "student": id, "fields": fields }),
            )),
        )
    }

    /// Promotes a student to `to` as of `on`, with notes; the signed-in
    /// staff member is the promoter.
    pub fn promote(
        &self,
        id: StudentId,
        to: &Grade,
        on: Date,
        notes: Prose,
    ) -> Result<PromotionId, EngineError> {
        let (staff, _) = self.actor(role_for(DocKind::Student, &["promotions"]))?;
        let academy = self.require_academy()?;
        if academy.belts.as_ref().and_then(|b| b.rank(to.rank)).is_none() {
            return Err(EngineError::Invalid("that rank is not in the belt system".into()));
        }
        let promotion = PromotionId::new();
        let recorded_at = self.now();
        self.change(
            student::doc_id(id),
            DocKind::Student,
            missing("student"),
            |doc| {
                let from = student::project(&*doc)?.standing().grade;
                if from == *to {
                    return Err(EngineError::Invalid(
                        "the student already holds that grade".into(),
                    ));
                }
                let record = Promotion {
                    id: promotion,
                    from,
                    to: to.clone(),
                    on,
                    by: staff.id,
                    notes,
                    recorded_at,
                };
                Ok(student::add_promotion(doc, &record)?)
            },
            Some((
                staff.id,
                "promoted",
                &json!({ "student": id, "to": to, "on": on }),
            )),
        )?;
        Ok(promotion)
    }

    pub fn add_note(&self, id: StudentId, text: Prose) -> Result<(), EngineError> {
        let (staff, _) = self.actor(role_for(DocKind::Student, &["notes"]))?;
        let note = Note {
            id: NoteId::new(),
            at: self.now(),
            by: staff.id,
            text,
        };
        self.change(
            student::doc_id(id),
            DocKind::Student,
            missing("student"),
            |doc| Ok(student::add_note(doc, &note)?),
            Some((staff.id, "note_added", &json!({ "student": id }))),
        )
    }

    /// Edits the academy document with `edit`, which writes `field`.
    fn edit_academy(
        &self,
        field: &str,
        action: &str,
        edit: impl FnOnce(&mut AutoCommit) -> Result<(), DocError>,
    ) -> Result<(), EngineError> {
        let (staff, _) = self.actor(role_for(DocKind::Tenant, &[field]))?;
        let id = DocId::from_uuid(self.tenant()?.into());
        self.change(
            id,
            DocKind::Tenant,
            missing("academy"),
            |doc| Ok(edit(doc)?),
            Some((staff.id, action, &json!({}))),
        )
    }

    pub fn put_class(&self, class: &Class) -> Result<(), EngineError> {
        self.edit_academy("classes", "class_saved", |doc| tenant::put_class(doc, class))
    }

    pub fn set_schedule(&self, slots: Vec<WeeklySlot>) -> Result<(), EngineError> {
        let schedule = Schedule::new(slots).map_err(|e| EngineError::Invalid(e.to_string()))?;
        self.edit_academy("slots", "schedule_saved", |doc| {
            tenant::set_schedule(doc, &schedule)
        })
    }

    pub fn set_belt_system(&self, ranks: Vec<Rank>) -> Result<(), EngineError> {
        let system = BeltSystem::new(ranks).map_err(|e| EngineError::Invalid(e.to_string()))?;
        self.edit_academy("ranks", "belts_saved", |doc| {
            tenant::set_belt_system(doc, &system)
        })
    }

    pub fn set_theme(&self, theme: &Theme) -> Result<(), EngineError> {
        self.edit_academy("theme", "theme_saved", |doc| tenant::set_theme(doc, theme))
    }

    pub fn set_checkin_settings(&self, settings: &CheckInSettings) -> Result<(), EngineError> {
        self.edit_academy("checkin", "checkin_settings_saved", |doc| {
            tenant::set_checkin(doc, settings)
        })
    }
}

#[cfg(test)]
mod tests;
