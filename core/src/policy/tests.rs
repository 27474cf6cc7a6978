use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change};
use time::macros::{date, datetime};

use super::*;
use crate::belt::{BeltSystem, Grade, Rank, Requirements};
use crate::doc::roll;
use crate::doc::{expected_genesis, student, tenant, touched_paths};
use crate::ids::{ClassId, RankId, StaffId, StudentId, TenantId};
use crate::people::{Student, StudentStatus};
use crate::schedule::{Class, ClassRef, SessionKey};
use crate::text::{Color, Label, PersonName, Prose, Slug, TimeZoneName};

fn actor(n: u8) -> ActorId {
    ActorId::from([n; 16])
}

/// The last change made to `doc`, committed.
fn last_change(doc: &mut AutoCommit) -> Change {
    let hash = doc.commit().expect("an edit was made");
    doc.get_change_by_hash(&hash).expect("just committed")
}

/// Whether `writer` may make the last change to `doc`.
fn judge(doc: &mut AutoCommit, writer: Writer, kind: DocKind) -> Result<(), PolicyError> {
    let change = last_change(doc);
    let before = Before::at(doc, kind, change.deps());
    let paths = touched_paths(doc, &change);
    check(writer, kind, before, change.deps().is_empty(), &paths)
}

fn new_student() -> (Student, AutoCommit) {
    let s = Student::new(
        StudentId::new(),
        PersonName::parse("Ana Souza").unwrap(),
        date!(2025 - 01 - 10),
        Grade::new(RankId::new(), 0),
    );
    let mut doc = student::create(&s, actor(1)).unwrap();
    doc.commit();
    (s, doc)
}

const FRONT_DESK: Writer = Writer::Device(Role::FrontDesk);
const INSTRUCTOR: Writer = Writer::Device(Role::Instructor);
const ADMIN: Writer = Writer::Device(Role::Admin);

#[test]
fn front_desk_edits_profiles_but_not_promotions_or_cards() {
    let (s, mut doc) = new_student();
    student::update(
        &mut doc,
        &Student {
            status: StudentStatus::Paused,
            ..s.clone()
        },
    )
    .unwrap();
    assert_eq!(judge(&mut doc, FRONT_DESK, DocKind::Student), Ok(()));

    student::add_promotion(&mut doc, &student::sample_stripe(&s)).unwrap();
    let mut instructor_copy = doc.clone();
    assert!(matches!(
        judge(&mut doc, FRONT_DESK, DocKind::Student),
        Err(PolicyError::MayNotChange { field, .. }) if field == "promotions"
    ));
    assert_eq!(judge(&mut instructor_copy, INSTRUCTOR, DocKind::Student), Ok(()));

    student::update(&mut doc, &Student { card_version: 5, ..s }).unwrap();
    let mut server_copy = doc.clone();
    assert!(
        judge(&mut doc, ADMIN, DocKind::Student).is_err(),
        "cards are revoked by the server only"
    );
    assert_eq!(judge(&mut server_copy, Writer::Server, DocKind::Student), Ok(()));
}

#[test]
fn a_write_that_loses_a_conflict_is_still_seen() {
    // A device crafts a card version write concurrent with the server's,
    // so that it loses the conflict and never shows in the document.
    let (s, mut server) = new_student();
    let mut device = AutoCommit::load(&server.save()).unwrap().with_actor(actor(0));
    student::update(
        &mut server,
        &Student {
            card_version: 2,
            ..s.clone()
        },
    )
    .unwrap();
    server.commit();
    // The same operation counter as the server's write and a lower actor:
    // it loses the conflict.
    device.put(automerge::ROOT, "card_version", 9u64).unwrap();
    let crafted = last_change(&mut device);
    server.apply_changes([crafted.clone()]).unwrap();
    assert_eq!(
        student::project(&server).unwrap().student.card_version,
        2,
        "the server's write wins"
    );
    let paths = touched_paths(&server, &crafted);
    assert!(paths.contains(&vec!["card_version".to_owned()]), "{paths:?}");
    assert!(check(FRONT_DESK, DocKind::Student, Before::default(), false, &paths).is_err());
}

