//! The door on a front-desk kiosk: every outcome of core's check-in policy
//! as the engine reaches it, and what each one writes.

use serde_json::json;
use tatami_core::checkin::{Decision, Enforcement, Refusal, Warning};
use tatami_core::doc::roll::Method;
use tatami_core::ids::{StudentId, TenantId};
use tatami_core::pass::{KeyId, Malformed, Pass, PassError, PassKind, PassSigner, StudentTag, TenantTag};
use tatami_core::people::{Role, StudentStatus};
use tatami_core::schedule::SessionKey;
use time::Duration;
use time::macros::{date, datetime, time};

use super::DoorOutcome;
use crate::engine::Engine;
use crate::engine::testing::{BEFORE_CLASS, Device, MONDAY, assert_not_found};
use crate::error::EngineError;
use crate::store::AttendanceRow;

/// A front-desk kiosk unlocked by the front desk.
fn kiosk() -> Device {
    Device::unlocked(Role::FrontDesk, Role::FrontDesk)
}

fn open_mat() -> SessionKey {
    SessionKey::open_mat(MONDAY)
}

/// Checks in with `check_in`, which must admit into `session` with
/// `warnings`, record the attendance now by whoever unlocked, queue it for
/// the server and audit it. Returns the roll's row.
fn admits(
    device: &Device,
    check_in: impl FnOnce(&Engine) -> Result<DoorOutcome, EngineError>,
    session: SessionKey,
    warnings: &[Warning],
) -> AttendanceRow {
    let waiting = device.engine.status().waiting;
    let outcome = check_in(&device.engine).unwrap();
    assert_eq!(
        outcome.decision,
        Decision::Admit {
            warnings: warnings.to_vec()
        }
    );
    assert!(outcome.recorded);
    assert_eq!(outcome.session.key, session);
    let student = outcome.student.unwrap().id;
    let row = device
        .engine
        .roll(&session)
        .unwrap()
        .into_iter()
        .find(|row| row.student == student)
        .unwrap();
    let staff = device.engine.unlocked().unwrap().id;
    assert_eq!((row.at, row.by, row.voided), (device.engine.now(), staff, false));
    assert_eq!(
        device.engine.status().waiting,
        waiting + 1,
        "queued for the server"
    );
    let audit = device.last_audit();
    assert_eq!((audit.action.as_str(), audit.staff), ("check_in", Some(staff)));
    assert_eq!(
        audit.detail,
        json!({ "student": student, "session": session, "method": row.method })
    );
    row
}

/// Checks in with `check_in`, which must be refused for `reason`, writing
/// nothing but the audit line naming `student`.
fn refuses(
    device: &Device,
    check_in: impl FnOnce(&Engine) -> Result<DoorOutcome, EngineError>,
    reason: Refusal,
    student: Option<StudentId>,
) {
    let detail = json!({ "student": student, "reason": reason });
    let before = device.written();
    let outcome = check_in(&device.engine).unwrap();
    assert_eq!(outcome.decision, Decision::Refuse { reason });
    assert!(!outcome.recorded);
    assert_eq!(outcome.student.map(|s| s.id), student);
    let after = device.written();
    assert_eq!(after.attendance, before.attendance, "no attendance");
    assert_eq!(after.waiting, before.waiting, "nothing for the server");
    assert_eq!(after.audit.len(), before.audit.len() + 1);
    let audit = device.last_audit();
    let staff = device.engine.unlocked().unwrap().id;
    assert_eq!(
        (audit.action.as_str(), audit.staff),
        ("scan_refused", Some(staff))
    );
    assert_eq!(audit.detail, detail);
}

fn scan(payload: &str) -> impl FnOnce(&Engine) -> Result<DoorOutcome, EngineError> + '_ {
    move |engine| engine.check_in_scanned(payload)
}

fn manual(
    student: StudentId,
    session: Option<SessionKey>,
) -> impl FnOnce(&Engine) -> Result<DoorOutcome, EngineError> {
    move |engine| engine.check_in_manual(student, session)
}

/// A pass as `signer` signs it: for signers other than the academy's.
fn signed_by(signer: &PassSigner, student: StudentId) -> String {
    let pass = Pass {
        student: StudentTag::of(student),
        kind: PassKind::Card { version: 1 },
    };
    signer.sign(&pass).unwrap()
}

