use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit};
use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use super::roll::{self, CheckIn, Method, Void};
use super::student;
use super::*;
use crate::belt::{Grade, Promotion};
use crate::checkin::PassUse;
use crate::ids::{ClassId, DeviceId, PromotionId, RankId, StaffId, StudentId, TenantId};
use crate::people::{Student, StudentStatus};
use crate::schedule::{ClassRef, SessionKey};
use crate::text::{PersonName, Phone, Prose};

const T0: OffsetDateTime = datetime!(2026-11-23 17:50 UTC);

fn actor(n: u8) -> ActorId {
    ActorId::from([n; 16])
}

/// Another device's copy: what it would load from a synced snapshot.
fn replica(doc: &mut AutoCommit, n: u8) -> AutoCommit {
    AutoCommit::load(&doc.save()).unwrap().with_actor(actor(n))
}

/// `a` after receiving everything `b` has.
fn merged(a: &AutoCommit, b: &AutoCommit) -> AutoCommit {
    let mut out = a.clone();
    out.merge(&mut b.clone()).unwrap();
    out
}

fn sample_student() -> Student {
    Student {
        born_on: Some(date!(2001 - 04 - 09)),
        paid_until: Some(date!(2026 - 12 - 31)),
        ..Student::new(
            StudentId::new(),
            PersonName::parse("Ana Souza").unwrap(),
            date!(2025 - 01 - 10),
            Grade::new(RankId::new(), 0),
        )
    }
}

fn session() -> SessionKey {
    SessionKey {
        class: ClassRef::Class(ClassId::new()),
        date: date!(2026 - 11 - 23),
    }
}

fn check_in(student: StudentId, at: OffsetDateTime, device: DeviceId) -> CheckIn {
    CheckIn {
        student,
        at,
        by: StaffId::new(),
        device,
        method: Method::Card,
        pass: None,
    }
}

#[test]
fn concurrent_student_edits_merge_field_by_field_in_either_order() {
    let original = sample_student();
    let mut a = student::create(&original, actor(1)).unwrap();
    let mut b = replica(&mut a, 2);

    let renamed = Student {
        name: PersonName::parse("Ana Maria Souza").unwrap(),
        ..original.clone()
    };
    student::update(&mut a, &renamed).unwrap();
    let rephoned = Student {
        phone: Some(Phone::parse("+351 912 345 678").unwrap()),
        status: StudentStatus::Paused,
        ..original
    };
    student::update(&mut b, &rephoned).unwrap();

    let (ab, ba) = (merged(&a, &b), merged(&b, &a));
    let view = student::project(&ab).unwrap();
    assert_eq!(view, student::project(&ba).unwrap());
    assert_eq!(view.student.name, renamed.name);
    assert_eq!(view.student.phone, rephoned.phone);
    assert_eq!(view.student.status, StudentStatus::Paused);
}

#[test]
fn saving_an_unchanged_form_records_nothing() {
    let s = sample_student();
    let mut doc = student::create(&s, actor(1)).unwrap();
    doc.commit();
    student::update(&mut doc, &s).unwrap();
    assert_eq!(doc.commit(), None);
}

#[test]
fn two_devices_opening_the_same_roll_offline_share_its_genesis() {
    let (tenant, key) = (TenantId::new(), session());
    let mut a = roll::create(tenant, &key, actor(1)).unwrap();
    let mut b = roll::create(tenant, &key, actor(2)).unwrap();
    assert_eq!(a.get_heads(), b.get_heads());
    let other_day = SessionKey {
        date: key.date + Duration::days(1),
        ..key
    };
    assert_ne!(roll::doc_id(tenant, &key), roll::doc_id(tenant, &other_day));
    assert_ne!(roll::doc_id(tenant, &key), roll::doc_id(TenantId::new(), &key));
}

