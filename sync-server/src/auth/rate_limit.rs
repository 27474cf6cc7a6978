//! Counting failures per key in a sliding window, to slow down password
//! guessing.

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

    /// `Err(seconds to wait)` once `key` has failed `max` times in the window.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        let Some(times) = failures.get_mut(key) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.is_empty() {
            failures.remove(key);
            return Ok(());
        }
        match times.front() {
            Some(oldest) if times.len() >= self.max => Err(self
                .window
                .saturating_sub(now.duration_since(*oldest))
                .as_secs()
                .max(1)),
            _ => Ok(()),
        }
    }

    pub fn fail(&self, key: &str, now: Instant) {
        if let Ok(mut failures) = self.failures.lock() {
            let times = failures.entry(key.to_owned()).or_default();
            times.push_back(now);
            // Never hold more than needed to decide.
            while times.len() > self.max {
                times.pop_front();
            }
        }
    }

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
    fn blocks_after_max_failures_until_the_window_passes() {
        let limiter = FailureLimiter::new(3, Duration::from_mins(15));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(limiter.check("ana", t0 + Duration::from_secs(i)), Ok(()));
            limiter.fail("ana", t0 + Duration::from_secs(i));
        }
        assert_eq!(limiter.check("ana", t0 + Duration::from_secs(10)), Err(890));
        assert_eq!(limiter.check("ben", t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(
            limiter.check("ana", t0 + Duration::from_secs(901)),
            Ok(()),
            "the first failure aged out"
        );
        limiter.clear("ana");
        assert_eq!(limiter.check("ana", t0 + Duration::from_secs(10)), Ok(()));
    }
}
