//! The engine: one per device, shared by the app's commands and the
//! background sync. Every method that changes something commits the
//! Automerge change, the rows it projects to and the outbox entry in one
//! SQLite transaction before it returns.

mod cards;
mod door;
mod door_scan;
mod reads;
mod records;
mod reports;
#[cfg(test)]
pub(crate) mod testing;
mod unlock;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use automerge::{ActorId, AutoCommit};
use serde::{Deserialize, Serialize};
use tatami_core::doc::roll::{self, RollView};
use tatami_core::doc::{self, DocKind};
use tatami_core::ids::{DeviceId, DocId, StaffId, StudentId, TenantId};
use tatami_core::people::{Role, Staff};
use tokio::sync::{Notify, broadcast, watch};

pub use cards::MemberCard;
pub use door::{DoorOutcome, DoorStudent};
pub use reads::{Profile, SessionInfo};
pub use records::{NewStudent, StudentPatch};
pub use reports::{AttendanceReport, ClassCount, WeekCount};

use crate::academy::Academy;
use crate::clock::{self, Clock};
use crate::credentials::{CredentialStore, Keyring};
use crate::error::EngineError;
use crate::store::{Meta, Store, docs, rows};
use crate::sync::SyncStatus;
use crate::transport::{Transport, TransportOptions};

/// How to open an engine.
#[derive(Clone)]
pub struct EngineOptions {
    /// The SQLite file; created if missing.
    pub store: PathBuf,
    /// Where the device credential is kept: the OS keyring by default.
    pub credentials: Arc<dyn CredentialStore>,
    pub clock: Clock,
    /// HTTPS roots and the plain-HTTP rule.
    pub transport: TransportOptions,
}

impl EngineOptions {
    pub fn new(store: impl Into<PathBuf>) -> Self {
        Self {
            store: store.into(),
            credentials: Arc::new(Keyring::default()),
            clock: clock::system(),
            transport: TransportOptions::default(),
        }
    }
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Which academy and server this device belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrolment {
    pub server: String,
    pub academy: String,
    pub device: DeviceId,
    pub role: Role,
    pub name: String,
}

/// What the app is told without asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Documents changed here or arrived from the server: screens showing
    /// these kinds refresh.
    Changed {
        kinds: Vec<DocKind>,
    },
    Sync(SyncStatus),
}

/// The engine. Cheap to clone: clones share one device.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    store: Mutex<Store>,
    pub(crate) credentials: Arc<dyn CredentialStore>,
    /// How servers are reached.
    pub(crate) transport: Transport,
    clock: Clock,
    /// Milliseconds to add to `clock` to read the server's time: a device
    /// clock set wrong must not put check-ins on the wrong day.
    clock_correction: AtomicI64,
    academy: RwLock<Option<Arc<Academy>>>,
    enrolment: RwLock<Option<Enrolment>>,
    unlocked: Mutex<Option<Staff>>,
    pub(crate) events: broadcast::Sender<Event>,
    /// Woken when the outbox grows, so the background sync pushes at once.
    pub(crate) outbox_grew: Notify,
    pub(crate) status: watch::Sender<SyncStatus>,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(PoisonError::into_inner).clone()
}

fn write<T>(lock: &RwLock<T>, value: T) {
    *lock.write().unwrap_or_else(PoisonError::into_inner) = value;
}

/// The Automerge actor of what device `device` writes.
pub(crate) fn actor_of(device: DeviceId) -> ActorId {
    ActorId::from(device.as_bytes().as_slice())
}

/// Every device this store was enrolled as.
pub(crate) fn own_devices(conn: &rusqlite::Connection) -> Result<Vec<DeviceId>, crate::store::StoreError> {
    Ok(match Meta::Actors.get(conn)? {
        Some(json) => serde_json::from_str(&json)?,
        None => Vec::new(),
    })
}