#[test]
fn the_same_student_checked_in_on_two_devices_is_one_attendance() {
    let (tenant, key) = (TenantId::new(), session());
    let (ana, ben) = (StudentId::new(), StudentId::new());
    let (tablet_a, tablet_b) = (DeviceId::new(), DeviceId::new());
    // Each tablet creates the roll itself, offline.
    let mut a = roll::create(tenant, &key, actor(1)).unwrap();
    let mut b = roll::create(tenant, &key, actor(2)).unwrap();
    assert!(roll::check_in(&mut a, &check_in(ana, T0, tablet_a)).unwrap());
    assert!(roll::check_in(&mut b, &check_in(ana, T0 + Duration::minutes(2), tablet_b)).unwrap());
    assert!(roll::check_in(&mut b, &check_in(ben, T0, tablet_b)).unwrap());

    let (ab, ba) = (merged(&a, &b), merged(&b, &a));
    let view = roll::project(&ab).unwrap();
    assert_eq!(view, roll::project(&ba).unwrap());
    let ana_rows: Vec<_> = view
        .entries
        .iter()
        .filter(|e| e.check_in.student == ana)
        .collect();
    assert_eq!(ana_rows.len(), 1, "one attendance row for Ana");
    assert_eq!(ana_rows[0].check_in.at, T0, "the earliest check-in stands");
    assert_eq!(view.attending().count(), 2);
    // After the merge the second tablet sees Ana as already in.
    let mut after = ab;
    assert!(!roll::check_in(&mut after, &check_in(ana, T0 + Duration::minutes(5), tablet_b)).unwrap());
}

#[test]
fn a_voided_check_in_stays_voided_after_merging_concurrent_edits() {
    let (tenant, key) = (TenantId::new(), session());
    let (ana, ben) = (StudentId::new(), StudentId::new());
    let device = DeviceId::new();
    let mut a = roll::create(tenant, &key, actor(1)).unwrap();
    roll::check_in(&mut a, &check_in(ana, T0, device)).unwrap();
    let mut b = replica(&mut a, 2);

    let void = Void {
        at: T0 + Duration::minutes(1),
        by: StaffId::new(),
    };
    assert!(roll::void(&mut a, ana, &void).unwrap());
    assert!(
        !roll::void(&mut a, ana, &void).unwrap(),
        "voiding twice changes nothing"
    );
    // Meanwhile the other tablet checks Ben in and re-scans Ana, whom it
    // still sees as checked in: that must not revive her entry.
    roll::check_in(&mut b, &check_in(ben, T0 + Duration::minutes(1), device)).unwrap();
    assert!(!roll::check_in(&mut b, &check_in(ana, T0 + Duration::minutes(2), device)).unwrap());

    for doc in [merged(&a, &b), merged(&b, &a)] {
        let view = roll::project(&doc).unwrap();
        let ana_row = view.entries.iter().find(|e| e.check_in.student == ana).unwrap();
        assert_eq!(ana_row.voided, Some(void.clone()));
        assert_eq!(view.attending().map(|c| c.student).collect::<Vec<_>>(), [ben]);
    }
}

#[test]
fn a_void_of_one_concurrent_entry_does_not_hide_the_other() {
    // Two tablets scan Ana without seeing each other; one then voids its own
    // scan. The other scan still stands: one physical check-in remains.
    let (tenant, key, ana) = (TenantId::new(), session(), StudentId::new());
    let mut a = roll::create(tenant, &key, actor(1)).unwrap();
    let mut b = roll::create(tenant, &key, actor(2)).unwrap();
    roll::check_in(&mut a, &check_in(ana, T0, DeviceId::new())).unwrap();
    roll::check_in(&mut b, &check_in(ana, T0 + Duration::minutes(1), DeviceId::new())).unwrap();
    roll::void(
        &mut a,
        ana,
        &Void {
            at: T0,
            by: StaffId::new(),
        },
    )
    .unwrap();
    let view = roll::project(&merged(&a, &b)).unwrap();
    assert_eq!(view.attending().count(), 1);
    assert_eq!(view.entries[0].check_in.at, T0 + Duration::minutes(1));
    // Voiding after the merge voids every entry of hers.
    let mut doc = merged(&b, &a);
    roll::void(
        &mut doc,
        ana,
        &Void {
            at: T0,
            by: StaffId::new(),
        },
    )
    .unwrap();
    assert_eq!(roll::project(&doc).unwrap().attending().count(), 0);
}

