//! Staff unlock a shared tablet with their PIN, offline: the PIN is checked
//! against the verifier in their staff document, so every action on the
//! device is attributed to a person.

use argon2::Argon2;
use argon2::password_hash::PasswordVerifier;
use argon2::password_hash::phc::PasswordHash;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tatami_core::people::Staff;
use tatami_core::text::Email;

use super::{Engine, lock};
use crate::error::EngineError;
use crate::store::{Meta, StoreError, audit, rows};

/// Wrong PINs allowed before the device makes people wait.
const FREE_ATTEMPTS: u32 = 5;
/// The first wait, doubling with every further failure up to 2^7 times.
const FIRST_WAIT_MS: i64 = 30_000;
const LONGEST_WAIT_MS: i64 = FIRST_WAIT_MS << 7;

/// Wrong PINs in a row and until when the next attempt waits, kept in the
/// store so that restarting the app does not reset them.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Failures {
    count: u32,
    /// Unix milliseconds by the device clock.
    wait_until: Option<i64>,
}

impl Failures {
    fn load(conn: &rusqlite::Connection) -> Result<Self, StoreError> {
        Ok(match Meta::UnlockFailures.get(conn)? {
            Some(json) => serde_json::from_str(&json)?,
            None => Self::default(),
        })
    }

    fn save(&self, conn: &rusqlite::Connection) -> Result<(), StoreError> {
        Meta::UnlockFailures.set(conn, &serde_json::to_string(self)?)
    }

    /// Seconds left to wait at `now`; a clock turned back waits no longer
    /// than the longest wait.
    fn seconds_left(&self, now: i64) -> Option<u64> {
        let left = self.wait_until?.saturating_sub(now).min(LONGEST_WAIT_MS);
        u64::try_from(left)
            .ok()
            .filter(|&ms| ms > 0)
            .map(|ms| ms.div_ceil(1000))
    }

    fn failed(&mut self, now: i64) {
        self.count += 1;
        if self.count >= FREE_ATTEMPTS {
            let exponent = (self.count - FREE_ATTEMPTS).min(7);
            self.wait_until = Some(now + (FIRST_WAIT_MS << exponent));
        }
    }
}

impl Engine {
    /// Unlocks the device for the staff member with `email` and `pin`.
    pub fn unlock(&self, email: &str, pin: &str) -> Result<Staff, EngineError> {
        let at = self.now();
        let now = rows::millis(at);
        let mut failures = self.with_store(|store| Failures::load(store.read()))?;
        if let Some(seconds) = failures.seconds_left(now) {
            return Err(EngineError::TooManyAttempts { seconds });
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
        let Some(staff) = verified else {
            failures.failed(now);
            self.with_store(|store| {
                store.write(|tx| {
                    failures.save(tx)?;
                    audit::record(tx, at, None, "unlock_failed", &json!({ "email": email }))
                })
            })?;
            return Err(EngineError::WrongPin);
        };
        self.with_store(|store| {
            store.write(|tx| {
                Meta::UnlockFailures.clear(tx)?;
                audit::record(tx, at, Some(staff.id), "unlocked", &json!({}))
            })
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

#[cfg(test)]
mod tests;
