//! The sync protocol between real devices' documents and a real server,
//! over HTTP and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use automerge::{ActorId, AutoCommit};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{Device, TestServer, changes, count, error_code, new_student};
use tatami_core::belt::{Grade, Promotion};
use tatami_core::doc::roll::{self, CheckIn, Method as CheckInMethod};
use tatami_core::doc::student;
use tatami_core::ids::{ClassId, DocId, PromotionId, RankId, StaffId, StudentId};
use tatami_core::people::Role;
use tatami_core::schedule::{ClassRef, SessionKey};
use tatami_core::sync::{Bytes, DocChanges, PROTOCOL_VERSION, RefusalCode, SyncRequest};
use tatami_core::text::Prose;
use time::OffsetDateTime;
use time::macros::date;

fn check_in(student: StudentId, device: &Device) -> CheckIn {
    CheckIn {
        student,
        at: OffsetDateTime::now_utc(),
        by: StaffId::new(),
        device: device.id,
        method: CheckInMethod::Card,
        pass: None,
    }
}

#[tokio::test]
async fn what_one_tablet_records_reaches_another_once() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let (a, b) = (
        server.device(&tiger, Role::FrontDesk).await,
        server.device(&tiger, Role::FrontDesk).await,
    );

    let (ana, mut ana_doc) = new_student("Ana Souza");
    let session = SessionKey {
        class: ClassRef::Class(ClassId::new()),
        date: date!(2026 - 11 - 23),
    };
    let mut roll_doc = roll::create(tiger.id, &session, ActorId::random()).unwrap();
    roll::check_in(&mut roll_doc, &check_in(ana.id, &a)).unwrap();
    let push = vec![
        changes(student::doc_id(ana.id), &mut ana_doc, &[]),
        changes(roll::doc_id(tiger.id, &session), &mut roll_doc, &[]),
    ];
    let first = server.sync(&a, 0, push.clone()).await;
    assert!(first.refused.is_empty(), "{:?}", first.refused);

    // The push is retried (the answer was lost): nothing is counted twice.
    let retry = server.sync(&a, first.cursor, push).await;
    assert!(retry.refused.is_empty() && retry.changes.is_empty());
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM attendance").await, 1);
    let logged = count(&server, &tiger, "SELECT count(*) FROM changes").await;

    // The other tablet pulls everything, the academy's own documents too.
    let pulled = server.sync(&b, 0, vec![]).await;
    let docs: BTreeSet<DocId> = pulled.changes.iter().map(|c| c.doc).collect();
    assert!(docs.contains(&student::doc_id(ana.id)) && docs.contains(&roll::doc_id(tiger.id, &session)));
    assert_eq!(i64::try_from(pulled.changes.len()).unwrap(), logged);
    let mut copy = AutoCommit::new();
    for change in pulled
        .changes
        .iter()
        .filter(|c| c.doc == roll::doc_id(tiger.id, &session))
    {
        copy.load_incremental(&change.change.0).unwrap();
    }
    assert_eq!(roll::project(&copy).unwrap().attending().count(), 1);
    // Its own changes are not sent back to the first tablet.
    let echo = server.sync(&a, first.cursor, vec![]).await;
    assert!(echo.changes.is_empty());
    // Nothing new: an empty answer and the same cursor.
    let again = server.sync(&b, pulled.cursor, vec![]).await;
    assert_eq!(
        (again.changes.len(), again.cursor, again.more),
        (0, pulled.cursor, false)
    );
    server.stop().await;
}