#[test]
fn a_voided_check_in_can_be_made_again() {
    let (tenant, key, ana) = (TenantId::new(), session(), StudentId::new());
    let mut doc = roll::create(tenant, &key, actor(1)).unwrap();
    roll::check_in(&mut doc, &check_in(ana, T0, DeviceId::new())).unwrap();
    roll::void(
        &mut doc,
        ana,
        &Void {
            at: T0,
            by: StaffId::new(),
        },
    )
    .unwrap();
    let mut again = check_in(ana, T0 + Duration::minutes(3), DeviceId::new());
    again.method = Method::Phone;
    again.pass = Some(PassUse { issued: T0, nonce: 9 });
    assert!(roll::check_in(&mut doc, &again).unwrap());
    let view = roll::project(&doc).unwrap();
    assert_eq!(view.entries.len(), 1);
    assert_eq!(view.entries[0].check_in, again);
    assert_eq!(view.entries[0].voided, None);
    assert_eq!(view.prior(ana).unwrap().pass, again.pass);
}

#[test]
fn broken_documents_say_which_field_is_wrong() {
    let s = sample_student();
    let mut doc = student::create(&s, actor(1)).unwrap();
    doc.put(automerge::ROOT, "card_version", "seven").unwrap();
    let err = student::project(&doc).unwrap_err();
    assert_eq!(err.to_string(), "card_version: expected a whole number");

    let mut doc = student::create(&s, actor(1)).unwrap();
    doc.put(automerge::ROOT, "email", "not an email").unwrap();
    assert_eq!(
        student::project(&doc).unwrap_err().to_string(),
        "email: not a valid value"
    );

    let mut doc = student::create(&s, actor(1)).unwrap();
    doc.put(automerge::ROOT, "schema", SCHEMA + 1).unwrap();
    assert!(matches!(project(&doc), Err(DocError::NewerSchema { found }) if found == SCHEMA + 1));

    let doc = roll::create(TenantId::new(), &session(), actor(1)).unwrap();
    assert!(matches!(
        student::project(&doc),
        Err(DocError::WrongKind {
            expected: DocKind::Student,
            found: DocKind::Roll
        })
    ));
    assert!(matches!(
        project(&AutoCommit::new()),
        Err(DocError::Schema { .. })
    ));
}

#[test]
fn promotions_and_notes_are_kept_in_order() {
    let s = sample_student();
    let mut a = student::create(&s, actor(1)).unwrap();
    let mut b = replica(&mut a, 2);
    let blue = Grade::new(RankId::new(), 0);
    let promote = |from: &Grade, to: &Grade, on| Promotion {
        id: PromotionId::new(),
        from: from.clone(),
        to: to.clone(),
        on,
        by: StaffId::new(),
        notes: Prose::parse("Solid guard retention.").unwrap(),
        recorded_at: T0,
    };
    let first = promote(
        &s.start_grade,
        &Grade::new(s.start_grade.rank, 1),
        date!(2026 - 03 - 01),
    );
    let second = promote(&first.to, &blue, date!(2026 - 09 - 01));
    // Two instructors record promotions offline, on different devices.
    student::add_promotion(&mut b, &second).unwrap();
    student::add_promotion(&mut a, &first).unwrap();
    let view = student::project(&merged(&a, &b)).unwrap();
    assert_eq!(view.promotions, [first, second]);
    assert_eq!(view.standing().grade, blue);
    assert_eq!(view.standing().rank_since, date!(2026 - 09 - 01));
}

/// One edit made on one device.
#[derive(Debug, Clone)]
enum Edit {
    CheckIn { student: usize, minute: i64 },
    Void { student: usize },
    Rename { name: usize },
    Phone { digits: u32 },
    Status { status: usize },
    Promote,
}

