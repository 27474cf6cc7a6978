//! The Golden Tiger demo academy: staff, a belt system with rules, classes
//! on a weekly schedule, and about 200 students with four months of
//! attendance. Every document goes through the academy's writer like a
//! device's changes would. The data is the same on every run but for dates,
//! which follow today.

use std::fmt;

use automerge::{ActorId, AutoCommit};
use tatami_core::api::ErrorCode;
use tatami_core::belt::{BeltSystem, Grade, Promotion, Rank, Requirements};
use tatami_core::doc::roll::{self, CheckIn, Method};
use tatami_core::doc::{student, tenant};
use tatami_core::ids::{ClassId, DeviceId, DocId, PromotionId, RankId, SlotId, StaffId, StudentId, TenantId};
use tatami_core::people::{Role, Student, StudentStatus};
use tatami_core::policy::Writer;
use tatami_core::schedule::{Class, ClassRef, Schedule, SessionKey, WeeklySlot};
use tatami_core::sync::{Bytes, DocChanges};
use tatami_core::text::{Color, Email, Label, PersonName, Phone, Prose, Slug, TimeZoneName};
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use crate::academies::create_academy;
use crate::accounts::{Account, create_user, set_pin};
use crate::crypto::{random_bytes, random_token};
use crate::db::audit::Actor;
use crate::error::ApiError;
use crate::server_edits;
use crate::state::AppState;
use crate::sync::Push;

const STUDENTS: usize = 200;
const HISTORY_DAYS: i64 = 120;

/// The accounts made, to print: each with a password (sign-in, enrolling
/// a device) and a PIN (unlocking a device).
#[derive(Debug)]
pub struct DemoAccounts {
    pub slug: String,
    pub logins: Vec<(Role, String, String, String)>,
}

impl fmt::Display for DemoAccounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "academy: {} ({STUDENTS} students, {HISTORY_DAYS} days of attendance)",
            self.slug
        )?;
        for (role, email, password, pin) in &self.logins {
            writeln!(f, "{role:<11} {email}  password: {password}  PIN: {pin}")?;
        }
        Ok(())
    }
}

/// A small deterministic generator (xorshift64*), so the demo is the same
/// every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }

    /// Up to `n - 1` days.
    fn days(&mut self, n: u64) -> Duration {
        Duration::days(i64::try_from(self.below(n)).unwrap_or(0))
    }

    fn minutes(&mut self, n: u64) -> Duration {
        Duration::minutes(i64::try_from(self.below(n)).unwrap_or(0))
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

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

fn label(text: &str) -> Result<Label, ApiError> {
    Label::parse(text).map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))
}

fn rank(
    name: &str,
    color: Color,
    stripes: u8,
    attendances: u32,
    months: u32,
    min_age_years: Option<u8>,
) -> Result<Rank, ApiError> {
    Ok(Rank {
        id: RankId::new(),
        name: label(name)?,
        color,
        stripes,
        requirements: Requirements {
            attendances,
            months,
            min_age_years,
        },
        stripe_requirements: Requirements {
            attendances: 20,
            months: 2,
            min_age_years: None,
        },
    })
}

fn belts() -> Result<BeltSystem, ApiError> {
    BeltSystem::new(vec![
        rank("White", Color::rgb(0xf5, 0xf5, 0xf4), 4, 0, 0, None)?,
        rank("Blue", Color::rgb(0x1d, 0x4e, 0xd8), 4, 100, 12, Some(16))?,
        rank("Purple", Color::rgb(0x6d, 0x28, 0xd9), 4, 150, 18, Some(16))?,
        rank("Brown", Color::rgb(0x78, 0x35, 0x0f), 4, 150, 12, Some(18))?,
        rank("Black", Color::rgb(0x11, 0x11, 0x11), 6, 200, 12, Some(19))?,
    ])
    .map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))
}

/// Pushes documents as the server, a few at a time.
async fn store(state: &AppState, tenant: TenantId, docs: Vec<(DocId, AutoCommit)>) -> Result<(), ApiError> {
    for chunk in docs.chunks(40) {
        let groups = chunk
            .iter()
            .map(|(id, doc)| {
                let mut doc = doc.clone();
                doc.commit();
                let changes = doc
                    .get_changes(&[])
                    .iter()
                    .map(|c| Bytes(c.raw_bytes().to_vec()))
                    .collect();
                DocChanges { doc: *id, changes }
            })
            .collect();
        let push = Push {
            writer: Writer::Server,
            device: None,
            docs: groups,
        };
        let refused = state.sync.push(tenant, push).await.map_err(ApiError::internal)?;
        if let Some(r) = refused.first() {
            return Err(ApiError::internal(std::io::Error::other(r.message.clone())));
        }
    }
    Ok(())
}

