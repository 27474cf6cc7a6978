//! Several real client engines, each its own process with its own SQLite
//! file and keyring, against the real server over real HTTP and real
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use support::{
    Academy, DeviceProcess, Fixture, ServerProcess, TestServer, academy_with_student, belts, eventually,
    server_attendance,
};
use tatami_core::calendar::academy_time;
use tatami_core::ids::{ClassId, SlotId};
use tatami_core::people::Role;
use tatami_core::schedule::{Class, WeeklySlot};
use tatami_core::text::{Label, TimeZoneName};
use tatami_qr_corpus::plan;
use tatami_qr_corpus::recording::write_y4m;

/// The student's standing (not voided) check-ins in a snapshot.
fn attending(snapshot: &Value, student: &Value) -> usize {
    snapshot["students"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["student"]["id"] == *student)
        .flat_map(|s| s["attendance"].as_array().unwrap())
        .filter(|a| a["voided"] == false)
        .count()
}

#[tokio::test]
async fn a_card_shown_to_the_door_camera_checks_the_student_in_once_and_reaches_the_server() {
    let server = TestServer::start().await;
    let Fixture { academy, student, .. } = academy_with_student(&server, "camera-door").await;
    let id = student.as_str().unwrap();
    let card = academy.card(id).await;
    // The card held up for a second and a half between empty frames,
    // filmed at 30 frames a second.
    let corpus = plan(7, 4).unwrap();
    let held = corpus.cards_mildest_first()[0].showing(&card).render().unwrap();
    let empty = vec![190; held.pixels.len()];
    let mut frames = vec![empty.as_slice(); 10];
    frames.extend([held.pixels.as_slice(); 45]);
    frames.extend([empty.as_slice(); 10]);
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("door.y4m");
    write_y4m(&video, held.width as usize, held.height as usize, &frames).unwrap();

    let mut tablet = academy.device(Role::FrontDesk).await;
    let scanned = tablet
        // Tests share two cores: a generous budget a frame, so a busy
        // machine does not decide the outcome (the budget is measured in
        // BENCHMARKS.md).
        .ok(json!({ "op": "scan_recording", "path": video, "fps": 30, "budget_ms": 1000 }))
        .await;
    let outcomes = scanned["outcomes"].as_array().unwrap();
    assert_eq!(
        outcomes.len(),
        1,
        "one check-in for the whole time it is held: {scanned}"
    );
    assert_eq!(outcomes[0]["decision"]["outcome"], "admit", "{scanned}");
    assert_eq!(outcomes[0]["recorded"], true);
    assert_eq!(outcomes[0]["student"]["name"], "Ana Souza");
    assert_eq!(scanned["stopped"], Value::Null, "the recording ended");
    tablet.sync().await;
    assert_eq!(server_attendance(&server, id).await.len(), 1);
}

#[tokio::test]
async fn two_tablets_offline_check_the_same_student_in_once() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ..
    } = academy_with_student(&server, "golden-tiger").await;
    let mut first = academy.device(Role::FrontDesk).await;
    let mut second = academy.device(Role::FrontDesk).await;

    // Neither tablet syncs between the two check-ins: both are offline.
    for tablet in [&mut first, &mut second] {
        let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
        assert_eq!(outcome["decision"]["outcome"], "admit", "{outcome}");
        assert_eq!(outcome["recorded"], true);
        assert_eq!(outcome["student"]["name"], "Ana Souza");
    }
    first.sync().await;
    second.sync().await;
    first.sync().await;
    laptop.sync().await;

    let snapshots = [
        first.snapshot().await,
        second.snapshot().await,
        laptop.snapshot().await,
    ];
    for snapshot in &snapshots {
        assert_eq!(attending(snapshot, &student), 1, "{snapshot}");
        assert_eq!(*snapshot, snapshots[0]);
    }
    let on_server = server_attendance(&server, student.as_str().unwrap()).await;
    assert_eq!(on_server.len(), 1, "{on_server:?}");
    // Scanning again is "already in", not a second attendance.
    let again = first.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(again["decision"]["outcome"], "already_checked_in");
    assert_eq!(again["recorded"], false);
}

