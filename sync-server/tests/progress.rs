//! A student's progress as the server computes it: for instructors and
//! above, of their own academy only.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use automerge::ActorId;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{TestServer, changes, error_code, ok_json};
use tatami_core::belt::Grade;
use tatami_core::doc::student;
use tatami_core::ids::{RankId, StudentId};
use tatami_core::people::{Role, Student};
use tatami_core::text::PersonName;
use time::macros::date;

#[tokio::test]
async fn progress_is_for_instructors_of_the_students_own_academy() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let crane = server.academy("silver-crane").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    let grade = Grade::new(RankId::new(), 1);
    let ana = Student::new(
        StudentId::new(),
        PersonName::parse("Ana Souza").unwrap(),
        date!(2025 - 01 - 10),
        grade.clone(),
    );
    let mut doc = student::create(&ana, ActorId::random()).unwrap();
    server
        .sync(&tablet, 0, vec![changes(student::doc_id(ana.id), &mut doc, &[])])
        .await;
    let path = format!("/v1/students/{}/progress", ana.id);
    let ask = |slug: &'static str, token: String| {
        let request = server.request(Method::GET, slug, &path, Some(&token));
        async move { request.send().await.unwrap() }
    };

    let instructor = server.token(&tiger, Role::Instructor).await;
    let progress: Value = ok_json(ask("golden-tiger", instructor).await).await;
    assert_eq!(
        progress["standing"]["grade"],
        serde_json::to_value(&grade).unwrap()
    );
    // The academy has no belt system yet, so its rules cannot be applied.
    assert_eq!(progress["eligibility"], Value::Null);

    let desk = server.token(&tiger, Role::FrontDesk).await;
    assert_eq!(
        error_code(ask("golden-tiger", desk).await, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let other = server.token(&crane, Role::Owner).await;
    assert_eq!(
        error_code(ask("silver-crane", other).await, StatusCode::NOT_FOUND).await,
        "unknown_student"
    );
}

/// An id of another kind of record where a student's is expected (a staff
/// member's: theirs is a document too) is no student: 404, not a server
/// error, and nothing changes.
#[tokio::test]
async fn a_staff_members_id_is_no_student() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let (staff, _) = server.staff_account(&tiger, Role::Instructor).await;
    let owner = server.token(&tiger, Role::Owner).await;
    for (method, what) in [
        (Method::GET, "progress"),
        (Method::GET, "card"),
        (Method::POST, "card/revoke"),
    ] {
        let path = format!("/v1/students/{staff}/{what}");
        let response = server
            .request(method, "golden-tiger", &path, Some(&owner))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response, StatusCode::NOT_FOUND).await,
            "unknown_student",
            "{path}"
        );
    }
    server.stop().await;
}
