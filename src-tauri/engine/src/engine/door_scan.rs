//! The door camera's loop, written once for the app and the test driver:
//! every code the scanner reports is checked in, and each outcome is
//! reported as it happens.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tatami_scan::{ScanEvent, Scanner, SourceError, Verify};

use super::Engine;
use super::door::DoorOutcome;
use crate::error::EngineError;

/// How often the loop looks at its stop flag while nothing is read.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// The scanner believes a code on its first read when it is a pass this
/// academy signed (so no bit of it was misread).
impl Verify for Engine {
    fn verifies(&self, code: &str) -> bool {
        self.academy()
            .is_some_and(|academy| academy.keys.is_signed(code.trim()))
    }
}

impl Engine {
    /// Checks in every pass `scanner` reads, giving each outcome to
    /// `report`, until the scan stops or `stop` is set. Returns why the
    /// scan stopped: `None` when a recording ended or `stop` was set.
    pub fn check_in_reads(
        &self,
        scanner: &Scanner,
        stop: &AtomicBool,
        mut report: impl FnMut(Result<DoorOutcome, EngineError>),
    ) -> Option<SourceError> {
        while !stop.load(Ordering::Relaxed) {
            match scanner.next_event(STOP_CHECK) {
                None => {}
                Some(ScanEvent::Read(payload)) => report(self.check_in_scanned(&payload)),
                Some(ScanEvent::Stopped(why)) => return why,
            }
        }
        None
    }
}
