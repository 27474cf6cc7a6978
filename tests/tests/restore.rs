//! Restores drilled end to end: the real server over its embedded
//! PostgreSQL (WAL archived), three device processes, and the server's own
//! `backup` and `restore` commands. Whatever any device had confirmed
//! comes back after a restore, each check-in once.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use sqlx::Connection;
use support::embedded::{database, open_academy, server_check_ins};
use support::{DeviceProcess, ServerProcess, belts, scratch_dir};
use tatami_core::people::Role;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The database's clock now, as commit times are stamped.
async fn database_clock(dir: &Path) -> OffsetDateTime {
    let mut db = database(dir).await;
    let now: OffsetDateTime = sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    now
}

/// The students the server has a promotion of.
async fn server_promotions(dir: &Path) -> Vec<String> {
    let mut db = database(dir).await;
    let rows: Vec<String> = sqlx::query_scalar("SELECT DISTINCT student_id::text FROM promotions ORDER BY 1")
        .fetch_all(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    rows
}

async fn check_in(device: &mut DeviceProcess, student: &str) {
    let outcome = device.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(outcome["recorded"], true, "{outcome}");
}

async fn promote(laptop: &mut DeviceProcess, student: &str, rank: &Value) {
    let today = laptop.ok(json!({ "op": "today" })).await;
    laptop
        .ok(json!({
            "op": "promote", "student": student, "to": { "rank": rank, "stripes": 1 },
            "on": today, "notes": "Drilled",
        }))
        .await;
}

/// Syncs every device in turn, three rounds, the one whose changes build
/// on another's first: after a restore it waits, then catches up.
async fn converge(devices: &mut [&mut DeviceProcess]) {
    for _ in 0..3 {
        for device in devices.iter_mut() {
            device.sync().await;
        }
    }
    for device in devices.iter_mut() {
        let status = device.ok(json!({ "op": "status" })).await;
        assert_eq!(status["waiting"], 0, "{status}");
    }
}

/// What every device and the server must hold: each confirmed check-in
/// once, each promotion.
async fn assert_everything_back(
    dir: &Path,
    devices: &mut [&mut DeviceProcess],
    checked_in: &[&str],
    promoted: &[&str],
) {
    let expected: BTreeMap<String, i64> = checked_in.iter().map(|s| ((*s).to_owned(), 1)).collect();
    assert_eq!(server_check_ins(dir).await, expected);
    let mut promoted: Vec<String> = promoted.iter().map(|s| (*s).to_owned()).collect();
    promoted.sort();
    assert_eq!(server_promotions(dir).await, promoted);
    for device in devices.iter_mut() {
        let snapshot = device.snapshot().await;
        for student in snapshot["students"].as_array().unwrap() {
            let id = student["student"]["id"].as_str().unwrap();
            let attended = student["attendance"].as_array().unwrap().len();
            let times = usize::from(checked_in.contains(&id));
            assert_eq!(attended, times, "attendance of {id} on a device: {student}");
            let promotions = student["promotions"].as_array().unwrap().len();
            let times = usize::from(promoted.iter().any(|p| p == id));
            assert_eq!(promotions, times, "promotions of {id} on a device: {student}");
        }
    }
}

#[tokio::test]
async fn after_a_restore_every_check_in_any_device_confirmed_comes_back_once() {
    let dir = scratch_dir();
    let mut server = ServerProcess::embedded(&dir).await;
    let academy = open_academy(&server, &dir).await;
    let ranks = belts(40);
    let mut laptop = academy.device(Role::Admin).await;
    laptop.ok(json!({ "op": "set_belts", "ranks": ranks })).await;
    let students = laptop.add_students(8).await;
    laptop.sync().await;
    let s: Vec<&str> = students.iter().map(String::as_str).collect();
    let mut first = academy.device(Role::FrontDesk).await;
    let mut second = academy.device(Role::FrontDesk).await;

    // Before the backups.
    check_in(&mut first, s[0]).await;
    check_in(&mut second, s[1]).await;
    first.sync().await;
    second.sync().await;
    let dump = dir.join("drill.dump");
    let base = dir.join("drill-base.tar");
    server
        .cli(&["backup", "--to", dump.to_str().unwrap()])
        .await
        .unwrap();
    server
        .cli(&["backup", "--base", "--to", base.to_str().unwrap()])
        .await
        .unwrap();

    // After them, acknowledged by the server: the second tablet's check-in
    // builds on the first's, and a student is new.
    check_in(&mut first, s[2]).await;
    first.sync().await;
    second.sync().await;
    check_in(&mut second, s[3]).await;
    promote(&mut laptop, s[0], &ranks[0].id.to_string().into()).await;
    let late = laptop
        .ok(json!({ "op": "add_student", "name": "Late Joiner" }))
        .await;
    let late = late.as_str().unwrap().to_owned();
    laptop.sync().await;
    first.sync().await;
    check_in(&mut first, &late).await;
    for device in [&mut laptop, &mut first, &mut second] {
        device.sync().await;
    }
    // The moment, read from the database's own clock after those commits:
    // every one before is at or before it, every one after is later.
    let moment = database_clock(&dir).await.format(&Rfc3339).unwrap();

    // After the moment.
    check_in(&mut first, s[4]).await;
    check_in(&mut second, s[5]).await;
    promote(&mut laptop, s[1], &ranks[0].id.to_string().into()).await;
    for device in [&mut laptop, &mut first, &mut second] {
        device.sync().await;
    }
    let all_check_ins = [s[0], s[1], s[2], s[3], late.as_str(), s[4], s[5]];
    let all_promotions = [s[0], s[1]];
    assert_eq!(server_check_ins(&dir).await.len(), all_check_ins.len());

    // Back to the dump: the server forgets all but the first check-ins...
    server.stop().await;
    let refused = server
        .cli(&[
            "restore",
            "--from",
            base.to_str().unwrap(),
            "--until",
            "yesterday",
        ])
        .await;
    let refused = refused.unwrap_err();
    assert!(
        refused.contains("RFC 3339"),
        "a moment that is not one: {refused}"
    );
    let restored = server
        .cli(&["restore", "--from", dump.to_str().unwrap()])
        .await
        .unwrap();
    assert!(restored.contains("new log epochs: 1"), "{restored}");
    server.restart().await;
    let before_sync: Vec<String> = server_check_ins(&dir).await.into_keys().collect();
    let mut expected = vec![s[0].to_owned(), s[1].to_owned()];
    expected.sort();
    assert_eq!(before_sync, expected);
    // ...and the devices bring back the rest, the dependent tablet first.
    let mut devices = [&mut second, &mut first, &mut laptop];
    converge(&mut devices).await;
    assert_everything_back(&dir, &mut devices, &all_check_ins, &all_promotions).await;

    // To the moment between: again, nothing lost. Never under a running
    // server.
    let serving = server.cli(&["restore", "--from", dump.to_str().unwrap()]).await;
    assert!(
        serving.unwrap_err().contains("stop it"),
        "a restore under a running server"
    );
    server.stop().await;
    server
        .cli(&["restore", "--from", base.to_str().unwrap(), "--until", &moment])
        .await
        .unwrap();
    server.restart().await;
    assert_eq!(
        server_check_ins(&dir).await.len(),
        5,
        "the moment keeps what came before it"
    );
    assert_eq!(server_promotions(&dir).await, vec![s[0].to_owned()]);
    converge(&mut devices).await;
    assert_everything_back(&dir, &mut devices, &all_check_ins, &all_promotions).await;
    // A database, its archive and two backups: hundreds of MiB, not left behind.
    server.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
