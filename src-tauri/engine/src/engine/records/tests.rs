//! Editing records: who may change what (core's policy, acting as the
//! lesser of the staff member's and the device's role), and what an edit
//! writes.

use serde_json::json;
use tatami_core::belt::{Grade, Promotion, Rank, Requirements};
use tatami_core::checkin::CheckInSettings;
use tatami_core::doc::DocKind;
use tatami_core::doc::tenant::Theme;
use tatami_core::ids::{ClassId, RankId, SlotId, StudentId};
use tatami_core::people::{Note, Role, Student, StudentStatus};
use tatami_core::policy::required_role;
use tatami_core::schedule::{Class, WeeklySlot};
use tatami_core::text::{Color, Email, Label, PersonName, Phone, Prose};
use time::Weekday;
use time::macros::{date, datetime, time};

use super::{NewStudent, StudentPatch};
use crate::engine::testing::{Device, MONDAY, assert_not_found};
use crate::error::EngineError;
use crate::store::RosterFilter;

/// The students a roster search for `query` finds.
fn found(device: &Device, query: &str) -> Vec<StudentId> {
    let filter = RosterFilter {
        query: Some(query.into()),
        limit: 10,
        ..RosterFilter::default()
    };
    device
        .engine
        .roster(&filter)
        .unwrap()
        .into_iter()
        .map(|row| row.id)
        .collect()
}

