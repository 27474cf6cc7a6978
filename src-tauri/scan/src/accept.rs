//! Which reads reach the door. A read is believed when it verifies (a
//! pass's signature holds, so no bit of it was misread) or when it repeats
//! in a nearby frame (what cannot be verified, such as another academy's
//! pass, is then at least what is printed). A code held up to the camera
//! reaches the door once, not thirty times a second.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A read unverified is believed when read again within this many frames.
const REPEAT_WITHIN: u64 = 5;

/// Tells a code read without error: true when `code` is certainly what was
/// printed (a pass whose signature holds), so one read is enough. Asked on
/// the scanner's decode thread, once a code in sight.
pub trait Verify: Send + 'static {
    fn verifies(&self, code: &str) -> bool;
}

/// Any `Fn(&str) -> bool` verifies: tools with no academy key, tests.
impl<F: Fn(&str) -> bool + Send + 'static> Verify for F {
    fn verifies(&self, code: &str) -> bool {
        self(code)
    }
}

/// Decides which reads to report.
pub(super) struct Acceptance {
    verify: Box<dyn Verify>,
    /// A code is not reported again until it has been out of sight this long.
    hold: Duration,
    seen: HashMap<String, Sighting>,
}

impl std::fmt::Debug for Acceptance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acceptance")
            .field("hold", &self.hold)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy)]
struct Sighting {
    frame: u64,
    at: Instant,
    reported: bool,
}

impl Acceptance {
    pub(super) fn new(verify: impl Verify, hold: Duration) -> Self {
        Self {
            verify: Box::new(verify),
            hold,
            seen: HashMap::new(),
        }
    }

    /// The codes of frame number `frame`, read at `at`, to report now.
    pub(super) fn offer(&mut self, frame: u64, at: Instant, codes: &[String]) -> Vec<String> {
        let hold = self.hold;
        let since = |s: &Sighting| at.saturating_duration_since(s.at);
        let near = |s: &Sighting| frame.saturating_sub(s.frame) <= REPEAT_WITHIN;
        self.seen.retain(|_, s| since(s) < hold || near(s));
        let mut report = Vec::new();
        for code in codes {
            let before = self.seen.get(code);
            // Reported already, and in sight ever since.
            let known = before.is_some_and(|s| s.reported && since(s) < hold);
            let believed = known || before.is_some_and(near) || self.verify.verifies(code);
            if believed && !known {
                report.push(code.clone());
            }
            let sighting = Sighting {
                frame,
                at,
                reported: believed,
            };
            self.seen.insert(code.clone(), sighting);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use proptest::prelude::*;

    use super::*;

    const HOLD: Duration = Duration::from_secs(3);

    /// Codes "pass-*" verify; "other-*" do not.
    fn acceptance() -> Acceptance {
        Acceptance::new(|code: &str| code.starts_with("pass"), HOLD)
    }

    /// Frames as (milliseconds since the previous frame, codes read).
    fn frames() -> impl Strategy<Value = Vec<(u64, Vec<String>)>> {
        let code =
            prop::sample::select(vec!["pass-a", "pass-b", "other-x", "other-y"]).prop_map(String::from);
        prop::collection::vec(
            (
                prop_oneof![3 => 20..80u64, 1 => 500..5000u64],
                prop::collection::vec(code, 0..3),
            ),
            1..120,
        )
    }

    proptest! {
        /// What is reported was verified or read twice within the window;
        /// nothing is reported twice without being out of sight for the
        /// hold; a verified code coming into sight is reported at once.
        #[test]
        fn reports_are_believed_and_not_repeated_while_in_sight(frames in frames()) {
            let mut acceptance = acceptance();
            let mut at = Instant::now();
            let mut last_seen: HashMap<String, (u64, Instant)> = HashMap::new();
            // Codes in a visit (a sighting after the hold out of sight) not yet reported.
            let mut unreported = std::collections::HashSet::new();
            for (number, (gap, codes)) in (1..).zip(&frames) {
                at += Duration::from_millis(*gap);
                let mut codes = codes.clone();
                codes.sort();
                codes.dedup();
                let reports = acceptance.offer(number, at, &codes);
                for code in &codes {
                    let before = last_seen.insert(code.clone(), (number, at));
                    let returning = before.is_none_or(|(_, seen)| at - seen >= HOLD);
                    if returning {
                        unreported.insert(code.clone());
                    }
                    if reports.contains(code) {
                        let repeated = before.is_some_and(|(frame, _)| number - frame <= REPEAT_WITHIN);
                        prop_assert!(code.starts_with("pass") || repeated, "{code} reported unverified at frame {number}");
                        prop_assert!(unreported.remove(code), "{code} reported again while in sight at frame {number}");
                    } else {
                        prop_assert!(!(returning && code.starts_with("pass")), "{code} came into sight at frame {number} and was not reported");
                    }
                }
                prop_assert!(reports.iter().all(|r| codes.contains(r)));
            }
        }
    }

    #[test]
    fn a_foreign_code_read_once_is_not_reported_and_read_again_is_reported_once() {
        let mut acceptance = acceptance();
        let at = Instant::now();
        let other = vec!["other-x".to_owned()];
        assert!(acceptance.offer(1, at, &other).is_empty());
        assert_eq!(acceptance.offer(3, at + Duration::from_millis(66), &other), other);
        assert!(
            acceptance
                .offer(4, at + Duration::from_millis(99), &other)
                .is_empty()
        );
        // Read once more long after: alone, it is again not believed.
        assert!(
            acceptance
                .offer(400, at + Duration::from_secs(20), &other)
                .is_empty()
        );
    }

    #[test]
    fn a_pass_held_to_the_camera_is_reported_once_and_again_when_shown_again() {
        let mut acceptance = acceptance();
        let start = Instant::now();
        let pass = vec!["pass-a".to_owned()];
        let reports: usize = (0..300u32)
            .map(|i| {
                acceptance
                    .offer(u64::from(i), start + Duration::from_millis(33) * i, &pass)
                    .len()
            })
            .sum();
        assert_eq!(reports, 1, "ten seconds in view");
        let later = start + Duration::from_secs(20);
        assert_eq!(acceptance.offer(1000, later, &pass), pass);
    }
}