#[tokio::test]
async fn changes_beyond_a_devices_role_are_refused_audited_and_stored_nowhere() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let desk = server.device(&tiger, Role::FrontDesk).await;
    let (ana, mut doc) = new_student("Ana Souza");
    let id = student::doc_id(ana.id);
    server.sync(&desk, 0, vec![changes(id, &mut doc, &[])]).await;
    let before = doc.get_heads();
    student::add_promotion(
        &mut doc,
        &Promotion {
            id: PromotionId::new(),
            from: ana.start_grade.clone(),
            to: Grade::new(RankId::new(), 0),
            on: date!(2026 - 11 - 22),
            by: StaffId::new(),
            notes: Prose::default(),
            recorded_at: OffsetDateTime::now_utc(),
        },
    )
    .unwrap();
    let response = server.sync(&desk, 0, vec![changes(id, &mut doc, &before)]).await;
    assert_eq!(response.refused.len(), 1);
    assert_eq!(response.refused[0].code, RefusalCode::Forbidden);
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM promotions").await, 0);
    assert_eq!(
        count(
            &server,
            &tiger,
            "SELECT count(*) FROM audit_log WHERE action = 'change_refused'"
        )
        .await,
        1
    );
    // The tablet rebuilds the student from the server's copy: no promotion.
    let state: tatami_core::sync::DocState = support::ok_json(
        server
            .request(
                Method::GET,
                "golden-tiger",
                &format!("/v1/documents/{id}"),
                Some(&desk.credential),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut rebuilt = AutoCommit::new();
    for change in &state.changes {
        rebuilt.load_incremental(&change.0).unwrap();
    }
    assert!(student::project(&rebuilt).unwrap().promotions.is_empty());
    // An instructor's laptop may.
    let laptop = server.device(&tiger, Role::Instructor).await;
    let accepted = server
        .sync(&laptop, 0, vec![changes(id, &mut doc, &before)])
        .await;
    assert!(accepted.refused.is_empty());
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM promotions").await, 1);
    server.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let server = TestServer::start_with(
        tatami_sync_server::postgres::testing::fresh_database().await,
        |s| {
            s.http.max_body_bytes = 64 * 1024;
        },
    )
    .await;
    let tiger = server.academy("golden-tiger").await;
    let crane = server.academy("white-crane").await;
    let desk = server.device(&tiger, Role::FrontDesk).await;
    let logged = count(&server, &tiger, "SELECT count(*) FROM changes").await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        server
            .request(Method::POST, "golden-tiger", "/v1/sync", Some(&desk.credential))
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let malformed = post(b"{\"protocol\": 1, \"cursor\": ".to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(
        error_code(malformed, StatusCode::BAD_REQUEST).await,
        "invalid_body"
    );
    let wrong_shape = post(
        br#"{"protocol":1,"cursor":0,"push":"everything"}"#.to_vec(),
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(
        error_code(wrong_shape, StatusCode::BAD_REQUEST).await,
        "invalid_body"
    );
    let not_json = post(b"protocol=1".to_vec(), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(
        error_code(not_json, StatusCode::BAD_REQUEST).await,
        "invalid_body"
    );
    let huge = format!(
        r#"{{"protocol":1,"cursor":0,"push":[{{"doc":"{}","changes":["{}"]}}]}}"#,
        DocId::new(),
        "A".repeat(100_000)
    );
    let too_large = post(huge.into_bytes(), "application/json").await.unwrap();
    assert_eq!(
        error_code(too_large, StatusCode::PAYLOAD_TOO_LARGE).await,
        "body_too_large"
    );

    // A truncated body: the connection ends before the promised length.
    let (ana, mut ana_doc) = new_student("Ana Souza");
    let request = SyncRequest {
        protocol: PROTOCOL_VERSION,
        cursor: 0,
        push: vec![changes(student::doc_id(ana.id), &mut ana_doc, &[])],
        limit: None,
    };
    let full = serde_json::to_vec(&request).unwrap();
    let truncated = post(full[..full.len() / 2].to_vec(), "application/json")
        .await
        .unwrap();
    assert_eq!(
        error_code(truncated, StatusCode::BAD_REQUEST).await,
        "invalid_body"
    );

    let garbage = SyncRequest {
        push: vec![DocChanges {
            doc: DocId::new(),
            changes: vec![Bytes(b"definitely not automerge".to_vec())],
        }],
        ..request.clone()
    };
    let answer = server.sync(&desk, 0, garbage.push).await;
    assert_eq!(answer.refused[0].code, RefusalCode::Invalid);

    // A roll of another academy, pushed here.
    let session = SessionKey::open_mat(date!(2026 - 11 - 23));
    let mut foreign = roll::create(crane.id, &session, ActorId::random()).unwrap();
    let answer = server
        .sync(
            &desk,
            0,
            vec![changes(roll::doc_id(crane.id, &session), &mut foreign, &[])],
        )
        .await;
    assert!(
        answer.refused[0].message.contains("another academy"),
        "{}",
        answer.refused[0].message
    );

    let newer = SyncRequest {
        protocol: PROTOCOL_VERSION + 1,
        ..request.clone()
    };
    let response = server.sync_raw(&desk, &newer).await;
    assert_eq!(
        error_code(response, StatusCode::CONFLICT).await,
        "protocol_unsupported"
    );
    let ahead = SyncRequest {
        cursor: 1_000_000,
        push: vec![],
        ..request.clone()
    };
    let response = server.sync_raw(&desk, &ahead).await;
    assert_eq!(error_code(response, StatusCode::CONFLICT).await, "cursor_ahead");

    assert_eq!(
        count(&server, &tiger, "SELECT count(*) FROM changes").await,
        logged,
        "nothing was stored"
    );
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM students").await, 0);

    // Staff tokens do not sync; revoked devices no longer do.
    let staff = server.token(&tiger, Role::Owner).await;
    let response = server
        .request(Method::POST, "golden-tiger", "/v1/sync", Some(&staff))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, StatusCode::FORBIDDEN).await, "forbidden");
    let revoke = server
        .request(
            Method::DELETE,
            "golden-tiger",
            &format!("/v1/devices/{}", desk.id),
            Some(&staff),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let response = server.sync_raw(&desk, &request).await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "device_revoked"
    );
    // A device whose enrolment ran out.
    let server_with_short_enrolments = TestServer::start_with(
        tatami_sync_server::postgres::testing::fresh_database().await,
        |s| {
            s.auth.device_days = 0;
        },
    )
    .await;
    let crane_tablet = {
        let crane = server_with_short_enrolments.academy("white-crane").await;
        server_with_short_enrolments.device(&crane, Role::FrontDesk).await
    };
    let response = server_with_short_enrolments
        .sync_raw(
            &crane_tablet,
            &SyncRequest {
                push: vec![],
                ..request.clone()
            },
        )
        .await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "device_expired"
    );
    server_with_short_enrolments.stop().await;
    let wrong_secret = Device {
        credential: format!("{}x", desk.credential),
        ..desk.clone()
    };
    let response = server.sync_raw(&wrong_secret, &request).await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );
    server.stop().await;
}