#[test]
fn a_patch_tells_a_field_left_out_from_one_cleared() {
    let patch: StudentPatch =
        serde_json::from_str(r#"{ "email": null, "phone": "+351 912 345 678", "paid_until": "2026-12-31" }"#)
            .unwrap();
    assert_eq!(patch.email, Some(None), "null clears");
    assert!(matches!(patch.phone, Some(Some(_))), "a value sets");
    assert_eq!(patch.paid_until.unwrap().unwrap().to_string(), "2026-12-31");
    assert_eq!(patch.born_on, None, "left out, left as it is");
    assert_eq!(patch.fields(), ["email", "phone", "paid_until"]);
}

/// An edit the app offers, and the document field core's policy guards it
/// by.
struct Edit {
    what: &'static str,
    kind: DocKind,
    field: &'static str,
    run: fn(&Device) -> Result<(), EngineError>,
}

fn new_student(name: &str) -> NewStudent {
    NewStudent {
        name: PersonName::parse(name).unwrap(),
        email: None,
        phone: None,
        born_on: None,
        grade: None,
    }
}

fn rank(name: &str) -> Rank {
    Rank {
        id: RankId::new(),
        name: Label::parse(name).unwrap(),
        color: Color::rgb(0x6b, 0x21, 0xa8),
        stripes: 4,
        requirements: Requirements::default(),
        stripe_requirements: Requirements::default(),
    }
}

const EDITS: [Edit; 9] = [
    Edit {
        what: "add a student",
        kind: DocKind::Student,
        field: "name",
        run: |d| d.engine.add_student(new_student("Bruno Lima")).map(drop),
    },
    Edit {
        what: "record a payment",
        kind: DocKind::Student,
        field: "paid_until",
        run: |d| {
            let patch = StudentPatch {
                paid_until: Some(Some(date!(2027 - 06 - 30))),
                ..StudentPatch::default()
            };
            d.engine.edit_student(d.ana, patch)
        },
    },
    Edit {
        what: "add a note",
        kind: DocKind::Student,
        field: "notes",
        run: |d| {
            d.engine
                .add_note(d.ana, Prose::parse("Left knee: no takedowns").unwrap())
        },
    },
    Edit {
        what: "promote",
        kind: DocKind::Student,
        field: "promotions",
        run: |d| {
            let stripe = Grade::new(d.white, 1);
            let notes = Prose::parse("Solid guard").unwrap();
            d.engine.promote(d.ana, &stripe, MONDAY, notes).map(drop)
        },
    },
    Edit {
        what: "save a class",
        kind: DocKind::Tenant,
        field: "classes",
        run: |d| {
            d.engine.put_class(&Class {
                id: ClassId::new(),
                name: Label::parse("Kids").unwrap(),
                color: None,
            })
        },
    },
    Edit {
        what: "change the schedule",
        kind: DocKind::Tenant,
        field: "slots",
        run: |d| {
            let mut slots = d.engine.academy().unwrap().schedule.slots().to_vec();
            slots.push(WeeklySlot {
                id: SlotId::new(),
                class: d.class,
                weekday: Weekday::Wednesday,
                starts: time!(18:00),
                minutes: 60,
            });
            d.engine.set_schedule(slots)
        },
    },
    Edit {
        what: "change the belt system",
        kind: DocKind::Tenant,
        field: "ranks",
        run: |d| {
            let mut ranks = d.engine.academy().unwrap().view.ranks.clone();
            ranks.push(rank("Purple"));
            d.engine.set_belt_system(ranks)
        },
    },
    Edit {
        what: "change the check-in rules",
        kind: DocKind::Tenant,
        field: "checkin",
        run: |d| {
            d.engine.set_checkin_settings(&CheckInSettings {
                anti_passback_minutes: 10,
                ..CheckInSettings::default()
            })
        },
    },
    Edit {
        what: "change the theme",
        kind: DocKind::Tenant,
        field: "theme",
        run: |d| {
            d.engine.set_theme(&Theme {
                primary: Color::rgb(0x0b, 0x3d, 0x91),
                ..Theme::default()
            })
        },
    },
];

#[test]
fn each_edit_needs_the_role_cores_policy_names_acting_as_the_lesser_of_staff_and_device() {
    // Device, who unlocks it, and the role they act with.
    let cases = [
        (Role::FrontDesk, Role::FrontDesk, Role::FrontDesk),
        (Role::FrontDesk, Role::Instructor, Role::FrontDesk),
        (Role::FrontDesk, Role::Owner, Role::FrontDesk),
        (Role::Instructor, Role::FrontDesk, Role::FrontDesk),
        (Role::Instructor, Role::Instructor, Role::Instructor),
        (Role::Instructor, Role::Owner, Role::Instructor),
        (Role::Admin, Role::FrontDesk, Role::FrontDesk),
        (Role::Admin, Role::Instructor, Role::Instructor),
        (Role::Admin, Role::Owner, Role::Admin),
    ];
    for (device_role, staff_role, acting) in cases {
        let device = Device::unlocked(device_role, staff_role);
        assert_eq!(device.engine.acting_role(), Some(acting));
        for edit in &EDITS {
            let needed = required_role(edit.kind, edit.field).unwrap();
            let case = format!("{staff_role} on a {device_role} device: {}", edit.what);
            let before = device.written();
            let result = (edit.run)(&device);
            if acting.at_least(needed) {
                assert!(result.is_ok(), "{case}: {result:?}");
                assert_eq!(device.written().waiting, before.waiting + 1, "{case}");
            } else {
                assert!(
                    matches!(result, Err(EngineError::Forbidden { needed: n }) if n == needed),
                    "{case}: {result:?}"
                );
                assert_eq!(device.written(), before, "{case}: a refused edit writes nothing");
            }
        }
    }
}

#[test]
fn a_locked_device_edits_nothing() {
    let device = Device::enrolled(Role::Admin);
    let before = device.written();
    for edit in &EDITS {
        let result = (edit.run)(&device);
        assert!(
            matches!(result, Err(EngineError::Locked)),
            "{}: {result:?}",
            edit.what
        );
    }
    assert_eq!(device.written(), before);
}

fn record(device: &Device, id: StudentId) -> Student {
    device.engine.profile(id).unwrap().record.student
}

#[test]
fn a_patch_writes_only_the_fields_it_gives_and_none_clears_one() {
    let mut device = Device::unlocked(Role::FrontDesk, Role::FrontDesk);
    let bruno = device.pull_student("Bruno Lima", |s| {
        s.email = Some(Email::parse("bruno@example.com").unwrap());
        s.phone = Some(Phone::parse("+351 912 345 678").unwrap());
        s.born_on = Some(date!(2001 - 04 - 02));
    });
    let before = record(&device, bruno);
    let phone = Phone::parse("+351 913 000 000").unwrap();
    let patch = StudentPatch {
        phone: Some(Some(phone.clone())),
        ..StudentPatch::default()
    };
    device.engine.edit_student(bruno, patch).unwrap();
    let changed = Student {
        phone: Some(phone),
        ..before
    };
    assert_eq!(record(&device, bruno), changed);

    let clear = StudentPatch {
        email: Some(None),
        ..StudentPatch::default()
    };
    device.engine.edit_student(bruno, clear).unwrap();
    assert_eq!(
        record(&device, bruno),
        Student {
            email: None,
            ..changed
        }
    );
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.staff),
        ("student_edited", Some(device.front_desk.staff.id))
    );
    assert_eq!(audit.detail, json!({ "student": bruno, "fields": ["email"] }));
}

