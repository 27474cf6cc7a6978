//! The demo academy's students and four months of their attendance, as
//! the documents devices would have made.

use automerge::{ActorId, AutoCommit};
use tatami_core::belt::{Grade, Promotion};
use tatami_core::doc::roll::{self, CheckIn, Method};
use tatami_core::doc::student;
use tatami_core::ids::{DeviceId, DocId, PromotionId, StaffId, StudentId, TenantId};
use tatami_core::people::{Student, StudentStatus};
use tatami_core::schedule::{ClassRef, Timing};
use tatami_core::text::{Email, PersonName, Phone, Prose};
use time::{Date, Duration, OffsetDateTime};

use super::dice::Dice;
use super::timetable::Timetable;
use super::{DemoSize, known};
use crate::error::ApiError;

const FIRST: [&str; 24] = [
    "Ana", "Bruno", "Carla", "Diego", "Elena", "Felipe", "Gabriela", "Hugo", "Inês", "João", "Keiko",
    "Lucas", "Mariana", "Nuno", "Olga", "Pedro", "Quentin", "Rita", "Sofia", "Tiago", "Uma", "Vasco", "Wen",
    "Yara",
];
const LAST: [&str; 20] = [
    "Almeida",
    "Barros",
    "Costa",
    "Duarte",
    "Esteves",
    "Ferreira",
    "Gomes",
    "Henriques",
    "Ito",
    "Jesus",
    "Kowalski",
    "Lopes",
    "Moreira",
    "Nakamura",
    "Oliveira",
    "Pereira",
    "Queiroz",
    "Ribeiro",
    "Santos",
    "Teixeira",
];

/// A student of the demo and their document.
pub(super) struct DemoStudent {
    pub record: Student,
    pub kid: bool,
    pub doc: AutoCommit,
}

/// The students of `size`, one in six a child, some a stripe up since they
/// joined (promoted by `instructor`).
pub(super) fn students(
    dice: &mut Dice,
    timetable: &Timetable,
    instructor: StaffId,
    today: Date,
    actor: &ActorId,
    size: DemoSize,
) -> Result<Vec<DemoStudent>, ApiError> {
    let mut students = Vec::with_capacity(size.students);
    for n in 0..size.students {
        let name = format!("{} {}", dice.pick(&FIRST), dice.pick(&LAST));
        let kid = n % 6 == 0;
        let age = if kid {
            7 + dice.below(6)
        } else {
            17 + dice.below(30)
        };
        let born_on = today - Duration::days(365 * i64::try_from(age).unwrap_or(20));
        let joined_on = today - Duration::days(30) - dice.days(1000);
        let rank_index = if kid {
            0
        } else {
            usize::try_from(dice.below(4)).unwrap_or(0)
        };
        let start = Grade::new(
            timetable.belts.ranks()[rank_index].id,
            u8::try_from(dice.below(3)).unwrap_or(0),
        );
        let mut record = Student::new(
            StudentId::new(),
            known(PersonName::parse(&name))?,
            joined_on,
            start.clone(),
        );
        record.born_on = Some(born_on);
        record.email = Email::parse(&format!("student{n}@golden-tiger.example")).ok();
        record.phone = Phone::parse(&format!("+351 91{:07}", dice.below(10_000_000))).ok();
        record.status = match dice.below(20) {
            0 => StudentStatus::Inactive,
            1 => StudentStatus::Paused,
            _ => StudentStatus::Active,
        };
        record.paid_until = Some(today - Duration::days(10) + dice.days(60));
        let mut doc = student::create(&record, actor.clone())?;
        if dice.chance(30) && start.stripes < 4 {
            let promotion = Promotion {
                id: PromotionId::new(),
                from: start.clone(),
                to: Grade::new(start.rank, start.stripes + 1),
                on: today - dice.days(size.history_days.unsigned_abs()),
                by: instructor,
                notes: known(Prose::parse("Consistent attendance and good technique."))?,
                recorded_at: OffsetDateTime::now_utc(),
            };
            student::add_promotion(&mut doc, &promotion)?;
        }
        students.push(DemoStudent { record, kid, doc });
    }
    Ok(students)
}

/// A roll for every session of the `days` of history: about a
/// third of the active students the class is for, checked in at the desk.
pub(super) fn attendance(
    dice: &mut Dice,
    tenant: TenantId,
    timetable: &Timetable,
    students: &[DemoStudent],
    desk: StaffId,
    days: &[Date],
    actor: &ActorId,
) -> Result<Vec<(DocId, AutoCommit)>, ApiError> {
    let device = DeviceId::new();
    let kids_class = ClassRef::Class(timetable.classes.kids.id);
    let mut rolls = Vec::new();
    for &day in days {
        for session in timetable.schedule.sessions_on(day) {
            let key = session.key;
            let mut doc = roll::create(tenant, &key, actor.clone())?;
            let starts = match session.timing {
                Timing::Scheduled { starts, .. } => starts.assume_utc(),
                Timing::OpenMat => day.midnight().assume_utc(),
            };
            for DemoStudent { record, kid, .. } in students {
                let fits = *kid == (key.class == kids_class)
                    && record.status == StudentStatus::Active
                    && record.joined_on < day;
                if fits && dice.chance(30) {
                    let check_in = CheckIn {
                        student: record.id,
                        at: starts - dice.minutes(20),
                        by: desk,
                        device,
                        method: if dice.chance(70) {
                            Method::Card
                        } else {
                            Method::Phone
                        },
                        pass: None,
                    };
                    roll::check_in(&mut doc, &check_in)?;
                }
            }
            rolls.push((roll::doc_id(tenant, &key), doc));
        }
    }
    Ok(rolls)
}