#[derive(Debug, Clone)]
enum Step {
    Edit {
        device: usize,
        edit: Edit,
    },
    /// Device `to` receives everything device `from` has.
    Sync {
        from: usize,
        to: usize,
    },
}

fn arb_step(devices: usize) -> impl Strategy<Value = Step> {
    let edit = prop_oneof![
        3 => (0usize..4, 0i64..60).prop_map(|(student, minute)| Edit::CheckIn { student, minute }),
        1 => (0usize..4).prop_map(|student| Edit::Void { student }),
        1 => (0usize..3).prop_map(|name| Edit::Rename { name }),
        1 => (100_000u32..999_999).prop_map(|digits| Edit::Phone { digits }),
        1 => (0usize..3).prop_map(|status| Edit::Status { status }),
        1 => Just(Edit::Promote),
    ];
    prop_oneof![
        4 => (0..devices, edit).prop_map(|(device, edit)| Step::Edit { device, edit }),
        1 => (0..devices, 0..devices).prop_map(|(from, to)| Step::Sync { from, to }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any edits on any devices, synced in any order: once everyone has
    /// everything, every device projects the same rows.
    #[test]
    fn every_device_converges(steps in proptest::collection::vec(arb_step(3), 1..40)) {
        const NAMES: [&str; 3] = ["Ana Souza", "Ana M. Souza", "Ana Maria Souza"];
        let tenant = TenantId::new();
        let key = session();
        let students: Vec<StudentId> = (0..4).map(|_| StudentId::new()).collect();
        let original = sample_student();
        let mut seed = student::create(&original, actor(0)).unwrap();
        seed.commit();
        // Every device creates the roll on its own; the student it syncs.
        let mut devices: Vec<(AutoCommit, AutoCommit, Student)> = (1..=3u8)
            .map(|n| {
                let mut rolls = roll::create(tenant, &key, actor(n)).unwrap();
                rolls.commit();
                (rolls, replica(&mut seed, n), original.clone())
            })
            .collect();
        for (n, step) in steps.into_iter().enumerate() {
            let at = T0 + Duration::seconds(i64::try_from(n).unwrap());
            let (device, edit) = match step {
                Step::Edit { device, edit } => (device, edit),
                Step::Sync { from, to } => {
                    let (mut r, mut p) = (devices[from].0.clone(), devices[from].1.clone());
                    devices[to].0.merge(&mut r).unwrap();
                    devices[to].1.merge(&mut p).unwrap();
                    // The device reloads what it now holds before editing.
                    devices[to].2 = student::project(&devices[to].1).unwrap().student;
                    continue;
                }
            };
            let (rolls, people, edited) = &mut devices[device];
            match edit {
                Edit::CheckIn { student, minute } => {
                    roll::check_in(rolls, &check_in(students[student], T0 + Duration::minutes(minute), DeviceId::new())).unwrap();
                }
                Edit::Void { student } => {
                    roll::void(rolls, students[student], &Void { at, by: StaffId::new() }).unwrap();
                }
                Edit::Rename { name } => {
                    edited.name = PersonName::parse(NAMES[name]).unwrap();
                    student::update(people, edited).unwrap();
                }
                Edit::Phone { digits } => {
                    edited.phone = Some(Phone::parse(&format!("+1 555 {digits}")).unwrap());
                    student::update(people, edited).unwrap();
                }
                Edit::Status { status } => {
                    edited.status = StudentStatus::ALL[status];
                    student::update(people, edited).unwrap();
                }
                Edit::Promote => {
                    let promotion = Promotion {
                        id: PromotionId::new(),
                        from: original.start_grade.clone(),
                        to: Grade::new(RankId::new(), 0),
                        on: date!(2026 - 11 - 01),
                        by: StaffId::new(),
                        notes: Prose::default(),
                        recorded_at: at,
                    };
                    student::add_promotion(people, &promotion).unwrap();
                }
            }
            // One user action, one change: what a device stores and sends.
            rolls.commit();
            people.commit();
        }
        // Everyone meets the server, in device order then in reverse.
        let mut server = devices[0].clone();
        for (r, p, _) in devices.iter().skip(1).chain(devices.iter().rev()) {
            server.0.merge(&mut r.clone()).unwrap();
            server.1.merge(&mut p.clone()).unwrap();
        }
        let expected = (roll::project(&server.0).unwrap(), student::project(&server.1).unwrap());
        for (r, p, _) in &mut devices {
            r.merge(&mut server.0.clone()).unwrap();
            p.merge(&mut server.1.clone()).unwrap();
            prop_assert_eq!(&(roll::project(r).unwrap(), student::project(p).unwrap()), &expected);
            prop_assert_eq!(r.get_heads(), server.0.get_heads());
        }
        // One row per student, whatever happened.
        let mut seen: Vec<StudentId> = expected.0.entries.iter().map(|e| e.check_in.student).collect();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), expected.0.entries.len());
    }
}

