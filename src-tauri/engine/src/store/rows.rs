//! The projected rows: written from documents by core's projection, read by
//! the screens and the door.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use tatami_core::belt::Grade;
use tatami_core::checkin::{PassUse, PriorCheckIn};
use tatami_core::doc::View;
use tatami_core::doc::roll::{Method, RollView};
use tatami_core::doc::student::StudentView;
use tatami_core::ids::{DocId, RankId, StaffId, StudentId};
use tatami_core::pass::StudentTag;
use tatami_core::people::{Staff, Student, StudentStatus};
use tatami_core::schedule::SessionKey;
use tatami_core::text::Email;
use time::format_description::well_known::Iso8601;
use time::{Date, OffsetDateTime};

use super::{StoreError, parse};

/// Replaces the rows of the document `view` was projected from.
pub fn project(conn: &Connection, view: &View) -> Result<(), StoreError> {
    match view {
        View::Student(student) => put_student(conn, student),
        View::Staff(staff) => put_staff(conn, staff),
        View::Roll(roll) => put_roll(conn, roll),
        // The academy lives in memory, read from its document.
        View::Tenant(_) => Ok(()),
    }
}

fn put_student(conn: &Connection, view: &StudentView) -> Result<(), StoreError> {
    let student = &view.student;
    let grade = view.standing().grade;
    // An upsert keeps the rowid, which the search index shares.
    conn.prepare_cached(
        "INSERT INTO students (id, tag, name, status, rank, stripes, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET tag = excluded.tag, name = excluded.name,
             status = excluded.status, rank = excluded.rank, stripes = excluded.stripes,
             record = excluded.record",
    )?
    .execute(params![
        student.id.to_string(),
        StudentTag::of(student.id).to_string(),
        student.name.as_str(),
        student.status.as_str(),
        grade.rank.to_string(),
        grade.stripes,
        serde_json::to_string(student)?,
    ])?;
    Ok(())
}

fn put_staff(conn: &Connection, staff: &Staff) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO staff (id, email, record) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, record = excluded.record",
    )?
    .execute(params![
        staff.id.to_string(),
        staff.email.as_str(),
        serde_json::to_string(staff)?,
    ])?;
    Ok(())
}

fn put_roll(conn: &Connection, roll: &RollView) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM attendance WHERE roll = ?1")?
        .execute([roll.id.to_string()])?;
    insert_entries(conn, roll)
}

/// Rewrites the attendance rows of `student` only, from `roll` projected
/// for that student: what a check-in or a void changed.
pub fn put_roll_entry(conn: &Connection, roll: &RollView, student: StudentId) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM attendance WHERE roll = ?1 AND student = ?2")?
        .execute([roll.id.to_string(), student.to_string()])?;
    insert_entries(conn, roll)
}

fn insert_entries(conn: &Connection, roll: &RollView) -> Result<(), StoreError> {
    let id = roll.id.to_string();
    let mut insert = conn.prepare_cached(
        "INSERT INTO attendance (roll, student, class, date, at_ms, by_staff, device, method,
             voided, pass_issued, pass_nonce)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for entry in &roll.entries {
        let check_in = &entry.check_in;
        insert.execute(params![
            id,
            check_in.student.to_string(),
            roll.session.class.to_string(),
            roll.session.date.to_string(),
            millis(check_in.at),
            check_in.by.to_string(),
            check_in.device.to_string(),
            check_in.method.as_str(),
            entry.voided.is_some(),
            check_in.pass.map(|p| p.issued.unix_timestamp()),
            check_in.pass.map(|p| p.nonce),
        ])?;
    }
    Ok(())
}

/// Removes the rows of a document this device no longer has.
pub fn forget(conn: &Connection, id: DocId) -> Result<(), StoreError> {
    let id = id.to_string();
    conn.execute("DELETE FROM students WHERE id = ?1", [&id])?;
    conn.execute("DELETE FROM staff WHERE id = ?1", [&id])?;
    conn.execute("DELETE FROM attendance WHERE roll = ?1", [&id])?;
    Ok(())
}

