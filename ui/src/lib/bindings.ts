// Generated from the app's Rust types by src-tauri/src/bindings.rs: do not edit.
// TATAMI_WRITE_BINDINGS=1 cargo test -p tatami-app bindings

import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

/**
 * Attendance over a period, both ends included.
 */
export type AttendanceReport = { from: string, to: string, 
/**
 * Busiest first.
 */
classes: Array<ClassCount>, 
/**
 * Every week of the period, oldest first, each from its Monday.
 */
weeks: Array<WeekCount>, 
/**
 * Different students who checked in.
 */
attending: number, active: number, paused: number, inactive: number, };

/**
 * A check-in as the screens show it.
 */
export type AttendanceRow = { student: StudentId, 
/**
 * The student's name now (empty while their record has not arrived).
 */
name: string, session: SessionKey, at: string, by: StaffId, method: Method, voided: boolean, };

/**
 * Why frames stopped, as a stable code for the app to act on.
 */
export type CameraCode = "no_camera" | "camera_busy" | "camera_denied" | "camera_unplugged" | "camera_silent" | "camera_failed" | "recording_unreadable" | "bad_frame";

/**
 * Where the door camera's frames come from, as the kiosk needs to know.
 */
export type CameraFeed = "device" | "webview";

/**
 * Whether the door camera runs, and if it stopped on its own, why.
 */
export type CameraState = { "state": "on" } | { "state": "off", error: CommandError | null, };

/**
 * An academy's check-in rules.
 */
export type CheckInSettings = { 
/**
 * Check-in opens this many minutes before a class starts...
 */
opens_before_minutes: number, 
/**
 * ...and closes this many minutes after it started.
 */
closes_after_minutes: number, 
/**
 * A card or pass used for one session cannot enter another within this
 * many minutes (someone handing their card back through the door).
 * 0 turns the rule off.
 */
anti_passback_minutes: number, lapsed_membership: Enforcement, 
/**
 * Days after `paid_until` before a membership counts as lapsed.
 */
grace_days: number, paused_student: Enforcement, };

/**
 * A kind of class the academy teaches: "Fundamentals", "Kids".
 */
export type Class = { id: ClassId, name: Label, color: Color | null, };

export type ClassCount = { class: string, name: string, check_ins: number, 
/**
 * Days it had at least one check-in.
 */
sessions: number, };

export type ClassId = string;

/**
 * Why something could not be done, stable for the screens to act on:
 * the engine's own reason or the server's, as the server sent it.
 */
export type Code = EngineCode | ErrorCode;

/**
 * A colour as `#rrggbb`, stored lowercase.
 */
export type Color = string;

/**
 * Every code a command can fail with: the engine's (with the server's it
 * passes on), the door camera's and the shell's.
 */
export type CommandCode = Code | CameraCode | ShellCode;

export type CommandError = { code: CommandCode, message: string, };

/**
 * Whether the server can be used, and if not, what the user should do.
 */
export type Connection = "online" | "offline" | "enrol_again" | "update_app";

/**
 * The outcome shown at the door.
 */
export type Decision = { "outcome": "admit", warnings: Array<Warning>, } | { "outcome": "already_checked_in", at: string, } | { "outcome": "refuse", reason: Refusal, };

/**
 * A tablet or laptop enrolled in one academy.
 */
export type DeviceId = string;

/**
 * Everything the app needs to pick its first screen.
 */
export type DeviceState = { 
/**
 * `None` until the device is enrolled (the first-run screen).
 */
enrolment: Enrolment | null, academy: TenantView | null, 
/**
 * Who unlocked the device; `None` shows the PIN screen.
 */
staff: StaffMember | null, 
/**
 * The role their edits are made with here: the lesser of theirs and
 * the device's (what the screens offer follows it).
 */
acting_role: Role | null, status: SyncStatus, students: number, 
/**
 * A server address to offer on the first-run screen.
 */
server_hint: string | null, };

