//! The door's decision: admit, admit with a warning, say "already in", or
//! refuse, for one scan at one moment. Pure: the caller gathers the facts
//! and records the outcome.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::pass::{PassError, PassKind, StudentTag, VerifiedPass};
use crate::people::{Student, StudentStatus};
use crate::schedule::{Session, SessionKey, Timing};
use crate::words::word_enum;

/// What to do about a rule that can warn or refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Enforcement {
    Warn,
    Refuse,
}
word_enum!(Enforcement, "enforcement", {
    Warn => "warn",
    Refuse => "refuse",
});

/// An academy's check-in rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckInSettings {
    /// Check-in opens this many minutes before a class starts...
    pub opens_before_minutes: u16,
    /// ...and closes this many minutes after it started.
    pub closes_after_minutes: u16,
    /// A card or pass used for one session cannot enter another within this
    /// many minutes (someone handing their card back through the door).
    /// 0 turns the rule off.
    pub anti_passback_minutes: u16,
    pub lapsed_membership: Enforcement,
    /// Days after `paid_until` before a membership counts as lapsed.
    pub grace_days: u16,
    pub paused_student: Enforcement,
}

impl Default for CheckInSettings {
    fn default() -> Self {
        Self {
            opens_before_minutes: 30,
            closes_after_minutes: 30,
            anti_passback_minutes: 5,
            lapsed_membership: Enforcement::Warn,
            grace_days: 7,
            paused_student: Enforcement::Warn,
        }
    }
}

/// How the student came to be checked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// A scanned code, with the result of verifying it.
    Pass(Result<VerifiedPass, PassError>),
    /// Picked from the roster by staff, who may admit outside the class
    /// window; the anti-passback rule is for cards and passes only.
    Manual,
}

/// A phone pass, as far as single use is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PassUse {
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub issued: OffsetDateTime,
    pub nonce: u16,
}

/// A check-in of this student already recorded (and not voided).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorCheckIn {
    pub session: SessionKey,
    pub at: OffsetDateTime,
    /// The phone pass it used, if any.
    pub pass: Option<PassUse>,
}

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct Scan<'a> {
    pub presented: &'a Presented,
    /// The student the pass names, as this device knows them.
    pub student: Option<&'a Student>,
    pub session: &'a Session,
    /// This student's recent check-ins: enough to cover the longest pass
    /// lifetime and the anti-passback window.
    pub prior: &'a [PriorCheckIn],
    pub settings: &'a CheckInSettings,
    /// Now, in the academy's UTC offset.
    pub now: OffsetDateTime,
}

/// The outcome shown at the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    /// Record a new attendance.
    Admit {
        warnings: Vec<Warning>,
    },
    /// Already in this session: record nothing, greet again.
    AlreadyCheckedIn {
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        at: OffsetDateTime,
    },
    Refuse {
        reason: Refusal,
    },
}

/// Admitted, but staff should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    MembershipLapsed {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        paid_until: Date,
    },
    StudentPaused,
}

/// Why a scan was refused; `code` is stable for the UI to translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    InvalidPass {
        error: PassError,
    },
    /// A genuine pass for a student this device does not have (yet).
    UnknownStudent,
    CardRevoked {
        presented: u16,
        current: u16,
    },
    PassAlreadyUsed {
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        at: OffsetDateTime,
    },
    StudentInactive,
    StudentPaused,
    MembershipLapsed {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        paid_until: Date,
    },
    OutsideClassWindow {
        #[serde(with = "crate::wire::local_date_time")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        opens: PrimitiveDateTime,
        #[serde(with = "crate::wire::local_date_time")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        closes: PrimitiveDateTime,
    },
    AntiPassback {
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        retry_after: OffsetDateTime,
    },
}