mod academy {
    use super::*;
    use crate::belt::{BeltSystem, Rank, Requirements};
    use crate::checkin::{CheckInSettings, Enforcement};
    use crate::doc::tenant::{self, PublicKey};
    use crate::ids::{ClassId, SlotId};
    use crate::pass::{KeyId, Pass, PassKind, PassSigner, StudentTag};
    use crate::schedule::{Class, Schedule, WeeklySlot};
    use crate::text::{Color, Label, Slug, TimeZoneName};
    use time::Weekday;
    use time::macros::time;

    fn rank(name: &str, stripes: u8, attendances: u32) -> Rank {
        Rank {
            id: RankId::new(),
            name: Label::parse(name).unwrap(),
            color: Color::rgb(1, 2, 3),
            stripes,
            requirements: Requirements {
                attendances,
                months: 6,
                min_age_years: Some(16),
            },
            stripe_requirements: Requirements::default(),
        }
    }

    fn class(name: &str) -> Class {
        Class {
            id: ClassId::new(),
            name: Label::parse(name).unwrap(),
            color: None,
        }
    }

    fn new_academy(n: u8) -> (TenantId, AutoCommit) {
        let id = TenantId::new();
        let doc = tenant::create(
            id,
            &Slug::parse("golden-tiger").unwrap(),
            &Label::parse("Golden Tiger").unwrap(),
            &TimeZoneName::parse("Europe/Lisbon").unwrap(),
            actor(n),
        )
        .unwrap();
        (id, doc)
    }

    #[test]
    fn everything_saved_reads_back() {
        let (id, mut doc) = new_academy(1);
        let system = BeltSystem::new(vec![
            rank("White", 4, 0),
            rank("Blue", 4, 60),
            rank("Purple", 4, 120),
        ])
        .unwrap();
        tenant::set_belt_system(&mut doc, &system).unwrap();
        let (kids, adults) = (class("Kids"), class("Adults"));
        tenant::put_class(&mut doc, &kids).unwrap();
        tenant::put_class(&mut doc, &adults).unwrap();
        let schedule = Schedule::new(vec![
            WeeklySlot {
                id: SlotId::new(),
                class: kids.id,
                weekday: Weekday::Monday,
                starts: time!(17:00),
                minutes: 45,
            },
            WeeklySlot {
                id: SlotId::new(),
                class: adults.id,
                weekday: Weekday::Sunday,
                starts: time!(10:30),
                minutes: 90,
            },
        ])
        .unwrap();
        tenant::set_schedule(&mut doc, &schedule).unwrap();
        let settings = CheckInSettings {
            lapsed_membership: Enforcement::Refuse,
            anti_passback_minutes: 0,
            ..CheckInSettings::default()
        };
        tenant::set_checkin(&mut doc, &settings).unwrap();
        let signer = PassSigner::new(id, KeyId(1), &[7; 32]);
        tenant::put_key(
            &mut doc,
            &PublicKey {
                key_id: KeyId(1),
                public: signer.public_key(),
                created_at: T0,
                retired: false,
            },
        )
        .unwrap();

        let view = tenant::project(&doc).unwrap();
        assert_eq!(view.id, id);
        assert_eq!(view.slug.as_str(), "golden-tiger");
        assert_eq!(view.belt_system().unwrap(), system);
        assert_eq!(view.classes, [adults, kids]);
        assert_eq!(view.schedule().unwrap(), schedule);
        assert_eq!(view.checkin, settings);
        let card = signer
            .sign(&Pass {
                student: StudentTag::of(StudentId::new()),
                kind: PassKind::Card { version: 1 },
            })
            .unwrap();
        assert!(view.trusted_keys().unwrap().verify(&card, T0).is_ok());

        tenant::remove_key(&mut doc, KeyId(1)).unwrap();
        let view = tenant::project(&doc).unwrap();
        assert!(view.trusted_keys().unwrap().verify(&card, T0).is_err());

        let fewer = BeltSystem::new(system.ranks()[..2].to_vec()).unwrap();
        tenant::set_belt_system(&mut doc, &fewer).unwrap();
        assert_eq!(tenant::project(&doc).unwrap().belt_system().unwrap(), fewer);
    }