/**
 * An Automerge document. Entity documents reuse their entity's id;
 * class-session rolls derive theirs from the session (see `doc::roll`).
 */
export type DocId = string;

/**
 * The kinds of document.
 */
export type DocKind = "tenant" | "student" | "staff" | "roll";

/**
 * What the door shows.
 */
export type DoorOutcome = { decision: Decision, student: DoorStudent | null, session: SessionInfo, 
/**
 * A new attendance was written (false for "already in" and refusals).
 */
recorded: boolean, };

/**
 * Who is at the door, for the confirmation card.
 */
export type DoorStudent = { id: StudentId, name: string, initials: string, rank: string | null, color: Color | null, stripes: number, };

/**
 * The answer for one student.
 */
export type Eligibility = { "state": "top_grade" } | { "state": "unknown_rank", rank: RankId, } | { "state": "next" } & Report;

/**
 * An email address, lowercased: it identifies an account, and mailboxes
 * that differ only in case are the same person in practice. Checked for
 * shape only: whether it receives mail is for a confirmation to find out.
 */
export type Email = string;

/**
 * What to do about a rule that can warn or refuse.
 */
export type Enforcement = "warn" | "refuse";

/**
 * The engine's own reasons, beside the server's codes it passes on.
 */
export type EngineCode = "not_enrolled" | "already_enrolled" | "locked" | "wrong_pin" | "too_many_attempts" | "not_found" | "invalid" | "store_foreign" | "store_corrupt" | "store_newer" | "store_failed" | "keyring_unavailable" | "document_invalid" | "offline" | "server_garbled" | "server_refused" | "insecure_server";

/**
 * What the first-run screen asks for.
 */
export type EnrolRequest = { 
/**
 * The server's address, such as `https://tatami.example.com`.
 */
server: string, 
/**
 * The academy's slug.
 */
academy: string, 
/**
 * An admin's sign-in.
 */
email: string, password: string, 
/**
 * How this device appears in the academy's device list.
 */
device_name: string, 
/**
 * `front_desk` for a kiosk, `instructor` for an instructor's laptop.
 */
role: Role, };

/**
 * Which academy and server this device belongs to.
 */
export type Enrolment = { server: string, academy: string, device: DeviceId, role: Role, name: string, };

/**
 * Why the server refused a request, as its error body's `code`:
 * stable, for programs to act on (the `message` is for people).
 */
export type ErrorCode = "invalid_body" | "invalid_path" | "invalid_query" | "invalid_field" | "body_too_large" | "too_many_requests" | "internal" | "no_tenant" | "unknown_tenant" | "wrong_tenant" | "slug_taken" | "unauthenticated" | "invalid_token" | "token_expired" | "invalid_credentials" | "invalid_refresh_token" | "refresh_token_reused" | "account_disabled" | "forbidden" | "device_revoked" | "device_expired" | "email_taken" | "weak_password" | "invalid_pin" | "not_staff" | "unknown_user" | "unknown_device" | "protocol_unsupported" | "invalid_cursor" | "cursor_ahead" | "unknown_document" | "unknown_student" | "student_inactive" | "no_signing_key" | "pass_tag_collision" | "card_versions_exhausted";

/**
 * Where a student stands: a rank and the stripes earned within it.
 */
export type Grade = { rank: RankId, stripes: number, };

/**
 * A parent or other contact of a (usually young) student.
 */
export type Guardian = { id: GuardianId, name: PersonName, 
/**
 * A short label, such as mother or guardian.
 */
relation: Label | null, phone: Phone | null, email: Email | null, };

export type GuardianId = string;

/**
 * Which of an academy's signing keys signed a pass (keys rotate).
 */
export type KeyId = number;

/**
 * A short display label: a class name, a belt name. At most 60 characters.
 */
export type Label = string;