#[test]
fn a_current_card_in_the_class_window_shows_who_came_in_to_which_class() {
    let device = kiosk();
    let outcome = device
        .engine
        .check_in_scanned(&device.card(device.ana, 1))
        .unwrap();
    let student = outcome.student.unwrap();
    assert_eq!(
        (
            student.name.as_str(),
            student.initials.as_str(),
            student.rank.as_deref()
        ),
        ("Ana Souza", "AS", Some("White"))
    );
    assert_eq!(outcome.session.name, "Fundamentals");
    let roll = device.engine.roll(&device.class_session()).unwrap();
    assert_eq!(roll.len(), 1);
    assert_eq!((roll[0].student, roll[0].method), (device.ana, Method::Card));
}

#[test]
fn an_admission_is_recorded_queued_audited_and_on_the_profile() {
    let device = kiosk();
    let row = admits(
        &device,
        scan(&device.card(device.ana, 1)),
        device.class_session(),
        &[],
    );
    assert_eq!(row.name, "Ana Souza");
    let profile = device.engine.profile(device.ana).unwrap();
    assert_eq!(profile.attendance, [row]);
}

#[test]
fn a_card_read_with_the_scanners_line_ending_is_admitted() {
    let device = kiosk();
    let card = format!("{}\r\n", device.card(device.ana, 1));
    admits(&device, scan(&card), device.class_session(), &[]);
}

#[test]
fn a_fresh_phone_pass_is_admitted_as_a_phone_check_in() {
    let device = kiosk();
    let pass = device.phone_pass(device.ana, BEFORE_CLASS - Duration::minutes(1), 5);
    let row = admits(&device, scan(&pass), device.class_session(), &[]);
    assert_eq!(row.method, Method::Phone);
}

#[test]
fn a_lapsed_membership_is_admitted_with_a_warning_by_default() {
    let mut device = kiosk();
    let paid_until = date!(2026 - 10 - 31);
    let bruno = device.pull_student("Bruno Lima", |s| s.paid_until = Some(paid_until));
    admits(
        &device,
        scan(&device.card(bruno, 1)),
        device.class_session(),
        &[Warning::MembershipLapsed { paid_until }],
    );
}

#[test]
fn a_paused_student_is_admitted_with_a_warning_by_default() {
    let mut device = kiosk();
    let bruno = device.pull_student("Bruno Lima", |s| s.status = StudentStatus::Paused);
    admits(
        &device,
        scan(&device.card(bruno, 1)),
        device.class_session(),
        &[Warning::StudentPaused],
    );
}

#[test]
fn a_second_scan_for_the_same_session_greets_again_and_writes_nothing() {
    let device = kiosk();
    let card = device.card(device.ana, 1);
    admits(&device, scan(&card), device.class_session(), &[]);
    device.at(time!(17:58));
    let before = device.written();
    let outcome = device.engine.check_in_scanned(&card).unwrap();
    assert_eq!(outcome.decision, Decision::AlreadyCheckedIn { at: BEFORE_CLASS });
    assert!(!outcome.recorded);
    assert_eq!(device.written(), before);
}

#[test]
fn the_same_phone_pass_read_twice_for_one_session_greets_again() {
    let device = kiosk();
    let pass = device.phone_pass(device.ana, BEFORE_CLASS, 5);
    admits(&device, scan(&pass), device.class_session(), &[]);
    device.at(time!(17:56));
    let before = device.written();
    let outcome = device.engine.check_in_scanned(&pass).unwrap();
    assert_eq!(outcome.decision, Decision::AlreadyCheckedIn { at: BEFORE_CLASS });
    assert_eq!(device.written(), before);
}

#[test]
fn text_that_is_not_a_pass_is_refused_as_malformed() {
    let device = kiosk();
    let error = PassError::Malformed {
        reason: Malformed::Length,
    };
    refuses(
        &device,
        scan("https://example.com/join"),
        Refusal::InvalidPass { error },
        None,
    );
}

#[test]
fn another_academys_pass_is_refused_even_with_the_same_key() {
    let device = kiosk();
    // Any other academy whose short tag differs from ours (a tag collision
    // fails on the signature instead, which core's tests cover).
    let theirs = std::iter::repeat_with(TenantId::new)
        .find(|t| TenantTag::of(*t) != TenantTag::of(device.tenant))
        .unwrap();
    let pass = signed_by(&PassSigner::new(theirs, KeyId(1), &[7; 32]), device.ana);
    let error = PassError::WrongTenant;
    refuses(&device, scan(&pass), Refusal::InvalidPass { error }, None);
}

