//! Classes, the weekly schedule, and the sessions it produces on a day.
//!
//! Times are the academy's wall-clock times. Callers convert "now" to the
//! academy's offset before asking which session is on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

use crate::ids::{ClassId, SlotId};
use crate::text::{Color, Label};

/// A kind of class the academy teaches: "Fundamentals", "Kids".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Class {
    pub id: ClassId,
    pub name: Label,
    pub color: Option<Color>,
}

/// One weekly occurrence of a class: "Fundamentals, Mondays 18:00, 60 min".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeeklySlot {
    pub id: SlotId,
    pub class: ClassId,
    #[cfg_attr(
        feature = "ts",
        ts(
            type = "\"Monday\" | \"Tuesday\" | \"Wednesday\" | \"Thursday\" | \"Friday\" | \"Saturday\" | \"Sunday\""
        )
    )]
    pub weekday: Weekday,
    #[serde(with = "crate::wire::clock_time")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub starts: Time,
    pub minutes: u16,
}

/// A schedule that cannot be used as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("a class lasts between 1 and 720 minutes")]
    BadLength,
    #[error("class {class} is scheduled twice on {weekday}: a class meets at most once a day")]
    TwiceADay { class: ClassId, weekday: Weekday },
}

/// The academy's week, sorted by day and time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(try_from = "Vec<WeeklySlot>", into = "Vec<WeeklySlot>")]
pub struct Schedule {
    slots: Vec<WeeklySlot>,
}

impl Schedule {
    /// A class meets at most once a day, so (class, date) names one session
    /// and one roll.
    pub fn new(mut slots: Vec<WeeklySlot>) -> Result<Self, ScheduleError> {
        if slots.iter().any(|s| !(1..=720).contains(&s.minutes)) {
            return Err(ScheduleError::BadLength);
        }
        slots.sort_by_key(|s| (s.weekday.number_days_from_monday(), s.starts, s.class, s.id));
        let mut seen = std::collections::HashSet::new();
        for slot in &slots {
            if !seen.insert((slot.class, slot.weekday.number_days_from_monday())) {
                return Err(ScheduleError::TwiceADay {
                    class: slot.class,
                    weekday: slot.weekday,
                });
            }
        }
        Ok(Self { slots })
    }

    pub fn slots(&self) -> &[WeeklySlot] {
        &self.slots
    }

    /// The sessions held on `date`, by start time.
    pub fn sessions_on(&self, date: Date) -> Vec<Session> {
        self.slots
            .iter()
            .filter(|s| s.weekday == date.weekday())
            .map(|s| Session {
                key: SessionKey {
                    class: ClassRef::Class(s.class),
                    date,
                },
                timing: Timing::Scheduled {
                    starts: PrimitiveDateTime::new(date, s.starts),
                    minutes: s.minutes,
                },
            })
            .collect()
    }
}

impl TryFrom<Vec<WeeklySlot>> for Schedule {
    type Error = ScheduleError;

    fn try_from(slots: Vec<WeeklySlot>) -> Result<Self, ScheduleError> {
        Self::new(slots)
    }
}

impl From<Schedule> for Vec<WeeklySlot> {
    fn from(schedule: Schedule) -> Self {
        schedule.slots
    }
}

/// What a session is of: a scheduled class, or the day's open mat, which
/// takes walk-ins outside any scheduled class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClassRef {
    Class(ClassId),
    OpenMat,
}

impl ClassRef {
    const OPEN_MAT: &'static str = "open-mat";
}

impl fmt::Display for ClassRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClassRef::Class(id) => id.fmt(f),
            ClassRef::OpenMat => f.write_str(Self::OPEN_MAT),
        }
    }
}

impl FromStr for ClassRef {
    type Err = crate::ids::IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == Self::OPEN_MAT {
            Ok(ClassRef::OpenMat)
        } else {
            s.parse().map(ClassRef::Class)
        }
    }
}

// A class id, or `"open-mat"`.
#[cfg(feature = "ts")]
ts_as_string!(ClassRef);

impl Serialize for ClassRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClassRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One class on one day: the identity of a roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SessionKey {
    pub class: ClassRef,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub date: Date,
}

impl SessionKey {
    pub fn open_mat(date: Date) -> Self {
        Self {
            class: ClassRef::OpenMat,
            date,
        }
    }
}

