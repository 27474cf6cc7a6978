//! The commands the screens call: each a one-line call into the engine.
//! Declared once through `commands!`, which makes the Tauri command, adds
//! it to the handler and describes it for the TypeScript bindings, so a
//! command cannot exist on one side only. `blocking` and `plain` commands
//! (`plain` ones cannot fail) run on a blocking thread: they read and
//! write the store, and on the app's async threads they would hold up
//! events and every other command. `async` ones run on the app's runtime
//! and keep their own blocking work off it.

use std::sync::Arc;

use tatami_client::error::EngineCode;
use tatami_client::store::{AttendanceRow, RosterFilter, RosterRow};
use tatami_client::sync::EnrolRequest;
use tatami_client::{
    AttendanceReport, DoorOutcome, Enrolment, NewStudent, Profile, SessionInfo, StudentPatch,
};
use tatami_core::belt::Rank;
use tatami_core::checkin::CheckInSettings;
use tatami_core::doc::tenant::Theme;
use tatami_core::ids::{PromotionId, StudentId};
use tatami_core::schedule::SessionKey;
use tatami_core::text::Prose;

use crate::door_camera::CameraFeed;
use crate::error::{CommandError, ShellCode};
use crate::screen_types::{DeviceState, Period, PrintableCard, PromotionRequest, StaffMember};
use crate::shell::Shell;

