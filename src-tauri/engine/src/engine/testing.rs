//! An enrolled device in-process, for the engine's own tests: a real SQLite
//! file in a temp dir, the academy's Automerge documents made by core's
//! functions as the server makes them and delivered as a pull, the
//! credential in memory and a clock the test sets. No server, no keyring.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use automerge::{ActorId, AutoCommit};
use tatami_core::belt::{BeltSystem, Grade, Rank, Requirements};
use tatami_core::checkin::CheckInSettings;
use tatami_core::doc::tenant::{self, PublicKey};
use tatami_core::doc::{staff, student};
use tatami_core::ids::{ClassId, DeviceId, DocId, RankId, SlotId, StaffId, StudentId, TenantId};
use tatami_core::pass::{KeyId, Pass, PassKind, PassSigner, PhonePass, StudentTag};
use tatami_core::people::{Role, Staff, Student};
use tatami_core::schedule::{Class, ClassRef, Schedule, SessionKey, WeeklySlot};
use tatami_core::sync::{Bytes, LogEpoch, LoggedChange, PROTOCOL_VERSION, SyncResponse};
use tatami_core::text::{Color, Email, Label, PersonName, Slug, TimeZoneName};
use time::macros::{date, datetime, time};
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use super::{Engine, EngineOptions, Enrolment};
use crate::credentials::MemoryCredentials;
use crate::error::EngineError;
use crate::store::AttendanceRow;
use crate::store::audit::AuditEntry;

/// The Monday every test happens on. The academy is in Lisbon, on UTC in
/// November, so wall-clock times read the same in both.
pub(crate) const MONDAY: Date = date!(2026 - 11 - 23);
/// The class starts at 18:00; the clock starts five minutes before.
pub(crate) const BEFORE_CLASS: OffsetDateTime = datetime!(2026-11-23 17:55 UTC);

/// What a device holds that actions write: Monday's attendance, the audit
/// trail, the changes waiting for the server, the roster's size.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Written {
    pub(crate) attendance: Vec<AttendanceRow>,
    pub(crate) audit: Vec<AuditEntry>,
    pub(crate) waiting: u64,
    pub(crate) students: u64,
}

/// A member of staff and the PIN they unlock devices with.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) staff: Staff,
    pub(crate) pin: &'static str,
}

/// A device of one academy, as a first sync left it: locked, with the
/// academy, its staff and one student pulled.
pub(crate) struct Device {
    pub(crate) engine: Engine,
    /// The academy's signing key, which only the server holds: tests sign
    /// member cards and phone passes with it.
    pub(crate) signer: PassSigner,
    pub(crate) tenant: TenantId,
    /// "Fundamentals", Mondays at 18:00 for an hour.
    pub(crate) class: ClassId,
    /// White belt (four stripes), then blue.
    pub(crate) white: RankId,
    pub(crate) blue: RankId,
    pub(crate) front_desk: Person,
    pub(crate) instructor: Person,
    pub(crate) owner: Person,
    /// An instructor who left: inactive, PIN still set.
    pub(crate) former: Person,
    /// Ana Souza: active, white belt, paid until the end of the year.
    pub(crate) ana: StudentId,
    dir: PathBuf,
    credentials: Arc<MemoryCredentials>,
    /// Unix seconds.
    clock: Arc<AtomicI64>,
    /// The server's copy of every document it sent, and its log position.
    server: HashMap<DocId, AutoCommit>,
    cursor: u64,
}

