//! `tatami-engine-bench`: the client engine's figures against the real
//! server and PostgreSQL. The server runs in this process
//! (`TestServer`, with its own private PostgreSQL); engines reach it over
//! real HTTP on localhost through a proxy that counts the bytes each way,
//! HTTP headers included. Every engine has its own SQLite file.
//!
//! 1. the door: `check_in_scanned` of server-signed member cards with the
//!    academy's students in the store;
//! 2. catch-up after a week offline: one `sync_now` bringing what other
//!    devices pushed meanwhile and pushing what was made here;
//! 3. an idle reconnect: `sync_now` with nothing new, small and large store;
//! 4. a fresh device's enrolment and first sync, for an academy with a
//!    year of attendance;
//! 5. memory of an engine over the large store, in a process of its own.
//!
//! The data is made beforehand and not timed: a generator device writes
//! documents with core's functions and pushes them over HTTP as any device
//! does. The device credential goes to the Secret Service, so run this
//! under a session bus with an unlocked gnome-keyring (see BENCHMARKS.md).

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::large_futures,
    reason = "figures of counts far below 2^52; one-shot futures of a benchmark"
)]

mod proxy;
mod report;

use proxy::{Proxy, Wire};
use report::{CatchUp, Summary, Year, print_door, print_idle, print_memory};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use automerge::{ActorId, AutoCommit};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};
use tatami_client::clock::Clock;
use tatami_client::store::RosterFilter;
use tatami_client::sync::EnrolRequest;
use tatami_client::{Engine, EngineOptions};
use tatami_core::belt::{BeltSystem, Grade, Rank, Requirements};
use tatami_core::doc::roll::{self, CheckIn, Method};
use tatami_core::doc::student;
use tatami_core::ids::{ClassId, DeviceId, DocId, RankId, SlotId, StaffId, StudentId, TenantId};
use tatami_core::people::{Role, Student};
use tatami_core::schedule::{Class, ClassRef, SessionKey, WeeklySlot};
use tatami_core::sync::{Bytes, DocChanges, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use tatami_core::text::{Color, Label, PersonName, Phone, Slug, TimeZoneName};
use tatami_sync_server::testing::{PASSWORD, TestServer};
use tatami_sync_server::{academies, accounts};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// The owners' PIN.
const PIN: &str = "2468";
/// Documents per generator push, well under the server's body limit.
const STUDENTS_PER_PUSH: usize = 500;
const ROLLS_PER_PUSH: usize = 100;
/// Days ago of the week offline's first day, of the door's open mat and of
/// the memory run's; the door's classes are before those.
const WEEK_DAYS: usize = 7;
const OPEN_MAT_DAY: usize = 8;
const MEMORY_DAY: usize = 9;
/// When the two daily classes start (the academy's clock is UTC).
const CLASS_STARTS: [Time; 2] = [time::macros::time!(18:00), time::macros::time!(19:30)];

#[derive(Debug, Parser)]
#[command(about = "Measure the client engine against the real server and PostgreSQL")]
struct Args {
    /// Students of the academy the door, catch-up and memory figures use.
    #[arg(long, default_value_t = 10_000)]
    students: usize,
    /// Scans of different students per door run.
    #[arg(long, default_value_t = 2_000)]
    scans: usize,
    /// Check-ins per class at the door.
    #[arg(long, default_value_t = 40)]
    class_size: usize,
    /// Check-ins other devices push during the week offline.
    #[arg(long, default_value_t = 3_500)]
    week_check_ins: usize,
    /// Student edits other devices push during the week offline.
    #[arg(long, default_value_t = 200)]
    week_edits: usize,
    /// Check-ins made on the offline device.
    #[arg(long, default_value_t = 200)]
    offline_check_ins: usize,
    /// Idle syncs timed per store.
    #[arg(long, default_value_t = 20)]
    idle_syncs: usize,
    /// Students of the academy a fresh device bootstraps.
    #[arg(long, default_value_t = 2_000)]
    year_students: usize,
    /// Days of attendance of that academy, two classes a day.
    #[arg(long, default_value_t = 365)]
    year_days: usize,
    /// Check-ins made while measuring memory.
    #[arg(long, default_value_t = 300)]
    memory_check_ins: usize,
    #[command(subcommand)]
    child: Option<Child>,
}

#[derive(Debug, Subcommand)]
enum Child {
    /// Opens a store in this process and reports its memory (used by the
    /// benchmark itself).
    #[command(hide = true)]
    Memory {
        store: PathBuf,
        cards: PathBuf,
        email: String,
        check_ins: usize,
        /// The day of the check-ins, in days ago.
        day: usize,
    },
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn fail(message: impl Into<String>) -> Failure {
    message.into().into()
}

fn main() -> Result<(), Failure> {
    let args = Args::parse();
    match &args.child {
        Some(Child::Memory {
            store,
            cards,
            email,
            check_ins,
            day,
        }) => memory_child(store, cards, email, *check_ins, Slot::open_mat(days_ago(*day))),
        None => tokio::runtime::Runtime::new()?.block_on(bench(&args)),
    }
}

async fn bench(args: &Args) -> Result<(), Failure> {
    let dir = std::env::temp_dir().join(format!("tatami-engine-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let server = TestServer::start().await;
    let proxy = Proxy::start(&server.base).await?;
    let mut large = LargeAcademy::make(args, &server, &proxy, &dir).await?;
    let door = large.door_runs(args).await?;
    let catch_up = large.catch_up(args, &proxy).await?;
    let idle_large = idle(&large.door, &proxy, args.idle_syncs).await?;
    let idle_small = small_store(args, &server, &proxy, &dir).await?;
    let memory = large.memory(args, &dir).await?;
    let year = year_bootstrap(args, &server, &proxy, &dir).await?;
    println!("# Client engine figures\n");
    print_door(&door, large.students.len());
    catch_up.print();
    print_idle(&idle_small, &idle_large, large.students.len());
    year.print(&large.bootstrap, large.students.len());
    print_memory(&memory, large.students.len());
    drop(large);
    server.stop().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// A device clock that can be set, so door scans fall in a class's
/// check-in window on the day wanted. The engine corrects a clock a minute
/// or more off at every sync, so it is set only between syncs.
#[derive(Clone, Default)]
struct SimClock(Arc<AtomicI64>);

impl SimClock {
    fn clock(&self) -> Clock {
        let offset = Arc::clone(&self.0);
        Arc::new(move || {
            OffsetDateTime::now_utc() + time::Duration::nanoseconds(offset.load(Ordering::SeqCst))
        })
    }

    fn set(&self, at: OffsetDateTime) {
        let offset = (at - OffsetDateTime::now_utc()).whole_nanoseconds();
        self.0
            .store(i64::try_from(offset).unwrap_or(i64::MAX), Ordering::SeqCst);
    }

    fn reset(&self) {
        self.0.store(0, Ordering::SeqCst);
    }
}

/// An academy on the server (clock UTC) with an owner who has a PIN.
#[derive(Clone)]
struct Site {
    slug: String,
    tenant: TenantId,
    owner: String,
    owner_id: StaffId,
    /// The server, for the generator and sign-ins.
    server: String,
    /// The proxy, for engines.
    proxy: String,
    http: reqwest::Client,
}

impl Site {
    async fn create(server: &TestServer, proxy: &Proxy, slug: &str) -> Result<Self, Failure> {
        let tenant = academies::create_academy(
            &server.state,
            &Slug::parse(slug)?,
            &Label::parse(slug)?,
            &TimeZoneName::parse("UTC")?,
        )
        .await?;
        let (id, owner) = server.staff_account(&tenant, Role::Owner).await;
        accounts::set_pin(&server.state, tenant.id, id, PIN.into()).await?;
        Ok(Self {
            slug: tenant.slug,
            tenant: tenant.id,
            owner,
            owner_id: StaffId::from_uuid(id),
            server: server.base.clone(),
            proxy: proxy.base.clone(),
            http: reqwest::Client::new(),
        })
    }

    /// Sends `request` for this academy; the JSON answer of a success.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, Failure> {
        let response = request.header("x-tatami-tenant", &self.slug).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            return Err(fail(format!("the server answered {status}: {body}")));
        }
        Ok(body)
    }

    async fn sign_in(&self) -> Result<String, Failure> {
        let signed_in = self
            .call(
                self.http
                    .post(format!("{}/v1/auth/sign-in", self.server))
                    .json(&json!({ "email": self.owner, "password": PASSWORD })),
            )
            .await?;
        Ok(signed_in["access_token"]
            .as_str()
            .ok_or_else(|| fail("no access token"))?
            .to_owned())
    }

    /// A device enrolled over HTTP, writing documents as an admin's would.
    async fn generator(self: &Arc<Self>) -> Result<Generator, Failure> {
        let token = self.sign_in().await?;
        let enrolled = self
            .call(
                self.http
                    .post(format!("{}/v1/devices", self.server))
                    .bearer_auth(token)
                    .json(&json!({ "name": "Generator", "role": Role::Admin })),
            )
            .await?;
        let field = |name: &str| {
            enrolled[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| fail(format!("no {name} in {enrolled}")))
        };
        Ok(Generator {
            site: Arc::clone(self),
            device: field("device_id")?.parse()?,
            credential: field("credential")?,
            actor: ActorId::random(),
        })
    }

    /// Member cards of `students`, signed by the server, as staff print
    /// them: `GET /v1/students/{id}/card`.
    async fn cards(&self, students: &[StudentId]) -> Result<Vec<String>, Failure> {
        let token = self.sign_in().await?;
        let mut cards = Vec::with_capacity(students.len());
        for id in students {
            let url = format!("{}/v1/students/{id}/card", self.server);
            let card = self.call(self.http.get(url).bearer_auth(&token)).await?;
            cards.push(card["card"].as_str().ok_or_else(|| fail("no card"))?.to_owned());
        }
        Ok(cards)
    }

    /// Enrols `engine` through the proxy, by the owner.
    async fn enrol(&self, engine: &Engine, name: &str, role: Role) -> Result<(), Failure> {
        engine
            .enrol(EnrolRequest {
                server: self.proxy.clone(),
                academy: self.slug.clone(),
                email: self.owner.clone(),
                password: PASSWORD.into(),
                device_name: name.into(),
                role,
            })
            .await?;
        Ok(())
    }

    /// A new device enrolled with `role` and unlocked by the owner.
    async fn device(&self, dir: &Path, name: &str, role: Role, clock: Clock) -> Result<Engine, Failure> {
        let engine = open(dir, name, clock)?;
        self.enrol(&engine, name, role).await?;
        engine.unlock(&self.owner, PIN)?;
        Ok(engine)
    }

    /// Belts, two classes a day and the schedule, set on an admin device;
    /// returns the first grade and the classes.
    async fn settings(&self, dir: &Path) -> Result<(Grade, [ClassId; 2]), Failure> {
        let admin = self
            .device(
                dir,
                &format!("{}-admin", self.slug),
                Role::Admin,
                tatami_client::clock::system(),
            )
            .await?;
        admin.set_belt_system(belts()?)?;
        let classes = [ClassId::new(), ClassId::new()];
        let mut slots = Vec::new();
        for (class, (name, starts)) in classes.iter().zip([("Fundamentals", 0), ("Advanced", 1)]) {
            admin.put_class(&Class {
                id: *class,
                name: Label::parse(name)?,
                color: None,
            })?;
            let mut weekday = Weekday::Monday;
            for _ in 0..7 {
                slots.push(WeeklySlot {
                    id: SlotId::new(),
                    class: *class,
                    weekday,
                    starts: CLASS_STARTS[starts],
                    minutes: 60,
                });
                weekday = weekday.next();
            }
        }
        admin.set_schedule(slots)?;
        admin.sync_now().await?;
        let grade = admin
            .academy()
            .and_then(|a| a.belts.as_ref().map(BeltSystem::first_grade))
            .ok_or_else(|| fail("the academy has no belts"))?;
        Ok((grade, classes))
    }
}

/// An engine over a SQLite file of its own, `dir/<name>.db`.
fn open(dir: &Path, name: &str, clock: Clock) -> Result<Engine, Failure> {
    let mut options = EngineOptions::new(dir.join(format!("{name}.db")));
    options.clock = clock;
    Ok(Engine::open(options)?)
}

fn belts() -> Result<Vec<Rank>, Failure> {
    let rank = |name: &str, color: Color| -> Result<Rank, Failure> {
        Ok(Rank {
            id: RankId::new(),
            name: Label::parse(name)?,
            color,
            stripes: 4,
            requirements: Requirements::default(),
            stripe_requirements: Requirements::default(),
        })
    };
    Ok(vec![
        rank("White", Color::rgb(0xff, 0xff, 0xff))?,
        rank("Blue", Color::rgb(0x1d, 0x4e, 0xd8))?,
    ])
}

/// Another device of the academy: documents made with core's functions,
/// pushed over `POST /v1/sync` as any device pushes.
struct Generator {
    site: Arc<Site>,
    device: DeviceId,
    credential: String,
    actor: ActorId,
}

impl Generator {
    /// Pushes `docs`, `per_push` documents at a time.
    async fn push(&self, docs: Vec<DocChanges>, per_push: usize) -> Result<(), Failure> {
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let request = SyncRequest {
                protocol: PROTOCOL_VERSION,
                cursor: 0,
                push: docs.by_ref().take(per_push).collect(),
                limit: Some(1),
            };
            let url = format!("{}/v1/sync", self.site.server);
            let request = self
                .site
                .http
                .post(url)
                .bearer_auth(&self.credential)
                .json(&request);
            let response: SyncResponse = serde_json::from_value(self.site.call(request).await?)?;
            if let Some(refused) = response.refused.first() {
                return Err(fail(format!(
                    "the server refused a generated document: {refused:?}"
                )));
            }
        }
        Ok(())
    }

    /// `count` students with names from a fixed list; returns their ids
    /// and the documents of the first `keep`, for later edits.
    async fn students(
        &self,
        count: usize,
        grade: &Grade,
        keep: usize,
    ) -> Result<(Vec<StudentId>, Vec<AutoCommit>), Failure> {
        let joined = OffsetDateTime::now_utc().date() - time::Duration::days(730);
        let (mut ids, mut kept, mut docs) = (Vec::new(), Vec::new(), Vec::new());
        for n in 0..count {
            let id = StudentId::new();
            let student = Student::new(id, name(n)?, joined, grade.clone());
            let mut doc = student::create(&student, self.actor.clone())?;
            doc.commit();
            docs.push(all_changes(student::doc_id(id), &mut doc));
            ids.push(id);
            if n < keep {
                kept.push(doc);
            }
        }
        self.push(docs, STUDENTS_PER_PUSH).await?;
        Ok((ids, kept))
    }

    /// A session's roll as tablets make it: one change per check-in, ten
    /// seconds apart from the class's start.
    fn roll(&self, slot: &Slot, students: impl Iterator<Item = StudentId>) -> Result<DocChanges, Failure> {
        let tenant = self.site.tenant;
        let mut doc = roll::create(tenant, &slot.key, self.actor.clone())?;
        for (n, student) in (0i64..).zip(students) {
            let entry = CheckIn {
                student,
                at: slot.starts + time::Duration::seconds(10 * n),
                by: self.site.owner_id,
                device: self.device,
                method: Method::Card,
                pass: None,
            };
            roll::check_in(&mut doc, &entry)?;
            doc.commit();
        }
        Ok(all_changes(roll::doc_id(tenant, &slot.key), &mut doc))
    }
}

/// Every change of `saved` since `heads`, as pushed.
fn changes_since(saved: &mut AutoCommit, heads: &[automerge::ChangeHash]) -> Vec<Bytes> {
    let changes = saved.get_changes(heads);
    changes.iter().map(|c| Bytes(c.raw_bytes().to_vec())).collect()
}

fn all_changes(doc: DocId, saved: &mut AutoCommit) -> DocChanges {
    let changes = changes_since(saved, &[]);
    DocChanges { doc, changes }
}

/// An edit made elsewhere: a new phone number.
fn phone_edit(doc: &mut AutoCommit, n: usize) -> Result<Vec<Bytes>, Failure> {
    let before = doc.get_heads();
    let mut record = student::project(&*doc)?.student;
    record.phone = Some(Phone::parse(&format!("+351 91{n:07}"))?);
    student::update(doc, &record)?;
    doc.commit();
    Ok(changes_since(doc, &before))
}

/// Names of the generated students: every first name with every last.
const FIRST: &str = "Ana Bruno Carla Diego Elena Filipe Gabriela Hugo Ines Joao Karina Luis Marta Nuno \
    Olivia Pedro Quentin Rita Sofia Tiago Ursula Vasco Wanda Xavier Yara Zeca Beatriz Carlos Daniela";
const LAST: &str = "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa Fernandes \
    Goncalves Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira Correia Mendes";

fn name(n: usize) -> Result<PersonName, Failure> {
    let first: Vec<&str> = FIRST.split_whitespace().collect();
    let last: Vec<&str> = LAST.split_whitespace().collect();
    let (i, j) = (n % first.len(), (n / first.len()) % last.len());
    Ok(PersonName::parse(&format!("{} {}", first[i], last[j]))?)
}

/// A session and when it starts.
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: SessionKey,
    starts: OffsetDateTime,
}

impl Slot {
    /// The day's open mat: no class is on at noon.
    fn open_mat(date: Date) -> Self {
        Self {
            key: SessionKey::open_mat(date),
            starts: PrimitiveDateTime::new(date, time::macros::time!(12:00)).assume_utc(),
        }
    }
}

/// The two daily classes from `first` on, in order.
fn classes_from(classes: [ClassId; 2], first: Date) -> impl Iterator<Item = Slot> {
    (0..).flat_map(move |day| {
        let date = first + time::Duration::days(day);
        [0, 1].map(|n| Slot {
            key: SessionKey {
                class: ClassRef::Class(classes[n]),
                date,
            },
            starts: PrimitiveDateTime::new(date, CLASS_STARTS[n]).assume_utc(),
        })
    })
}

fn days_ago(days: usize) -> Date {
    OffsetDateTime::now_utc().date() - time::Duration::days(i64::try_from(days).unwrap_or(i64::MAX))
}

/// The academy of the door, catch-up, idle-sync and memory figures, with
/// its door device enrolled and bootstrapped.
struct LargeAcademy {
    site: Arc<Site>,
    generator: Generator,
    classes: [ClassId; 2],
    students: Vec<StudentId>,
    /// The documents of the students edited elsewhere during the week.
    edited: Vec<AutoCommit>,
    /// Member cards of the first students, one per scan.
    cards: Vec<String>,
    door: Engine,
    clock: SimClock,
    store: PathBuf,
    /// The door's enrolment: its first sync loaded every student.
    bootstrap: Wire,
}

impl LargeAcademy {
    async fn make(args: &Args, server: &TestServer, proxy: &Proxy, dir: &Path) -> Result<Self, Failure> {
        eprintln!("making an academy of {} students…", args.students);
        let site = Arc::new(Site::create(server, proxy, "bench-large").await?);
        let (grade, classes) = site.settings(dir).await?;
        let generator = site.generator().await?;
        let (students, edited) = generator.students(args.students, &grade, args.week_edits).await?;
        let scanned = &students[..args.scans.min(students.len())];
        eprintln!("signing {} member cards…", scanned.len());
        let cards = site.cards(scanned).await?;
        eprintln!("enrolling the door device…");
        let clock = SimClock::default();
        let door = open(dir, "door", clock.clock())?;
        let (enrolled, bootstrap) = proxy.count(site.enrol(&door, "door", Role::FrontDesk)).await;
        enrolled?;
        door.unlock(&site.owner, PIN)?;
        Ok(Self {
            generator,
            classes,
            students,
            edited,
            cards,
            door,
            clock,
            store: dir.join("door.db"),
            bootstrap,
            site,
        })
    }

    /// Every card scanned three times, each run on a day of its own
    /// before the week offline: to classes of `class_size` and to one
    /// open mat, background sync off, by a clock set to the session; then
    /// to the session open now by the real clock with background sync on
    /// (sync corrects a clock set wrong, so it cannot be set meanwhile).
    async fn door_runs(&self, args: &Args) -> Result<Vec<(String, Summary)>, Failure> {
        let days = self.cards.len().div_ceil(2 * args.class_size);
        let cards = &self.cards;
        eprintln!("scanning {} cards three times…", cards.len());
        let first = days_ago(MEMORY_DAY + days);
        let slots = classes_from(self.classes, first).take(2 * days).collect();
        let classes = self.scan(cards, Some(slots), args.class_size).await?;
        self.door.sync_now().await?;
        let open_mat = vec![Slot::open_mat(days_ago(OPEN_MAT_DAY))];
        let one_roll = self.scan(cards, Some(open_mat), cards.len()).await?;
        self.door.sync_now().await?;
        let task = self.door.start_sync();
        let with_sync = self.scan(cards, None, cards.len()).await?;
        drop(task);
        self.door.sync_now().await?;
        let n = cards.len();
        Ok(vec![
            (format!("classes of {}, sync off", args.class_size), classes),
            (format!("one open mat of {n}, sync off"), one_roll),
            (format!("one session of {n}, background sync on"), with_sync),
        ])
    }

    /// Scans `cards` at the door, `per_session` to each of `slots` in turn
    /// (by the real clock, to the session open now, without slots).
    async fn scan(
        &self,
        cards: &[String],
        slots: Option<Vec<Slot>>,
        per_session: usize,
    ) -> Result<Summary, Failure> {
        let (door, clock, cards) = (self.door.clone(), self.clock.clone(), cards.to_vec());
        let times = tokio::task::spawn_blocking(move || {
            let times = scan_cards(&door, &clock, &cards, slots, per_session);
            // Back to the real time before anything syncs.
            clock.reset();
            times
        })
        .await??;
        Ok(Summary(times))
    }

    /// A week offline: other devices push check-ins to the week's classes
    /// and student edits; the door checks students in; then one sync.
    async fn catch_up(&mut self, args: &Args, proxy: &Proxy) -> Result<CatchUp, Failure> {
        eprintln!("a week offline…");
        let week: Vec<Slot> = classes_from(self.classes, days_ago(WEEK_DAYS)).take(14).collect();
        let per_class = args.week_check_ins.div_ceil(week.len());
        let n = self.students.len();
        let (mut docs, mut elsewhere) = (Vec::new(), 0);
        for (k, slot) in week.iter().enumerate() {
            // Students the door does not scan, distinct within a class.
            let count = per_class.min(args.week_check_ins - elsewhere).min(n);
            let first = args.scans + k * per_class;
            docs.push(
                self.generator
                    .roll(slot, (0..count).map(|i| self.students[(first + i) % n]))?,
            );
            elsewhere += count;
        }
        for (k, doc) in self.edited.iter_mut().enumerate() {
            docs.push(DocChanges {
                doc: student::doc_id(self.students[k]),
                changes: phone_edit(doc, k)?,
            });
        }
        self.generator.push(docs, ROLLS_PER_PUSH).await?;
        let here: Vec<String> = self.cards.iter().take(args.offline_check_ins).cloned().collect();
        let per_class = here.len().div_ceil(week.len());
        self.scan(&here, Some(week), per_class).await?;
        let (report, wire) = proxy.count(self.door.sync_now()).await;
        Ok(CatchUp {
            report: report?,
            wire,
            elsewhere,
            edits: self.edited.len(),
            here: here.len(),
        })
    }

    /// The door's store opened by a process of its own, which reports its
    /// memory after opening, unlocking, searching and checking in.
    async fn memory(&self, args: &Args, dir: &Path) -> Result<Value, Failure> {
        eprintln!("measuring memory…");
        let cards = dir.join("cards.txt");
        std::fs::write(&cards, self.cards.join("\n"))?;
        let output = tokio::process::Command::new(std::env::current_exe()?)
            .arg("memory")
            .arg(&self.store)
            .arg(&cards)
            .arg(&self.site.owner)
            .arg(args.memory_check_ins.to_string())
            .arg(MEMORY_DAY.to_string())
            .output()
            .await?;
        if !output.status.success() {
            return Err(fail(String::from_utf8_lossy(&output.stderr).into_owned()));
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    }
}

/// Scans every card, `per_session` to each of `slots` in turn with the
/// clock a minute after the session starts; every scan must be admitted.
fn scan_cards(
    door: &Engine,
    clock: &SimClock,
    cards: &[String],
    slots: Option<Vec<Slot>>,
    per_session: usize,
) -> Result<Vec<Duration>, Failure> {
    let mut times = Vec::with_capacity(cards.len());
    let mut slots = slots.map(Vec::into_iter);
    for group in cards.chunks(per_session.max(1)) {
        if let Some(slots) = &mut slots {
            let slot = slots.next().ok_or_else(|| fail("no session left"))?;
            clock.set(slot.starts + time::Duration::minutes(1));
        }
        for card in group {
            let started = Instant::now();
            let outcome = door.check_in_scanned(card)?;
            times.push(started.elapsed());
            if !outcome.recorded {
                return Err(fail(format!(
                    "a scan at {} was not admitted: {:?}",
                    door.now(),
                    outcome.decision
                )));
            }
        }
    }
    Ok(times)
}

/// Syncs `engine` `count` times with nothing new on either side: each
/// must be one round trip that moves nothing.
async fn idle(engine: &Engine, proxy: &Proxy, count: usize) -> Result<Vec<Wire>, Failure> {
    engine.sync_now().await?;
    let mut syncs = Vec::with_capacity(count);
    for _ in 0..count {
        let (report, wire) = proxy.count(engine.sync_now()).await;
        let report = report?;
        if report.pushed + report.pulled > 0 || report.round_trips != 1 {
            return Err(fail(format!(
                "an idle sync did more than one empty round trip: {report:?}"
            )));
        }
        syncs.push(wire);
    }
    Ok(syncs)
}

/// Idle syncs of a device of an academy with a few documents, through
/// the proxy and, to show what its hop costs, straight to the server.
async fn small_store(
    args: &Args,
    server: &TestServer,
    proxy: &Proxy,
    dir: &Path,
) -> Result<(Vec<Wire>, Vec<Wire>), Failure> {
    eprintln!("idle syncs…");
    let site = Arc::new(Site::create(server, proxy, "bench-small").await?);
    let (grade, _) = site.settings(dir).await?;
    site.generator().await?.students(20, &grade, 0).await?;
    let system = tatami_client::clock::system;
    let device = site.device(dir, "small", Role::FrontDesk, system()).await?;
    let direct = Site {
        proxy: site.server.clone(),
        ..Site::clone(&site)
    };
    let direct = direct
        .device(dir, "small-direct", Role::FrontDesk, system())
        .await?;
    Ok((
        idle(&device, proxy, args.idle_syncs).await?,
        idle(&direct, proxy, args.idle_syncs).await?,
    ))
}

/// A fresh device of an academy with a year of attendance: open, enrol
/// (whose first sync bootstraps) and the app's first `sync_now`.
async fn year_bootstrap(
    args: &Args,
    server: &TestServer,
    proxy: &Proxy,
    dir: &Path,
) -> Result<Year, Failure> {
    eprintln!("making a year of attendance for {} students…", args.year_students);
    let site = Arc::new(Site::create(server, proxy, "bench-year").await?);
    let (grade, classes) = site.settings(dir).await?;
    let generator = site.generator().await?;
    let (students, _) = generator.students(args.year_students, &grade, 0).await?;
    let mut rolls = Vec::new();
    let mut check_ins = 0;
    for (k, slot) in classes_from(classes, days_ago(args.year_days))
        .take(2 * args.year_days)
        .enumerate()
    {
        // 20 to 40 students a class.
        let attending = (20 + (k * 13) % 21).min(students.len());
        let first = k * 97;
        rolls.push(generator.roll(
            &slot,
            (0..attending).map(|i| students[(first + i) % students.len()]),
        )?);
        check_ins += attending;
    }
    let sessions = rolls.len();
    generator.push(rolls, ROLLS_PER_PUSH).await?;
    eprintln!("bootstrapping a fresh device…");
    let (fresh, wire) = proxy
        .count(async {
            let started = Instant::now();
            let engine = open(dir, "fresh", tatami_client::clock::system())?;
            site.enrol(&engine, "fresh", Role::FrontDesk).await?;
            let enrolled = started.elapsed();
            let report = engine.sync_now().await?;
            Ok::<_, Failure>((engine, enrolled, report))
        })
        .await;
    let (engine, enrolled, first_sync) = fresh?;
    Ok(Year {
        students: students.len(),
        held: engine.student_count()?,
        attended: engine.profile(students[0])?.attendance.len(),
        sessions,
        check_ins,
        enrolled,
        first_sync,
        wire,
    })
}

/// The engine's memory in a process of its own: opened over `store`,
/// unlocked, after roster searches, after `check_ins` scans at `slot`.
fn memory_child(
    store: &Path,
    cards: &Path,
    email: &str,
    check_ins: usize,
    slot: Slot,
) -> Result<(), Failure> {
    let start = memory_kib()?;
    let mut options = EngineOptions::new(store);
    let at = slot.starts + time::Duration::minutes(1);
    options.clock = tatami_client::clock::shifted(at - OffsetDateTime::now_utc());
    let engine = Engine::open(options)?;
    let opened = memory_kib()?;
    engine.unlock(email, PIN)?;
    let unlocked = memory_kib()?;
    for query in ["a", "ma", "silva", "jo", "costa", "pedro s", "r", "nunes"] {
        let filter = RosterFilter {
            query: Some(query.into()),
            limit: 50,
            ..RosterFilter::default()
        };
        engine.roster(&filter)?;
    }
    let searched = memory_kib()?;
    let mut admitted = 0;
    for card in std::fs::read_to_string(cards)?.lines().take(check_ins) {
        admitted += usize::from(engine.check_in_scanned(card)?.recorded);
    }
    let checked_in = memory_kib()?;
    let points = [start, opened, unlocked, searched, checked_in];
    let report = json!({ "admitted": admitted, "kib": points });
    println!("{report}");
    Ok(())
}

/// This process's resident and peak resident memory, in KiB.
fn memory_kib() -> Result<(u64, u64), Failure> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let field = |name: &str| -> Result<u64, Failure> {
        let line = status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .ok_or_else(|| fail(format!("no {name} in /proc/self/status")))?;
        Ok(line.trim().trim_end_matches("kB").trim().parse()?)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}