/// Decides one scan. Rules apply in this order, the first that fails
/// deciding: the pass itself, the student, a revoked card, a reused phone
/// pass, student status, membership, already checked in, the class window,
/// anti-passback.
pub fn decide(scan: &Scan<'_>) -> Decision {
    match check(scan) {
        Ok(Admission::New(warnings)) => Decision::Admit { warnings },
        Ok(Admission::Again(at)) => Decision::AlreadyCheckedIn { at },
        Err(reason) => Decision::Refuse { reason },
    }
}

enum Admission {
    New(Vec<Warning>),
    Again(OffsetDateTime),
}

fn check(scan: &Scan<'_>) -> Result<Admission, Refusal> {
    let pass = match scan.presented {
        Presented::Pass(Ok(verified)) => Some(&verified.pass),
        Presented::Pass(Err(error)) => return Err(Refusal::InvalidPass { error: error.clone() }),
        Presented::Manual => None,
    };
    let student = scan
        .student
        .filter(|s| pass.is_none_or(|p| p.student == StudentTag::of(s.id)))
        .ok_or(Refusal::UnknownStudent)?;
    let this_session = |p: &&PriorCheckIn| p.session == scan.session.key;

    match pass.map(|p| &p.kind) {
        Some(PassKind::Card { version }) if *version < student.card_version => {
            return Err(Refusal::CardRevoked {
                presented: *version,
                current: student.card_version,
            });
        }
        Some(PassKind::Phone(phone)) => {
            let this_use = PassUse {
                issued: phone.issued,
                nonce: phone.nonce,
            };
            if let Some(used) = scan.prior.iter().find(|p| p.pass == Some(this_use)) {
                return if this_session(&used) {
                    Ok(Admission::Again(used.at))
                } else {
                    Err(Refusal::PassAlreadyUsed { at: used.at })
                };
            }
        }
        _ => {}
    }

    let settings = scan.settings;
    let mut warnings = Vec::new();
    match student.status {
        StudentStatus::Active => {}
        StudentStatus::Inactive => return Err(Refusal::StudentInactive),
        StudentStatus::Paused => match settings.paused_student {
            Enforcement::Warn => warnings.push(Warning::StudentPaused),
            Enforcement::Refuse => return Err(Refusal::StudentPaused),
        },
    }
    if let Some(paid_until) = student.paid_until
        && student.membership_lapsed(scan.now.date(), settings.grace_days)
    {
        match settings.lapsed_membership {
            Enforcement::Warn => warnings.push(Warning::MembershipLapsed { paid_until }),
            Enforcement::Refuse => return Err(Refusal::MembershipLapsed { paid_until }),
        }
    }

    if let Some(first) = scan.prior.iter().filter(this_session).map(|p| p.at).min() {
        return Ok(Admission::Again(first));
    }
    if pass.is_none() {
        return Ok(Admission::New(warnings));
    }
    if !scan.session.window_contains(
        scan.now,
        settings.opens_before_minutes,
        settings.closes_after_minutes,
    ) {
        return Err(outside_window(scan.session, settings));
    }
    let passback = Duration::minutes(i64::from(settings.anti_passback_minutes));
    if let Some(last) = scan
        .prior
        .iter()
        .filter(|p| p.at <= scan.now && scan.now - p.at < passback)
        .map(|p| p.at)
        .max()
    {
        return Err(Refusal::AntiPassback {
            retry_after: last + passback,
        });
    }
    Ok(Admission::New(warnings))
}

fn outside_window(session: &Session, settings: &CheckInSettings) -> Refusal {
    let (opens, closes) = match session.timing {
        Timing::Scheduled { starts, .. } => (
            starts - Duration::minutes(i64::from(settings.opens_before_minutes)),
            starts + Duration::minutes(i64::from(settings.closes_after_minutes)),
        ),
        Timing::OpenMat => (
            session.key.date.midnight(),
            session
                .key
                .date
                .with_hms(23, 59, 59)
                .unwrap_or(session.key.date.midnight()),
        ),
    };
    Refusal::OutsideClassWindow { opens, closes }
}

#[cfg(test)]
mod tests;
