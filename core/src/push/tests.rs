use crate::belt::Grade;
use crate::doc::roll;
use crate::doc::student;
use crate::ids::{ClassId, RankId, StaffId, StudentId};
use crate::people::{Role, Student};
use crate::schedule::{ClassRef, SessionKey};
use crate::text::PersonName;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit};
use time::macros::{date, datetime};

use super::*;

const FRONT_DESK: Writer = Writer::Device(Role::FrontDesk);

/// Every change of `doc`, as a device would push them.
fn all_changes(doc: &mut AutoCommit) -> Vec<Vec<u8>> {
    doc.commit();
    doc.get_changes(&[])
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect()
}

fn session() -> SessionKey {
    SessionKey {
        class: ClassRef::Class(ClassId::new()),
        date: date!(2026 - 11 - 23),
    }
}

fn checked_in_roll(tenant: TenantId) -> (DocId, AutoCommit, StudentId) {
    let key = session();
    let mut doc = roll::create(tenant, &key, ActorId::from([1; 16])).unwrap();
    let student = StudentId::new();
    roll::check_in(&mut doc, &roll::sample_check_in(student)).unwrap();
    (roll::doc_id(tenant, &key), doc, student)
}

#[test]
fn a_new_roll_with_a_check_in_is_accepted_once() {
    let tenant = TenantId::new();
    let (id, mut device, student) = checked_in_roll(tenant);
    let changes = all_changes(&mut device);
    let mut server = AutoCommit::new();
    let accepted = apply(&mut server, tenant, id, FRONT_DESK, &changes).unwrap();
    assert_eq!(accepted.kind, DocKind::Roll);
    assert_eq!(accepted.new.len(), 2, "genesis and the check-in");
    assert_eq!(accepted.touched_entries, BTreeSet::from([student.to_string()]));
    // The same push again (a retry) brings nothing new.
    assert!(
        apply(&mut server, tenant, id, FRONT_DESK, &changes)
            .unwrap()
            .new
            .is_empty()
    );
}

fn assert_refused(result: Result<Accepted, Refusal>, code: RefusalCode, fragment: &str) {
    let refusal = result.expect_err("the push must be refused");
    assert_eq!(refusal.code, code, "{}", refusal.message);
    assert!(refusal.message.contains(fragment), "{}", refusal.message);
}

#[test]
fn bad_pushes_are_refused_and_change_nothing() {
    let tenant = TenantId::new();
    let (id, mut device, _) = checked_in_roll(tenant);
    let changes = all_changes(&mut device);
    let mut server = AutoCommit::new();
    apply(&mut server, tenant, id, FRONT_DESK, &changes[..1]).unwrap();
    let heads = server.get_heads();

    assert_refused(
        apply(&mut server, tenant, id, FRONT_DESK, &[b"not a change".to_vec()]),
        RefusalCode::Invalid,
        "not an Automerge change",
    );
    let mut truncated = changes[1].clone();
    truncated.truncate(truncated.len() / 2);
    assert_refused(
        apply(&mut server, tenant, id, FRONT_DESK, &[truncated]),
        RefusalCode::Invalid,
        "not an Automerge change",
    );
    assert_eq!(server.get_heads(), heads);

    // A change whose parent the server does not have: kept by the device
    // for later, not undone.
    let mut later = device.clone();
    roll::void(
        &mut later,
        StudentId::new(),
        &roll::Void {
            at: datetime!(2026-11-23 18:00 UTC),
            by: StaffId::new(),
        },
    )
    .unwrap();
    later.put(automerge::ROOT, "made_up", 1u64).unwrap();
    let orphan = all_changes(&mut later).pop().unwrap();
    assert_refused(
        apply(&mut server, tenant, id, FRONT_DESK, &[orphan]),
        RefusalCode::MissingDependencies,
        "does not have yet",
    );
    assert_eq!(server.get_heads(), heads);
    assert!(server.get_missing_deps(&[]).is_empty(), "nothing left queued");

    // Changes of another document pushed under this id.
    let (_, mut other, _) = checked_in_roll(tenant);
    assert_refused(
        apply(&mut server, tenant, id, FRONT_DESK, &all_changes(&mut other)),
        RefusalCode::Invalid,
        "",
    );
    assert_eq!(server.get_heads(), heads);

    // A roll of another academy.
    let foreign = TenantId::new();
    let (foreign_id, mut theirs, _) = checked_in_roll(foreign);
    assert_refused(
        apply(
            &mut AutoCommit::new(),
            tenant,
            foreign_id,
            FRONT_DESK,
            &all_changes(&mut theirs),
        ),
        RefusalCode::Invalid,
        "another academy",
    );
}

