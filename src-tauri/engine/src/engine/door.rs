//! The door: a scanned pass or a name picked from the roster becomes an
//! attendance, decided by core's check-in policy and written before the
//! screen confirms it.

use serde::Serialize;
use serde_json::json;
use tatami_core::checkin::{Decision, Presented, Scan, decide};
use tatami_core::doc::DocKind;
use tatami_core::doc::roll::{self, CheckIn, Method, Void};
use tatami_core::ids::StudentId;
use tatami_core::pass::PassKind;
use tatami_core::people::Role;
use tatami_core::schedule::{Session, SessionKey};
use tatami_core::text::Color;
use time::Duration;

use super::reads::SessionInfo;
use super::{Engine, Rows};
use crate::academy::Academy;
use crate::error::EngineError;
use crate::store::rows::StudentRow;
use crate::store::{audit, rows};

/// Check-ins this far back are enough for every rule: the longest phone
/// pass lives 255 minutes, the anti-passback window less.
const PRIOR_WINDOW: Duration = Duration::days(1);

/// Who is at the door, for the confirmation card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoorStudent {
    pub id: StudentId,
    pub name: String,
    pub initials: String,
    pub rank: Option<String>,
    pub color: Option<Color>,
    pub stripes: u8,
}

/// What the door shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoorOutcome {
    pub decision: Decision,
    pub student: Option<DoorStudent>,
    pub session: SessionInfo,
    /// A new attendance was written (false for "already in" and refusals).
    pub recorded: bool,
}

impl Engine {
    /// Checks in whoever shows the pass `payload` (the scanned QR text),
    /// to the session open now.
    pub fn check_in_scanned(&self, payload: &str) -> Result<DoorOutcome, EngineError> {
        let academy = self.require_academy()?;
        let verdict = academy.keys.verify(payload.trim(), self.now());
        let student = match &verdict {
            Ok(verified) => {
                self.with_store(|store| rows::student_by_tag(store.read(), verified.pass.student))?
            }
            Err(_) => None,
        };
        let method = match verdict.as_ref().map(|v| &v.pass.kind) {
            Ok(PassKind::Phone(_)) => Method::Phone,
            _ => Method::Card,
        };
        self.admit(&academy, &Presented::Pass(verdict), student, None, method)
    }

    /// Checks in a student picked by staff, to `session` or the session
    /// open now. Staff may admit outside the class window.
    pub fn check_in_manual(
        &self,
        student: StudentId,
        session: Option<SessionKey>,
    ) -> Result<DoorOutcome, EngineError> {
        let academy = self.require_academy()?;
        let found = self
            .with_store(|store| rows::student(store.read(), student))?
            .ok_or(EngineError::NotFound("student"))?;
        self.admit(&academy, &Presented::Manual, Some(found), session, Method::Manual)
    }

    fn admit(
        &self,
        academy: &Academy,
        presented: &Presented,
        student: Option<StudentRow>,
        session: Option<SessionKey>,
        method: Method,
    ) -> Result<DoorOutcome, EngineError> {
        let (staff, _) = self.actor(Role::FrontDesk)?;
        let utc = self.now();
        let now = academy.local(utc);
        let session = match session {
            Some(key) => find_session(academy, key)?,
            None => academy.current_session(now),
        };
        let prior = match &student {
            Some(s) => {
                let id = s.student.id;
                self.with_store(|store| rows::prior_check_ins(store.read(), id, utc - PRIOR_WINDOW))?
            }
            None => Vec::new(),
        };
        let decision = decide(&Scan {
            presented,
            student: student.as_ref().map(|s| &s.student),
            session: &session,
            prior: &prior,
            settings: &academy.view.checkin,
            now,
        });
        let mut recorded = false;
        match (&decision, &student) {
            (Decision::Admit { .. }, Some(StudentRow { student, .. })) => {
                let pass = match presented {
                    Presented::Pass(Ok(verified)) => match &verified.pass.kind {
                        PassKind::Phone(phone) => Some(tatami_core::checkin::PassUse {
                            issued: phone.issued,
                            nonce: phone.nonce,
                        }),
                        PassKind::Card { .. } => None,
                    },
                    _ => None,
                };
                let entry = CheckIn {
                    student: student.id,
                    at: utc,
                    by: staff.id,
                    device: self.require_enrolment()?.device,
                    method,
                    pass,
                };
                let tenant = academy.view.id;
                let key = session.key;
                recorded = self.change_rows(
                    roll::doc_id(tenant, &key),
                    DocKind::Roll,
                    Rows::RollEntry(student.id),
                    |actor| Ok(roll::create(tenant, &key, actor)?),
                    |doc| Ok(roll::check_in(doc, &entry)?),
                    Some((
                        staff.id,
                        "check_in",
                        &json!({ "student": student.id, "session": key, "method": method }),
                    )),
                )?;
            }
            (Decision::Refuse { reason }, _) => {
                let detail = json!({ "student": student.as_ref().map(|s| s.student.id), "reason": reason });
                self.with_store(|store| {
                    store.write(|tx| audit::record(tx, utc, Some(staff.id), "scan_refused", &detail))
                })?;
            }
            _ => {}
        }
        Ok(DoorOutcome {
            decision,
            student: student.map(|s| door_student(academy, s)),
            session: SessionInfo::of(academy, &session),
            recorded,
        })
    }

    /// Voids `student`'s check-in to `session`. Returns `false` when there
    /// was none standing, and then writes nothing (not even an empty roll).
    pub fn void_check_in(&self, student: StudentId, session: SessionKey) -> Result<bool, EngineError> {
        let (staff, _) = self.actor(Role::FrontDesk)?;
        let academy = self.require_academy()?;
        let tenant = academy.view.id;
        let void = Void {
            at: self.now(),
            by: staff.id,
        };
        self.change_rows(
            roll::doc_id(tenant, &session),
            DocKind::Roll,
            Rows::RollEntry(student),
            |actor| Ok(roll::create(tenant, &session, actor)?),
            |doc| Ok(roll::void(doc, student, &void)?),
            Some((
                staff.id,
                "void_check_in",
                &json!({ "student": student, "session": session }),
            )),
        )
    }
}

/// The session `key` names, as the schedule has it on that day.
fn find_session(academy: &Academy, key: SessionKey) -> Result<Session, EngineError> {
    if key == SessionKey::open_mat(key.date) {
        return Ok(Session::open_mat(key.date));
    }
    academy
        .schedule
        .sessions_on(key.date)
        .into_iter()
        .find(|s| s.key == key)
        .ok_or(EngineError::NotFound("class session"))
}

fn door_student(academy: &Academy, row: StudentRow) -> DoorStudent {
    let StudentRow { student, grade } = row;
    let rank = academy
        .belts
        .as_ref()
        .and_then(|belts| belts.rank(grade.rank).cloned());
    DoorStudent {
        id: student.id,
        initials: student.name.initials(),
        name: student.name.as_str().to_owned(),
        rank: rank.as_ref().map(|r| r.name.as_str().to_owned()),
        color: rank.map(|r| r.color),
        stripes: grade.stripes,
    }
}

#[cfg(test)]
mod tests;