#[test]
fn a_pass_signed_with_a_key_this_device_does_not_know_is_refused() {
    let device = kiosk();
    let pass = signed_by(&PassSigner::new(device.tenant, KeyId(2), &[8; 32]), device.ana);
    let error = PassError::UnknownKey { key_id: KeyId(2) };
    refuses(&device, scan(&pass), Refusal::InvalidPass { error }, None);
}

#[test]
fn a_tampered_pass_is_refused_as_forged() {
    let device = kiosk();
    let mut pass = device.card(device.ana, 1);
    // The last character carries the signature's last bits.
    let last = pass.pop().unwrap();
    pass.push(if last == '0' { '1' } else { '0' });
    let error = PassError::BadSignature;
    refuses(&device, scan(&pass), Refusal::InvalidPass { error }, None);
}

#[test]
fn an_expired_phone_pass_is_refused() {
    let device = kiosk();
    let issued = BEFORE_CLASS - Duration::minutes(10);
    let pass = device.phone_pass(device.ana, issued, 5);
    let error = PassError::Expired {
        expired_at: issued + Duration::minutes(5),
    };
    refuses(&device, scan(&pass), Refusal::InvalidPass { error }, None);
}

#[test]
fn a_phone_pass_from_the_future_is_refused_until_sync_corrects_the_clock() {
    let device = kiosk();
    // The phone's clock is right; this kiosk's runs five minutes slow.
    let issued = BEFORE_CLASS + Duration::minutes(5);
    let pass = device.phone_pass(device.ana, issued, 5);
    let error = PassError::NotYetValid { valid_from: issued };
    refuses(&device, scan(&pass), Refusal::InvalidPass { error }, None);
    device.engine.set_clock_correction(5 * 60 * 1000).unwrap();
    admits(&device, scan(&pass), device.class_session(), &[]);
}

#[test]
fn a_genuine_pass_for_a_student_not_on_this_device_is_refused() {
    let device = kiosk();
    let pass = device.card(StudentId::new(), 1);
    refuses(&device, scan(&pass), Refusal::UnknownStudent, None);
}

#[test]
fn an_old_card_is_refused_once_a_new_one_is_issued() {
    let mut device = kiosk();
    device.pull_student_edit(device.ana, |s| s.card_version = 2);
    let revoked = Refusal::CardRevoked {
        presented: 1,
        current: 2,
    };
    refuses(
        &device,
        scan(&device.card(device.ana, 1)),
        revoked,
        Some(device.ana),
    );
    admits(
        &device,
        scan(&device.card(device.ana, 2)),
        device.class_session(),
        &[],
    );
}

#[test]
fn a_phone_pass_used_for_one_session_is_refused_for_the_next() {
    let device = kiosk();
    let pass = device.phone_pass(device.ana, BEFORE_CLASS, 60);
    admits(&device, scan(&pass), device.class_session(), &[]);
    // After the class window, still within the pass's hour: open mat.
    device.at(time!(18:40));
    let used = Refusal::PassAlreadyUsed { at: BEFORE_CLASS };
    refuses(&device, scan(&pass), used, Some(device.ana));
}

#[test]
fn an_inactive_student_is_refused_at_the_door_and_by_hand() {
    let mut device = kiosk();
    let bruno = device.pull_student("Bruno Lima", |s| s.status = StudentStatus::Inactive);
    let card = device.card(bruno, 1);
    refuses(&device, scan(&card), Refusal::StudentInactive, Some(bruno));
    refuses(
        &device,
        manual(bruno, None),
        Refusal::StudentInactive,
        Some(bruno),
    );
}

#[test]
fn a_paused_student_is_refused_where_the_academy_says_so() {
    let mut device = kiosk();
    device.pull_checkin_settings(|s| s.paused_student = Enforcement::Refuse);
    let bruno = device.pull_student("Bruno Lima", |s| s.status = StudentStatus::Paused);
    let card = device.card(bruno, 1);
    refuses(&device, scan(&card), Refusal::StudentPaused, Some(bruno));
}

#[test]
fn a_lapsed_membership_is_refused_where_the_academy_says_so() {
    let mut device = kiosk();
    device.pull_checkin_settings(|s| s.lapsed_membership = Enforcement::Refuse);
    let paid_until = date!(2026 - 10 - 31);
    let bruno = device.pull_student("Bruno Lima", |s| s.paid_until = Some(paid_until));
    let lapsed = Refusal::MembershipLapsed { paid_until };
    refuses(&device, scan(&device.card(bruno, 1)), lapsed, Some(bruno));
}

