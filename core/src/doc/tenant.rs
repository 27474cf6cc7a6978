//! The academy document: name, theme, belt system, classes, weekly
//! schedule, check-in settings and the public keys that verify passes.
//!
//! Collections are maps keyed by id, so concurrent additions never clash and
//! each entry's fields merge one by one.

use automerge::{ActorId, AutoCommit, ObjId, ReadDoc};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, Weekday};

use super::fields::{Obj, put, put_text, set, set_text};
use super::{DocError, DocKind, entry_map, expect_kind, genesis, retain_keys};
use crate::belt::{BeltSystem, BeltSystemError, Rank, Requirements};
use crate::checkin::{CheckInSettings, Enforcement};
use crate::ids::{DocId, TenantId};
use crate::pass::{BadPublicKey, KeyId, TrustedKeys};
use crate::schedule::{Class, Schedule, ScheduleError, WeeklySlot};
use crate::text::{Color, Label, Logo, Slug, TimeZoneName};

const MAPS: [&str; 6] = ["theme", "ranks", "classes", "slots", "checkin", "keys"];

/// The academy's colours and logo, applied across the app and on member
/// cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Theme {
    pub primary: Color,
    pub accent: Color,
    /// Left out in JSON means none.
    #[serde(default)]
    pub logo: Option<Logo>,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            primary: Color::rgb(0x1f, 0x29, 0x37),
            accent: Color::rgb(0xdc, 0x26, 0x26),
            logo: None,
        }
    }
}

/// A public key that verifies this academy's passes. Retired keys sign no
/// new passes but still verify cards already printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PublicKey {
    pub key_id: KeyId,
    #[cfg_attr(feature = "ts", ts(type = "number[]"))]
    pub public: [u8; 32],
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub created_at: OffsetDateTime,
    pub retired: bool,
}

/// The academy as every device sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TenantView {
    pub id: TenantId,
    pub name: Label,
    pub slug: Slug,
    pub timezone: TimeZoneName,
    pub theme: Theme,
    /// Lowest first.
    pub ranks: Vec<Rank>,
    /// By name.
    pub classes: Vec<Class>,
    /// By day and time.
    pub slots: Vec<WeeklySlot>,
    pub checkin: CheckInSettings,
    /// By key id.
    pub keys: Vec<PublicKey>,
}

impl TenantView {
    /// Concurrent edits can leave a system that no single editor saved (all
    /// ranks removed, say): the error says what to fix.
    pub fn belt_system(&self) -> Result<BeltSystem, BeltSystemError> {
        BeltSystem::new(self.ranks.clone())
    }

    pub fn schedule(&self) -> Result<Schedule, ScheduleError> {
        Schedule::new(self.slots.clone())
    }

    pub fn trusted_keys(&self) -> Result<TrustedKeys, BadPublicKey> {
        TrustedKeys::new(self.id, self.keys.iter().map(|k| (k.key_id, k.public)))
    }
}

/// The academy document's genesis.
pub(super) fn start(id: TenantId, actor: ActorId) -> Result<AutoCommit, DocError> {
    genesis(DocKind::Tenant, DocId::from_uuid(id.into()), &[], &MAPS, actor)
}

/// A new academy's document, with default theme and check-in settings.
pub fn create(
    id: TenantId,
    slug: &Slug,
    name: &Label,
    timezone: &TimeZoneName,
    actor: ActorId,
) -> Result<AutoCommit, DocError> {
    let mut doc = start(id, actor)?;
    set_slug(&mut doc, slug)?;
    set_profile(&mut doc, name, timezone)?;
    set_theme(&mut doc, &Theme::default())?;
    set_checkin(&mut doc, &CheckInSettings::default())?;
    Ok(doc)
}

fn map(doc: &AutoCommit, key: &str) -> Result<ObjId, DocError> {
    Ok(Obj::root(doc).map(key)?.id)
}

pub fn set_slug(doc: &mut AutoCommit, slug: &Slug) -> Result<(), DocError> {
    put_text(doc, &automerge::ROOT, "slug", slug)
}

pub fn set_profile(doc: &mut AutoCommit, name: &Label, timezone: &TimeZoneName) -> Result<(), DocError> {
    put_text(doc, &automerge::ROOT, "name", name)?;
    put_text(doc, &automerge::ROOT, "timezone", timezone)
}

