//! What the screens read: the roster, a student's profile with eligibility,
//! classes and today's sessions, a session's roll, the audit trail.

use serde::Serialize;
use tatami_core::belt::{Eligibility, Standing, eligibility};
use tatami_core::doc::student::{self, StudentView};
use tatami_core::ids::StudentId;
use tatami_core::schedule::{Session, SessionKey, Timing};

use super::Engine;
use crate::academy::Academy;
use crate::error::EngineError;
use crate::store::audit::{self, AuditEntry};
use crate::store::{AttendanceRow, RosterFilter, RosterRow, docs, rows};

/// A session with its class's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionInfo {
    pub key: SessionKey,
    pub name: String,
    #[serde(flatten)]
    pub timing: Timing,
}

impl SessionInfo {
    pub(super) fn of(academy: &Academy, session: &Session) -> Self {
        Self {
            key: session.key,
            name: academy.class_name(session.key.class),
            timing: session.timing,
        }
    }
}

/// Everything the student screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Profile {
    #[serde(flatten)]
    pub record: StudentView,
    pub standing: Standing,
    /// `None` while the academy's belt system is inconsistent.
    pub eligibility: Option<Eligibility>,
    /// Newest first, voided ones included.
    pub attendance: Vec<AttendanceRow>,
}

impl Engine {
    pub fn roster(&self, filter: &RosterFilter) -> Result<Vec<RosterRow>, EngineError> {
        self.with_store(|store| rows::roster(store.read(), filter))
    }

    pub fn student_count(&self) -> Result<u64, EngineError> {
        self.with_store(|store| rows::student_count(store.read()))
    }

    pub fn profile(&self, id: StudentId) -> Result<Profile, EngineError> {
        let academy = self.require_academy()?;
        let (doc, attendance, days) = self.with_store(|store| {
            let doc = docs::load(store.read(), student::doc_id(id))?;
            let attendance = rows::attendance_of(store.read(), id)?;
            let days = rows::attended_days(store.read(), id)?;
            Ok((doc, attendance, days))
        })?;
        let record = student::project(&doc.ok_or(EngineError::NotFound("student"))?)?;
        let standing = record.standing();
        let today = self.today()?;
        let eligibility = academy
            .belts
            .as_ref()
            .map(|belts| eligibility(belts, &standing, record.student.born_on, &days, today));
        Ok(Profile {
            record,
            standing,
            eligibility,
            attendance,
        })
    }

    /// Today's sessions at the academy, by start time, open mat last.
    pub fn sessions_today(&self) -> Result<Vec<SessionInfo>, EngineError> {
        let academy = self.require_academy()?;
        let today = self.today()?;
        let mut sessions = academy.schedule.sessions_on(today);
        sessions.push(Session::open_mat(today));
        Ok(sessions.iter().map(|s| SessionInfo::of(&academy, s)).collect())
    }

    /// A session's roll, newest first.
    pub fn roll(&self, session: &SessionKey) -> Result<Vec<AttendanceRow>, EngineError> {
        self.with_store(|store| rows::roll(store.read(), session))
    }

    /// The newest lines of this device's audit trail.
    pub fn audit(&self, limit: u32) -> Result<Vec<AuditEntry>, EngineError> {
        self.with_store(|store| audit::recent(store.read(), limit))
    }
}