pub(crate) fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_millis(ms: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|e| StoreError::Corrupt {
        detail: format!("time {ms}: {e}"),
    })
}

pub(super) fn date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text, &Iso8601::DATE).map_err(|e| StoreError::Corrupt {
        detail: format!("date `{text}`: {e}"),
    })
}

/// A line of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RosterRow {
    pub id: StudentId,
    pub name: String,
    pub status: StudentStatus,
    pub rank: RankId,
    pub stripes: u8,
}

/// Which students to list, and which page: `limit` rows from `offset`.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RosterFilter {
    /// Words of a name, email or phone; each matches as a prefix.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub query: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rank: Option<RankId>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<StudentStatus>,
    pub offset: u32,
    pub limit: u32,
}

/// The search text as an FTS5 query: every word a quoted prefix, so
/// whatever the user types is never read as query syntax.
fn match_expression(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The students matching `filter`, by name.
pub fn roster(conn: &Connection, filter: &RosterFilter) -> Result<Vec<RosterRow>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name, status, rank, stripes FROM students
         WHERE (?1 IS NULL OR rowid IN (SELECT rowid FROM students_search WHERE students_search MATCH ?1))
           AND (?2 IS NULL OR rank = ?2)
           AND (?3 IS NULL OR status = ?3)
         ORDER BY name COLLATE NOCASE, id
         LIMIT ?4 OFFSET ?5",
    )?;
    let rows = statement.query_map(
        params![
            filter.query.as_deref().and_then(match_expression),
            filter.rank.map(|r| r.to_string()),
            filter.status.map(StudentStatus::as_str),
            filter.limit,
            filter.offset,
        ],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u8>(4)?,
            ))
        },
    )?;
    let mut roster = Vec::new();
    for row in rows {
        let (id, name, status, rank, stripes) = row?;
        roster.push(RosterRow {
            id: parse(&id)?,
            name,
            status: StudentStatus::parse(&status).map_err(|e| StoreError::Corrupt {
                detail: e.to_string(),
            })?,
            rank: parse(&rank)?,
            stripes,
        });
    }
    Ok(roster)
}

/// How many students there are.
pub fn student_count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM students", [], |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn record<T: serde::de::DeserializeOwned>(json: Option<String>) -> Result<Option<T>, StoreError> {
    Ok(json.map(|json| serde_json::from_str(&json)).transpose()?)
}

/// A student with their current grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRow {
    pub student: Student,
    pub grade: Grade,
}

const STUDENT: &str = "SELECT record, rank, stripes FROM students";

fn student_row(conn: &Connection, filter: &str, value: &str) -> Result<Option<StudentRow>, StoreError> {
    let sql = format!("{STUDENT} WHERE {filter} LIMIT 2");
    let mut statement = conn.prepare_cached(&sql)?;
    let found: Vec<(String, String, u8)> = statement
        .query_map([value], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    // Two rows for one tag (64 bits: out of reach) refuse both rather than
    // admit the wrong student.
    let Ok([(record, rank, stripes)]) = <[_; 1]>::try_from(found) else {
        return Ok(None);
    };
    Ok(Some(StudentRow {
        student: serde_json::from_str(&record)?,
        grade: Grade {
            rank: parse(&rank)?,
            stripes,
        },
    }))
}

pub fn student(conn: &Connection, id: StudentId) -> Result<Option<StudentRow>, StoreError> {
    student_row(conn, "id = ?1", &id.to_string())
}

/// The student a pass names.
pub fn student_by_tag(conn: &Connection, tag: StudentTag) -> Result<Option<StudentRow>, StoreError> {
    student_row(conn, "tag = ?1", &tag.to_string())
}

pub fn staff(conn: &Connection, id: StaffId) -> Result<Option<Staff>, StoreError> {
    record(
        conn.query_row(
            "SELECT record FROM staff WHERE id = ?1",
            [id.to_string()],
            |row| row.get(0),
        )
        .optional()?,
    )
}

pub fn staff_by_email(conn: &Connection, email: &Email) -> Result<Option<Staff>, StoreError> {
    record(
        conn.query_row(
            "SELECT record FROM staff WHERE email = ?1 ORDER BY id LIMIT 1",
            [email.as_str()],
            |row| row.get(0),
        )
        .optional()?,
    )
}

/// A check-in as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttendanceRow {
    pub student: StudentId,
    /// The student's name now (empty while their record has not arrived).
    pub name: String,
    pub session: SessionKey,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: OffsetDateTime,
    pub by: StaffId,
    pub method: Method,
    pub voided: bool,
}

