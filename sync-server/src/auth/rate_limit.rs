//! Counting failures per key in a sliding window, to slow down password
//! guessing. Not a request-rate limiter (governor's kind): attempts per
//! account, counted as they start and cleared by a success.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct FailureLimiter {
    window: Duration,
    max: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            window,
            max,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for `key` as a failure until [`clear`] says it
    /// succeeded; `Err(seconds to wait)` once `max` are counted in the
    /// window. Counting as it checks, under one lock, is what stops many
    /// attempts made at once from all passing the check before any of them
    /// has failed.
    ///
    /// [`clear`]: FailureLimiter::clear
    pub fn attempt(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        let times = failures.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        match times.front() {
            Some(oldest) if times.len() >= self.max => Err(self
                .window
                .saturating_sub(now.duration_since(*oldest))
                .as_secs()
                .max(1)),
            _ => {
                times.push_back(now);
                Ok(())
            }
        }
    }

    /// `key` succeeded: its count starts again.
    pub fn clear(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_attempts_until_the_window_passes() {
        let limiter = FailureLimiter::new(3, Duration::from_mins(15));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.attempt("ana", t0 + Duration::from_secs(i)), Ok(()));
        }
        assert_eq!(limiter.attempt("ana", t0 + Duration::from_secs(10)), Err(890));
        assert_eq!(limiter.attempt("ben", t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(
            limiter.attempt("ana", t0 + Duration::from_secs(901)),
            Ok(()),
            "the first attempt aged out"
        );
        limiter.clear("ana");
        assert_eq!(limiter.attempt("ana", t0 + Duration::from_secs(10)), Ok(()));
    }

    /// Attempts made at once are counted as they are let through: of many
    /// concurrent guesses only `max` are ever checked.
    #[test]
    fn attempts_at_once_are_counted_before_any_fails() {
        let limiter = std::sync::Arc::new(FailureLimiter::new(5, Duration::from_mins(15)));
        let now = Instant::now();
        let let_through: usize = (0..16)
            .map(|_| {
                let limiter = std::sync::Arc::clone(&limiter);
                std::thread::spawn(move || limiter.attempt("ana", now).is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| usize::from(t.join().unwrap()))
            .sum();
        assert_eq!(let_through, 5);
    }
}
