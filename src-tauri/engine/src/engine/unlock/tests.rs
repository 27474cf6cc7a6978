//! Unlocking a shared device with a staff PIN, and the growing wait after
//! wrong ones.

use proptest::prelude::*;
use serde_json::json;
use tatami_core::people::Role;
use time::Duration;

use super::{FIRST_WAIT_MS, FREE_ATTEMPTS, Failures, LONGEST_WAIT_MS};
use crate::engine::testing::{Device, Person};
use crate::error::EngineError;

/// The longest wait, in seconds: 30 s doubled seven times, 64 minutes.
const LONGEST_WAIT: u64 = 3_840;

fn kiosk() -> Device {
    Device::enrolled(Role::FrontDesk)
}

fn try_pin(device: &Device, person: &Person, pin: &str) -> Result<(), EngineError> {
    device.engine.unlock(person.staff.email.as_str(), pin).map(drop)
}

/// A wrong PIN for the front desk's own email.
fn wrong_pin(device: &Device) -> Result<(), EngineError> {
    try_pin(device, &device.front_desk, "0000")
}

fn fail_free_attempts(device: &Device) {
    for _ in 0..5 {
        let result = wrong_pin(device);
        assert!(matches!(result, Err(EngineError::WrongPin)), "{result:?}");
    }
}

fn waits(result: Result<(), EngineError>) -> u64 {
    match result {
        Err(EngineError::TooManyAttempts { seconds }) => seconds,
        other => panic!("expected a wait, got {other:?}"),
    }
}

#[test]
fn the_right_pin_unlocks_and_is_audited() {
    let device = kiosk();
    assert_eq!(device.engine.unlocked(), None);
    let staff = device
        .engine
        .unlock(device.instructor.staff.email.as_str(), device.instructor.pin)
        .unwrap();
    assert_eq!(staff, device.instructor.staff);
    assert_eq!(device.engine.unlocked(), Some(staff));
    let audit = device.last_audit();
    assert_eq!(
        (audit.action.as_str(), audit.staff),
        ("unlocked", Some(device.instructor.staff.id))
    );
}

#[test]
fn a_wrong_pin_and_an_unknown_email_are_the_same_refusal() {
    let device = kiosk();
    let wrong = wrong_pin(&device);
    let unknown = device
        .engine
        .unlock("nobody@golden-tiger.example", device.front_desk.pin);
    // Another member's PIN is a wrong PIN too.
    let others = try_pin(&device, &device.front_desk, device.owner.pin);
    for result in [wrong, unknown.map(drop), others] {
        assert!(matches!(result, Err(EngineError::WrongPin)), "{result:?}");
    }
    assert_eq!(device.engine.unlocked(), None);
    let audit = device.engine.audit(3).unwrap();
    assert!(
        audit
            .iter()
            .all(|a| a.action == "unlock_failed" && a.staff.is_none())
    );
    assert_eq!(audit[1].detail, json!({ "email": "nobody@golden-tiger.example" }));
}

#[test]
fn staff_who_left_cannot_unlock_with_their_old_pin() {
    let device = kiosk();
    let result = try_pin(&device, &device.former, device.former.pin);
    assert!(matches!(result, Err(EngineError::WrongPin)), "{result:?}");
    assert_eq!(device.engine.unlocked(), None);
}

#[test]
fn locking_asks_for_a_pin_again() {
    let device = Device::unlocked(Role::FrontDesk, Role::FrontDesk);
    assert_eq!(device.engine.acting_role(), Some(Role::FrontDesk));
    device.engine.lock();
    assert_eq!(
        (device.engine.unlocked(), device.engine.acting_role()),
        (None, None)
    );
}

#[test]
fn five_wrong_pins_make_the_next_attempt_wait_30_seconds_doubling_up_to_64_minutes() {
    let device = kiosk();
    fail_free_attempts(&device);
    let mut seen = Vec::new();
    for _ in 0..9 {
        let seconds = waits(wrong_pin(&device));
        seen.push(seconds);
        device.advance(Duration::seconds(i64::try_from(seconds).unwrap()));
        // Waited out: the PIN is checked, and wrong again.
        assert!(matches!(wrong_pin(&device), Err(EngineError::WrongPin)));
    }
    assert_eq!(
        seen,
        [30, 60, 120, 240, 480, 960, 1_920, LONGEST_WAIT, LONGEST_WAIT]
    );
}

#[test]
fn while_waiting_even_the_right_pin_waits_and_the_wait_counts_down() {
    let device = kiosk();
    fail_free_attempts(&device);
    device.advance(Duration::seconds(10));
    let right = try_pin(&device, &device.front_desk, device.front_desk.pin);
    assert_eq!(waits(right), 20);
    assert_eq!(device.engine.unlocked(), None);
}

#[test]
fn the_wait_survives_restarting_the_app() {
    let mut device = kiosk();
    fail_free_attempts(&device);
    device.reopen();
    assert_eq!(waits(wrong_pin(&device)), 30);
}

#[test]
fn the_right_pin_after_the_wait_unlocks_and_starts_the_count_again() {
    let device = kiosk();
    fail_free_attempts(&device);
    device.advance(Duration::seconds(30));
    device.unlock(&device.front_desk);
    device.engine.lock();
    // Five more free attempts, then the first wait again, not a longer one.
    fail_free_attempts(&device);
    assert_eq!(waits(wrong_pin(&device)), 30);
}

#[test]
fn a_clock_turned_back_waits_no_longer_than_the_longest_wait() {
    let device = kiosk();
    fail_free_attempts(&device);
    device.advance(Duration::days(-30));
    assert_eq!(waits(wrong_pin(&device)), LONGEST_WAIT);
}

proptest! {
    /// Whatever the times of the failures and whatever the clock reads
    /// next, the wait starts after the free attempts, never shrinks as
    /// failures grow and never passes the longest wait.
    #[test]
    fn waits_start_after_the_free_attempts_grow_and_stay_capped(
        start in 0i64..4_000_000_000_000,
        gaps in proptest::collection::vec(0i64..10_000_000, 1..30),
        later in any::<i64>(),
    ) {
        let mut failures = Failures::default();
        let (mut now, mut last) = (start, 0);
        for gap in gaps {
            now += gap;
            failures.failed(now);
            let wait = failures.wait_until.map_or(0, |until| until - now);
            prop_assert_eq!(wait > 0, failures.count >= FREE_ATTEMPTS);
            prop_assert!(wait == 0 || wait >= FIRST_WAIT_MS);
            prop_assert!(wait >= last && wait <= LONGEST_WAIT_MS);
            last = wait;
            let left = failures.seconds_left(now).unwrap_or(0);
            prop_assert_eq!(left, u64::try_from(wait / 1_000).unwrap());
            prop_assert!(failures.seconds_left(later).unwrap_or(0) <= LONGEST_WAIT);
        }
    }
}