const ATTENDANCE: &str =
    "SELECT student, class, date, at_ms, by_staff, method, voided, COALESCE(students.name, '')
    FROM attendance LEFT JOIN students ON students.id = attendance.student";

type AttendanceColumns = (String, String, String, i64, String, String, bool, String);

fn attendance_row(row: &Row<'_>) -> rusqlite::Result<AttendanceColumns> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

pub(super) fn attendance(
    conn: &Connection,
    filter: &str,
    values: impl rusqlite::Params,
) -> Result<Vec<AttendanceRow>, StoreError> {
    let sql = format!("{ATTENDANCE} WHERE {filter} ORDER BY at_ms DESC, student");
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = Vec::new();
    for row in statement.query_map(values, attendance_row)? {
        let (student, class, date_text, at_ms, by, method, voided, name) = row?;
        rows.push(AttendanceRow {
            student: parse(&student)?,
            name,
            session: SessionKey {
                class: parse(&class)?,
                date: date(&date_text)?,
            },
            at: from_millis(at_ms)?,
            by: parse(&by)?,
            method: Method::parse(&method).map_err(|e| StoreError::Corrupt {
                detail: e.to_string(),
            })?,
            voided,
        });
    }
    Ok(rows)
}

/// A student's check-ins, newest first, voided ones included.
pub fn attendance_of(conn: &Connection, student: StudentId) -> Result<Vec<AttendanceRow>, StoreError> {
    attendance(conn, "student = ?1", [student.to_string()])
}

/// A session's roll, newest first, voided ones included.
pub fn roll(conn: &Connection, session: &SessionKey) -> Result<Vec<AttendanceRow>, StoreError> {
    attendance(
        conn,
        "class = ?1 AND date = ?2",
        [session.class.to_string(), session.date.to_string()],
    )
}

/// The days a student attended (voided check-ins do not count).
pub fn attended_days(conn: &Connection, student: StudentId) -> Result<Vec<Date>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT date FROM attendance WHERE student = ?1 AND NOT voided")?;
    let mut days = Vec::new();
    for day in statement.query_map([student.to_string()], |row| row.get::<_, String>(0))? {
        days.push(date(&day?)?);
    }
    Ok(days)
}

/// A student's standing check-ins since `since`, as the door policy needs
/// them.
pub fn prior_check_ins(
    conn: &Connection,
    student: StudentId,
    since: OffsetDateTime,
) -> Result<Vec<PriorCheckIn>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT class, date, at_ms, pass_issued, pass_nonce FROM attendance
         WHERE student = ?1 AND at_ms >= ?2 AND NOT voided",
    )?;
    let rows = statement.query_map(params![student.to_string(), millis(since)], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<i64>>(3)?,
            row.get::<_, Option<u16>>(4)?,
        ))
    })?;
    let mut prior = Vec::new();
    for row in rows {
        let (class, day, at_ms, issued, nonce) = row?;
        let pass = match (issued, nonce) {
            (Some(issued), Some(nonce)) => Some(PassUse {
                issued: OffsetDateTime::from_unix_timestamp(issued).map_err(|e| StoreError::Corrupt {
                    detail: e.to_string(),
                })?,
                nonce,
            }),
            _ => None,
        };
        prior.push(PriorCheckIn {
            session: SessionKey {
                class: parse(&class)?,
                date: date(&day)?,
            },
            at: from_millis(at_ms)?,
            pass,
        });
    }
    Ok(prior)
}