#[tokio::test]
async fn concurrent_offline_edits_to_one_student_merge_field_by_field() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ..
    } = academy_with_student(&server, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;

    tablet
        .ok(json!({ "op": "edit_student", "student": student, "phone": "+351 912 345 678" }))
        .await;
    laptop
        .ok(json!({ "op": "edit_student", "student": student, "name": "Ana Souza Lima", "status": "paused" }))
        .await;
    tablet.sync().await;
    laptop.sync().await;
    tablet.sync().await;

    let (on_tablet, on_laptop) = (tablet.snapshot().await, laptop.snapshot().await);
    assert_eq!(on_tablet, on_laptop);
    let record = &on_tablet["students"][0]["student"];
    assert_eq!(record["name"], "Ana Souza Lima");
    assert_eq!(record["phone"], "+351 912 345 678");
    assert_eq!(record["status"], "paused");
}

#[tokio::test]
async fn a_promotion_offline_and_a_check_in_offline_give_one_eligibility_everywhere() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ranks,
    } = academy_with_student(&server, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;
    let mut office = academy.device(Role::Admin).await;

    // Offline at once: the instructor awards a stripe while the tablet
    // checks the student in.
    let today = laptop.ok(json!({ "op": "today" })).await;
    let stripe = json!({ "rank": ranks[0].id, "stripes": 1 });
    laptop
        .ok(json!({ "op": "promote", "student": student, "to": stripe, "on": today, "notes": "Sharp guard work" }))
        .await;
    let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(outcome["recorded"], true);
    tablet.sync().await;
    laptop.sync().await;
    office.sync().await;
    tablet.sync().await;

    let progress = |snapshot: &Value| {
        let s = &snapshot["students"][0];
        json!({ "standing": s["standing"], "eligibility": s["eligibility"] })
    };
    let on_server = academy
        .get(&format!("/v1/students/{}/progress", student.as_str().unwrap()))
        .await;
    assert_eq!(on_server["standing"]["grade"], stripe, "{on_server}");
    assert_eq!(on_server["eligibility"]["state"], "next", "{on_server}");
    for device in [&mut laptop, &mut tablet, &mut office] {
        assert_eq!(progress(&device.snapshot().await), on_server);
    }
}