/// Waits on `waiting_on` for news after the laptop's cursor while the
/// tablet pushes a new student through `pushed_through`; the wait must end
/// with the push, not its timeout. Returns the laptop's cursor before it and
/// the student's document.
async fn wait_through_a_push(
    waiting_on: &TestServer,
    pushed_through: &TestServer,
    laptop: &Device,
    tablet: &Device,
) -> (u64, DocId) {
    let cursor = waiting_on.sync(laptop, 0, vec![]).await.cursor;
    let wait = waiting_on
        .request(
            Method::GET,
            &laptop.slug,
            &format!("/v1/sync/wait?cursor={cursor}"),
            Some(&laptop.credential),
        )
        .send();
    let waiting = tokio::spawn(wait);
    let (ana, mut doc) = new_student("Ana Souza");
    let pushed = tokio::time::Instant::now();
    pushed_through
        .sync(tablet, 0, vec![changes(student::doc_id(ana.id), &mut doc, &[])])
        .await;
    let answer: Value = waiting.await.unwrap().unwrap().json().await.unwrap();
    assert!(answer["head"].as_u64().unwrap() > cursor);
    assert!(
        pushed.elapsed() < Duration::from_secs(5),
        "the wait ended with the push, not the timeout"
    );
    (cursor, student::doc_id(ana.id))
}

#[tokio::test]
async fn a_waiting_device_hears_of_a_check_in_at_once() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    let laptop = server.device(&tiger, Role::Instructor).await;
    wait_through_a_push(&server, &server, &laptop, &tablet).await;
    server.stop().await;
}