#[test]
fn a_patch_made_offline_keeps_another_devices_edit_of_another_field() {
    let mut device = Device::unlocked(Role::FrontDesk, Role::FrontDesk);
    let phone = Phone::parse("+351 913 000 000").unwrap();
    let patch = StudentPatch {
        phone: Some(Some(phone.clone())),
        status: Some(StudentStatus::Paused),
        ..StudentPatch::default()
    };
    device.engine.edit_student(device.ana, patch).unwrap();
    device.pull_student_edit(device.ana, |s| {
        s.name = PersonName::parse("Ana Souza Lima").unwrap();
    });
    let ana = record(&device, device.ana);
    assert_eq!(
        (ana.name.as_str(), ana.phone, ana.status),
        ("Ana Souza Lima", Some(phone), StudentStatus::Paused)
    );
    assert_eq!(
        device.engine.status().waiting,
        1,
        "this device's edit still waits for the server"
    );
    assert_eq!(found(&device, "lima"), [device.ana]);
}

#[test]
fn an_added_student_joins_today_at_the_first_grade_and_is_on_the_roster() {
    let device = Device::unlocked(Role::FrontDesk, Role::FrontDesk);
    let id = device
        .engine
        .add_student(NewStudent {
            email: Some(Email::parse("bruno@example.com").unwrap()),
            ..new_student("Bruno Lima")
        })
        .unwrap();
    let bruno = record(&device, id);
    assert_eq!(
        (
            bruno.joined_on,
            bruno.start_grade,
            bruno.status,
            bruno.card_version
        ),
        (MONDAY, Grade::new(device.white, 0), StudentStatus::Active, 1)
    );
    assert_eq!(bruno.email.unwrap().as_str(), "bruno@example.com");
    assert_eq!(found(&device, "bru"), [id]);
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.detail),
        ("student_added", json!({ "student": id }))
    );
}

#[test]
fn editing_a_student_this_device_does_not_have_is_not_found_and_writes_nothing() {
    let device = Device::unlocked(Role::Instructor, Role::Instructor);
    let (stranger, before) = (StudentId::new(), device.written());
    let edit = device.engine.edit_student(stranger, StudentPatch::default());
    assert_not_found(&edit, "student");
    let note = device.engine.add_note(stranger, Prose::parse("Hello").unwrap());
    assert_not_found(&note, "student");
    let stripe = Grade::new(device.white, 1);
    let promotion = device
        .engine
        .promote(stranger, &stripe, MONDAY, Prose::parse("").unwrap());
    assert_not_found(&promotion, "student");
    assert_eq!(device.written(), before);
}

#[test]
fn a_note_is_kept_with_who_wrote_it_and_when() {
    let device = Device::unlocked(Role::FrontDesk, Role::FrontDesk);
    device.at(time!(19:10));
    let text = Prose::parse("Left knee: no takedowns for a month").unwrap();
    device.engine.add_note(device.ana, text.clone()).unwrap();
    let notes = device.engine.profile(device.ana).unwrap().record.notes;
    assert_eq!(
        notes,
        [Note {
            id: notes[0].id,
            at: datetime!(2026-11-23 19:10 UTC),
            by: device.front_desk.staff.id,
            text,
        }]
    );
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.detail),
        ("note_added", json!({ "student": device.ana }))
    );
}

#[test]
fn a_promotion_keeps_its_notes_and_promoter_and_moves_the_students_grade() {
    let device = Device::unlocked(Role::Instructor, Role::Instructor);
    let blue = Grade::new(device.blue, 0);
    let notes = Prose::parse("Ready: calm under pressure").unwrap();
    let on = date!(2026 - 11 - 21);
    let id = device
        .engine
        .promote(device.ana, &blue, on, notes.clone())
        .unwrap();
    let profile = device.engine.profile(device.ana).unwrap();
    let promotion = Promotion {
        id,
        from: Grade::new(device.white, 0),
        to: blue.clone(),
        on,
        by: device.instructor.staff.id,
        notes,
        recorded_at: device.engine.now(),
    };
    assert_eq!(profile.record.promotions, [promotion]);
    assert_eq!(
        (profile.standing.grade, profile.standing.grade_since),
        (blue.clone(), on)
    );
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.staff),
        ("promoted", Some(device.instructor.staff.id))
    );
    assert_eq!(
        audit.detail,
        json!({ "student": device.ana, "to": blue, "on": on })
    );
    let roster = device.engine.roster(&RosterFilter {
        limit: 10,
        ..RosterFilter::default()
    });
    assert_eq!(
        roster.unwrap()[0].rank,
        device.blue,
        "the roster shows the new belt"
    );
}

#[test]
fn a_promotion_to_the_grade_held_or_to_a_rank_outside_the_belt_system_is_refused() {
    let device = Device::unlocked(Role::Instructor, Role::Instructor);
    let before = device.written();
    for grade in [Grade::new(device.white, 0), Grade::new(RankId::new(), 0)] {
        let result = device
            .engine
            .promote(device.ana, &grade, MONDAY, Prose::parse("").unwrap());
        assert!(matches!(result, Err(EngineError::Invalid(_))), "{result:?}");
    }
    assert_eq!(device.written(), before);
}