/**
 * An academy's logo: a PNG, JPEG or WebP image as a `data:` URL of at most
 * [`LOGO_MAX_BYTES`], whose bytes are the type it names.
 */
export type Logo = string;

/**
 * What is wrong with a code that is not a pass at all.
 */
export type Malformed = "length" | "character" | "overflow" | { "unsupported_format": number } | { "unknown_kind": number } | "zero_lifetime";

/**
 * A student's member card, ready to print.
 */
export type MemberCard = { 
/**
 * What the QR code holds.
 */
card: string, 
/**
 * Printed cards with an older version are refused at the door.
 */
version: number, student_name: string, academy_name: string, };

/**
 * How a check-in was made.
 */
export type Method = "card" | "phone" | "manual";

/**
 * A student to add.
 */
export type NewStudent = { name: PersonName, email: Email | null, phone: Phone | null, born_on: string | null, 
/**
 * Their grade on joining; the belt system's first grade when `None`.
 */
grade: Grade | null, };

/**
 * A dated remark about a student by a member of staff.
 */
export type Note = { id: NoteId, at: string, by: StaffId, text: Prose, };

export type NoteId = string;

/**
 * Why a scanned code is not a valid pass here and now. Each has a stable
 * code for the UI to translate.
 */
export type PassError = { "code": "malformed", reason: Malformed, } | { "code": "wrong_tenant" } | { "code": "unknown_key", key_id: KeyId, } | { "code": "bad_signature" } | { "code": "expired", expired_at: string, } | { "code": "not_yet_valid", valid_from: string, };

/**
 * Days from `from` to `to`, both included, ISO 8601.
 */
export type Period = { from: string, to: string, };

/**
 * A person's name as they write it (any script), at most 120 characters.
 */
export type PersonName = string;

/**
 * A phone number as typed: digits with optional `+`, spaces, dots, dashes
 * and parentheses; 6 to 15 digits (E.164 allows at most 15).
 */
export type Phone = string;

/**
 * A small grayscale picture of the camera's view, as a PNG data URL.
 */
export type Preview = { url: string, width: number, height: number, };

/**
 * A member card with its QR code drawn, for the screen and the printer.
 */
export type PrintableCard = { card: MemberCard, 
/**
 * The QR code as an SVG data URL: sharp at any print size.
 */
qr: string, };

/**
 * Everything the student screen shows.
 */
export type Profile = { standing: Standing, 
/**
 * `None` while the academy's belt system is inconsistent.
 */
eligibility: Eligibility | null, 
/**
 * Newest first, voided ones included.
 */
attendance: Array<AttendanceRow>, student: Student, 
/**
 * By name.
 */
guardians: Array<Guardian>, 
/**
 * Oldest first, in the order [`Standing`] applies them.
 */
promotions: Array<Promotion>, 
/**
 * Oldest first.
 */
notes: Array<Note>, };

/**
 * A promotion as recorded: who moved whom from which grade to which, when.
 */
export type Promotion = { id: PromotionId, from: Grade, to: Grade, 
/**
 * The day it was awarded.
 */
on: string, by: StaffId, notes: Prose, 
/**
 * When it was entered, by the recording device's clock.
 */
recorded_at: string, };

export type PromotionId = string;

/**
 * A promotion to record.
 */
export type PromotionRequest = { student: StudentId, to: Grade, 
/**
 * The day it took effect, ISO 8601.
 */
on: string, notes: string, };

/**
 * Free text of several lines: notes, promotion remarks. At most 4,000
 * characters; may be empty.
 */
export type Prose = string;

/**
 * A public key that verifies this academy's passes. Retired keys sign no
 * new passes but still verify cards already printed.
 */
export type PublicKey = { key_id: KeyId, public: number[], created_at: string, retired: boolean, };

/**
 * One rank (belt) of a system.
 */