#[tokio::test]
async fn a_fresh_device_bootstraps_from_snapshots_and_misses_nothing() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    // Enough check-ins on one roll to compact it into a snapshot.
    let session = SessionKey::open_mat(date!(2026 - 11 - 23));
    let roll_id = roll::doc_id(tiger.id, &session);
    let mut doc = roll::create(tiger.id, &session, ActorId::random()).unwrap();
    let mut cursor = 0;
    let mut before = vec![];
    for _ in 0..70 {
        roll::check_in(&mut doc, &check_in(StudentId::new(), &tablet)).unwrap();
        cursor = server
            .sync(&tablet, cursor, vec![changes(roll_id, &mut doc, &before)])
            .await
            .cursor;
        before = doc.get_heads();
    }
    assert_eq!(
        count(
            &server,
            &tiger,
            "SELECT count(*) FROM documents WHERE snapshot IS NOT NULL"
        )
        .await,
        1
    );

    let fresh = server.device(&tiger, Role::FrontDesk).await;
    let page: tatami_core::sync::Bootstrap = support::ok_json(
        server
            .request(
                Method::GET,
                "golden-tiger",
                "/v1/bootstrap",
                Some(&fresh.credential),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.next.is_none());
    let state = page.docs.iter().find(|d| d.doc == roll_id).unwrap();
    assert!(!state.snapshot.0.is_empty(), "the roll comes as a snapshot");
    let mut copy = AutoCommit::load(&state.snapshot.0).unwrap();
    for change in &state.changes {
        copy.load_incremental(&change.0).unwrap();
    }
    assert_eq!(roll::project(&copy).unwrap().entries.len(), 70);

    // A check-in after the bootstrap arrives by pulling from its cursor.
    roll::check_in(&mut doc, &check_in(StudentId::new(), &tablet)).unwrap();
    server
        .sync(&tablet, cursor, vec![changes(roll_id, &mut doc, &before)])
        .await;
    let pulled = server.sync(&fresh, page.cursor, vec![]).await;
    for change in pulled.changes.iter().filter(|c| c.doc == roll_id) {
        copy.load_incremental(&change.change.0).unwrap();
    }
    assert_eq!(roll::project(&copy).unwrap().entries.len(), 71);
    server.stop().await;
}

/// A change's identity: its bytes may be re-encoded on the way.
fn hash_of(bytes: &[u8]) -> automerge::ChangeHash {
    automerge::Change::from_bytes(bytes.to_vec()).unwrap().hash()
}

/// Many devices push at once through two servers over one database, while
/// a reader pulls without pause: the reader's cursor never passes a change
/// that commits later.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_cursor_skips_a_change_under_concurrent_pushes() {
    const PUSHERS: usize = 8;
    const PUSHES: usize = 15;
    let first = TestServer::start().await;
    let tiger = first.academy("golden-tiger").await;
    let second = TestServer::start_with(first.db.clone(), |_| {}).await;
    let reader = first.device(&tiger, Role::Instructor).await;

    let mut devices = Vec::new();
    for _ in 0..PUSHERS {
        devices.push(first.device(&tiger, Role::FrontDesk).await);
    }
    // Where the reader starts: before any push.
    let mut cursor = first.sync(&reader, 0, vec![]).await.cursor;
    let start = cursor;

    let mut pushers = Vec::new();
    for (n, device) in devices.into_iter().enumerate() {
        let server = if n % 2 == 0 { &first } else { &second };
        let (base, http) = (server.base.clone(), server.http.clone());
        pushers.push(tokio::spawn(async move {
            let mut hashes = Vec::new();
            for _ in 0..PUSHES {
                let (s, mut doc) = new_student("Concurrent Student");
                let push = changes(student::doc_id(s.id), &mut doc, &[]);
                hashes.extend(push.changes.iter().map(|c| hash_of(&c.0)));
                let request = SyncRequest {
                    protocol: PROTOCOL_VERSION,
                    cursor: 0,
                    push: vec![push],
                    limit: Some(1),
                };
                let response = http
                    .post(format!("{base}/v1/sync"))
                    .header("x-tatami-tenant", &device.slug)
                    .bearer_auth(&device.credential)
                    .json(&request)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                let answer: tatami_core::sync::SyncResponse = response.json().await.unwrap();
                assert!(answer.refused.is_empty(), "{:?}", answer.refused);
            }
            hashes
        }));
    }

    let mut seen = Vec::new();
    let done = async {
        let mut all = Vec::new();
        for pusher in pushers {
            all.extend(pusher.await.unwrap());
        }
        all
    };
    tokio::pin!(done);
    let pushed = loop {
        tokio::select! {
            pushed = &mut done => break pushed,
            response = first.sync(&reader, cursor, vec![]) => {
                seen.extend(response.changes.iter().map(|c| (c.seq, c.change.0.clone())));
                cursor = response.cursor;
            }
        }
    };
    loop {
        let response = first.sync(&reader, cursor, vec![]).await;
        seen.extend(response.changes.iter().map(|c| (c.seq, c.change.0.clone())));
        cursor = response.cursor;
        if !response.more && response.changes.is_empty() {
            break;
        }
    }
    let seqs: Vec<u64> = seen.iter().map(|(seq, _)| *seq).collect();
    let expected: Vec<u64> = (start + 1..=cursor).collect();
    assert_eq!(
        seqs, expected,
        "every sequence number once, in order, none skipped"
    );
    let received: BTreeSet<automerge::ChangeHash> = seen.iter().map(|(_, bytes)| hash_of(bytes)).collect();
    let missing = pushed.iter().filter(|hash| !received.contains(hash)).count();
    assert_eq!(
        missing,
        0,
        "of {} pushed, {} received",
        pushed.len(),
        received.len()
    );
    second.stop().await;
    first.stop().await;
}

