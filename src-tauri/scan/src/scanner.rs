//! The scanner: frames are captured on one thread and decoded on another,
//! so a slow decode never backs up the camera. Between them sits one slot
//! holding the newest frame: a live frame the decoder had no time for is
//! replaced by a newer one, so what is read is what is in front of the
//! camera now, however far decoding falls behind.

use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::accept::{Acceptance, Verify};
use super::{FrameSource, GrayFrame, Pace, SourceError, decode_within};

/// How the scanner reports.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// A code reported is not reported again until out of sight this long.
    pub hold: Duration,
    /// No frame for this long stops the scan with [`SourceError::CameraSilent`].
    pub silence: Duration,
    /// Decoding a frame starts no view that would end past this: at 30
    /// frames a second the next frame is then ready.
    pub budget: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            hold: Duration::from_secs(3),
            silence: Duration::from_secs(3),
            budget: Duration::from_millis(30),
        }
    }
}

/// What the scanner tells the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// A code to act on (a pass to check in).
    Read(String),
    /// Frames stopped: `None` when a recording ended, else why.
    Stopped(Option<SourceError>),
}

/// Counts since the scan started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Frames decoded.
    pub decoded: u64,
    /// Live frames replaced by a newer one before decoding.
    pub skipped: u64,
    /// Frames the source could not deliver (a broken JPEG, an unreadable image).
    pub spoiled: u64,
    /// Frames on which rqrr panicked (caught; the frame read nothing).
    pub panicked: u64,
    /// Frames whose last views were left untried for want of time.
    pub cut_short: u64,
}

/// A running scan; stops when dropped.
#[derive(Debug)]
pub struct Scanner {
    shared: Arc<Shared>,
    events: Receiver<ScanEvent>,
    decoder: Option<JoinHandle<()>>,
}

#[derive(Debug, Default)]
struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Slot {
    frame: Option<GrayFrame>,
    /// The source's last word: `Ok` ended, `Err` failed.
    end: Option<Result<(), SourceError>>,
    stop: bool,
    stats: ScanStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, slot: MutexGuard<'a, Slot>, timeout: Duration) -> MutexGuard<'a, Slot> {
        self.changed
            .wait_timeout(slot, timeout)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }
}

impl Scanner {
    /// Opens a source with `open` on the capture thread and starts
    /// scanning it; an error opening it (no camera, busy, denied) is
    /// returned here. A code `verify` verifies is reported on its first
    /// read, any other once read twice.
    pub fn start<S: FrameSource + 'static>(
        open: impl FnOnce() -> Result<S, SourceError> + Send + 'static,
        verify: impl Verify,
        options: ScanOptions,
    ) -> Result<Self, SourceError> {
        let shared = Arc::new(Shared::default());
        let spawn_error = |e: std::io::Error| SourceError::Camera(format!("no thread to scan on: {e}"));
        // Not joined: a camera may block in its driver; the thread ends at
        // its next frame once stopped.
        let (opened, opening) = mpsc::channel();
        let capturing = Arc::clone(&shared);
        thread::Builder::new()
            .name("scan-capture".into())
            .spawn(move || match open() {
                Ok(source) => {
                    let _ = opened.send(Ok(()));
                    capture(source, &capturing);
                }
                Err(error) => {
                    let _ = opened.send(Err(error));
                }
            })
            .map_err(spawn_error)?;
        match opening.recv_timeout(options.silence) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                shared.lock().stop = true;
                return Err(SourceError::CameraSilent(options.silence));
            }
        }
        let (sender, events) = mpsc::channel();
        let decoding = Arc::clone(&shared);
        let acceptance = Acceptance::new(verify, options.hold);
        let decoder = thread::Builder::new()
            .name("scan-decode".into())
            .spawn(move || {
                decode_frames(&decoding, acceptance, options, |event| sender.send(event).is_ok());
            })
            .map_err(|e| {
                shared.lock().stop = true;
                spawn_error(e)
            })?;
        Ok(Self {
            shared,
            events,
            decoder: Some(decoder),
        })
    }

    /// The next event, waiting at most `timeout`; `None` when there was
    /// none, or the scan is over and every event was taken.
    pub fn next_event(&self, timeout: Duration) -> Option<ScanEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    pub fn stats(&self) -> ScanStats {
        self.shared.lock().stats
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        if let Some(decoder) = self.decoder.take() {
            // A decode takes tens of milliseconds; the thread then sees the stop.
            let _ = decoder.join();
        }
    }
}

/// The capture thread: frames into the slot until the source ends or fails
/// or the scan stops.
fn capture(mut source: impl FrameSource, shared: &Shared) {
    let pace = source.pace();
    let mut due = Instant::now();
    loop {
        if let Pace::Played(interval) = pace {
            let mut slot = shared.lock();
            while !slot.stop && Instant::now() < due {
                slot = shared.wait(slot, due.saturating_duration_since(Instant::now()));
            }
            due += interval;
        }
        let next = source.next_frame();
        let mut slot = shared.lock();
        if slot.stop {
            return;
        }
        match next {
            Ok(Some(frame)) => {
                while pace == Pace::Every && slot.frame.is_some() && !slot.stop {
                    slot = shared.wait(slot, Duration::from_secs(1));
                }
                if slot.frame.replace(frame).is_some() {
                    slot.stats.skipped += 1;
                }
            }
            Ok(None) => slot.end = Some(Ok(())),
            Err(error) if !error.is_fatal() => slot.stats.spoiled += 1,
            Err(error) => slot.end = Some(Err(error)),
        }
        let ended = slot.end.is_some();
        drop(slot);
        shared.changed.notify_all();
        if ended {
            return;
        }
    }
}

/// The decode thread: the newest frame, decoded, its reads filtered by
/// `acceptance` and sent on by `send` (false when nobody listens).
fn decode_frames(
    shared: &Shared,
    mut acceptance: Acceptance,
    options: ScanOptions,
    send: impl Fn(ScanEvent) -> bool,
) {
    let silence = options.silence;
    let mut number = 0;
    loop {
        let frame = {
            let mut slot = shared.lock();
            let waiting_since = Instant::now();
            loop {
                if slot.stop {
                    return;
                }
                if let Some(frame) = slot.frame.take() {
                    break frame;
                }
                if let Some(end) = slot.end.take() {
                    send(ScanEvent::Stopped(end.err()));
                    return;
                }
                if waiting_since.elapsed() >= silence {
                    slot.stop = true;
                    send(ScanEvent::Stopped(Some(SourceError::CameraSilent(silence))));
                    return;
                }
                slot = shared.wait(slot, silence.saturating_sub(waiting_since.elapsed()));
            }
        };
        // The slot is free: a recording's next frame may come in.
        shared.changed.notify_all();
        number += 1;
        let decoded = decode_within(&frame, options.budget);
        let reads = acceptance.offer(number, Instant::now(), &decoded.payloads);
        {
            let mut slot = shared.lock();
            slot.stats.decoded += 1;
            slot.stats.panicked += u64::from(decoded.panicked);
            slot.stats.cut_short += u64::from(decoded.cut_short);
        }
        if !reads.into_iter().all(|read| send(ScanEvent::Read(read))) {
            shared.lock().stop = true;
            return;
        }
    }
}