impl Device {
    /// A device enrolled as `role` (a front-desk kiosk, an instructor's
    /// laptop, the office's admin machine), locked.
    pub(crate) fn enrolled(role: Role) -> Self {
        let dir = std::env::temp_dir().join(format!("tatami-engine-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let credentials = Arc::new(MemoryCredentials::default());
        let clock = Arc::new(AtomicI64::new(BEFORE_CLASS.unix_timestamp()));
        let engine = open(&dir, &credentials, &clock);
        engine
            .set_enrolment(&Enrolment {
                server: "https://tatami.invalid".into(),
                academy: "golden-tiger".into(),
                device: DeviceId::new(),
                role,
                name: format!("{role} device"),
            })
            .unwrap();
        let tenant = TenantId::new();
        let mut device = Self {
            engine,
            signer: PassSigner::new(tenant, KeyId(1), &[7; 32]),
            tenant,
            class: ClassId::new(),
            white: RankId::new(),
            blue: RankId::new(),
            front_desk: person("Carla Mendes", Role::FrontDesk, "1111"),
            instructor: person("Rui Costa", Role::Instructor, "2222"),
            owner: person("Marta Silva", Role::Owner, "3333"),
            former: Person {
                staff: Staff {
                    active: false,
                    ..person("Hugo Alves", Role::Instructor, "4444").staff
                },
                pin: "4444",
            },
            ana: StudentId::new(),
            dir,
            credentials,
            clock,
            server: HashMap::new(),
            cursor: 0,
        };
        device.create(device.academy_id(), device.academy_document());
        let staff = [
            &device.front_desk,
            &device.instructor,
            &device.owner,
            &device.former,
        ]
        .map(|person| person.staff.clone());
        for member in staff {
            let doc = staff::create(&member, ActorId::random()).unwrap();
            device.create(staff::doc_id(member.id), doc);
        }
        device.ana = device.pull_student("Ana Souza", |_| {});
        device
    }

    /// A device enrolled as `role` and unlocked by the member of staff
    /// whose role is `staff`.
    pub(crate) fn unlocked(role: Role, staff: Role) -> Self {
        let device = Self::enrolled(role);
        device.unlock(device.person(staff));
        device
    }

    /// The active member of staff with `role` (the owner stands in for
    /// admins).
    pub(crate) fn person(&self, role: Role) -> &Person {
        match role {
            Role::FrontDesk => &self.front_desk,
            Role::Instructor => &self.instructor,
            Role::Admin | Role::Owner => &self.owner,
        }
    }

    pub(crate) fn unlock(&self, person: &Person) {
        self.engine
            .unlock(person.staff.email.as_str(), person.pin)
            .unwrap();
    }

    /// Opens the store file again, as after the app restarts: nothing the
    /// engine held in memory survives.
    pub(crate) fn reopen(&mut self) {
        self.engine = open(&self.dir, &self.credentials, &self.clock);
    }

    /// Everything an action on the device can write, to compare before
    /// and after.
    pub(crate) fn written(&self) -> Written {
        let sessions = [self.class_session(), SessionKey::open_mat(MONDAY)];
        Written {
            attendance: sessions
                .iter()
                .flat_map(|session| self.engine.roll(session).unwrap())
                .collect(),
            audit: self.engine.audit(1_000).unwrap(),
            waiting: self.engine.status().waiting,
            students: self.engine.student_count().unwrap(),
        }
    }

    /// The newest line of the audit trail.
    pub(crate) fn last_audit(&self) -> AuditEntry {
        self.engine.audit(1).unwrap().remove(0)
    }

    pub(crate) fn set_clock(&self, at: OffsetDateTime) {
        self.clock.store(at.unix_timestamp(), Ordering::Relaxed);
    }

    pub(crate) fn advance(&self, by: Duration) {
        self.clock.fetch_add(by.whole_seconds(), Ordering::Relaxed);
    }

    /// Sets the clock to `time` on [`MONDAY`].
    pub(crate) fn at(&self, time: Time) {
        self.set_clock(MONDAY.with_time(time).assume_utc());
    }

    /// Monday's Fundamentals class.
    pub(crate) fn class_session(&self) -> SessionKey {
        SessionKey {
            class: ClassRef::Class(self.class),
            date: MONDAY,
        }
    }

    /// The member card of `student`, version `version`.
    pub(crate) fn card(&self, student: StudentId, version: u16) -> String {
        self.sign(student, PassKind::Card { version })
    }

    /// A phone pass of `student` issued at `issued`, valid for `minutes`.
    pub(crate) fn phone_pass(&self, student: StudentId, issued: OffsetDateTime, minutes: u8) -> String {
        self.sign(
            student,
            PassKind::Phone(PhonePass {
                nonce: 1,
                issued,
                minutes,
            }),
        )
    }

    fn sign(&self, student: StudentId, kind: PassKind) -> String {
        self.signer
            .sign(&Pass {
                student: StudentTag::of(student),
                kind,
            })
            .unwrap()
    }

    /// A student someone added elsewhere (another device, the office),
    /// arriving by pull: Ana's details with `edit` applied.
    pub(crate) fn pull_student(&mut self, name: &str, edit: impl FnOnce(&mut Student)) -> StudentId {
        let mut record = Student {
            paid_until: Some(date!(2026 - 12 - 31)),
            ..Student::new(
                StudentId::new(),
                PersonName::parse(name).unwrap(),
                date!(2025 - 01 - 10),
                Grade::new(self.white, 0),
            )
        };
        edit(&mut record);
        let doc = student::create(&record, ActorId::random()).unwrap();
        self.create(student::doc_id(record.id), doc);
        record.id
    }

    /// A change made elsewhere to a student (the server reissuing a card,
    /// another device editing), arriving by pull. It is concurrent with
    /// whatever this device changed and has not pushed yet.
    pub(crate) fn pull_student_edit(&mut self, id: StudentId, edit: impl FnOnce(&mut Student)) {
        self.pull_edit(student::doc_id(id), |doc| {
            let mut record = student::project(&*doc).unwrap().student;
            edit(&mut record);
            student::update(doc, &record).unwrap();
        });
    }

    /// New check-in rules saved at the office, arriving by pull.
    pub(crate) fn pull_checkin_settings(&mut self, edit: impl FnOnce(&mut CheckInSettings)) {
        let mut settings = self.engine.academy().unwrap().view.checkin.clone();
        edit(&mut settings);
        self.pull_edit(self.academy_id(), |doc| {
            tenant::set_checkin(doc, &settings).unwrap();
        });
    }

    fn academy_id(&self) -> DocId {
        DocId::from_uuid(self.tenant.into())
    }

    fn academy_document(&self) -> AutoCommit {
        let mut doc = tenant::create(
            self.tenant,
            &Slug::parse("golden-tiger").unwrap(),
            &Label::parse("Golden Tiger").unwrap(),
            &TimeZoneName::parse("Europe/Lisbon").unwrap(),
            ActorId::random(),
        )
        .unwrap();
        let key = PublicKey {
            key_id: self.signer.key_id(),
            public: self.signer.public_key(),
            created_at: datetime!(2025-01-01 0:00 UTC),
            retired: false,
        };
        tenant::put_key(&mut doc, &key).unwrap();
        let belts = BeltSystem::new(vec![rank(self.white, "White", 4), rank(self.blue, "Blue", 4)]).unwrap();
        tenant::set_belt_system(&mut doc, &belts).unwrap();
        let class = Class {
            id: self.class,
            name: Label::parse("Fundamentals").unwrap(),
            color: None,
        };
        tenant::put_class(&mut doc, &class).unwrap();
        let slot = WeeklySlot {
            id: SlotId::new(),
            class: self.class,
            weekday: Weekday::Monday,
            starts: time!(18:00),
            minutes: 60,
        };
        tenant::set_schedule(&mut doc, &Schedule::new(vec![slot]).unwrap()).unwrap();
        tenant::set_checkin(&mut doc, &CheckInSettings::default()).unwrap();
        doc
    }

    /// Keeps a document the server made, and sends it.
    fn create(&mut self, id: DocId, mut doc: AutoCommit) {
        doc.commit();
        let changes = raw_changes(&mut doc, &[]);
        self.server.insert(id, doc);
        self.deliver(id, changes);
    }

    /// Edits the server's copy of `id` with a fresh actor, as the server
    /// does, and sends the change.
    fn pull_edit(&mut self, id: DocId, edit: impl FnOnce(&mut AutoCommit)) {
        let doc = self.server.get_mut(&id).unwrap();
        doc.set_actor(ActorId::random());
        let before = doc.get_heads();
        edit(doc);
        doc.commit();
        let changes = raw_changes(doc, &before);
        self.deliver(id, changes);
    }

    /// Hands `changes` to the engine as the next pull's answer, through its
    /// real merge and projection. Nothing of the device's outbox is
    /// acknowledged: its own edits stay waiting, as offline.
    fn deliver(&mut self, id: DocId, changes: Vec<Bytes>) {
        let changes = changes
            .into_iter()
            .map(|change| {
                self.cursor += 1;
                LoggedChange {
                    seq: self.cursor,
                    doc: id,
                    change,
                }
            })
            .collect();
        let response = SyncResponse {
            protocol: PROTOCOL_VERSION,
            refused: Vec::new(),
            changes,
            cursor: self.cursor,
            more: false,
            epoch: LogEpoch(uuid::Uuid::nil()),
        };
        assert!(
            !self.engine.apply_response(0, &response).unwrap(),
            "one log throughout"
        );
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // Best effort: a temp dir left behind harms nothing.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Asserts `result` is `NotFound(what)`.
pub(crate) fn assert_not_found<T: std::fmt::Debug>(result: &Result<T, EngineError>, what: &str) {
    assert!(
        matches!(result, Err(EngineError::NotFound(found)) if *found == what),
        "{result:?}"
    );
}

fn open(dir: &Path, credentials: &Arc<MemoryCredentials>, clock: &Arc<AtomicI64>) -> Engine {
    let clock = Arc::clone(clock);
    Engine::open(EngineOptions {
        store: dir.join("device.db"),
        credentials: credentials.clone(),
        clock: Arc::new(move || OffsetDateTime::from_unix_timestamp(clock.load(Ordering::Relaxed)).unwrap()),
        transport: crate::transport::TransportOptions::default(),
    })
    .unwrap()
}

/// An active member of staff whose PIN verifier is made as the server
/// makes it.
fn person(name: &str, role: Role, pin: &'static str) -> Person {
    let first = name.split(' ').next().unwrap().to_lowercase();
    let verifier = Argon2::default().hash_password(pin.as_bytes()).unwrap();
    Person {
        staff: Staff {
            id: StaffId::new(),
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(&format!("{first}@golden-tiger.example")).unwrap(),
            role,
            active: true,
            pin_verifier: Some(verifier.to_string()),
        },
        pin,
    }
}

fn rank(id: RankId, name: &str, stripes: u8) -> Rank {
    Rank {
        id,
        name: Label::parse(name).unwrap(),
        color: Color::rgb(0xee, 0xee, 0xee),
        stripes,
        requirements: Requirements::default(),
        stripe_requirements: Requirements::default(),
    }
}

fn raw_changes(doc: &mut AutoCommit, since: &[automerge::ChangeHash]) -> Vec<Bytes> {
    doc.get_changes(since)
        .iter()
        .map(|change| Bytes(change.raw_bytes().to_vec()))
        .collect()
}
