//! Randomized convergence: random operations on three device processes,
//! each offline for random stretches and syncing in random orders, must
//! leave every device and the server's projection identical.
//!
//! Seeded and reproducible: `TATAMI_CONVERGENCE_SEED` picks the run and
//! `TATAMI_CONVERGENCE_CASES` how many cases it has (300 by default). A
//! failure names its seed and case.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use support::{Academy, DeviceProcess, TestServer, belts};
use tatami_core::people::Role;

const DEFAULT_SEED: u64 = 0x7a7a_2026_1122;
const DEFAULT_CASES: u64 = 300;
const NAMES: [&str; 6] = [
    "Ana Souza",
    "Bruno Lima",
    "Carla Dias",
    "Davi Rocha",
    "Eva Nunes",
    "Ana Lima",
];
const PHONES: [&str; 3] = ["+351 912 345 678", "+55 11 91234 5678", "+1 415 555 0100"];
const STATUSES: [&str; 3] = ["active", "paused", "inactive"];
/// Errors a random operation may meet without anything being wrong: the
/// student has not reached this device yet, the device's role may not do
/// it, or the rules refuse it (a promotion to the grade the student holds).
const EXPECTED_ERRORS: [&str; 3] = ["not_found", "forbidden", "invalid"];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| {
        v.parse().unwrap_or_else(|_| panic!("{name} must be a number"))
    })
}

/// SplitMix64: small, seedable, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn order(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, self.below(i + 1));
        }
        order
    }
}

/// Names the seed and case of a failure, whatever fails.
struct CaseLabel {
    seed: u64,
    case: u64,
}

impl Drop for CaseLabel {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "failed in case {} of seed {}: rerun with TATAMI_CONVERGENCE_SEED={} TATAMI_CONVERGENCE_CASES={}",
                self.case,
                self.seed,
                self.seed,
                self.case + 1
            );
        }
    }
}

/// Sends `command`; an error must be one a random operation may meet.
async fn attempt(device: &mut DeviceProcess, command: Value) -> Option<Value> {
    match device.call(command.clone()).await {
        Ok(value) => Some(value),
        Err(error) if EXPECTED_ERRORS.contains(&error["code"].as_str().unwrap_or_default()) => None,
        Err(error) => panic!("{command} failed: {error}"),
    }
}

/// One random operation by a random device.
async fn random_operation(
    rng: &mut Rng,
    devices: &mut [DeviceProcess],
    students: &[Value],
    checked_in: &mut Vec<(Value, Value)>,
    grades: &[Value],
    today: &Value,
) {
    let device = &mut devices[rng.below(devices.len())];
    let student = rng.pick(students).clone();
    match rng.below(100) {
        0..35 => {
            let command = json!({ "op": "check_in", "student": student });
            if let Some(outcome) = attempt(device, command).await {
                checked_in.push((student, outcome["session"]["key"].clone()));
            }
        }
        35..45 if !checked_in.is_empty() => {
            let (student, session) = rng.pick(checked_in).clone();
            attempt(
                device,
                json!({ "op": "void", "student": student, "session": session }),
            )
            .await;
        }
        45..65 => {
            let mut edit = json!({ "op": "edit_student", "student": student });
            match rng.below(3) {
                0 => edit["name"] = json!(rng.pick(&NAMES)),
                1 => edit["phone"] = json!(rng.pick(&PHONES)),
                _ => edit["status"] = json!(rng.pick(&STATUSES)),
            }
            attempt(device, edit).await;
        }
        65..75 => {
            let promotion = json!({
                "op": "promote", "student": student, "to": rng.pick(grades),
                "on": today, "notes": "Random promotion",
            });
            attempt(device, promotion).await;
        }
        _ => {
            device.sync().await;
        }
    }
}

