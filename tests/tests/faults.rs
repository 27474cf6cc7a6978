//! Bad input and faults at the device: damaged or foreign store files, a
//! revoked credential, changes the server refuses. Each ends in a clear
//! state the app can show, and nothing confirmed is lost.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;

use automerge::{ActorId, AutoCommit};
use reqwest::Method;
use serde_json::{Value, json};
use support::{
    Academy, DeviceProcess, Fixture, TestServer, academy_with_student, belts, scratch_dir, server_attendance,
};
use tatami_core::belt::{Grade, Promotion};
use tatami_core::doc::student;
use tatami_core::ids::{DeviceId, PromotionId, StaffId, StudentId};
use tatami_core::people::Role;
use tatami_core::text::Prose;

/// The error a device started over `store` reports, and that it leaves the
/// file as it was.
async fn refused_store(store: &[u8]) -> Value {
    let dir = scratch_dir();
    let path = dir.join("device.db");
    std::fs::write(&path, store).unwrap();
    let mut device = DeviceProcess::start(&dir).await;
    let error = device.call(json!({ "op": "status" })).await.unwrap_err();
    assert_eq!(std::fs::read(&path).unwrap(), store, "the file was changed");
    error
}

#[tokio::test]
async fn a_damaged_or_foreign_store_file_is_refused_untouched() {
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    let error = refused_store(&garbage).await;
    assert_eq!(error["code"], "store_corrupt", "{error}");

    let foreign = scratch_dir().join("other.db");
    let other = rusqlite::Connection::open(&foreign).unwrap();
    other
        .execute_batch("PRAGMA application_id = 42; CREATE TABLE photos (id INTEGER PRIMARY KEY);")
        .unwrap();
    drop(other);
    let error = refused_store(&std::fs::read(&foreign).unwrap()).await;
    assert_eq!(error["code"], "store_foreign", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("another program"),
        "{error}"
    );
}

#[tokio::test]
async fn a_revoked_device_keeps_its_check_ins_and_pushes_them_once_enrolled_again() {
    let server = TestServer::start().await;
    let Fixture { academy, student, .. } = academy_with_student(&server, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;
    let device = tablet.ok(json!({ "op": "enrolment" })).await["device"].clone();

    tablet.ok(json!({ "op": "check_in", "student": student })).await;
    let (status, body) = academy
        .request(
            Method::DELETE,
            &format!("/v1/devices/{}", device.as_str().unwrap()),
        )
        .await;
    assert!((200..300).contains(&status), "{status} {body}");

    let error = tablet.call(json!({ "op": "sync" })).await.unwrap_err();
    assert_eq!(error["code"], "device_revoked", "{error}");
    let status = tablet.ok(json!({ "op": "status" })).await;
    assert_eq!(status["connection"], "enrol_again", "{status}");
    assert_eq!(status["waiting"], 1, "{status}");
    assert!(
        server_attendance(&server, student.as_str().unwrap())
            .await
            .is_empty()
    );

    // Enrolling into another academy would mix two academies' data.
    let other = Academy::create(&server, "silver-crane").await;
    let error = tablet.call(other.enrol(Role::FrontDesk)).await.unwrap_err();
    assert_eq!(error["code"], "invalid", "{error}");

    let enrolled = tablet.ok(academy.enrol(Role::FrontDesk)).await;
    assert_ne!(enrolled["device"], device);
    let status = tablet.ok(json!({ "op": "status" })).await;
    assert_eq!(
        (status["connection"].as_str(), status["waiting"].as_u64()),
        (Some("online"), Some(0))
    );
    assert_eq!(
        server_attendance(&server, student.as_str().unwrap()).await.len(),
        1
    );
}

/// Writes into a stopped device's store what a faulty app version might
/// have: a promotion by a front-desk device, queued for the server.
fn forge_promotion(store: &Path, device: DeviceId, student: StudentId, to: Grade) {
    let db = rusqlite::Connection::open(store).unwrap();
    let id = student::doc_id(student).to_string();
    let bytes: Vec<u8> = db
        .query_row("SELECT bytes FROM documents WHERE id = ?1", [&id], |row| {
            row.get(0)
        })
        .unwrap();
    let mut doc = AutoCommit::load(&bytes).unwrap();
    doc.set_actor(ActorId::from(device.as_bytes().as_slice()));
    let before = doc.get_heads();
    let from = student::project(&doc).unwrap().standing().grade;
    let promotion = Promotion {
        id: PromotionId::new(),
        from,
        to,
        on: time::OffsetDateTime::now_utc().date(),
        by: StaffId::new(),
        notes: Prose::parse("Promoted at the front desk").unwrap(),
        recorded_at: time::OffsetDateTime::now_utc(),
    };
    student::add_promotion(&mut doc, &promotion).unwrap();
    doc.commit();
    let change = doc.get_changes(&before)[0].raw_bytes().to_vec();
    db.execute(
        "UPDATE documents SET bytes = ?1 WHERE id = ?2",
        rusqlite::params![doc.save(), id],
    )
    .unwrap();
    db.execute(
        "INSERT INTO outbox (doc, change, edit) VALUES (?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM outbox))",
        rusqlite::params![id, change],
    )
    .unwrap();
}

#[tokio::test]
async fn a_refused_change_is_undone_from_the_servers_copy_and_the_user_told() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ranks,
    } = academy_with_student(&server, "golden-tiger").await;
    laptop
        .ok(json!({ "op": "edit_student", "student": student, "phone": "+351 912 345 678" }))
        .await;
    laptop.sync().await;
    let tablet = academy.device(Role::FrontDesk).await;
    let mut tablet = {
        let mut tablet = tablet;
        let device: DeviceId =
            serde_json::from_value(tablet.ok(json!({ "op": "enrolment" })).await["device"].clone()).unwrap();
        let id: StudentId = serde_json::from_value(student.clone()).unwrap();
        let blue = Grade::new(ranks[1].id, 0);
        tablet
            .restart_with(|store| forge_promotion(store, device, id, blue))
            .await
    };
    tablet.unlock(&academy.owner).await;
    // A check-in made alongside must not be lost with the refused edit.
    tablet.ok(json!({ "op": "check_in", "student": student })).await;

    tablet.sync().await;
    let status = tablet.ok(json!({ "op": "status" })).await;
    assert_eq!(status["waiting"], 0, "{status}");
    let undone = status["undone"].as_array().unwrap();
    assert_eq!(undone.len(), 1, "{status}");
    assert_eq!(
        undone[0]["doc"],
        json!(student::doc_id(serde_json::from_value(student.clone()).unwrap()))
    );
    assert!(!undone[0]["message"].as_str().unwrap().is_empty());

    let profile = tablet.ok(json!({ "op": "profile", "student": student })).await;
    assert_eq!(
        profile["promotions"],
        json!([]),
        "the forged promotion was undone"
    );
    assert_eq!(
        profile["student"]["phone"], "+351 912 345 678",
        "the server's copy is kept"
    );
    assert_eq!(
        server_attendance(&server, student.as_str().unwrap()).await.len(),
        1
    );
    laptop.sync().await;
    assert_eq!(laptop.snapshot().await, tablet.snapshot().await);
}