    #[test]
    fn concurrent_additions_both_survive() {
        let (_, mut a) = new_academy(1);
        a.commit();
        let mut b = replica(&mut a, 2);
        let (judo, bjj) = (class("Judo"), class("BJJ"));
        tenant::put_class(&mut a, &judo).unwrap();
        tenant::put_class(&mut b, &bjj).unwrap();
        let mut theme = tenant::project(&b).unwrap().theme;
        theme.accent = Color::rgb(0, 0, 255);
        tenant::set_theme(&mut b, &theme).unwrap();
        let view = tenant::project(&merged(&a, &b)).unwrap();
        assert_eq!(view, tenant::project(&merged(&b, &a)).unwrap());
        assert_eq!(view.classes, [bjj, judo]);
        assert_eq!(view.theme, theme);
    }

    #[test]
    fn a_logo_set_on_one_device_and_colours_on_another_both_survive() {
        let (_, mut a) = new_academy(1);
        a.commit();
        let mut b = replica(&mut a, 2);
        let logo = crate::text::Logo::parse("data:image/png;base64,iVBORw0KGgoAAAA=").unwrap();
        let mut with_logo = tenant::project(&a).unwrap().theme;
        with_logo.logo = Some(logo.clone());
        tenant::set_theme(&mut a, &with_logo).unwrap();
        let mut recoloured = tenant::project(&b).unwrap().theme;
        recoloured.primary = Color::rgb(0, 128, 0);
        tenant::set_theme(&mut b, &recoloured).unwrap();
        let theme = tenant::project(&merged(&a, &b)).unwrap().theme;
        assert_eq!(theme.logo, Some(logo));
        assert_eq!(theme.primary, Color::rgb(0, 128, 0));

        // Removing the logo removes it; anything but a logo in its place
        // does not read (the server refuses the change that wrote it).
        let mut c = merged(&a, &b);
        tenant::set_theme(&mut c, &tenant::Theme { logo: None, ..theme }).unwrap();
        assert_eq!(tenant::project(&c).unwrap().theme.logo, None);
        let obj = c.get(automerge::ROOT, "theme").unwrap().unwrap().1;
        c.put(&obj, "logo", "data:image/gif;base64,R0lGOD").unwrap();
        assert!(matches!(
            tenant::project(&c),
            Err(DocError::Schema { path, .. }) if path == "theme.logo"
        ));
    }
}

#[test]
fn a_panic_in_guarded_work_is_an_error() {
    let result: Result<(), DocError> = guarded(|| panic!("Automerge gave up"));
    assert!(matches!(result, Err(DocError::Invalid(_))), "{result:?}");
    assert_eq!(guarded(|| Ok(7)).unwrap(), 7);
}