/// A student made on a device: the record, the device's copy, its changes.
fn new_student() -> (Student, AutoCommit, Vec<Vec<u8>>) {
    let s = Student::new(
        StudentId::new(),
        PersonName::parse("Ana Souza").unwrap(),
        date!(2025 - 01 - 10),
        Grade::new(RankId::new(), 0),
    );
    let mut device = student::create(&s, ActorId::from([1; 16])).unwrap();
    let created = all_changes(&mut device);
    (s, device, created)
}

#[test]
fn changes_beyond_the_devices_role_are_forbidden() {
    let tenant = TenantId::new();
    let (s, mut device, created) = new_student();
    let id = student::doc_id(s.id);
    let mut server = AutoCommit::new();
    apply(&mut server, tenant, id, FRONT_DESK, &created).unwrap();
    let heads = server.get_heads();

    student::add_promotion(&mut device, &student::sample_stripe(&s)).unwrap();
    let promotion = all_changes(&mut device).pop().unwrap();
    assert_refused(
        apply(
            &mut server,
            tenant,
            id,
            FRONT_DESK,
            std::slice::from_ref(&promotion),
        ),
        RefusalCode::Forbidden,
        "promotions",
    );
    assert_eq!(server.get_heads(), heads);
    assert_eq!(
        apply(
            &mut server,
            tenant,
            id,
            Writer::Device(Role::Instructor),
            &[promotion]
        )
        .unwrap()
        .new
        .len(),
        1
    );
}

#[test]
fn a_change_that_leaves_the_document_unreadable_is_invalid() {
    let tenant = TenantId::new();
    let (s, mut device, created) = new_student();
    device.put(automerge::ROOT, "status", "retired").unwrap();
    let broken = all_changes(&mut device).pop().unwrap();
    let mut server = AutoCommit::new();
    apply(&mut server, tenant, student::doc_id(s.id), FRONT_DESK, &created).unwrap();
    assert_refused(
        apply(&mut server, tenant, student::doc_id(s.id), FRONT_DESK, &[broken]),
        RefusalCode::Invalid,
        "status",
    );
    assert_eq!(student::project(&server).unwrap().student.status, s.status);
}

/// Found by the `push` fuzz target: a change naming an actor the document
/// does not know made Automerge panic inside the academy's writer, failing
/// every push that shared its batch. It is refused like any bad change (it
/// is not in Automerge's own encoding either), and the server's copy is
/// left as it was.
#[test]
fn a_change_automerge_cannot_take_is_refused_not_a_panic() {
    let tenant = TenantId::from_uuid(uuid::Uuid::from_u128(7));
    let session = SessionKey {
        class: ClassRef::Class(ClassId::from_uuid(uuid::Uuid::from_u128(3))),
        date: date!(2026 - 11 - 23),
    };
    let id = roll::doc_id(tenant, &session);
    let mut server = roll::create(tenant, &session, ActorId::from([1; 16])).unwrap();
    let heads = server.get_heads();
    let changes = [
        include_bytes!("found/unknown-actor-0.bin").to_vec(),
        include_bytes!("found/unknown-actor-1.bin").to_vec(),
    ];
    assert_refused(
        apply(&mut server, tenant, id, FRONT_DESK, &changes),
        RefusalCode::Invalid,
        "",
    );
    assert_eq!(server.get_heads(), heads);

    // The copy still takes a good check-in.
    let mut device = server.fork().with_actor(ActorId::from([2; 16]));
    roll::check_in(&mut device, &roll::sample_check_in(StudentId::new())).unwrap();
    device.commit();
    let good: Vec<Vec<u8>> = device
        .get_changes(&heads)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    apply(&mut server, tenant, id, FRONT_DESK, &good).unwrap();
    assert_eq!(roll::project(&server).unwrap().entries.len(), 1);
}

/// Found by the `engine_apply` fuzz target: a new student's document whose
/// second change Automerge takes in an encoding of its own, then saves a
/// document it cannot load again. Pushed by one device and sent on to the
/// others, it would have broken every copy; it is refused.
#[test]
fn a_change_not_encoded_as_automerge_encodes_is_refused() {
    let tenant = TenantId::new();
    let id = student::doc_id(StudentId::from_uuid(uuid::Uuid::from_u128(5)));
    let changes = [
        include_bytes!("found/not-canonical-0.bin").to_vec(),
        include_bytes!("found/not-canonical-1.bin").to_vec(),
    ];
    let mut unchecked = AutoCommit::new();
    let decoded = changes
        .iter()
        .map(|c| automerge::Change::from_bytes(c.clone()).unwrap());
    unchecked.apply_changes(decoded).unwrap();
    assert!(
        AutoCommit::load(&unchecked.save()).is_err(),
        "Automerge itself still takes it and breaks the document"
    );
    let mut server = AutoCommit::new();
    assert_refused(
        apply(&mut server, tenant, id, Writer::Device(Role::Owner), &changes),
        RefusalCode::Invalid,
        "not encoded as Automerge encodes it",
    );
    assert!(server.get_heads().is_empty());
}