/// When a session happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "timing", rename_all = "snake_case")]
pub enum Timing {
    Scheduled {
        #[serde(with = "crate::wire::local_date_time")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        starts: PrimitiveDateTime,
        minutes: u16,
    },
    /// Open all day.
    OpenMat,
}

/// A session with its timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Session {
    pub key: SessionKey,
    pub timing: Timing,
}

impl Session {
    pub fn open_mat(date: Date) -> Self {
        Self {
            key: SessionKey::open_mat(date),
            timing: Timing::OpenMat,
        }
    }

    /// Whether `now` (in the academy's offset) falls in the check-in window:
    /// from `opens_before` minutes before the start to `closes_after`
    /// minutes after it. Open mat accepts all day.
    pub fn window_contains(&self, now: OffsetDateTime, opens_before: u16, closes_after: u16) -> bool {
        let local = PrimitiveDateTime::new(now.date(), now.time());
        match self.timing {
            Timing::OpenMat => now.date() == self.key.date,
            Timing::Scheduled { starts, .. } => {
                let opens = starts - Duration::minutes(i64::from(opens_before));
                let closes = starts + Duration::minutes(i64::from(closes_after));
                opens <= local && local <= closes
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn slot(class: ClassId, weekday: Weekday, starts: Time) -> WeeklySlot {
        WeeklySlot {
            id: SlotId::new(),
            class,
            weekday,
            starts,
            minutes: 60,
        }
    }

    #[test]
    fn sessions_on_a_day_come_in_start_order() {
        let (kids, adults) = (ClassId::new(), ClassId::new());
        let schedule = Schedule::new(vec![
            slot(adults, Weekday::Monday, time!(19:00)),
            slot(kids, Weekday::Monday, time!(17:00)),
            slot(kids, Weekday::Wednesday, time!(17:00)),
        ])
        .unwrap();
        let monday = date!(2026 - 11 - 23);
        let classes: Vec<ClassRef> = schedule.sessions_on(monday).iter().map(|s| s.key.class).collect();
        assert_eq!(classes, [ClassRef::Class(kids), ClassRef::Class(adults)]);
        assert!(schedule.sessions_on(date!(2026 - 11 - 24)).is_empty());
    }

    #[test]
    fn a_class_meets_at_most_once_a_day() {
        let kids = ClassId::new();
        let other = ClassId::new();
        let err = Schedule::new(vec![
            slot(kids, Weekday::Monday, time!(9:00)),
            slot(other, Weekday::Monday, time!(12:00)),
            slot(kids, Weekday::Monday, time!(17:00)),
        ]);
        assert!(matches!(err, Err(ScheduleError::TwiceADay { .. })));
        let too_long = WeeklySlot {
            minutes: 0,
            ..slot(kids, Weekday::Monday, time!(9:00))
        };
        assert_eq!(Schedule::new(vec![too_long]), Err(ScheduleError::BadLength));
    }

    #[test]
    fn check_in_window_bounds() {
        let class = ClassId::new();
        let schedule = Schedule::new(vec![slot(class, Weekday::Monday, time!(18:00))]).unwrap();
        let session = schedule.sessions_on(date!(2026 - 11 - 23))[0];
        let at = |t: OffsetDateTime| session.window_contains(t, 30, 20);
        assert!(!at(datetime!(2026-11-23 17:29 +01:00)));
        assert!(at(datetime!(2026-11-23 17:30 +01:00)));
        assert!(at(datetime!(2026-11-23 18:20 +01:00)));
        assert!(!at(datetime!(2026-11-23 18:21 +01:00)));
        let open = Session::open_mat(date!(2026 - 11 - 23));
        assert!(open.window_contains(datetime!(2026-11-23 06:00 +01:00), 0, 0));
        assert!(!open.window_contains(datetime!(2026-11-24 06:00 +01:00), 0, 0));
    }

    #[test]
    fn class_refs_read_and_write_as_text() {
        let id = ClassId::new();
        assert_eq!(ClassRef::Class(id).to_string().parse(), Ok(ClassRef::Class(id)));
        assert_eq!("open-mat".parse(), Ok(ClassRef::OpenMat));
        assert!("yoga".parse::<ClassRef>().is_err());
    }
}
