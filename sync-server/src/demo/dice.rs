//! Deterministic choices for the demo: the same academy every run.

use time::Duration;

/// A small deterministic generator (xorshift64*), so the demo is the same
/// every time.
pub(super) struct Dice(u64);

impl Dice {
    pub(super) fn new() -> Self {
        Self(0x5eed_7a7a_0001)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }

    /// Up to `n - 1` days.
    pub(super) fn days(&mut self, n: u64) -> Duration {
        Duration::days(i64::try_from(self.below(n)).unwrap_or(0))
    }

    pub(super) fn minutes(&mut self, n: u64) -> Duration {
        Duration::minutes(i64::try_from(self.below(n)).unwrap_or(0))
    }

    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
