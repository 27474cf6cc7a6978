//! The Golden Tiger demo academy: staff, a belt system with rules, classes
//! on a weekly schedule, and about 200 students with four months of
//! attendance. Each step takes the path a real one takes: the academy and
//! its staff are made as the CLI and the API make them, its set-up is the
//! server's own edit of its document, and students and rolls are stored
//! as the server's documents, through the academy's writer like any
//! device's changes. The data is the same on every run but for dates,
//! which follow today.

mod dice;
mod people;
mod timetable;

use std::fmt;

use automerge::ActorId;
use tatami_core::doc::{DocKind, student, tenant};
use tatami_core::ids::{DocId, StaffId, TenantId};
use tatami_core::people::Role;
use tatami_core::text::{Email, Label, PersonName, Slug, TimeZoneName};
use time::OffsetDateTime;

use self::dice::Dice;
use self::timetable::Timetable;
use crate::academies::create_academy;
use crate::accounts::{Account, create_user, set_pin};
use crate::crypto::{random_bytes, random_token};
use crate::db::audit::Actor;
use crate::error::ApiError;
use crate::server_edits;
use crate::state::AppState;

/// How big a demo academy is.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub students: usize,
    /// Days of attendance before today.
    pub history_days: i64,
}

impl DemoSize {
    /// Golden Tiger's.
    pub const DEMO: Self = Self {
        students: 200,
        history_days: 120,
    };
}

/// The accounts made, to print: each with a password (sign-in, enrolling
/// a device) and a PIN (unlocking a device).
#[derive(Debug)]
pub struct DemoAccounts {
    pub slug: String,
    pub size: DemoSize,
    pub logins: Vec<(Role, String, String, String)>,
}

impl fmt::Display for DemoAccounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "academy: {} ({} students, {} days of attendance)",
            self.slug, self.size.students, self.size.history_days
        )?;
        for (role, email, password, pin) in &self.logins {
            writeln!(f, "{role:<11} {email}  password: {password}  PIN: {pin}")?;
        }
        Ok(())
    }
}

/// Makes the demo academy; the sign-ins to print.
pub async fn seed(state: &AppState) -> Result<DemoAccounts, ApiError> {
    let slug = known(Slug::parse("golden-tiger"))?;
    seed_academy(
        state,
        &slug,
        &known(Label::parse("Golden Tiger"))?,
        DemoSize::DEMO,
    )
    .await
}

/// Makes an academy like the demo's under another name and of `size`
/// (benchmarks make many).
pub async fn seed_academy(
    state: &AppState,
    slug: &Slug,
    name: &Label,
    size: DemoSize,
) -> Result<DemoAccounts, ApiError> {
    let academy = create_academy(state, slug, name, &known(TimeZoneName::parse("Europe/Lisbon"))?).await?;
    let tenant = academy.id;
    let (logins, staff) = add_staff(state, tenant, slug).await?;
    let timetable = Timetable::golden_tiger()?;
    set_up(state, tenant, &timetable).await?;

    let today = OffsetDateTime::now_utc().date();
    let mut dice = Dice::new();
    let actor = ActorId::random();
    let students = people::students(&mut dice, &timetable, staff.instructor, today, &actor, size)?;
    let history: Vec<_> = (1..=size.history_days)
        .rev()
        .map(|days_ago| today - time::Duration::days(days_ago))
        .collect();
    let rolls = people::attendance(
        &mut dice, tenant, &timetable, &students, staff.desk, &history, &actor,
    )?;
    let documents = students
        .into_iter()
        .map(|s| (student::doc_id(s.record.id), s.doc))
        .collect();
    server_edits::create_all(state, tenant, documents).await?;
    server_edits::create_all(state, tenant, rolls).await?;
    Ok(DemoAccounts {
        slug: academy.slug,
        size,
        logins,
    })
}

/// Who promotes and who checks in, in the demo's history.
struct DemoStaff {
    instructor: StaffId,
    desk: StaffId,
}

/// An owner, an instructor and a front-desk member, each with a password
/// and a PIN.
async fn add_staff(
    state: &AppState,
    tenant: TenantId,
    slug: &Slug,
) -> Result<(Vec<(Role, String, String, String)>, DemoStaff), ApiError> {
    let mut logins = Vec::new();
    let mut ids = Vec::new();
    for (role, name, mailbox) in [
        (Role::Owner, "Helena Duarte", "owner"),
        (Role::Instructor, "Marco Ito", "marco"),
        (Role::FrontDesk, "Julia Santos", "desk"),
    ] {
        let password = random_token();
        let email = known(Email::parse(&format!("{mailbox}@{slug}.example")))?;
        let name = known(PersonName::parse(name))?;
        let account = Account::Staff(role);
        let id = create_user(
            state,
            tenant,
            &email,
            &name,
            password.clone(),
            account,
            Actor::Server,
        )
        .await?;
        let pin = format!("{:06}", u32::from_le_bytes(random_bytes::<4>()) % 1_000_000);
        set_pin(state, tenant, id, pin.clone()).await?;
        ids.push(StaffId::from_uuid(id));
        logins.push((role, email.to_string(), password, pin));
    }
    let staff = DemoStaff {
        instructor: ids[1],
        desk: ids[2],
    };
    Ok((logins, staff))
}

/// The belt system, classes and schedule, as the server's edit of the
/// academy's document.
async fn set_up(state: &AppState, tenant: TenantId, timetable: &Timetable) -> Result<(), ApiError> {
    let belts = timetable.belts.clone();
    let classes: Vec<_> = timetable.classes.all().into_iter().cloned().collect();
    let schedule = timetable.schedule.clone();
    server_edits::edit(
        state,
        tenant,
        DocId::from_uuid(tenant.into()),
        DocKind::Tenant,
        move |doc| {
            tenant::set_belt_system(doc, &belts)?;
            for class in &classes {
                tenant::put_class(doc, class)?;
            }
            tenant::set_schedule(doc, &schedule)?;
            Ok(())
        },
    )
    .await?;
    Ok(())
}

/// The demo's own words and numbers: one that does not parse is a bug.
fn known<T, E: std::error::Error + Send + Sync + 'static>(parsed: Result<T, E>) -> Result<T, ApiError> {
    parsed.map_err(ApiError::internal)
}