#[tokio::test]
async fn a_confirmed_check_in_survives_the_device_being_killed_and_reaches_the_server() {
    let server = TestServer::start().await;
    let Fixture { academy, student, .. } = academy_with_student(&server, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;

    let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(outcome["recorded"], true);
    // Killed the moment the screen confirmed, before any sync.
    let mut tablet = tablet.restart().await;
    assert_eq!(attending(&tablet.snapshot().await, &student), 1);
    let status = tablet.ok(json!({ "op": "status" })).await;
    assert_eq!(status["waiting"], 1, "{status}");
    assert!(
        server_attendance(&server, student.as_str().unwrap())
            .await
            .is_empty()
    );

    // The credential is still in the keyring after the restart.
    let report = tablet.sync().await;
    assert!(report["pushed"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(
        server_attendance(&server, student.as_str().unwrap()).await.len(),
        1
    );
    assert_eq!(tablet.ok(json!({ "op": "status" })).await["waiting"], 0);
}

#[tokio::test]
async fn the_server_killed_in_the_middle_of_a_push_loses_nothing_and_counts_nothing_twice() {
    /// When the server dies: as the push leaves the device, or as soon as
    /// the push is committed, when its answer may not have reached the
    /// device.
    #[derive(Clone, Copy)]
    enum Kill {
        AtOnce,
        OnceStored,
    }
    const ROUNDS: [Kill; 4] = [Kill::AtOnce, Kill::OnceStored, Kill::AtOnce, Kill::OnceStored];
    const PER_ROUND: usize = 40;
    let setup = TestServer::start().await;
    let mut server = ServerProcess::start(&setup).await;
    let academy = Academy::create(&setup, "golden-tiger")
        .await
        .served_by(&server.base);
    let mut laptop = academy.device(Role::Admin).await;
    laptop.ok(json!({ "op": "set_belts", "ranks": belts(40) })).await;
    let mut students = Vec::new();
    for i in 0..ROUNDS.len() * PER_ROUND {
        let name = format!("Student {i}");
        students.push(laptop.ok(json!({ "op": "add_student", "name": name })).await);
    }
    laptop.sync().await;
    let mut tablet = academy.device(Role::FrontDesk).await;
    tablet.sync().await;

    let mut interrupted = 0;
    for (round, kill) in ROUNDS.into_iter().enumerate() {
        for student in &students[round * PER_ROUND..(round + 1) * PER_ROUND] {
            let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
            assert_eq!(outcome["recorded"], true);
        }
        // The push is under way when the server dies.
        let sync = json!({ "op": "sync" });
        tablet.send(&sync).await;
        if let Kill::OnceStored = kill {
            let stored = i64::try_from((round + 1) * PER_ROUND).unwrap();
            let committed = eventually(&mut (), 30, async |()| {
                standing(&setup, &academy).await.0 == stored
            })
            .await;
            assert!(committed, "the push was never stored");
        }
        server.kill().await;
        if let Err(error) = tablet.answer(&sync).await {
            assert_eq!(error["code"], "offline", "{error}");
            interrupted += 1;
        }
        server.restart().await;
        tablet.sync().await;
        assert_eq!(tablet.ok(json!({ "op": "status" })).await["waiting"], 0);
    }

    assert!(interrupted > 0, "no push was interrupted: kill sooner");
    let expected = i64::try_from(students.len()).unwrap();
    assert_eq!(standing(&setup, &academy).await, (expected, expected));
    // A device that joins now sees exactly what was confirmed at the door.
    let mut office = academy.device(Role::Admin).await;
    office.sync().await;
    let snapshot = office.snapshot().await;
    for student in &students {
        assert_eq!(attending(&snapshot, student), 1, "{student}");
    }
}

/// The server's standing check-ins of `academy`, and of how many students.
async fn standing(server: &TestServer, academy: &Academy) -> (i64, i64) {
    let mut db = PgConnection::connect_with(&server.db.superuser).await.unwrap();
    let counts = sqlx::query_as(
        "SELECT count(*), count(DISTINCT student_id) FROM attendance WHERE tenant_id = $1 AND voided_at IS NULL",
    )
    .bind(academy.tenant.id.as_uuid())
    .fetch_one(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    counts
}

/// An academy served by a server process of its own (to kill and restart),
/// with Ana and Ben added on an admin's laptop and synced; their ids.
async fn ana_and_ben(setup: &TestServer, slug: &str) -> (ServerProcess, Academy, DeviceProcess, [Value; 2]) {
    let server = ServerProcess::start(setup).await;
    let academy = Academy::create(setup, slug).await.served_by(&server.base);
    let mut laptop = academy.device(Role::Admin).await;
    laptop.ok(json!({ "op": "set_belts", "ranks": belts(40) })).await;
    let ana = laptop
        .ok(json!({ "op": "add_student", "name": "Ana Souza" }))
        .await;
    let ben = laptop.ok(json!({ "op": "add_student", "name": "Ben Ito" })).await;
    laptop.sync().await;
    (server, academy, laptop, [ana, ben])
}

#[tokio::test]
async fn background_sync_brings_live_updates_and_rides_out_a_server_restart() {
    let setup = TestServer::start().await;
    let (mut server, academy, mut laptop, [ana, ben]) = ana_and_ben(&setup, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;
    tablet.ok(json!({ "op": "start_sync" })).await;

    // A check-in made elsewhere appears on the tablet without it asking.
    laptop.ok(json!({ "op": "check_in", "student": ana })).await;
    laptop.sync().await;
    let arrived = eventually(&mut tablet, 10, async |tablet| {
        attending(&tablet.snapshot().await, &ana) == 1
    })
    .await;
    assert!(arrived, "the tablet did not receive the check-in");

    // The server goes down; the door goes on; the server comes back.
    server.kill().await;
    let outcome = tablet.ok(json!({ "op": "check_in", "student": ben })).await;
    assert_eq!(outcome["recorded"], true);
    server.restart().await;
    let ben_id = ben.as_str().unwrap();
    let pushed = eventually(&mut (), 40, async |()| {
        server_attendance(&setup, ben_id).await.len() == 1
    })
    .await;
    assert!(
        pushed,
        "the check-in made while the server was down never reached it"
    );
    // The server commits before the tablet reads its answer: the status
    // turns once the answer is in.
    let mut status = json!(null);
    let settled = eventually(&mut tablet, 5, async |tablet| {
        status = tablet.ok(json!({ "op": "status" })).await;
        (status["connection"].as_str(), status["waiting"].as_u64()) == (Some("online"), Some(0))
    })
    .await;
    assert!(settled, "the tablet still shows the outage: {status}");
}

#[tokio::test]
async fn the_desk_prints_a_member_card_online_and_again_offline() {
    let setup = TestServer::start().await;
    let (mut server, academy, _, [ana, ben]) = ana_and_ben(&setup, "card-desk").await;
    let mut tablet = academy.device(Role::FrontDesk).await;
    tablet.sync().await;

    let card = tablet.ok(json!({ "op": "member_card", "student": ana })).await;
    assert_eq!(card["card"], academy.card(ana.as_str().unwrap()).await);
    assert_eq!(card["version"], 1);
    assert_eq!(card["student_name"], "Ana Souza");
    assert_eq!(card["academy_name"], "card-desk");
    let door = tablet.ok(json!({ "op": "scan", "payload": card["card"] })).await;
    assert_eq!(door["decision"]["outcome"], "admit", "{door}");

    // Offline, the card kept is printed again; a card never fetched is not
    // (only the server signs), and says so.
    server.kill().await;
    let again = tablet.ok(json!({ "op": "member_card", "student": ana })).await;
    assert_eq!(again, card);
    let never = tablet
        .call(json!({ "op": "member_card", "student": ben }))
        .await
        .unwrap_err();
    assert_eq!(never["code"], "offline", "{never}");
    assert!(
        never["message"]
            .as_str()
            .unwrap()
            .contains("once this device is online")
    );
    server.restart().await;

    // A card revoked on the server: the device prints the new one and the
    // old one no longer opens the door once synced.
    let (status, _) = academy
        .request(
            reqwest::Method::POST,
            &format!("/v1/students/{}/card/revoke", ana.as_str().unwrap()),
        )
        .await;
    assert_eq!(status, 200);
    tablet.sync().await;
    let renewed = tablet.ok(json!({ "op": "member_card", "student": ana })).await;
    assert_eq!(renewed["version"], 2);
    assert_ne!(renewed["card"], card["card"]);
    let old = tablet.ok(json!({ "op": "scan", "payload": card["card"] })).await;
    assert_eq!(old["decision"]["reason"]["code"], "card_revoked", "{old}");
    let unknown = tablet
        .call(json!({ "op": "member_card", "student": tatami_core::ids::StudentId::new() }))
        .await
        .unwrap_err();
    assert_eq!(unknown["code"], "not_found");
    // A student added here and not synced yet has no card on the server.
    let caio = tablet
        .ok(json!({ "op": "add_student", "name": "Caio Reis" }))
        .await;
    let unsynced = tablet
        .call(json!({ "op": "member_card", "student": caio }))
        .await
        .unwrap_err();
    assert!(
        unsynced["message"]
            .as_str()
            .unwrap()
            .contains("has not reached the server yet"),
        "{unsynced}"
    );
    tablet.sync().await;
    let synced = tablet.ok(json!({ "op": "member_card", "student": caio })).await;
    assert_eq!(synced["student_name"], "Caio Reis");
}

#[tokio::test]
async fn classes_the_schedule_rolls_notes_and_the_audit_trail_work_across_devices() {
    let server = TestServer::start().await;
    let Fixture {
        academy,
        mut laptop,
        student,
        ..
    } = academy_with_student(&server, "golden-tiger").await;
    let mut tablet = academy.device(Role::FrontDesk).await;

    // A class that started five minutes ago, academy time, every day.
    let zone = TimeZoneName::parse("Europe/Lisbon").unwrap();
    let now = academy_time(time::OffsetDateTime::now_utc(), &zone);
    let starts = if now.time() > time::macros::time!(00:05) {
        now.time() - time::Duration::minutes(5)
    } else {
        time::Time::MIDNIGHT
    };
    let class = Class {
        id: ClassId::new(),
        name: Label::parse("Fundamentals").unwrap(),
        color: None,
    };
    let slot = WeeklySlot {
        id: SlotId::new(),
        class: class.id,
        weekday: now.weekday(),
        starts,
        minutes: 60,
    };
    laptop.ok(json!({ "op": "put_class", "class": class })).await;
    laptop.ok(json!({ "op": "set_schedule", "slots": [slot] })).await;
    laptop
        .ok(json!({ "op": "add_note", "student": student, "text": "Ready for sparring" }))
        .await;
    laptop.sync().await;
    tablet.sync().await;

    // A front-desk tablet may not change the classes.
    let refused = tablet
        .call(json!({ "op": "put_class", "class": class }))
        .await
        .unwrap_err();
    assert_eq!(refused["code"], "forbidden");
    let sessions = tablet.ok(json!({ "op": "sessions_today" })).await;
    let names: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Fundamentals", "Open mat"], "{sessions}");
    // A check-in goes to the class under way, not the open mat.
    let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
    assert_eq!(outcome["session"]["name"], "Fundamentals", "{outcome}");
    let session = outcome["session"]["key"].clone();
    tablet.sync().await;
    laptop.sync().await;
    let roll = laptop.ok(json!({ "op": "roll", "session": session })).await;
    assert_eq!(roll.as_array().unwrap().len(), 1, "{roll}");
    assert_eq!(roll[0]["student"], student);

    let profile = tablet.ok(json!({ "op": "profile", "student": student })).await;
    assert_eq!(profile["notes"][0]["text"], "Ready for sparring", "{profile}");
    let audit = tablet.ok(json!({ "op": "audit", "limit": 10 })).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"check_in"), "{audit}");
}

#[tokio::test]
async fn a_device_never_receives_another_academys_changes() {
    let server = TestServer::start().await;
    let Fixture {
        mut laptop, student, ..
    } = academy_with_student(&server, "golden-tiger").await;
    laptop.ok(json!({ "op": "check_in", "student": student })).await;
    laptop.sync().await;

    let other = Academy::create(&server, "silver-crane").await;
    let mut tablet = other.device(Role::Admin).await;
    tablet.ok(json!({ "op": "set_belts", "ranks": belts(10) })).await;
    tablet.sync().await;
    let snapshot = tablet.snapshot().await;
    assert_eq!(snapshot["students"], json!([]), "{snapshot}");
    let refused = tablet
        .call(json!({ "op": "check_in", "student": student }))
        .await
        .unwrap_err();
    assert_eq!(refused["code"], "not_found");
    let roster = tablet.ok(json!({ "op": "roster", "query": "Ana" })).await;
    assert_eq!(roster, json!([]));
}
