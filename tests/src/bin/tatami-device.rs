//! `tatami-device`: one client engine in its own process, driven by JSON
//! lines on stdin, answering one JSON line per command on stdout. The
//! end-to-end tests run several as separate devices, kill them mid-flight
//! and start them again over the same store; it also scripts a headless
//! kiosk.
//!
//! A command is `{"op": "<name>", ...}`; the answer is `{"ok": <value>}` or
//! `{"error": {"code": ..., "message": ...}}`.

use std::path::PathBuf;

use clap::Parser;
use serde::Deserialize;
use serde_json::{Value, json};
use tatami_client::store::RosterFilter;
use tatami_client::sync::{EnrolRequest, SyncTask};
use tatami_client::{Engine, EngineError, EngineOptions, StudentPatch, clock};
use tatami_core::belt::{Grade, Rank};
use tatami_core::ids::StudentId;
use tatami_core::people::StudentStatus;
use tatami_core::schedule::{Class, SessionKey, WeeklySlot};
use tatami_core::text::{Email, PersonName, Phone, Prose};
use tatami_scan::{ScanOptions, Scanner};
use time::Date;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Debug, Parser)]
struct Cli {
    /// The device's SQLite store.
    #[arg(long)]
    store: PathBuf,
    /// Run the device clock this many seconds off.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset: i64,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Command {
    Enrol(EnrolRequest),
    Unlock {
        email: String,
        pin: String,
    },
    Sync,
    StartSync,
    StopSync,
    Status,
    Enrolment,
    /// The academy's date now.
    Today,
    SetBelts {
        ranks: Vec<Rank>,
    },
    AddStudent {
        name: String,
    },
    EditStudent {
        student: StudentId,
        name: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        status: Option<StudentStatus>,
        paid_until: Option<Date>,
    },
    CheckIn {
        student: StudentId,
        session: Option<SessionKey>,
    },
    Scan {
        payload: String,
    },
    /// The door's camera pointed at a recording: the scanner reads it as
    /// a camera (at `fps`, within `budget_ms` a frame or the scanner's
    /// default) and each pass it reports is checked in.
    ScanRecording {
        path: PathBuf,
        fps: u32,
        budget_ms: Option<u64>,
    },
    Void {
        student: StudentId,
        session: SessionKey,
    },
    Promote {
        student: StudentId,
        to: Grade,
        on: Date,
        notes: String,
    },
    Profile {
        student: StudentId,
    },
    MemberCard {
        student: StudentId,
    },
    Roster {
        query: Option<String>,
    },
    AddNote {
        student: StudentId,
        text: String,
    },
    PutClass {
        class: Class,
    },
    SetSchedule {
        slots: Vec<WeeklySlot>,
    },
    SessionsToday,
    Audit {
        limit: u32,
    },
    Roll {
        session: SessionKey,
    },
    /// Everything projected (or only `students`'), in a canonical order, to
    /// compare devices.
    Snapshot {
        students: Option<Vec<StudentId>>,
    },
}

/// Scans the recording at `path` as the kiosk scans its camera, through
/// the engine's door loop: every pass reported is checked in. The
/// outcomes (or errors), why the scan stopped, and the scanner's counts.
fn scan_recording(
    engine: &Engine,
    path: PathBuf,
    fps: u32,
    options: ScanOptions,
) -> Result<Value, EngineError> {
    let scanner = Scanner::start(
        move || Ok(tatami_scan::open_recording(&path)?.played_at(fps)),
        engine.clone(),
        options,
    )
    .map_err(invalid)?;
    let mut outcomes = Vec::new();
    let never = std::sync::atomic::AtomicBool::new(false);
    let stopped = engine.check_in_reads(&scanner, &never, |outcome| {
        outcomes.push(match outcome {
            Ok(outcome) => json!(outcome),
            Err(error) => json!({ "error": error }),
        });
    });
    let stats = scanner.stats();
    Ok(json!({
        "outcomes": outcomes,
        "stopped": stopped.map(|e| e.code()),
        "decoded": stats.decoded,
        "skipped": stats.skipped,
    }))
}

fn invalid(e: impl std::fmt::Display) -> EngineError {
    EngineError::Invalid(e.to_string())
}

fn to_json(value: impl serde::Serialize) -> Result<Value, EngineError> {
    serde_json::to_value(value).map_err(invalid)
}

struct Device {
    engine: Engine,
    sync: Option<SyncTask>,
}