/// The door never refuses a scan as outside the class window: with no
/// class window open, a scan is for the day's open mat.
#[test]
fn a_scan_outside_every_class_window_checks_in_to_open_mat() {
    let device = kiosk();
    device.at(time!(18:31));
    admits(&device, scan(&device.card(device.ana, 1)), open_mat(), &[]);
    assert!(device.engine.roll(&device.class_session()).unwrap().is_empty());
}

#[test]
fn a_card_handed_back_through_the_door_is_refused_until_the_anti_passback_window_ends() {
    let device = kiosk();
    let card = device.card(device.ana, 1);
    device.at(time!(18:28));
    admits(&device, scan(&card), device.class_session(), &[]);
    device.at(time!(18:31));
    let passback = Refusal::AntiPassback {
        retry_after: datetime!(2026-11-23 18:33 UTC),
    };
    refuses(&device, scan(&card), passback, Some(device.ana));
    device.at(time!(18:33));
    admits(&device, scan(&card), open_mat(), &[]);
}

#[test]
fn staff_check_in_by_hand_late_and_regardless_of_anti_passback() {
    let mut device = kiosk();
    device.at(time!(18:28));
    admits(
        &device,
        scan(&device.card(device.ana, 1)),
        device.class_session(),
        &[],
    );
    device.at(time!(18:31));
    let row = admits(&device, manual(device.ana, None), open_mat(), &[]);
    assert_eq!(row.method, Method::Manual);
    // Late for the class, picked by name into it.
    let bruno = device.pull_student("Bruno Lima", |_| {});
    device.at(time!(18:45));
    let session = device.class_session();
    admits(&device, manual(bruno, Some(session)), session, &[]);
}

#[test]
fn a_check_in_by_hand_needs_a_student_and_session_this_device_has() {
    let device = kiosk();
    let before = device.written();
    assert_not_found(&device.engine.check_in_manual(StudentId::new(), None), "student");
    let tuesday = SessionKey {
        date: MONDAY.next_day().unwrap(),
        ..device.class_session()
    };
    let no_class = device.engine.check_in_manual(device.ana, Some(tuesday));
    assert_not_found(&no_class, "class session");
    assert_eq!(device.written(), before);
}

#[test]
fn a_locked_device_admits_nobody_and_writes_nothing() {
    let device = Device::enrolled(Role::FrontDesk);
    device.unlock(&device.front_desk);
    device.engine.lock();
    let before = device.written();
    let card = device.card(device.ana, 1);
    let phone = device.phone_pass(device.ana, BEFORE_CLASS, 5);
    for payload in [card.as_str(), phone.as_str(), "not a pass"] {
        let result = device.engine.check_in_scanned(payload);
        assert!(matches!(result, Err(EngineError::Locked)), "{result:?}");
    }
    let by_hand = device.engine.check_in_manual(device.ana, None);
    assert!(matches!(by_hand, Err(EngineError::Locked)), "{by_hand:?}");
    let void = device.engine.void_check_in(device.ana, device.class_session());
    assert!(matches!(void, Err(EngineError::Locked)), "{void:?}");
    assert_eq!(device.written(), before);
}

#[test]
fn a_voided_check_in_stays_on_the_roll_marked_and_the_student_may_check_in_again() {
    let device = kiosk();
    let (card, session) = (device.card(device.ana, 1), device.class_session());
    admits(&device, scan(&card), session, &[]);
    device.at(time!(17:57));
    assert!(device.engine.void_check_in(device.ana, session).unwrap());
    let roll = device.engine.roll(&session).unwrap();
    assert_eq!(roll.len(), 1);
    assert!(roll[0].voided);
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.staff),
        ("void_check_in", Some(device.front_desk.staff.id))
    );
    assert_eq!(audit.detail, json!({ "student": device.ana, "session": session }));

    let before = device.written();
    assert!(
        !device.engine.void_check_in(device.ana, session).unwrap(),
        "nothing left to void"
    );
    assert_eq!(device.written(), before);

    device.at(time!(17:59));
    let again = admits(&device, scan(&card), session, &[]);
    assert_eq!(again.at, datetime!(2026-11-23 17:59 UTC));
}

/// A void with nothing to void must not tell the audit trail that one
/// happened, nor give the server a roll to store.
#[test]
fn voiding_a_check_in_that_never_happened_writes_nothing() {
    let device = kiosk();
    let before = device.written();
    let voided = device
        .engine
        .void_check_in(device.ana, device.class_session())
        .unwrap();
    assert!(!voided);
    assert_eq!(device.written(), before);
}
