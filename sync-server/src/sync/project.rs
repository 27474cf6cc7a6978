//! The rows a batch of accepted changes rewrites, gathered so that the
//! busiest ones (attendance) go to PostgreSQL in one statement.

use std::collections::BTreeMap;

use tatami_core::doc::View;
use tatami_core::doc::roll::Attendance;
use tatami_core::doc::roll::RollView;
use tatami_core::doc::student::StudentView;
use tatami_core::doc::tenant::TenantView;
use tatami_core::ids::{DocId, StudentId, TenantId};
use tatami_core::people::Staff;
use tatami_core::schedule::SessionKey;

use crate::db::Tx;
use crate::db::attendance::{AttendanceRows, SessionRows, record};
use crate::db::projections::{replace_academy, replace_staff, replace_student};
use tatami_core::push::Accepted;

/// The latest rows of every document a batch changed.
#[derive(Debug, Default)]
pub struct Projection {
    academy: Option<TenantView>,
    students: BTreeMap<DocId, StudentView>,
    staff: BTreeMap<DocId, Staff>,
    /// New sessions (rolls seen for the first time).
    sessions: BTreeMap<DocId, SessionKey>,
    /// Keyed, so an entry written twice in one batch is written once.
    attendance: BTreeMap<(DocId, StudentId), (SessionKey, Attendance)>,
}

impl Projection {
    /// Adds a document's rows; for a roll, only the entries its changes
    /// wrote (and the session, once).
    pub fn add(&mut self, id: DocId, accepted: &Accepted, new_document: bool) {
        match &accepted.view {
            View::Tenant(view) => self.academy = Some(view.clone()),
            View::Student(view) => {
                self.students.insert(id, view.clone());
            }
            View::Staff(staff) => {
                self.staff.insert(id, staff.clone());
            }
            View::Roll(roll) => self.add_roll(roll, new_document),
        }
    }

    /// The view holds just the entries the changes wrote.
    fn add_roll(&mut self, roll: &RollView, new_document: bool) {
        if new_document {
            self.sessions.insert(roll.id, roll.session);
        }
        for entry in &roll.entries {
            let key = (roll.id, entry.check_in.student);
            self.attendance.insert(key, (roll.session, entry.clone()));
        }
    }

    fn session_rows(&self) -> SessionRows {
        let mut rows = SessionRows::default();
        for (doc, session) in &self.sessions {
            rows.docs.push(*doc.as_uuid());
            rows.class_refs.push(session.class.to_string());
            rows.dates.push(session.date);
        }
        rows
    }

    fn attendance_rows(&self) -> AttendanceRows {
        let mut rows = AttendanceRows::default();
        for ((doc, student), (session, entry)) in &self.attendance {
            let c = &entry.check_in;
            rows.sessions.push(*doc.as_uuid());
            rows.students.push(*student.as_uuid());
            rows.class_refs.push(session.class.to_string());
            rows.dates.push(session.date);
            rows.checked_in_at.push(c.at);
            rows.checked_in_by.push(*c.by.as_uuid());
            rows.devices.push(*c.device.as_uuid());
            rows.methods.push(c.method.as_str().to_owned());
            rows.voided_at.push(entry.voided.as_ref().map(|v| v.at));
            rows.voided_by
                .push(entry.voided.as_ref().map(|v| *v.by.as_uuid()));
        }
        rows
    }

    pub async fn write(&self, tx: &mut Tx, tenant: TenantId) -> Result<(), sqlx::Error> {
        if let Some(academy) = &self.academy {
            replace_academy(tx, tenant, academy).await?;
        }
        for student in self.students.values() {
            replace_student(tx, tenant, student).await?;
        }
        for staff in self.staff.values() {
            replace_staff(tx, tenant, staff).await?;
        }
        if !self.sessions.is_empty() || !self.attendance.is_empty() {
            record(tx, tenant, &self.session_rows(), &self.attendance_rows()).await?;
        }
        Ok(())
    }
}
