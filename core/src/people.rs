//! Students, staff and their roles.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::belt::Grade;
use crate::ids::{GuardianId, NoteId, StaffId, StudentId};
use crate::text::{Email, Label, PersonName, Phone, Prose};
use crate::words::word_enum;

/// Whether a student trains now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StudentStatus {
    Active,
    /// Temporarily away (injury, travel); keeps rank and history.
    Paused,
    /// Left the academy.
    Inactive,
}
word_enum!(StudentStatus, "student status", {
    Active => "active",
    Paused => "paused",
    Inactive => "inactive",
});

/// A student as every device and the server see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Student {
    pub id: StudentId,
    pub name: PersonName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub born_on: Option<Date>,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub joined_on: Date,
    pub status: StudentStatus,
    /// Membership is paid up to and including this day; `None` when the
    /// academy does not track payments for this student.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub paid_until: Option<Date>,
    /// Printed cards with an older version are revoked.
    pub card_version: u16,
    /// The grade the student joined with (a transfer may arrive ranked).
    pub start_grade: Grade,
}

impl Student {
    /// A student who joins today: active, first card, payments not tracked.
    pub fn new(id: StudentId, name: PersonName, joined_on: Date, start_grade: Grade) -> Self {
        Self {
            id,
            name,
            email: None,
            phone: None,
            born_on: None,
            joined_on,
            status: StudentStatus::Active,
            paid_until: None,
            card_version: 1,
            start_grade,
        }
    }

    /// Whether the membership has run out as of `today`, allowing `grace_days`.
    pub fn membership_lapsed(&self, today: Date, grace_days: u16) -> bool {
        self.paid_until
            .is_some_and(|paid| paid + time::Duration::days(i64::from(grace_days)) < today)
    }
}

/// A parent or other contact of a (usually young) student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Guardian {
    pub id: GuardianId,
    pub name: PersonName,
    /// A short label, such as mother or guardian.
    pub relation: Option<Label>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
}

/// A dated remark about a student by a member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    pub id: NoteId,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    pub by: StaffId,
    pub text: Prose,
}

/// What a staff member may do; ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Instructor,
    FrontDesk,
}
word_enum!(Role, "role", {
    Owner => "owner",
    Admin => "admin",
    Instructor => "instructor",
    FrontDesk => "front_desk",
});

impl Role {
    /// Whether this role includes everything `other` may do.
    pub fn at_least(self, other: Role) -> bool {
        self <= other
    }
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Staff {
    pub id: StaffId,
    pub name: PersonName,
    pub email: Email,
    pub role: Role,
    pub active: bool,
    /// Verifier of the PIN that unlocks a shared tablet offline (a PHC
    /// string); never the PIN itself.
    pub pin_verifier: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn words_round_trip() {
        for status in StudentStatus::ALL {
            assert_eq!(StudentStatus::parse(status.as_str()), Ok(*status));
        }
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(*role));
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(json, format!("\"{role}\""));
        }
        assert!(Role::parse("sensei").is_err());
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Owner.at_least(Role::Admin));
        assert!(Role::Admin.at_least(Role::Admin));
        assert!(!Role::FrontDesk.at_least(Role::Instructor));
    }

    #[test]
    fn membership_lapses_after_the_grace_period() {
        let student = Student {
            paid_until: Some(date!(2026 - 11 - 30)),
            ..Student::new(
                StudentId::new(),
                PersonName::parse("Ana Souza").unwrap(),
                date!(2025 - 01 - 10),
                Grade::new(crate::ids::RankId::new(), 0),
            )
        };
        assert!(!student.membership_lapsed(date!(2026 - 11 - 30), 0));
        assert!(student.membership_lapsed(date!(2026 - 12 - 01), 0));
        assert!(!student.membership_lapsed(date!(2026 - 12 - 07), 7));
        assert!(student.membership_lapsed(date!(2026 - 12 - 08), 7));
        let untracked = Student {
            paid_until: None,
            ..student
        };
        assert!(!untracked.membership_lapsed(date!(2030 - 01 - 01), 0));
    }
}