#[test]
fn rolls_are_for_the_front_desk_and_header_fields_are_fixed() {
    let tenant = TenantId::new();
    let session = SessionKey {
        class: ClassRef::Class(ClassId::new()),
        date: date!(2026 - 11 - 23),
    };
    let mut doc = roll::create(tenant, &session, actor(1)).unwrap();
    let genesis = doc.get_changes(&[]).remove(0);
    assert_eq!(
        check(
            FRONT_DESK,
            DocKind::Roll,
            Before::default(),
            true,
            &touched_paths(&doc, &genesis)
        ),
        Ok(())
    );
    roll::check_in(&mut doc, &roll::sample_check_in(StudentId::new())).unwrap();
    assert_eq!(judge(&mut doc, FRONT_DESK, DocKind::Roll), Ok(()));
    doc.put(automerge::ROOT, "date", "2026-11-24").unwrap();
    assert!(
        judge(&mut doc, ADMIN, DocKind::Roll).is_err(),
        "a roll's session never changes"
    );
}

#[test]
fn academy_settings_by_role() {
    let id = TenantId::new();
    let mut doc = tenant::create(
        id,
        &Slug::parse("golden-tiger").unwrap(),
        &Label::parse("Golden Tiger").unwrap(),
        &TimeZoneName::parse("Europe/Lisbon").unwrap(),
        actor(1),
    )
    .unwrap();
    let genesis = doc.get_changes(&[]).remove(0);
    assert!(
        check(
            ADMIN,
            DocKind::Tenant,
            Before::default(),
            true,
            &touched_paths(&doc, &genesis)
        )
        .is_err()
    );
    doc.commit();

    tenant::put_class(
        &mut doc,
        &Class {
            id: ClassId::new(),
            name: Label::parse("Kids").unwrap(),
            color: None,
        },
    )
    .unwrap();
    assert_eq!(judge(&mut doc, INSTRUCTOR, DocKind::Tenant), Ok(()));

    let system = BeltSystem::new(vec![Rank {
        id: RankId::new(),
        name: Label::parse("White").unwrap(),
        color: Color::rgb(255, 255, 255),
        stripes: 4,
        requirements: Requirements::default(),
        stripe_requirements: Requirements::default(),
    }])
    .unwrap();
    tenant::set_belt_system(&mut doc, &system).unwrap();
    let mut admin_copy = doc.clone();
    assert!(judge(&mut doc, INSTRUCTOR, DocKind::Tenant).is_err());
    assert_eq!(judge(&mut admin_copy, ADMIN, DocKind::Tenant), Ok(()));

    tenant::set_slug(&mut admin_copy, &Slug::parse("silver-tiger").unwrap()).unwrap();
    assert!(
        judge(&mut admin_copy, Writer::Device(Role::Owner), DocKind::Tenant).is_err(),
        "slugs move with the server"
    );
}

#[test]
fn genesis_must_be_the_canonical_one_of_this_academy() {
    let tenant = TenantId::new();
    let session = SessionKey::open_mat(date!(2026 - 11 - 23));
    let mut ours = roll::create(tenant, &session, actor(1)).unwrap();
    assert_eq!(expected_genesis(&ours, tenant).unwrap(), ours.get_heads()[0]);
    // A roll made for another academy names a different id.
    assert!(expected_genesis(&ours, TenantId::new()).is_err());

    let (_, mut doc) = new_student();
    let first = doc.get_changes(&[]).remove(0).hash();
    assert_eq!(expected_genesis(&doc, tenant).unwrap(), first);

    // A student document started some other way is not canonical.
    let id = StudentId::new();
    let mut forged = AutoCommit::new();
    forged.put(automerge::ROOT, "kind", "student").unwrap();
    forged.put(automerge::ROOT, "schema", 1u64).unwrap();
    forged.put(automerge::ROOT, "id", id.to_string()).unwrap();
    forged.commit();
    assert_ne!(expected_genesis(&forged, tenant).unwrap(), forged.get_heads()[0]);
}

#[test]
fn unknown_fields_are_nobodys() {
    for kind in DocKind::ALL {
        assert_eq!(required_role(*kind, "made_up"), None);
        assert_eq!(required_role(*kind, "kind"), None);
    }
}

#[test]
fn a_recorded_starting_grade_is_changed_by_instructors_only() {
    let (s, mut doc) = new_student();
    let regrade = |doc: &mut AutoCommit| {
        student::update(
            doc,
            &Student {
                start_grade: Grade::new(RankId::new(), 3),
                ..s.clone()
            },
        )
        .unwrap();
    };
    regrade(&mut doc);
    let mut instructor_copy = doc.clone();
    assert!(matches!(
        judge(&mut doc, FRONT_DESK, DocKind::Student),
        Err(PolicyError::MayNotChange { field, .. }) if field.starts_with("start_")
    ));
    assert_eq!(judge(&mut instructor_copy, INSTRUCTOR, DocKind::Student), Ok(()));

    // At creation the front desk records it: the profile after genesis.
    let mut fresh = student::start(s.id, actor(2)).unwrap();
    fresh.commit();
    student::update(&mut fresh, &s).unwrap();
    assert_eq!(judge(&mut fresh, FRONT_DESK, DocKind::Student), Ok(()));
}

