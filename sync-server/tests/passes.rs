//! Passes signed by the server verify on a device with nothing but what it
//! synced, and revoked cards stop working.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use automerge::{ActorId, AutoCommit};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Device, PASSWORD, TestServer, changes, error_code, ok_json};
use tatami_core::belt::Grade;
use tatami_core::checkin::{CheckInSettings, Decision, Presented, Refusal, Scan, decide};
use tatami_core::doc::{View, project, student};
use tatami_core::ids::{RankId, StudentId};
use tatami_core::pass::TrustedKeys;
use tatami_core::people::{Role, Student};
use tatami_core::schedule::Session;
use tatami_core::sync::Bootstrap;
use tatami_core::text::PersonName;
use time::OffsetDateTime;
use time::macros::date;

/// What a device knows after syncing: every document, opened.
async fn synced_documents(server: &TestServer, device: &Device) -> Vec<AutoCommit> {
    let page: Bootstrap = ok_json(
        server
            .request(
                Method::GET,
                &device.slug,
                "/v1/bootstrap",
                Some(&device.credential),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    page.docs
        .iter()
        .map(|state| {
            let mut doc = if state.snapshot.0.is_empty() {
                AutoCommit::new()
            } else {
                AutoCommit::load(&state.snapshot.0).unwrap()
            };
            for change in &state.changes {
                doc.load_incremental(&change.0).unwrap();
            }
            doc
        })
        .collect()
}

fn door(keys: &TrustedKeys, text: &str, student: &Student) -> Decision {
    let now = OffsetDateTime::now_utc();
    let presented = Presented::Pass(keys.verify(text, now));
    decide(&Scan {
        presented: &presented,
        student: Some(student),
        session: &Session::open_mat(now.date()),
        prior: &[],
        settings: &CheckInSettings::default(),
        now,
    })
}

#[tokio::test]
async fn passes_verify_offline_and_revoked_cards_are_refused() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    let ana = Student::new(
        StudentId::new(),
        PersonName::parse("Ana Souza").unwrap(),
        date!(2025 - 01 - 10),
        Grade::new(RankId::new(), 0),
    );
    let mut doc = student::create(&ana, ActorId::random()).unwrap();
    server
        .sync(&tablet, 0, vec![changes(student::doc_id(ana.id), &mut doc, &[])])
        .await;

    let desk = server.token(&tiger, Role::FrontDesk).await;
    let path = |what: &str| format!("/v1/students/{}/{what}", ana.id);
    let phone: Value = ok_json(
        server
            .request(Method::POST, "golden-tiger", &path("pass"), Some(&desk))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let card: Value = ok_json(
        server
            .request(Method::GET, "golden-tiger", &path("card"), Some(&desk))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(card["version"], 1);
    // The desk's tablet prints the same card; another academy's tablet
    // does not know the student.
    let tablet_card: Value = ok_json(
        server
            .request(
                Method::GET,
                "golden-tiger",
                &path("card"),
                Some(&tablet.credential),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(tablet_card, card);

    // The tablet knows the academy's public keys from its document alone.
    let docs = synced_documents(&server, &tablet).await;
    let academy = docs
        .iter()
        .find_map(|d| match project(d) {
            Ok(View::Tenant(view)) => Some(view),
            _ => None,
        })
        .unwrap();
    assert_eq!(academy.id, tiger.id);
    let keys = academy.trusted_keys().unwrap();
    for pass in [&phone["pass"], &card["card"]] {
        assert!(matches!(
            door(&keys, pass.as_str().unwrap(), &ana),
            Decision::Admit { .. }
        ));
    }

    // Revoking bumps the version in the student's document; once synced,
    // the old card is refused and the new one admitted.
    let admin = server.token(&tiger, Role::Admin).await;
    let new_card: Value = ok_json(
        server
            .request(Method::POST, "golden-tiger", &path("card/revoke"), Some(&admin))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(new_card["version"], 2);
    let docs = synced_documents(&server, &tablet).await;
    let ana_now = docs
        .iter()
        .find_map(|d| match project(d) {
            Ok(View::Student(view)) if view.student.id == ana.id => Some(view.student),
            _ => None,
        })
        .unwrap();
    assert_eq!(ana_now.card_version, 2);
    assert_eq!(
        door(&keys, card["card"].as_str().unwrap(), &ana_now),
        Decision::Refuse {
            reason: Refusal::CardRevoked {
                presented: 1,
                current: 2
            }
        }
    );
    assert!(matches!(
        door(&keys, new_card["card"].as_str().unwrap(), &ana_now),
        Decision::Admit { .. }
    ));
    let refused = server
        .request(Method::POST, "golden-tiger", &path("card/revoke"), Some(&desk))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(refused, StatusCode::FORBIDDEN).await, "forbidden");

    // The academy document still verifies nothing of another academy.
    let crane = server.academy("white-crane").await;
    let crane_tablet = server.device(&crane, Role::FrontDesk).await;
    let foreign = server
        .request(
            Method::GET,
            "white-crane",
            &path("card"),
            Some(&crane_tablet.credential),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(foreign, StatusCode::NOT_FOUND).await,
        "unknown_student"
    );
    let crane_docs = synced_documents(&server, &crane_tablet).await;
    assert!(
        crane_docs
            .iter()
            .all(|d| !matches!(project(d), Ok(View::Student(_)))),
        "no student leaks across academies"
    );
    let crane_keys = crane_docs
        .iter()
        .find_map(|d| match project(d) {
            Ok(View::Tenant(view)) => Some(view.trusted_keys().unwrap()),
            _ => None,
        })
        .unwrap();
    assert!(
        crane_keys
            .verify(card["card"].as_str().unwrap(), OffsetDateTime::now_utc())
            .is_err()
    );
    server.stop().await;
}

#[tokio::test]
async fn members_get_their_own_pass_and_nobody_elses() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    let mut pushes = vec![];
    let mut ids = vec![];
    for name in ["Ana Souza", "Ben Ito"] {
        let s = Student::new(
            StudentId::new(),
            PersonName::parse(name).unwrap(),
            date!(2025 - 01 - 10),
            Grade::new(RankId::new(), 0),
        );
        let mut doc = student::create(&s, ActorId::random()).unwrap();
        pushes.push(changes(student::doc_id(s.id), &mut doc, &[]));
        ids.push(s.id);
    }
    server.sync(&tablet, 0, pushes).await;
    let admin = server.token(&tiger, Role::Admin).await;
    let created = server
        .request(Method::POST, "golden-tiger", "/v1/users", Some(&admin))
        .json(&json!({ "email": "ana@example.com", "name": "Ana Souza", "password": PASSWORD, "role": "member", "student_id": ids[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let member = server.sign_in("golden-tiger", "ana@example.com").await;
    let token = member["access_token"].as_str().unwrap();
    let pass = |student: StudentId| {
        server
            .request(
                Method::POST,
                "golden-tiger",
                &format!("/v1/students/{student}/pass"),
                Some(token),
            )
            .send()
    };
    assert_eq!(pass(ids[0]).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        error_code(pass(ids[1]).await.unwrap(), StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let card = server
        .request(
            Method::GET,
            "golden-tiger",
            &format!("/v1/students/{}/card", ids[0]),
            Some(token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(card, StatusCode::FORBIDDEN).await, "forbidden");
    let unknown = server
        .request(
            Method::POST,
            "golden-tiger",
            &format!("/v1/students/{}/pass", StudentId::new()),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(unknown, StatusCode::NOT_FOUND).await,
        "unknown_student"
    );
    let malformed = server
        .request(
            Method::POST,
            "golden-tiger",
            "/v1/students/not-an-id/pass",
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(malformed, StatusCode::BAD_REQUEST).await,
        "invalid_path"
    );
    server.stop().await;
}