pub fn set_theme(doc: &mut AutoCommit, theme: &Theme) -> Result<(), DocError> {
    let obj = map(doc, "theme")?;
    put_text(doc, &obj, "primary", &theme.primary)?;
    put_text(doc, &obj, "accent", &theme.accent)?;
    set_text(doc, &obj, "logo", theme.logo.as_ref())
}

fn write_requirements(
    doc: &mut AutoCommit,
    obj: &ObjId,
    prefix: &str,
    r: &Requirements,
) -> Result<(), DocError> {
    put(
        doc,
        obj,
        &format!("{prefix}attendances"),
        &u64::from(r.attendances),
    )?;
    put(doc, obj, &format!("{prefix}months"), &u64::from(r.months))?;
    set(
        doc,
        obj,
        &format!("{prefix}min_age"),
        r.min_age_years.map(u64::from).as_ref(),
    )
}

fn read_requirements<D: ReadDoc>(obj: &Obj<'_, D>, prefix: &str) -> Result<Requirements, DocError> {
    Ok(Requirements {
        attendances: obj.num(&format!("{prefix}attendances"))?,
        months: obj.num(&format!("{prefix}months"))?,
        min_age_years: obj.opt_num(&format!("{prefix}min_age"))?,
    })
}

/// Saves the whole belt system as edited: ranks in this order, ranks not
/// listed removed. Unchanged fields are not rewritten.
pub fn set_belt_system(doc: &mut AutoCommit, system: &BeltSystem) -> Result<(), DocError> {
    let ranks = map(doc, "ranks")?;
    for (order, rank) in (0u64..).zip(system.ranks()) {
        let obj = entry_map(doc, &ranks, &rank.id.to_string())?;
        put(doc, &obj, "order", &order)?;
        put_text(doc, &obj, "name", &rank.name)?;
        put_text(doc, &obj, "color", &rank.color)?;
        put(doc, &obj, "stripes", &u64::from(rank.stripes))?;
        write_requirements(doc, &obj, "", &rank.requirements)?;
        write_requirements(doc, &obj, "stripe_", &rank.stripe_requirements)?;
    }
    let keep: Vec<String> = system.ranks().iter().map(|r| r.id.to_string()).collect();
    retain_keys(doc, &ranks, &keep)
}

pub fn put_class(doc: &mut AutoCommit, class: &Class) -> Result<(), DocError> {
    let classes = map(doc, "classes")?;
    let obj = entry_map(doc, &classes, &class.id.to_string())?;
    put_text(doc, &obj, "name", &class.name)?;
    set_text(doc, &obj, "color", class.color.as_ref())
}

/// Saves the whole weekly schedule as edited; slots not listed are removed.
pub fn set_schedule(doc: &mut AutoCommit, schedule: &Schedule) -> Result<(), DocError> {
    let slots = map(doc, "slots")?;
    for slot in schedule.slots() {
        let obj = entry_map(doc, &slots, &slot.id.to_string())?;
        put_text(doc, &obj, "class", &slot.class)?;
        put(
            doc,
            &obj,
            "weekday",
            &u64::from(slot.weekday.number_from_monday()),
        )?;
        put(doc, &obj, "starts", &slot.starts)?;
        put(doc, &obj, "minutes", &u64::from(slot.minutes))?;
    }
    let keep: Vec<String> = schedule.slots().iter().map(|s| s.id.to_string()).collect();
    retain_keys(doc, &slots, &keep)
}

pub fn set_checkin(doc: &mut AutoCommit, settings: &CheckInSettings) -> Result<(), DocError> {
    let obj = map(doc, "checkin")?;
    put(
        doc,
        &obj,
        "opens_before",
        &u64::from(settings.opens_before_minutes),
    )?;
    put(
        doc,
        &obj,
        "closes_after",
        &u64::from(settings.closes_after_minutes),
    )?;
    put(
        doc,
        &obj,
        "anti_passback",
        &u64::from(settings.anti_passback_minutes),
    )?;
    put_text(doc, &obj, "lapsed_membership", &settings.lapsed_membership)?;
    put(doc, &obj, "grace_days", &u64::from(settings.grace_days))?;
    put_text(doc, &obj, "paused_student", &settings.paused_student)
}