#[test]
fn only_owners_change_an_owners_staff_record() {
    use crate::doc::staff;
    use crate::people::Staff;
    use crate::text::Email;

    let record = |role: Role| Staff {
        id: crate::ids::StaffId::new(),
        name: PersonName::parse("Rita Lima").unwrap(),
        email: Email::parse("rita@example.com").unwrap(),
        role,
        active: true,
        pin_verifier: None,
    };
    for (role, admin_may) in [(Role::Owner, false), (Role::Admin, true), (Role::FrontDesk, true)] {
        let staff = record(role);
        let mut doc = staff::create(&staff, actor(1)).unwrap();
        doc.commit();
        staff::update(
            &mut doc,
            &Staff {
                active: false,
                ..staff
            },
        )
        .unwrap();
        let mut owner_copy = doc.clone();
        assert_eq!(
            judge(&mut doc, ADMIN, DocKind::Staff).is_ok(),
            admin_may,
            "{role:?}"
        );
        assert_eq!(
            judge(&mut owner_copy, Writer::Device(Role::Owner), DocKind::Staff),
            Ok(())
        );
    }
}

/// An edit to an existing student, and the least role the policy must
/// ask of it (`None`: the server's alone). Written apart from the policy's
/// table, as the rules read to a person.
#[derive(Debug, Clone, Copy)]
enum Edit {
    Status,
    Phone,
    Note,
    Guardian,
    Regrade,
    Promotion,
    CardVersion,
}

impl Edit {
    fn least_role(self) -> Option<Role> {
        match self {
            Edit::Status | Edit::Phone | Edit::Note | Edit::Guardian => Some(Role::FrontDesk),
            Edit::Regrade | Edit::Promotion => Some(Role::Instructor),
            Edit::CardVersion => None,
        }
    }

    fn make(self, doc: &mut AutoCommit, s: &Student, n: u8) {
        let mut edited = s.clone();
        match self {
            Edit::Status => edited.status = StudentStatus::Paused,
            Edit::Phone => edited.phone = Some(crate::text::Phone::parse(&format!("+351 91{n:07}")).unwrap()),
            Edit::Regrade => edited.start_grade = Grade::new(RankId::new(), n % 4),
            Edit::CardVersion => edited.card_version += u16::from(n) + 1,
            Edit::Note => {
                let note = crate::people::Note {
                    id: crate::ids::NoteId::new(),
                    at: datetime!(2026-11-22 19:00 UTC),
                    by: StaffId::new(),
                    text: Prose::parse("Good guard retention").unwrap(),
                };
                return student::add_note(doc, &note).unwrap();
            }
            Edit::Guardian => {
                let guardian = crate::people::Guardian {
                    id: crate::ids::GuardianId::new(),
                    name: PersonName::parse("Rita Souza").unwrap(),
                    relation: None,
                    phone: None,
                    email: None,
                };
                return student::put_guardian(doc, &guardian).unwrap();
            }
            Edit::Promotion => return student::add_promotion(doc, &student::sample_stripe(s)).unwrap(),
        }
        student::update(doc, &edited).unwrap();
    }
}

proptest::proptest! {
    /// Any mix of edits in one change is allowed exactly when the device's
    /// role may make every one of them.
    #[test]
    fn a_change_is_allowed_exactly_when_each_of_its_edits_is(
        edits in proptest::collection::vec(0..7usize, 1..5),
        role in 0..4usize,
        n in 0..200u8,
    ) {
        const EDITS: [Edit; 7] = [
            Edit::Status, Edit::Phone, Edit::Note, Edit::Guardian,
            Edit::Regrade, Edit::Promotion, Edit::CardVersion,
        ];
        let role = [Role::Owner, Role::Admin, Role::Instructor, Role::FrontDesk][role];
        let (s, mut doc) = new_student();
        let edits: Vec<Edit> = edits.into_iter().map(|i| EDITS[i]).collect();
        for edit in &edits {
            edit.make(&mut doc, &s, n);
        }
        let expected = edits
            .iter()
            .all(|edit| edit.least_role().is_some_and(|least| role.at_least(least)));
        proptest::prop_assert_eq!(
            judge(&mut doc, Writer::Device(role), DocKind::Student).is_ok(),
            expected,
            "{:?} by {:?}", edits, role
        );
    }
}