#[tokio::test]
async fn a_device_clock_set_two_days_ahead_still_checks_in_today() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ..
    } = academy_with_student(&server, "golden-tiger").await;
    let two_days = 2 * 24 * 3600;
    let mut tablet = academy.device_with_clock(Role::FrontDesk, two_days).await;

    let status = tablet.ok(json!({ "op": "status" })).await;
    let off_by = status["clock_off_by_seconds"].as_i64().unwrap();
    assert!((off_by - two_days).abs() < 5, "{status}");
    let today = laptop.ok(json!({ "op": "today" })).await;
    assert_eq!(tablet.ok(json!({ "op": "today" })).await, today);
    // Offline now, and after a restart: the correction is kept.
    let mut tablet = tablet.restart().await;
    tablet.unlock(&academy.owner).await;
    let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(outcome["session"]["key"]["date"], today, "{outcome}");
    tablet.sync().await;
    let on_server = server_attendance(&server, student.as_str().unwrap()).await;
    let today: time::Date = serde_json::from_value(today).unwrap();
    assert_eq!(on_server, vec![(today.to_string(), false)]);
}

#[tokio::test]
async fn staff_unlock_offline_by_pin_while_wrong_pins_wait_and_roles_hold() {
    let server = TestServer::start().await;
    let Fixture { academy, student, .. } = academy_with_student(&server, "golden-tiger").await;
    let tablet = academy.device(Role::FrontDesk).await;
    server.stop().await;

    // Restarted with no server anywhere: locked until a PIN unlocks it.
    let mut tablet = tablet.restart().await;
    let check_in = json!({ "op": "check_in", "student": student });
    assert_eq!(tablet.call(check_in.clone()).await.unwrap_err()["code"], "locked");
    tablet.unlock(&academy.owner).await;
    assert_eq!(tablet.ok(check_in.clone()).await["recorded"], true);
    // The owner is signed in, but this is a front-desk tablet.
    let today = tablet.ok(json!({ "op": "today" })).await;
    let promote = json!({
        "op": "promote", "student": student, "to": { "rank": belts(1)[0].id, "stripes": 1 },
        "on": today, "notes": "Not here",
    });
    assert_eq!(tablet.call(promote).await.unwrap_err()["code"], "forbidden");

    let mut tablet = tablet.restart().await;
    let wrong = |email: &str| json!({ "op": "unlock", "email": email, "pin": "0000" });
    assert_eq!(
        tablet.call(wrong("nobody@example.com")).await.unwrap_err()["code"],
        "wrong_pin"
    );
    for _ in 0..4 {
        assert_eq!(
            tablet.call(wrong(&academy.owner)).await.unwrap_err()["code"],
            "wrong_pin"
        );
    }
    let right = json!({ "op": "unlock", "email": academy.owner, "pin": support::PIN });
    let error = tablet.call(right.clone()).await.unwrap_err();
    assert_eq!(error["code"], "too_many_attempts", "{error}");
    assert_eq!(tablet.call(check_in).await.unwrap_err()["code"], "locked");
    // Restarting the app does not reset the count.
    let mut tablet = tablet.restart().await;
    let error = tablet.call(right).await.unwrap_err();
    assert_eq!(error["code"], "too_many_attempts", "{error}");
}