pub async fn seed(state: &AppState) -> Result<DemoAccounts, ApiError> {
    let slug =
        Slug::parse("golden-tiger").map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
    let timezone = TimeZoneName::parse("Europe/Lisbon")
        .map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
    let academy = create_academy(state, &slug, &label("Golden Tiger")?, &timezone).await?;
    let tenant = academy.id;

    let mut logins = Vec::new();
    let mut staff = Vec::new();
    for (role, name, email) in [
        (Role::Owner, "Helena Duarte", "owner@golden-tiger.example"),
        (Role::Instructor, "Marco Ito", "marco@golden-tiger.example"),
        (Role::FrontDesk, "Julia Santos", "desk@golden-tiger.example"),
    ] {
        let password = random_token();
        let email = Email::parse(email).map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
        let name =
            PersonName::parse(name).map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
        let id = create_user(
            state,
            tenant,
            &email,
            &name,
            password.clone(),
            Account::Staff(role),
            Actor::Server,
        )
        .await?;
        let pin = format!("{:06}", u32::from_le_bytes(random_bytes::<4>()) % 1_000_000);
        set_pin(state, tenant, id, pin.clone()).await?;
        staff.push(StaffId::from_uuid(id));
        logins.push((role, email.to_string(), password, pin));
    }
    let (instructor, desk) = (staff[1], staff[2]);

    let system = belts()?;
    let classes: Vec<Class> = [
        ("Fundamentals", "#16a34a"),
        ("Advanced", "#dc2626"),
        ("Kids", "#f59e0b"),
        ("Competition", "#7c3aed"),
    ]
    .iter()
    .map(|(name, color)| {
        Ok(Class {
            id: ClassId::new(),
            name: label(name)?,
            color: Color::parse(color).ok(),
        })
    })
    .collect::<Result<_, ApiError>>()?;
    let at = |h: u8, m: u8| Time::from_hms(h, m, 0).unwrap_or(Time::MIDNIGHT);
    let mut slots = Vec::new();
    for day in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        slots.push((classes[2].id, day, at(17, 0), 45));
        slots.push((classes[0].id, day, at(18, 30), 60));
        slots.push((classes[1].id, day, at(19, 45), 75));
    }
    slots.push((classes[3].id, Weekday::Saturday, at(10, 0), 90));
    let schedule = Schedule::new(
        slots
            .into_iter()
            .map(|(class, weekday, starts, minutes)| WeeklySlot {
                id: SlotId::new(),
                class,
                weekday,
                starts,
                minutes,
            })
            .collect(),
    )
    .map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
    let tenant_doc = DocId::from_uuid(tenant.into());
    let (system_copy, classes_copy, schedule_copy) = (system.clone(), classes.clone(), schedule.clone());
    server_edits::edit(state, tenant, tenant_doc, move |doc| {
        tenant::set_belt_system(doc, &system_copy)?;
        for class in &classes_copy {
            tenant::put_class(doc, class)?;
        }
        tenant::set_schedule(doc, &schedule_copy)?;
        Ok(())
    })
    .await?;

    let today = OffsetDateTime::now_utc().date();
    let mut dice = Dice(0x5eed_7a7a_0001);
    let actor = ActorId::random();
    let mut students = Vec::new();
    let mut docs = Vec::new();
    for n in 0..STUDENTS {
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
            system.ranks()[rank_index].id,
            u8::try_from(dice.below(3)).unwrap_or(0),
        );
        let mut record = Student::new(
            StudentId::new(),
            PersonName::parse(&name).map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?,
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
                on: today - dice.days(HISTORY_DAYS.unsigned_abs()),
                by: instructor,
                notes: Prose::parse("Consistent attendance and good technique.").unwrap_or_default(),
                recorded_at: OffsetDateTime::now_utc(),
            };
            student::add_promotion(&mut doc, &promotion)?;
        }
        docs.push((student::doc_id(record.id), doc));
        students.push((record, kid));
    }
    store(state, tenant, docs).await?;

    // Four months of sessions: a third of the fitting active students at each.
    let device = DeviceId::new();
    let mut rolls = Vec::new();
    for days_ago in (1..=HISTORY_DAYS).rev() {
        let day: Date = today - Duration::days(days_ago);
        for session in schedule.sessions_on(day) {
            let kids_class = session.key.class == ClassRef::Class(classes[2].id);
            let key = SessionKey {
                class: session.key.class,
                date: day,
            };
            let mut doc = roll::create(tenant, &key, actor.clone())?;
            let starts = match session.timing {
                tatami_core::schedule::Timing::Scheduled { starts, .. } => starts.assume_utc(),
                tatami_core::schedule::Timing::OpenMat => day.midnight().assume_utc(),
            };
            for (record, kid) in &students {
                let fits =
                    *kid == kids_class && record.status == StudentStatus::Active && record.joined_on < day;
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
    store(state, tenant, rolls).await?;
    Ok(DemoAccounts {
        slug: academy.slug,
        logins,
    })
}