export type Rank = { id: RankId, name: Label, color: Color, 
/**
 * Stripes (or degrees) that can be earned within this rank; 0 for none.
 */
stripes: number, 
/**
 * To be promoted into this rank from the one below, counting from the
 * day the student reached that rank.
 */
requirements: Requirements, 
/**
 * To earn each stripe within this rank, counting from the last promotion.
 */
stripe_requirements: Requirements, };

export type RankId = string;

/**
 * Why a scan was refused; `code` is stable for the UI to translate.
 */
export type Refusal = { "code": "invalid_pass", error: PassError, } | { "code": "unknown_student" } | { "code": "card_revoked", presented: number, current: number, } | { "code": "pass_already_used", at: string, } | { "code": "student_inactive" } | { "code": "student_paused" } | { "code": "membership_lapsed", paid_until: string, } | { "code": "outside_class_window", opens: string, closes: string, } | { "code": "anti_passback", retry_after: string, };

/**
 * Progress towards the next grade.
 */
export type Report = { to: Grade, kind: StepKind, 
/**
 * Every requirement the academy set for this step, met or not, in a
 * fixed order: attendance, time, age.
 */
requirements: Array<Requirement>, };

/**
 * One requirement with the student's progress: "12 of 40 classes",
 * "due 3 March (41 days)", "turns 16 on 9 May".
 */
export type Requirement = { "requirement": "attendance", attended: number, required: number, } | { "requirement": "time_in_rank", since: string, due: string, days_remaining: number, } | { "requirement": "minimum_age", years: number, 
/**
 * `None` when the birth date is unknown, which leaves this unmet.
 */
reached_on: string | null, days_remaining: number, };

/**
 * What it takes to reach a grade. Zero means "no requirement".
 */
export type Requirements = { 
/**
 * Classes attended in the counting period.
 */
attendances: number, 
/**
 * Calendar months in the counting period.
 */
months: number, 
/**
 * Minimum age in years, if any.
 */
min_age_years: number | null, };

/**
 * What a staff member may do; ordered from most to least powerful.
 */
export type Role = "owner" | "admin" | "instructor" | "front_desk";

/**
 * Which students to list, and which page: `limit` rows from `offset`.
 */
export type RosterFilter = { 
/**
 * Words of a name, email or phone; each matches as a prefix.
 */
query?: string, rank?: RankId, status?: StudentStatus, offset: number, limit: number, };

/**
 * A line of the roster.
 */
export type RosterRow = { id: StudentId, name: string, status: StudentStatus, rank: RankId, stripes: number, };

/**
 * A session with its class's name.
 */
export type SessionInfo = { key: SessionKey, name: string, } & ({ "timing": "scheduled", starts: string, minutes: number, } | { "timing": "open_mat" });

/**
 * One class on one day: the identity of a roll.
 */
export type SessionKey = { class: string, date: string, };

/**
 * The shell's own reasons.
 */
export type ShellCode = "bad_request" | "export_failed" | "camera_off" | "command_failed";

/**
 * One weekly occurrence of a class in the schedule.
 */
export type SlotId = string;

/**
 * An academy's short name, used as its subdomain: `golden-tiger`.
 */
export type Slug = string;

export type StaffId = string;

/**
 * A member of staff as the screens show them.
 */
export type StaffMember = { id: StaffId, name: string, email: string, role: Role, };

/**
 * The current grade, since when it is held, and since when its rank is.
 */
export type Standing = { grade: Grade, 
/**
 * Day of the last promotion of any kind (or of joining).
 */
grade_since: string, 
/**
 * Day the current rank was reached, ignoring later stripes.
 */
rank_since: string, 
/**
 * Whether `grade_since` is a promotion's day rather than the joining
 * day: a class on a promotion's day counts for the grade before it,
 * one on the joining day for the grade joined with.
 */
grade_promoted: boolean, 
/**
 * The same for `rank_since`.
 */
rank_promoted: boolean, };

/**
 * Whether a step earns a stripe within a rank or a new rank.
 */