pub fn put_key(doc: &mut AutoCommit, key: &PublicKey) -> Result<(), DocError> {
    let keys = map(doc, "keys")?;
    let obj = entry_map(doc, &keys, &key.key_id.0.to_string())?;
    put(doc, &obj, "public", &key.public)?;
    put(doc, &obj, "created_at", &key.created_at)?;
    put(doc, &obj, "retired", &key.retired)
}

/// Stops trusting a key (it leaked): passes it signed stop verifying.
pub fn remove_key(doc: &mut AutoCommit, key_id: KeyId) -> Result<(), DocError> {
    let keys = map(doc, "keys")?;
    set::<bool>(doc, &keys, &key_id.0.to_string(), None)
}

fn parse_weekday(n: u8) -> Option<Weekday> {
    (1..=7).contains(&n).then(|| Weekday::Monday.nth_next(n - 1))
}

pub fn project(doc: &impl ReadDoc) -> Result<TenantView, DocError> {
    let header = expect_kind(doc, DocKind::Tenant)?;
    let root = Obj::root(doc);

    let mut ranks = Vec::new();
    for (key, obj) in root.map("ranks")?.maps()? {
        let order: u64 = obj.num("order")?;
        let rank = Rank {
            id: key.parse().map_err(|_| obj.error("", "rank key is not an id"))?,
            name: obj.parsed("name", Label::parse)?,
            color: obj.parsed("color", Color::parse)?,
            stripes: obj.num("stripes")?,
            requirements: read_requirements(&obj, "")?,
            stripe_requirements: read_requirements(&obj, "stripe_")?,
        };
        ranks.push((order, rank));
    }
    ranks.sort_by_key(|(order, rank)| (*order, rank.id));

    let mut classes = Vec::new();
    for (key, obj) in root.map("classes")?.maps()? {
        classes.push(Class {
            id: key.parse().map_err(|_| obj.error("", "class key is not an id"))?,
            name: obj.parsed("name", Label::parse)?,
            color: obj.opt_parsed("color", Color::parse)?,
        });
    }
    classes.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));

    let mut slots = Vec::new();
    for (key, obj) in root.map("slots")?.maps()? {
        slots.push(WeeklySlot {
            id: key.parse().map_err(|_| obj.error("", "slot key is not an id"))?,
            class: obj.parsed("class", str::parse)?,
            weekday: parse_weekday(obj.num("weekday")?)
                .ok_or(obj.error("weekday", "expected 1 (Monday) to 7"))?,
            starts: obj.req("starts")?,
            minutes: obj.num("minutes")?,
        });
    }
    slots.sort_by_key(|s| (s.weekday.number_from_monday(), s.starts, s.class, s.id));

    let checkin = root.map("checkin")?;
    let mut keys = Vec::new();
    for (key, obj) in root.map("keys")?.maps()? {
        keys.push(PublicKey {
            key_id: KeyId(key.parse().map_err(|_| obj.error("", "key id is not a number"))?),
            public: obj.req("public")?,
            created_at: obj.req("created_at")?,
            retired: obj.req("retired")?,
        });
    }
    keys.sort_by_key(|k| k.key_id);

    let theme = root.map("theme")?;
    Ok(TenantView {
        id: TenantId::from_uuid(header.id.into()),
        name: root.parsed("name", Label::parse)?,
        slug: root.parsed("slug", Slug::parse)?,
        timezone: root.parsed("timezone", TimeZoneName::parse)?,
        theme: Theme {
            primary: theme.parsed("primary", Color::parse)?,
            accent: theme.parsed("accent", Color::parse)?,
            // Checked like any field: the server refuses a change that
            // writes anything but a logo here (up to 48 KiB of PNG or JPEG).
            logo: theme.opt_parsed("logo", Logo::parse)?,
        },
        ranks: ranks.into_iter().map(|(_, rank)| rank).collect(),
        classes,
        slots,
        checkin: CheckInSettings {
            opens_before_minutes: checkin.num("opens_before")?,
            closes_after_minutes: checkin.num("closes_after")?,
            anti_passback_minutes: checkin.num("anti_passback")?,
            lapsed_membership: checkin.parsed("lapsed_membership", Enforcement::parse)?,
            grace_days: checkin.num("grace_days")?,
            paused_student: checkin.parsed("paused_student", Enforcement::parse)?,
        },
        keys,
    })
}
