//! The reports screen: check-ins per class, the attendance trend by week,
//! how many students are active, and the check-ins as CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use tatami_core::people::StudentStatus;
use tatami_core::schedule::ClassRef;
use time::{Date, Duration};

use super::Engine;
use crate::error::EngineError;
use crate::store::reports;

/// Attendance over a period, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttendanceReport {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub from: Date,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub to: Date,
    /// Busiest first.
    pub classes: Vec<ClassCount>,
    /// Every week of the period, oldest first, each from its Monday.
    pub weeks: Vec<WeekCount>,
    /// Different students who checked in.
    pub attending: u64,
    pub active: u64,
    pub paused: u64,
    pub inactive: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClassCount {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub class: ClassRef,
    pub name: String,
    pub check_ins: u64,
    /// Days it had at least one check-in.
    pub sessions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekCount {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub start: Date,
    pub check_ins: u64,
}

/// A period longer than this is refused: a report is read on a screen.
const LONGEST: Duration = Duration::days(366 * 5);

fn monday(day: Date) -> Date {
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

fn check_period(from: Date, to: Date) -> Result<(), EngineError> {
    if to < from {
        return Err(EngineError::Invalid("the period ends before it starts".into()));
    }
    if to - from > LONGEST {
        return Err(EngineError::Invalid("a report covers at most five years".into()));
    }
    Ok(())
}

/// A CSV cell: quoted, and never read as a formula by a spreadsheet.
fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

impl Engine {
    pub fn report(&self, from: Date, to: Date) -> Result<AttendanceReport, EngineError> {
        check_period(from, to)?;
        let academy = self.require_academy()?;
        let (sessions, attending, statuses) = self.with_store(|store| {
            let conn = store.read();
            Ok((
                reports::check_ins_by_session(conn, from, to)?,
                reports::students_attending(conn, from, to)?,
                reports::students_by_status(conn)?,
            ))
        })?;
        let mut classes: BTreeMap<ClassRef, ClassCount> = BTreeMap::new();
        let mut weeks: BTreeMap<Date, u64> = BTreeMap::new();
        let mut week = monday(from);
        while week <= to {
            weeks.insert(week, 0);
            week += Duration::weeks(1);
        }
        for (class, day, n) in sessions {
            let count = classes.entry(class).or_insert_with(|| ClassCount {
                class,
                name: academy.class_name(class),
                check_ins: 0,
                sessions: 0,
            });
            count.check_ins += n;
            count.sessions += 1;
            *weeks.entry(monday(day)).or_default() += n;
        }
        let mut classes: Vec<ClassCount> = classes.into_values().collect();
        classes.sort_by(|a, b| b.check_ins.cmp(&a.check_ins).then_with(|| a.name.cmp(&b.name)));
        let of = |status| statuses.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        Ok(AttendanceReport {
            from,
            to,
            classes,
            weeks: weeks
                .into_iter()
                .map(|(start, check_ins)| WeekCount { start, check_ins })
                .collect(),
            attending,
            active: of(StudentStatus::Active),
            paused: of(StudentStatus::Paused),
            inactive: of(StudentStatus::Inactive),
        })
    }

    /// The period's check-ins as CSV, oldest first: day, class, student,
    /// time (academy time) and how they checked in.
    pub fn attendance_csv(&self, from: Date, to: Date) -> Result<String, EngineError> {
        check_period(from, to)?;
        let academy = self.require_academy()?;
        let rows = self.with_store(|store| reports::check_ins_between(store.read(), from, to))?;
        let mut csv = String::from("date,class,student,time,method\r\n");
        for row in rows {
            let at = academy.local(row.at);
            let _ = write!(
                csv,
                "{},{},{},{:02}:{:02},{}\r\n",
                row.session.date,
                cell(&academy.class_name(row.session.class)),
                cell(&row.name),
                at.hour(),
                at.minute(),
                row.method.as_str(),
            );
        }
        Ok(csv)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::{cell, monday};

    #[test]
    fn a_cell_is_quoted_and_never_a_formula() {
        assert_eq!(cell("Ana"), "\"Ana\"");
        assert_eq!(cell("Ana \"Bia\" Lima"), "\"Ana \"\"Bia\"\" Lima\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "\"'-1\"");
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday(date!(2026 - 12 - 03)), date!(2026 - 11 - 30));
        assert_eq!(monday(date!(2026 - 11 - 30)), date!(2026 - 11 - 30));
        assert_eq!(monday(date!(2026 - 12 - 06)), date!(2026 - 11 - 30));
    }
}