/// The server's projection of `students`: name, phone, status, grade and
/// attendance (date and voided), by id.
async fn server_view(server: &TestServer, students: &[Value]) -> BTreeMap<String, Value> {
    let ids: Vec<String> = students.iter().map(|s| s.as_str().unwrap().to_owned()).collect();
    let mut conn = PgConnection::connect_with(&server.db.superuser).await.unwrap();
    let rows: Vec<(String, Value)> = sqlx::query_as(
        "SELECT s.id::text, jsonb_build_object(
                'name', s.name, 'phone', s.phone, 'status', s.status,
                'grade', jsonb_build_object('rank', s.rank_id, 'stripes', s.stripes),
                'attendance', coalesce((
                    SELECT jsonb_agg(jsonb_build_array(a.held_on::text, a.voided_at IS NOT NULL)
                                     ORDER BY a.held_on, a.voided_at IS NOT NULL)
                    FROM attendance a WHERE a.tenant_id = s.tenant_id AND a.student_id = s.id), '[]'))
         FROM students s WHERE s.id::text = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    rows.into_iter().collect()
}

/// The same view of a device's snapshot.
fn device_view(snapshot: &Value) -> BTreeMap<String, Value> {
    snapshot["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let student = &s["student"];
            let mut attendance: Vec<Value> = s["attendance"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    let date: time::Date = serde_json::from_value(a["session"]["date"].clone()).unwrap();
                    json!([date.to_string(), a["voided"]])
                })
                .collect();
            attendance.sort_by_key(ToString::to_string);
            let view = json!({
                "name": student["name"], "phone": student["phone"], "status": student["status"],
                "grade": s["standing"]["grade"], "attendance": attendance,
            });
            (student["id"].as_str().unwrap().to_owned(), view)
        })
        .collect()
}

async fn run_case(rng: &mut Rng, server: &TestServer, devices: &mut [DeviceProcess], grades: &[Value]) {
    let today = devices[0].ok(json!({ "op": "today" })).await;
    let mut students = Vec::new();
    for _ in 0..=rng.below(3) {
        let device = rng.below(devices.len());
        let name = rng.pick(&NAMES);
        students.push(
            devices[device]
                .ok(json!({ "op": "add_student", "name": name }))
                .await,
        );
    }
    let mut checked_in = Vec::new();
    for _ in 0..10 + rng.below(20) {
        random_operation(rng, devices, &students, &mut checked_in, grades, &today).await;
    }
    // Everyone comes online, in a random order, twice: the first round
    // brings every change to the server, the second to every device.
    for _ in 0..2 {
        for i in rng.order(devices.len()) {
            devices[i].sync().await;
        }
    }

    let only = json!({ "op": "snapshot", "students": students });
    let first = devices[0].ok(only.clone()).await;
    for device in &mut devices[1..] {
        assert_eq!(device.ok(only.clone()).await, first, "devices differ");
    }
    assert_eq!(
        device_view(&first),
        server_view(server, &students).await,
        "the server differs"
    );
}

#[tokio::test]
async fn random_operations_on_random_devices_converge_everywhere() {
    let seed = env_number("TATAMI_CONVERGENCE_SEED", DEFAULT_SEED);
    let cases = env_number("TATAMI_CONVERGENCE_CASES", DEFAULT_CASES);
    let server = TestServer::start().await;
    let academy = Academy::create(&server, "converge").await;
    let mut devices = Vec::new();
    for role in [Role::Admin, Role::Instructor, Role::FrontDesk] {
        devices.push(academy.device(role).await);
    }
    let ranks = belts(5);
    devices[0].ok(json!({ "op": "set_belts", "ranks": ranks })).await;
    for device in &mut devices {
        device.sync().await;
    }
    let grades: Vec<Value> = ranks
        .iter()
        .flat_map(|rank| (0..=rank.stripes).map(|stripes| json!({ "rank": rank.id, "stripes": stripes })))
        .collect();

    for case in 0..cases {
        let _label = CaseLabel { seed, case };
        let mut rng = Rng(seed ^ case.wrapping_mul(0xd1b5_4a32_d192_ed03));
        run_case(&mut rng, &server, &mut devices, &grades).await;
    }
}