impl Device {
    async fn run(&mut self, command: Command) -> Result<Value, EngineError> {
        let engine = &self.engine;
        match command {
            Command::Enrol(request) => to_json(engine.enrol(request).await?),
            Command::Unlock { email, pin } => to_json(engine.unlock(&email, &pin)?),
            Command::Sync => to_json(engine.sync_now().await?),
            Command::StartSync => {
                self.sync = Some(engine.start_sync());
                Ok(Value::Null)
            }
            Command::StopSync => {
                self.sync = None;
                Ok(Value::Null)
            }
            Command::Status => to_json(engine.status()),
            Command::Enrolment => to_json(engine.enrolment()),
            Command::Today => to_json(engine.today()?),
            Command::SetBelts { ranks } => to_json(engine.set_belt_system(ranks)?),
            Command::AddStudent { name } => to_json(engine.add_student(tatami_client::NewStudent {
                name: PersonName::parse(&name).map_err(invalid)?,
                email: None,
                phone: None,
                born_on: None,
                grade: None,
            })?),
            Command::EditStudent {
                student,
                name,
                phone,
                email,
                status,
                paid_until,
            } => {
                let patch = StudentPatch {
                    name: name
                        .as_deref()
                        .map(PersonName::parse)
                        .transpose()
                        .map_err(invalid)?,
                    phone: phone
                        .as_deref()
                        .map(Phone::parse)
                        .transpose()
                        .map_err(invalid)?
                        .map(Some),
                    email: email
                        .as_deref()
                        .map(Email::parse)
                        .transpose()
                        .map_err(invalid)?
                        .map(Some),
                    born_on: None,
                    status,
                    paid_until: paid_until.map(Some),
                };
                to_json(engine.edit_student(student, patch)?)
            }
            Command::CheckIn { student, session } => to_json(engine.check_in_manual(student, session)?),
            Command::Scan { payload } => to_json(engine.check_in_scanned(&payload)?),
            Command::ScanRecording { path, fps, budget_ms } => {
                let engine = engine.clone();
                let mut options = ScanOptions::default();
                if let Some(ms) = budget_ms {
                    options.budget = std::time::Duration::from_millis(ms);
                }
                tokio::task::spawn_blocking(move || scan_recording(&engine, path, fps, options))
                    .await
                    .map_err(invalid)?
            }
            Command::Void { student, session } => to_json(engine.void_check_in(student, session)?),
            Command::Promote {
                student,
                to,
                on,
                notes,
            } => to_json(engine.promote(student, &to, on, Prose::parse(&notes).map_err(invalid)?)?),
            Command::Profile { student } => to_json(engine.profile(student)?),
            Command::MemberCard { student } => to_json(engine.member_card(student).await?),
            Command::Roster { query } => to_json(engine.roster(&RosterFilter {
                query,
                limit: 1_000,
                ..RosterFilter::default()
            })?),
            Command::Roll { session } => to_json(engine.roll(&session)?),
            Command::AddNote { student, text } => {
                to_json(engine.add_note(student, Prose::parse(&text).map_err(invalid)?)?)
            }
            Command::PutClass { class } => to_json(engine.put_class(&class)?),
            Command::SetSchedule { slots } => to_json(engine.set_schedule(slots)?),
            Command::SessionsToday => to_json(engine.sessions_today()?),
            Command::Audit { limit } => to_json(engine.audit(limit)?),
            Command::Snapshot { students } => snapshot(engine, students),
        }
    }
}

/// The students (all by default) with their standing and every
/// attendance, sorted.
fn snapshot(engine: &Engine, only: Option<Vec<StudentId>>) -> Result<Value, EngineError> {
    let ids = match only {
        Some(ids) => ids,
        None => engine
            .roster(&RosterFilter {
                limit: u32::MAX,
                ..RosterFilter::default()
            })?
            .into_iter()
            .map(|row| row.id)
            .collect(),
    };
    let mut students = Vec::new();
    for id in ids {
        let profile = engine.profile(id)?;
        students.push(json!({
            "student": profile.record.student,
            "standing": profile.standing,
            "promotions": profile.record.promotions,
            "eligibility": profile.eligibility,
            "attendance": profile.attendance,
        }));
    }
    students.sort_by_key(|s| s["student"]["id"].as_str().map(str::to_owned));
    Ok(json!({ "students": students }))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let mut options = EngineOptions::new(&cli.store);
    options.clock = clock::shifted(time::Duration::seconds(cli.clock_offset));
    // As the app: an academy's own certificate authority beside the store.
    options.transport.extra_roots_pem = std::fs::read(cli.store.with_file_name("academy-ca.pem")).ok();
    let engine = match Engine::open(options) {
        Ok(engine) => engine,
        Err(error) => {
            println!("{}", json!({ "error": error }));
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut device = Device { engine, sync: None };
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    while let Ok(Some(line)) = lines.next_line().await {
        let answer = match serde_json::from_str::<Command>(&line) {
            Ok(command) => match device.run(command).await {
                Ok(value) => json!({ "ok": value }),
                Err(error) => json!({ "error": error }),
            },
            Err(error) => json!({ "error": { "code": "bad_command", "message": error.to_string() } }),
        };
        let mut text = answer.to_string();
        text.push('\n');
        if stdout.write_all(text.as_bytes()).await.is_err() || stdout.flush().await.is_err() {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}