impl Engine {
    /// Opens the device's store. A damaged or foreign file is an error the
    /// app shows; it is never overwritten.
    pub fn open(options: EngineOptions) -> Result<Self, EngineError> {
        let store = Store::open(&options.store)?;
        let enrolment = Meta::Enrolment
            .get(store.read())?
            .map(|json| serde_json::from_str::<Enrolment>(&json))
            .transpose()
            .map_err(crate::store::StoreError::from)?;
        let waiting = docs::waiting(store.read())?;
        let correction = Meta::ClockCorrection
            .get(store.read())?
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0);
        let engine = Self {
            inner: Arc::new(Inner {
                store: Mutex::new(store),
                credentials: options.credentials,
                transport: Transport::new(&options.transport)?,
                clock: options.clock,
                clock_correction: AtomicI64::new(correction),
                academy: RwLock::new(None),
                enrolment: RwLock::new(enrolment),
                unlocked: Mutex::new(None),
                events: broadcast::channel(256).0,
                outbox_grew: Notify::new(),
                status: watch::channel(SyncStatus::offline(waiting)).0,
            }),
        };
        engine.reload_academy()?;
        engine.refresh_status(|_| {})?;
        Ok(engine)
    }

    pub fn enrolment(&self) -> Option<Enrolment> {
        read(&self.inner.enrolment)
    }

    pub(crate) fn require_enrolment(&self) -> Result<Enrolment, EngineError> {
        self.enrolment().ok_or(EngineError::NotEnrolled)
    }

    pub(crate) fn set_enrolment(&self, enrolment: &Enrolment) -> Result<(), EngineError> {
        let json = serde_json::to_string(enrolment).map_err(crate::store::StoreError::from)?;
        self.with_store(|store| {
            store.write(|tx| {
                Meta::Enrolment.set(tx, &json)?;
                let mut devices = own_devices(tx)?;
                // A store enrolled before devices were listed knows only its last.
                let earlier = self.enrolment().map(|e| e.device);
                for device in earlier.into_iter().chain([enrolment.device]) {
                    if !devices.contains(&device) {
                        devices.push(device);
                    }
                }
                Meta::Actors.set(tx, &serde_json::to_string(&devices)?)
            })
        })?;
        write(&self.inner.enrolment, Some(enrolment.clone()));
        Ok(())
    }

    /// The academy, once its document has arrived.
    pub fn academy(&self) -> Option<Arc<Academy>> {
        read(&self.inner.academy)
    }

    pub(crate) fn require_academy(&self) -> Result<Arc<Academy>, EngineError> {
        self.academy().ok_or(EngineError::NotEnrolled)
    }

    fn tenant(&self) -> Result<TenantId, EngineError> {
        Ok(self.require_academy()?.view.id)
    }

    /// Re-reads the academy document after it changed.
    pub(crate) fn reload_academy(&self) -> Result<(), EngineError> {
        let academy = self.with_store(|store| {
            let Some(id) = docs::ids(store.read(), Some(DocKind::Tenant))?.into_iter().next() else {
                return Ok(None);
            };
            let doc = docs::load(store.read(), id)?;
            Ok(doc.map(|doc| doc::tenant::project(&doc)).transpose()?)
        })?;
        let academy = academy.map(Academy::new).transpose()?.map(Arc::new);
        write(&self.inner.academy, academy);
        Ok(())
    }

    /// Now, by the device clock corrected to the server's at the last
    /// sync.
    pub fn now(&self) -> time::OffsetDateTime {
        self.device_clock()
            + time::Duration::milliseconds(self.inner.clock_correction.load(Ordering::Relaxed))
    }

    /// Now, by the device clock as it is set.
    pub(crate) fn device_clock(&self) -> time::OffsetDateTime {
        (self.inner.clock)()
    }

    /// The correction in effect, in milliseconds.
    pub(crate) fn clock_correction(&self) -> i64 {
        self.inner.clock_correction.load(Ordering::Relaxed)
    }

    pub(crate) fn set_clock_correction(&self, millis: i64) -> Result<(), EngineError> {
        self.with_store(|store| store.write(|tx| Meta::ClockCorrection.set(tx, &millis.to_string())))?;
        self.inner.clock_correction.store(millis, Ordering::Relaxed);
        Ok(())
    }

    /// The date at the academy now: what a promotion defaults to.
    pub fn today(&self) -> Result<time::Date, EngineError> {
        Ok(self.require_academy()?.local(self.now()).date())
    }

    /// Runs `work` with the store locked.
    pub(crate) fn with_store<T>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, EngineError> {
        Ok(work(&mut lock(&self.inner.store))?)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    pub(crate) fn announce(&self, kinds: Vec<DocKind>) {
        // Nobody listening is fine.
        let _ = self.inner.events.send(Event::Changed { kinds });
    }

    /// The role `staff` acts with on this device: the lesser of theirs and
    /// the device's, so a front-desk tablet stays one whoever unlocks it.
    fn acting_role_of(&self, staff: &Staff) -> Result<Role, EngineError> {
        // Roles order from most to least powerful: the lesser is the larger.
        Ok(staff.role.max(self.require_enrolment()?.role))
    }

    /// The role edits are made with now; `None` while locked.
    pub fn acting_role(&self) -> Option<Role> {
        self.unlocked().and_then(|staff| self.acting_role_of(&staff).ok())
    }

    /// The staff member the device is unlocked for, with the role the
    /// device may act with.
    pub(crate) fn actor(&self, needed: Role) -> Result<(Staff, Role), EngineError> {
        let staff = lock(&self.inner.unlocked).clone().ok_or(EngineError::Locked)?;
        let role = self.acting_role_of(&staff)?;
        if !role.at_least(needed) {
            return Err(EngineError::Forbidden { needed });
        }
        Ok((staff, role))
    }

    fn device_actor(&self) -> Result<(DeviceId, ActorId), EngineError> {
        let device = self.require_enrolment()?.device;
        Ok((device, actor_of(device)))
    }

    /// Changes document `id` (its genesis made by `create` if this device
    /// does not have it yet) with `edit`, then commits the document, its
    /// rows, the outbox entry and an audit line in one transaction. Returns
    /// what `edit` returned; an edit that changes nothing writes nothing,
    /// not even a new document's genesis.
    pub(crate) fn change<T>(
        &self,
        id: DocId,
        kind: DocKind,
        create: impl FnOnce(ActorId) -> Result<AutoCommit, EngineError>,
        edit: impl FnOnce(&mut AutoCommit) -> Result<T, EngineError>,
        audit: Option<(StaffId, &str, &serde_json::Value)>,
    ) -> Result<T, EngineError> {
        self.change_rows(id, kind, Rows::All, create, edit, audit)
    }

    /// [`Engine::change`], rewriting only the `rows` named.
    pub(crate) fn change_rows<T>(
        &self,
        id: DocId,
        kind: DocKind,
        rows: Rows,
        create: impl FnOnce(ActorId) -> Result<AutoCommit, EngineError>,
        edit: impl FnOnce(&mut AutoCommit) -> Result<T, EngineError>,
        audit: Option<(StaffId, &str, &serde_json::Value)>,
    ) -> Result<T, EngineError> {
        let (_, actor) = self.device_actor()?;
        let at = self.now();
        let result = self.with_store_result(|store| {
            let existing = store.document(id)?;
            let fresh = existing.is_none();
            let mut doc = match existing {
                Some(mut doc) => {
                    doc.set_actor(actor);
                    doc
                }
                None => create(actor)?,
            };
            let before = doc.get_heads();
            let value = edit(&mut doc)?;
            doc.commit();
            if doc.get_heads() == before {
                if !fresh {
                    store.keep(id, doc);
                }
                return Ok((value, false));
            }
            let since = if fresh { Vec::new() } else { before };
            let changes: Vec<Vec<u8>> = doc
                .get_changes(&since)
                .iter()
                .map(|c| c.raw_bytes().to_vec())
                .collect();
            let projected = rows.project(&doc)?;
            store.write(|tx| {
                docs::save(tx, id, kind, &mut doc)?;
                docs::enqueue(tx, id, &changes)?;
                projected.write(tx)?;
                if let Some((staff, action, detail)) = &audit {
                    crate::store::audit::record(tx, at, Some(*staff), action, detail)?;
                }
                Ok(())
            })?;
            store.keep(id, doc);
            Ok((value, true))
        })?;
        let (value, changed) = result;
        if changed {
            if kind == DocKind::Tenant {
                self.reload_academy()?;
            }
            self.inner.outbox_grew.notify_one();
            self.refresh_status(|_| {})?;
            self.announce(vec![kind]);
        }
        Ok(value)
    }

    /// Like [`Engine::with_store`] for work that fails with engine errors.
    pub(crate) fn with_store_result<T>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        work(&mut lock(&self.inner.store))
    }
}

/// Which of a document's rows an edit rewrites.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rows {
    All,
    /// A roll's entry for one student: a check-in or a void, which must
    /// not cost more as the roll grows.
    RollEntry(StudentId),
}

/// Rows projected from an edited document, to write with it.
enum Projected {
    All(doc::View),
    RollEntry(RollView, StudentId),
}

impl Rows {
    fn project(&self, doc: &AutoCommit) -> Result<Projected, EngineError> {
        Ok(match *self {
            Rows::All => Projected::All(doc::project(doc)?),
            Rows::RollEntry(student) => {
                let only = BTreeSet::from([student.to_string()]);
                Projected::RollEntry(roll::project_students(doc, &only)?, student)
            }
        })
    }
}

impl Projected {
    fn write(&self, tx: &rusqlite::Connection) -> Result<(), crate::store::StoreError> {
        match self {
            Projected::All(view) => rows::project(tx, view),
            Projected::RollEntry(roll, student) => rows::put_roll_entry(tx, roll, *student),
        }
    }
}
