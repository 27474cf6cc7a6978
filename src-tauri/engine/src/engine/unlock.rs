//! Staff unlock a shared tablet with their PIN, offline: the PIN is checked
//! against the verifier in their staff document, so every action on the
//! device is attributed to a person.

use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use serde_json::json;
use tatami_core::people::Staff;
use tatami_core::text::Email;

use super::{Engine, lock};
use crate::error::EngineError;
use crate::store::{audit, rows};

/// Wrong PINs allowed before the device makes people wait.
const FREE_ATTEMPTS: u32 = 5;

/// Wrong PINs in a row and when the next attempt is allowed.
#[derive(Debug, Default)]
pub(super) struct Failures {
    count: u32,
    wait_until: Option<Instant>,
}

impl Failures {
    fn wait(&self) -> Option<Duration> {
        self.wait_until
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    fn failed(&mut self) {
        self.count += 1;
        if self.count >= FREE_ATTEMPTS {
            // 30 s, doubling with every further failure, at most an hour.
            let exponent = (self.count - FREE_ATTEMPTS).min(7);
            self.wait_until = Some(Instant::now() + Duration::from_secs(30 << exponent));
        }
    }
}

impl Engine {
    /// Unlocks the device for the staff member with `email` and `pin`.
    pub fn unlock(&self, email: &str, pin: &str) -> Result<Staff, EngineError> {
        if let Some(wait) = lock(&self.inner.unlock_failures).wait() {
            return Err(EngineError::TooManyAttempts {
                seconds: wait.as_secs().max(1),
            });
        }
        let email = Email::parse(email).map_err(|_| EngineError::WrongPin)?;
        let staff = self.with_store(|store| rows::staff_by_email(store.read(), &email))?;
        let verified = staff.filter(|staff| {
            staff.active
                && staff
                    .pin_verifier
                    .as_deref()
                    .is_some_and(|verifier| pin_matches(pin, verifier))
        });
        let at = self.now();
        let Some(staff) = verified else {
            lock(&self.inner.unlock_failures).failed();
            self.with_store(|store| {
                store.write(|tx| audit::record(tx, at, None, "unlock_failed", &json!({ "email": email })))
            })?;
            return Err(EngineError::WrongPin);
        };
        *lock(&self.inner.unlock_failures) = Failures::default();
        self.with_store(|store| {
            store.write(|tx| audit::record(tx, at, Some(staff.id), "unlocked", &json!({})))
        })?;
        *lock(&self.inner.unlocked) = Some(staff.clone());
        Ok(staff)
    }

    /// Locks the device: the next action needs a PIN again.
    pub fn lock(&self) {
        *lock(&self.inner.unlocked) = None;
    }

    /// Who the device is unlocked for.
    pub fn unlocked(&self) -> Option<Staff> {
        lock(&self.inner.unlocked).clone()
    }
}

fn pin_matches(pin: &str, verifier: &str) -> bool {
    PasswordHash::new(verifier)
        .is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}