/// A check-in stored through one server wakes a device waiting on another,
/// and that device then pulls it from the server it is connected to.
#[tokio::test]
async fn a_device_on_another_server_hears_and_pulls_at_once() {
    let first = TestServer::start().await;
    let tiger = first.academy("golden-tiger").await;
    let second = TestServer::start_with(first.db.clone(), |_| {}).await;
    let tablet = first.device(&tiger, Role::FrontDesk).await;
    let laptop = first.device(&tiger, Role::Instructor).await;
    let (cursor, doc) = wait_through_a_push(&second, &first, &laptop, &tablet).await;
    let pulled = second.sync(&laptop, cursor, vec![]).await;
    assert!(pulled.changes.iter().any(|c| c.doc == doc));
    second.stop().await;
    first.stop().await;
}

/// A restore renews the epoch of every academy's log, which every sync and
/// bootstrap page carries: how devices learn to push again what the
/// restore took away.
#[tokio::test]
async fn a_restore_starts_a_new_log_epoch_that_syncs_and_bootstraps_carry() {
    let first = TestServer::start().await;
    let tiger = first.academy("golden-tiger").await;
    first.academy("white-crane").await;
    let tablet = first.device(&tiger, Role::FrontDesk).await;
    let epoch = first.sync(&tablet, 0, vec![]).await.epoch;
    assert_eq!(
        first.sync(&tablet, 0, vec![]).await.epoch,
        epoch,
        "an epoch lasts"
    );
    let bootstrap = |server: &TestServer| {
        server
            .request(
                Method::GET,
                "golden-tiger",
                "/v1/bootstrap",
                Some(&tablet.credential),
            )
            .send()
    };
    let page: tatami_core::sync::Bootstrap = support::ok_json(bootstrap(&first).await.unwrap()).await;
    assert_eq!(page.epoch, epoch);
    let db = first.db.clone();
    first.stop().await;

    let renewed = {
        let pool = sqlx::PgPool::connect_with(db.owner.clone()).await.unwrap();
        let renewed = tatami_sync_server::db::tenants::renew_log_epochs(&pool)
            .await
            .unwrap();
        pool.close().await;
        renewed
    };
    assert_eq!(renewed, 2, "every academy");
    let restored = TestServer::start_with(db, |_| {}).await;
    let after = restored.sync(&tablet, 0, vec![]).await.epoch;
    assert_ne!(after, epoch);
    let page: tatami_core::sync::Bootstrap = support::ok_json(bootstrap(&restored).await.unwrap()).await;
    assert_eq!(page.epoch, after);
    restored.stop().await;
}