export type StepKind = "stripe" | "rank";

/**
 * A student as every device and the server see them.
 */
export type Student = { id: StudentId, name: PersonName, email: Email | null, phone: Phone | null, born_on: string | null, joined_on: string, status: StudentStatus, 
/**
 * Membership is paid up to and including this day; `None` when the
 * academy does not track payments for this student.
 */
paid_until: string | null, 
/**
 * Printed cards with an older version are revoked.
 */
card_version: number, 
/**
 * The grade the student joined with (a transfer may arrive ranked).
 */
start_grade: Grade, };

export type StudentId = string;

/**
 * Fields to change on a student; `None` leaves a field as it is. Only the
 * fields given are written, so edits made elsewhere to other fields
 * survive the merge.
 * In JSON a field left out is left as it is and `null` clears it.
 */
export type StudentPatch = { name?: PersonName, email?: Email | null, phone?: Phone | null, born_on?: string | null, status?: StudentStatus, paid_until?: string | null, };

/**
 * Whether a student trains now.
 */
export type StudentStatus = "active" | "paused" | "inactive";

/**
 * What the sync indicator shows.
 */
export type SyncStatus = { connection: Connection, 
/**
 * Changes made here that the server has not acknowledged yet.
 */
waiting: number, last_sync: string | null, last_error: string | null, undone: Array<Undone>, 
/**
 * How far the device clock was from the server's at the last sync,
 * when more than a minute: the engine uses the server's time, and the
 * clock should be set right.
 */
clock_off_by_seconds: number, };

/**
 * An academy: the unit of isolation.
 */
export type TenantId = string;

/**
 * The academy as every device sees it.
 */
export type TenantView = { id: TenantId, name: Label, slug: Slug, timezone: string, theme: Theme, 
/**
 * Lowest first.
 */
ranks: Array<Rank>, 
/**
 * By name.
 */
classes: Array<Class>, 
/**
 * By day and time.
 */
slots: Array<WeeklySlot>, checkin: CheckInSettings, 
/**
 * By key id.
 */
keys: Array<PublicKey>, };

/**
 * The academy's colours and logo, applied across the app and on member
 * cards.
 */
export type Theme = { primary: Color, accent: Color, 
/**
 * Left out in JSON means none.
 */
logo: Logo | null, };

/**
 * A document whose changes made here the server refused; the device
 * rebuilt it from the server's copy, so those edits are undone.
 */
export type Undone = { doc: DocId, message: string, };

/**
 * Admitted, but staff should know.
 */
export type Warning = { "code": "membership_lapsed", paid_until: string, } | { "code": "student_paused" };

export type WeekCount = { start: string, check_ins: number, };

/**
 * One weekly occurrence of a class: "Fundamentals, Mondays 18:00, 60 min".
 */
export type WeeklySlot = { id: SlotId, class: ClassId, weekday: "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday", starts: string, minutes: number, };

/** Every command rejects with a `CommandError`: a stable code and a message for people. */
export function isCommandError(value: unknown): value is CommandError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

/** Calls a command; what Tauri itself refuses (arguments that do not fit) becomes a `CommandError` too. */
async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw isCommandError(error) ? error : { code: "bad_request", message: String(error) };
  }
}

/** Enrolment, academy, who is signed in, sync status: the first screen. */
export function deviceState(): Promise<DeviceState> {
  return call("device_state");
}

/** Enrols this device with an admin's sign-in (online, once). */
export function enrol(request: EnrolRequest): Promise<Enrolment> {
  return call("enrol", { request });
}

/** Unlocks the device for a staff member by PIN (works offline). */
export function unlock(email: string, pin: string): Promise<StaffMember> {
  return call("unlock", { email, pin });
}

/** Locks the device: the PIN screen shows again. */
export function lock(): Promise<null> {
  return call("lock");
}