macro_rules! commands {
    ($($(#[doc = $doc:literal])* $kind:ident fn $name:ident($shell:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block)*) => {
        $(commands!(@one $kind [$($doc)*] $name($shell $(, $arg: $ty)*) -> $ret $body);)*

        pub(crate) fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Each command's name, documentation, arguments and result.
        #[cfg(test)]
        pub(crate) fn signatures(types: &mut crate::bindings::Types) -> Vec<crate::bindings::CommandSignature> {
            vec![$(crate::bindings::CommandSignature {
                name: stringify!($name),
                docs: concat!($($doc, "\n",)*),
                args: vec![$((stringify!($arg), types.add::<$ty>()),)*],
                returns: types.add::<$ret>(),
            },)*]
        }
    };
    (@one blocking [$($doc:literal)*] $name:ident($shell:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block) => {
        $(#[doc = $doc])*
        #[tauri::command(rename_all = "snake_case")]
        async fn $name(state: tauri::State<'_, Arc<Shell>>, $($arg: $ty),*) -> Result<$ret, CommandError> {
            let shell = Arc::clone(&state);
            off_async_threads(move || -> Result<$ret, CommandError> {
                let $shell: &Shell = &shell;
                Ok($body?)
            })
            .await
        }
    };
    (@one plain [$($doc:literal)*] $name:ident($shell:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block) => {
        commands!(@one blocking [$($doc)*] $name($shell $(, $arg: $ty)*) -> $ret {
            Ok::<$ret, CommandError>($body)
        });
    };
    (@one async [$($doc:literal)*] $name:ident($shell:ident $(, $arg:ident: $ty:ty)*) -> $ret:ty $body:block) => {
        $(#[doc = $doc])*
        #[tauri::command(rename_all = "snake_case")]
        async fn $name(state: tauri::State<'_, Arc<Shell>>, $($arg: $ty),*) -> Result<$ret, CommandError> {
            let $shell: &Shell = &state;
            Ok($body.await?)
        }
    };
}

/// Runs a command's `work` on a blocking thread.
async fn off_async_threads<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| CommandError::new(ShellCode::CommandFailed, format!("the command failed: {e}")))?
}

/// Notes are prose: checked here so a bad note is an error
/// the screen shows, not a panic.
fn prose(text: &str) -> Result<Prose, CommandError> {
    Prose::parse(text).map_err(|e| CommandError::new(EngineCode::Invalid, e.to_string()))
}

commands! {
    /// Enrolment, academy, who is signed in, sync status: the first screen.
    blocking fn device_state(shell) -> DeviceState { shell.state() }

    /// Enrols this device with an admin's sign-in (online, once).
    async fn enrol(shell, request: EnrolRequest) -> Enrolment { shell.enrol(request) }

    /// Unlocks the device for a staff member by PIN (works offline).
    blocking fn unlock(shell, email: String, pin: String) -> StaffMember {
        shell.engine.unlock(&email, &pin).map(|staff| StaffMember::from(&staff))
    }

    /// Locks the device: the PIN screen shows again.
    plain fn lock(shell) -> () { shell.engine.lock() }

    /// Today's sessions, by start time, open mat last.
    blocking fn sessions_today(shell) -> Vec<SessionInfo> { shell.engine.sessions_today() }

    /// Checks in a student picked by staff, to `session` or the one open now.
    blocking fn check_in(shell, student: StudentId, session: Option<SessionKey>) -> DoorOutcome {
        shell.engine.check_in_manual(student, session)
    }

    /// Takes back a check-in made by mistake.
    blocking fn void_check_in(shell, student: StudentId, session: SessionKey) -> bool {
        shell.engine.void_check_in(student, session)
    }

    /// Students matching the filter, by name.
    blocking fn roster(shell, filter: RosterFilter) -> Vec<RosterRow> { shell.engine.roster(&filter) }

    /// A student with standing, eligibility and attendance.
    blocking fn profile(shell, student: StudentId) -> Profile { shell.engine.profile(student) }

    /// Promotes a student to a grade as of a day, with notes.
    blocking fn promote(shell, promotion: PromotionRequest) -> PromotionId {
        let PromotionRequest { student, to, on, notes } = promotion;
        shell.engine.promote(student, &to, on, prose(&notes)?)
    }

    /// Adds a student; their id.
    blocking fn add_student(shell, student: NewStudent) -> StudentId { shell.engine.add_student(student) }

    /// Changes the fields given of a student's profile.
    blocking fn edit_student(shell, student: StudentId, patch: StudentPatch) -> () {
        shell.engine.edit_student(student, patch)
    }

    /// Adds a dated note about a student.
    blocking fn add_note(shell, student: StudentId, text: String) -> () {
        shell.engine.add_note(student, prose(&text)?)
    }

    /// The student's member card to show and print: from the server, or
    /// kept here while offline.
    async fn member_card(shell, student: StudentId) -> PrintableCard {
        async { PrintableCard::of(shell.engine.member_card(student).await?) }
    }

    /// Replaces the belt system (admins).
    blocking fn set_belt_system(shell, ranks: Vec<Rank>) -> () { shell.engine.set_belt_system(ranks) }

    /// Replaces the check-in rules (admins).
    blocking fn set_checkin_settings(shell, settings: CheckInSettings) -> () {
        shell.engine.set_checkin_settings(&settings)
    }

    /// Sets the academy's colours (admins).
    blocking fn set_theme(shell, theme: Theme) -> () { shell.engine.set_theme(&theme) }

    /// A session's roll, newest first.
    blocking fn roll(shell, session: SessionKey) -> Vec<AttendanceRow> { shell.engine.roll(&session) }

    /// Check-ins per class and week, and students by status, over a period.
    blocking fn report(shell, period: Period) -> AttendanceReport { shell.engine.report(period.from, period.to) }

    /// Saves the period's check-ins as CSV in the Downloads folder; the file's path.
    blocking fn export_attendance(shell, period: Period) -> String { shell.export_attendance(period) }



    /// Starts the door camera: passes it reads arrive as `door` events. With
    /// a `webview` feed the screens send its frames (`push_frame`).
    blocking fn start_camera(shell) -> CameraFeed { shell.start_camera() }

    /// A frame from the webview's camera: gray bytes row by row, base64.
    blocking fn push_frame(shell, width: usize, height: usize, pixels: String) -> () {
        shell.push_frame(width, height, &pixels)
    }

    /// Stops the door camera (leaving the kiosk).
    plain fn stop_camera(shell) -> () { shell.stop_camera() }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::sync::{Arc, Condvar, Mutex, PoisonError};
    use std::time::Duration;

    use super::off_async_threads;

    /// Held until released, or ten seconds at most.
    #[derive(Default)]
    struct Gate {
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl Gate {
        fn wait(&self) {
            let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            let _held = self
                .opened
                .wait_timeout_while(open, Duration::from_secs(10), |open| !*open)
                .unwrap_or_else(PoisonError::into_inner);
        }

        fn release(&self) {
            *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
            self.opened.notify_all();
        }
    }

    /// Slow commands, more than the app's runtime has threads, all still
    /// running: an event is still forwarded and another command still
    /// answers. (Run on the async threads, the slow ones would hold every
    /// one of them until released.)
    #[test]
    fn slow_commands_leave_events_and_other_commands_free() {
        let gate = Arc::new(Gate::default());
        let threads = std::thread::available_parallelism().map_or(4, usize::from);
        for _ in 0..threads * 4 {
            let gate = Arc::clone(&gate);
            tauri::async_runtime::spawn(off_async_threads(move || {
                gate.wait();
                Ok(())
            }));
        }
        let (event, forwarded) = mpsc::channel();
        tauri::async_runtime::spawn(async move {
            tokio::task::yield_now().await;
            let _ = event.send(());
        });
        let (answer, answered) = mpsc::channel();
        tauri::async_runtime::spawn(async move {
            let _ = answer.send(off_async_threads(|| Ok(42)).await);
        });
        let event_went = forwarded.recv_timeout(Duration::from_secs(5)).is_ok();
        let other = answered.recv_timeout(Duration::from_secs(5));
        gate.release();
        assert!(event_went, "an event waited for slow commands");
        assert_eq!(
            other.ok().and_then(Result::ok),
            Some(42),
            "a command waited for slow ones"
        );
    }
}