/** Today's sessions, by start time, open mat last. */
export function sessionsToday(): Promise<Array<SessionInfo>> {
  return call("sessions_today");
}

/** Checks in a student picked by staff, to `session` or the one open now. */
export function checkIn(student: StudentId, session: SessionKey | null): Promise<DoorOutcome> {
  return call("check_in", { student, session });
}

/** Takes back a check-in made by mistake. */
export function voidCheckIn(student: StudentId, session: SessionKey): Promise<boolean> {
  return call("void_check_in", { student, session });
}

/** Students matching the filter, by name. */
export function roster(filter: RosterFilter): Promise<Array<RosterRow>> {
  return call("roster", { filter });
}

/** A student with standing, eligibility and attendance. */
export function profile(student: StudentId): Promise<Profile> {
  return call("profile", { student });
}

/** Promotes a student to a grade as of a day, with notes. */
export function promote(promotion: PromotionRequest): Promise<PromotionId> {
  return call("promote", { promotion });
}

/** Adds a student; their id. */
export function addStudent(student: NewStudent): Promise<StudentId> {
  return call("add_student", { student });
}

/** Changes the fields given of a student's profile. */
export function editStudent(student: StudentId, patch: StudentPatch): Promise<null> {
  return call("edit_student", { student, patch });
}

/** Adds a dated note about a student. */
export function addNote(student: StudentId, text: string): Promise<null> {
  return call("add_note", { student, text });
}

/** The student's member card to show and print: from the server, or kept here while offline. */
export function memberCard(student: StudentId): Promise<PrintableCard> {
  return call("member_card", { student });
}

/** Replaces the belt system (admins). */
export function setBeltSystem(ranks: Array<Rank>): Promise<null> {
  return call("set_belt_system", { ranks });
}

/** Replaces the check-in rules (admins). */
export function setCheckinSettings(settings: CheckInSettings): Promise<null> {
  return call("set_checkin_settings", { settings });
}

/** Sets the academy's colours (admins). */
export function setTheme(theme: Theme): Promise<null> {
  return call("set_theme", { theme });
}

/** A session's roll, newest first. */
export function roll(session: SessionKey): Promise<Array<AttendanceRow>> {
  return call("roll", { session });
}

/** Check-ins per class and week, and students by status, over a period. */
export function report(period: Period): Promise<AttendanceReport> {
  return call("report", { period });
}

/** Saves the period's check-ins as CSV in the Downloads folder; the file's path. */
export function exportAttendance(period: Period): Promise<string> {
  return call("export_attendance", { period });
}

/** Starts the door camera: passes it reads arrive as `door` events. With a `webview` feed the screens send its frames (`push_frame`). */
export function startCamera(): Promise<CameraFeed> {
  return call("start_camera");
}

/** A frame from the webview's camera: gray bytes row by row, base64. */
export function pushFrame(width: number, height: number, pixels: string): Promise<null> {
  return call("push_frame", { width, height, pixels });
}

/** Stops the door camera (leaving the kiosk). */
export function stopCamera(): Promise<null> {
  return call("stop_camera");
}

/** The events the app sends the screens, by name. */
export type AppEvents = {
  /** Online or offline, changes waiting, the last sync. */
  sync: SyncStatus;
  /** Records of these kinds changed, here or from the server: screens showing them read again. */
  changed: Array<DocKind>;
  /** Someone showed a pass to the door camera. */
  door: DoorOutcome;
  /** A pass was read at the door camera but could not be checked. */
  door_failed: CommandError;
  /** The door camera started or stopped. */
  camera: CameraState;
  /** A small picture of what the door camera sees. */
  preview: Preview;
};

/** Calls `handler` with each `name` event's payload until the returned function is called. */
export function onEvent<K extends keyof AppEvents>(
  name: K,
  handler: (payload: AppEvents[K]) => void,
): Promise<UnlistenFn> {
  return listen<AppEvents[K]>(name, (event) => handler(event.payload));
}
