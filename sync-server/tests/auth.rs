//! Signing in, tokens, roles and academy boundaries, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{PASSWORD, TestServer, error_code, ok_json};
use tatami_core::ids::StudentId;
use tatami_core::people::Role;
use tatami_sync_server::auth::token::{Claims, TokenKey};
use tatami_sync_server::db;
use tatami_sync_server::postgres::testing::fresh_database;

async fn audit_actions(server: &TestServer, tenant: &tatami_sync_server::tenancy::Tenant) -> Vec<String> {
    let mut tx = db::begin(&server.state.pool, tenant.id).await.unwrap();
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY at, id")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

/// A sign-in holds no database connection while it hashes the password:
/// with two connections for the whole server (making the academy takes
/// both), a request that needs the database is answered again and again
/// while four sign-ins hash. (Held through each hash, the connections
/// would keep every other request waiting until a sign-in finished.)
#[tokio::test]
async fn sign_ins_hash_without_holding_a_database_connection() {
    let server = TestServer::start_with(fresh_database().await, |settings| {
        settings.database.max_connections = 2;
    })
    .await;
    let tiger = server.academy("golden-tiger").await;
    let mut emails = Vec::new();
    for _ in 0..4 {
        emails.push(server.staff(&tiger, Role::FrontDesk).await);
    }
    let signed_in = std::sync::atomic::AtomicBool::new(false);
    let sign_in = |email: &String| {
        let email = email.clone();
        let (server, signed_in) = (&server, &signed_in);
        async move {
            server.sign_in("golden-tiger", &email).await;
            signed_in.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    };
    let answered_meanwhile = async {
        let mut answered = 0;
        loop {
            let ready = server.request(Method::GET, "golden-tiger", "/readyz", None);
            assert_eq!(ready.send().await.unwrap().status(), StatusCode::OK);
            if signed_in.load(std::sync::atomic::Ordering::SeqCst) {
                return answered;
            }
            answered += 1;
        }
    };
    let ((), (), (), (), answered) = tokio::join!(
        sign_in(&emails[0]),
        sign_in(&emails[1]),
        sign_in(&emails[2]),
        sign_in(&emails[3]),
        answered_meanwhile
    );
    assert!(
        answered >= 5,
        "only {answered} requests were answered while the sign-ins hashed"
    );
    server.stop().await;
}

#[tokio::test]
async fn refresh_tokens_rotate_are_never_cached_and_a_reused_one_ends_the_session() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let email = server.staff(&tiger, Role::Instructor).await;
    let signed_in = server
        .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.headers()["cache-control"], "no-store");
    let first: Value = ok_json(signed_in).await;
    assert_eq!(first["role"], "instructor");

    let refresh = |token: Value| {
        server
            .request(Method::POST, "golden-tiger", "/v1/auth/refresh", None)
            .json(&json!({ "refresh_token": token }))
            .send()
    };
    let refreshed = refresh(first["refresh_token"].clone()).await.unwrap();
    // Tokens are never kept by a cache on the way.
    assert_eq!(refreshed.headers()["cache-control"], "no-store");
    let second: Value = ok_json(refreshed).await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let third: Value = ok_json(refresh(second["refresh_token"].clone()).await.unwrap()).await;

    // The first token again: someone replayed it. The whole family ends.
    let reused = refresh(first["refresh_token"].clone()).await.unwrap();
    assert_eq!(
        error_code(reused, StatusCode::UNAUTHORIZED).await,
        "refresh_token_reused"
    );
    let after = refresh(third["refresh_token"].clone()).await.unwrap();
    assert_eq!(
        error_code(after, StatusCode::UNAUTHORIZED).await,
        "invalid_refresh_token"
    );
    assert!(
        audit_actions(&server, &tiger)
            .await
            .contains(&"refresh_token_reused".to_owned())
    );

    // Signing out ends a session too.
    let session = server.sign_in("golden-tiger", &email).await;
    let out = server
        .request(Method::POST, "golden-tiger", "/v1/auth/sign-out", None)
        .json(&json!({ "refresh_token": session["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let gone = refresh(session["refresh_token"].clone()).await.unwrap();
    assert_eq!(
        error_code(gone, StatusCode::UNAUTHORIZED).await,
        "invalid_refresh_token"
    );
    server.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_are_audited_and_then_slowed_down() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let email = server.staff(&tiger, Role::Owner).await;
    let attempt = |password: &'static str| {
        server
            .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
            .json(&json!({ "email": email, "password": password }))
            .send()
    };
    for _ in 0..5 {
        let wrong = attempt("not the password").await.unwrap();
        assert_eq!(
            error_code(wrong, StatusCode::UNAUTHORIZED).await,
            "invalid_credentials"
        );
    }
    // Even the right password waits now.
    let blocked = attempt(PASSWORD).await.unwrap();
    assert!(blocked.headers().contains_key("retry-after"));
    assert_eq!(
        error_code(blocked, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(actions.iter().filter(|a| *a == "sign_in_failed").count(), 5);
    // An unknown email is the same failure, not a hint.
    let unknown = server
        .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
        .json(&json!({ "email": "nobody@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(unknown, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
    server.stop().await;
}

#[tokio::test]
async fn every_request_stays_inside_its_academy() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    server.academy("white-crane").await;
    let admin = server.token(&tiger, Role::Admin).await;

    let list = |slug: &'static str, token: &str| {
        server
            .request(Method::GET, slug, "/v1/devices", Some(token))
            .send()
    };
    assert_eq!(
        list("golden-tiger", &admin).await.unwrap().status(),
        StatusCode::OK
    );
    let foreign = list("white-crane", &admin).await.unwrap();
    assert_eq!(error_code(foreign, StatusCode::FORBIDDEN).await, "wrong_tenant");
    let unknown = list("black-lotus", &admin).await.unwrap();
    assert_eq!(error_code(unknown, StatusCode::NOT_FOUND).await, "unknown_tenant");
    let nameless = server
        .http
        .get(format!("{}/v1/devices", server.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(nameless, StatusCode::BAD_REQUEST).await, "no_tenant");

    // The academy can also come from the host name.
    let by_host = server
        .http
        .get(format!("{}/v1/devices", server.base))
        .header("host", "golden-tiger.localhost")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(by_host.status(), StatusCode::OK);

    // A token signed with the right key but expired.
    let key = TokenKey::new(b"test token secret");
    let expired = key.sign(&Claims {
        sub: uuid::Uuid::now_v7(),
        tid: *tiger.id.as_uuid(),
        role: "owner".into(),
        student: None,
        sid: uuid::Uuid::now_v7(),
        iat: 0,
        exp: 1,
    });
    let response = list("golden-tiger", &expired).await.unwrap();
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "token_expired"
    );
    let forged = TokenKey::new(b"someone else's key").sign(&Claims {
        sub: uuid::Uuid::now_v7(),
        tid: *tiger.id.as_uuid(),
        role: "owner".into(),
        student: None,
        sid: uuid::Uuid::now_v7(),
        iat: 0,
        exp: i64::MAX,
    });
    let response = list("golden-tiger", &forged).await.unwrap();
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );
    server.stop().await;
}

#[tokio::test]
async fn roles_are_granted_by_those_above_and_audited() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let owner = server.token(&tiger, Role::Owner).await;
    let admin = server.token(&tiger, Role::Admin).await;
    let create = |token: &str, role: &str| {
        server
            .request(Method::POST, "golden-tiger", "/v1/users", Some(token))
            .json(&json!({ "email": format!("{role}-{}@example.com", uuid::Uuid::new_v4()), "name": "New Person", "password": PASSWORD, "role": role }))
            .send()
    };
    let refused = create(&admin, "admin").await.unwrap();
    assert_eq!(error_code(refused, StatusCode::FORBIDDEN).await, "forbidden");
    let desk: Value = ok_json(create(&admin, "front_desk").await.unwrap()).await;
    let instructor_token = server.token(&tiger, Role::Instructor).await;
    let too_low = create(&instructor_token, "front_desk").await.unwrap();
    assert_eq!(error_code(too_low, StatusCode::FORBIDDEN).await, "forbidden");
    for weak in ["short", "password1234", "weakling2026"] {
        let refused = server
            .request(Method::POST, "golden-tiger", "/v1/users", Some(&admin))
            .json(&json!({ "email": "weakling@example.com", "name": "Weak", "password": weak, "role": "front_desk" }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(refused, StatusCode::BAD_REQUEST).await,
            "weak_password",
            "{weak}"
        );
    }

    let set_role = |token: &str, user: &Value, role: &str| {
        server
            .request(
                Method::PUT,
                "golden-tiger",
                &format!("/v1/users/{}/role", user.as_str().unwrap()),
                Some(token),
            )
            .json(&json!({ "role": role }))
            .send()
    };
    let promoted = set_role(&admin, &desk["id"], "instructor").await.unwrap();
    assert_eq!(promoted.status(), StatusCode::NO_CONTENT);
    let to_admin = set_role(&admin, &desk["id"], "admin").await.unwrap();
    assert_eq!(error_code(to_admin, StatusCode::FORBIDDEN).await, "forbidden");
    assert_eq!(
        set_role(&owner, &desk["id"], "admin").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    // The staff record every device syncs follows the role.
    let mut tx = db::begin(&server.state.pool, tiger.id).await.unwrap();
    let role: String = sqlx::query_scalar("SELECT role FROM staff WHERE id = $1")
        .bind(desk["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(role, "admin");
    drop(tx);
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(actions.iter().filter(|a| *a == "role_changed").count(), 2);

    // Members need a student.
    let member = server
        .request(Method::POST, "golden-tiger", "/v1/users", Some(&admin))
        .json(&json!({ "email": "kid@example.com", "name": "Kid", "password": PASSWORD, "role": "member" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(member, StatusCode::BAD_REQUEST).await, "invalid_field");
    let member = server
        .request(Method::POST, "golden-tiger", "/v1/users", Some(&admin))
        .json(&json!({ "email": "kid@example.com", "name": "Kid", "password": PASSWORD, "role": "member", "student_id": StudentId::new() }))
        .send()
        .await
        .unwrap();
    assert_eq!(member.status(), StatusCode::CREATED);
    let again = server
        .request(Method::POST, "golden-tiger", "/v1/users", Some(&admin))
        .json(
            &json!({ "email": "KID@example.com", "name": "Kid", "password": PASSWORD, "role": "front_desk" }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(again, StatusCode::CONFLICT).await, "email_taken");
    server.stop().await;
}

/// A device name PostgreSQL could not store (a NUL), empty or too long is
/// refused as a field, and enrols nothing.
#[tokio::test]
async fn a_device_name_with_control_characters_is_refused() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let admin = server.token(&tiger, Role::Admin).await;
    let enrol = |name: String| {
        server
            .request(Method::POST, "golden-tiger", "/v1/devices", Some(&admin))
            .json(&json!({ "name": name, "role": "front_desk" }))
            .send()
    };
    for name in [
        "front\u{0}desk".to_owned(),
        "desk\u{7}".to_owned(),
        " ".to_owned(),
        "x".repeat(61),
    ] {
        let refused = enrol(name.clone()).await.unwrap();
        assert_eq!(
            error_code(refused, StatusCode::BAD_REQUEST).await,
            "invalid_field",
            "{name:?}"
        );
    }
    let devices: Vec<Value> = ok_json(
        server
            .request(Method::GET, "golden-tiger", "/v1/devices", Some(&admin))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(devices.is_empty(), "{devices:?}");
    assert_eq!(
        enrol("Front desk".into()).await.unwrap().status(),
        StatusCode::CREATED
    );
    server.stop().await;
}

/// Sign-in input is bounded before any work: a body over the small limit of
/// the auth routes is refused unread, and what is not an email address (a
/// NUL in it) is wrong credentials, audited without its text, never a
/// server error.
#[tokio::test]
async fn sign_in_input_is_bounded_and_a_malformed_email_is_refused_and_audited() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let sign_in = |email: String| {
        server
            .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
    };
    let huge = sign_in(format!("{}@example.com", "a".repeat(1 << 20)))
        .await
        .unwrap();
    assert_eq!(
        error_code(huge, StatusCode::PAYLOAD_TOO_LARGE).await,
        "body_too_large"
    );
    let nul = sign_in("owner\u{0}@example.com".into()).await.unwrap();
    assert_eq!(
        error_code(nul, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "sign_in_failed").count(),
        1,
        "{actions:?}"
    );
    server.stop().await;
}

/// Sixteen wrong passwords sent at once: the limit of five holds, because
/// an attempt is counted as it starts, not once its hash has failed.
#[tokio::test]
async fn guesses_sent_at_once_are_held_to_the_limit() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let email = server.staff(&tiger, Role::Owner).await;
    let guesses: Vec<_> = (0..16)
        .map(|n| {
            let guess = server
                .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
                .json(&json!({ "email": email, "password": format!("guess number {n}") }))
                .send();
            tokio::spawn(guess)
        })
        .collect();
    let mut answers = Vec::new();
    for guess in guesses {
        answers.push(guess.await.unwrap());
    }
    let checked = answers
        .iter()
        .filter(|a| a.as_ref().unwrap().status() == StatusCode::UNAUTHORIZED)
        .count();
    let waiting = answers
        .iter()
        .filter(|a| a.as_ref().unwrap().status() == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, waiting), (5, 11));
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(actions.iter().filter(|a| *a == "sign_in_failed").count(), 5);
    server.stop().await;
}

/// The status of a call only staff may make, with `token`.
async fn devices_with(server: &TestServer, token: &str) -> StatusCode {
    server
        .request(Method::GET, "golden-tiger", "/v1/devices", Some(token))
        .send()
        .await
        .unwrap()
        .status()
}

/// Signing out ends the session at once: its access token is refused on
/// its next request, not honoured until it expires.
#[tokio::test]
async fn an_access_token_stops_at_sign_out() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let email = server.staff(&tiger, Role::Admin).await;
    let tokens = server.sign_in("golden-tiger", &email).await;
    let access = tokens["access_token"].as_str().unwrap();
    let other = server.sign_in("golden-tiger", &email).await;
    assert_eq!(devices_with(&server, access).await, StatusCode::OK);
    let out = server
        .request(Method::POST, "golden-tiger", "/v1/auth/sign-out", None)
        .json(&json!({ "refresh_token": tokens["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "{}", out.status());
    let after = server
        .request(Method::GET, "golden-tiger", "/v1/devices", Some(access))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(after, StatusCode::UNAUTHORIZED).await, "invalid_token");
    // Another session of the same account carries on.
    let other = other["access_token"].as_str().unwrap();
    assert_eq!(devices_with(&server, other).await, StatusCode::OK);
    server.stop().await;
}

/// A disabled account's sessions end at once and it cannot sign in; only
/// an owner disables an admin; nobody disables themselves; enabled again,
/// it signs in.
#[tokio::test]
async fn a_disabled_account_is_out_at_once_until_enabled() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let owner_email = server.staff(&tiger, Role::Owner).await;
    let owner_tokens = server.sign_in("golden-tiger", &owner_email).await;
    let owner = owner_tokens["access_token"].as_str().unwrap();
    let owner_id = owner_tokens["user_id"].as_str().unwrap();
    let admin_email = server.staff(&tiger, Role::Admin).await;
    let admin_tokens = server.sign_in("golden-tiger", &admin_email).await;
    let admin = admin_tokens["access_token"].as_str().unwrap();
    let admin_id = admin_tokens["user_id"].as_str().unwrap();
    let desk_email = server.staff(&tiger, Role::FrontDesk).await;
    let desk_tokens = server.sign_in("golden-tiger", &desk_email).await;
    let desk = desk_tokens["access_token"].as_str().unwrap();
    let desk_id = desk_tokens["user_id"].as_str().unwrap();
    let set = |token: &str, user: &str, disabled: bool| {
        server
            .request(
                Method::PUT,
                "golden-tiger",
                &format!("/v1/users/{user}/disabled"),
                Some(token),
            )
            .json(&json!({ "disabled": disabled }))
            .send()
    };

    let not_yours = set(admin, admin_id, true).await.unwrap();
    assert_eq!(error_code(not_yours, StatusCode::FORBIDDEN).await, "forbidden");
    assert_eq!(
        set(admin, desk_id, true).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let refused = server
        .request(Method::GET, "golden-tiger", "/v1/devices", Some(desk))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(refused, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );
    let signing_in = server
        .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
        .json(&json!({ "email": desk_email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(signing_in, StatusCode::FORBIDDEN).await,
        "account_disabled"
    );
    let refresh = server
        .request(Method::POST, "golden-tiger", "/v1/auth/refresh", None)
        .json(&json!({ "refresh_token": desk_tokens["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh.status(),
        StatusCode::UNAUTHORIZED,
        "its refresh token is revoked too"
    );

    // An admin is the owner's to disable.
    let above = set(admin, owner_id, true).await.unwrap();
    assert_eq!(error_code(above, StatusCode::FORBIDDEN).await, "forbidden");
    assert_eq!(
        set(owner, admin_id, true).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(devices_with(&server, admin).await, StatusCode::UNAUTHORIZED);

    assert_eq!(
        set(owner, desk_id, false).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    server.sign_in("golden-tiger", &desk_email).await;
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(actions.iter().filter(|a| *a == "user_disabled").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "user_enabled").count(), 1);
    server.stop().await;
}

/// A member of staff changes their password with the current one, and an
/// admin resets a forgotten one: either way the new password must be
/// strong, the old one stops, and every session of the account ends.
#[tokio::test]
async fn passwords_are_changed_with_the_current_one_or_reset_by_an_admin() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let admin = server.token(&tiger, Role::Admin).await;
    let email = server.staff(&tiger, Role::Instructor).await;
    let tokens = server.sign_in("golden-tiger", &email).await;
    let access = tokens["access_token"].as_str().unwrap();
    let id = tokens["user_id"].as_str().unwrap();
    let put = |token: &str, path: String, body: Value| {
        server
            .request(Method::PUT, "golden-tiger", &path, Some(token))
            .json(&body)
            .send()
    };
    let sign_in = |password: &'static str| {
        server
            .request(Method::POST, "golden-tiger", "/v1/auth/sign-in", None)
            .json(&json!({ "email": email, "password": password }))
            .send()
    };

    let wrong = put(
        access,
        "/v1/me/password".into(),
        json!({ "current": "not it at all", "new": "plum cactus orbit lantern" }),
    )
    .await
    .unwrap();
    assert_eq!(
        error_code(wrong, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
    let weak = put(
        access,
        "/v1/me/password".into(),
        json!({ "current": PASSWORD, "new": "password1234" }),
    )
    .await
    .unwrap();
    assert_eq!(error_code(weak, StatusCode::BAD_REQUEST).await, "weak_password");
    let changed = put(
        access,
        "/v1/me/password".into(),
        json!({ "current": PASSWORD, "new": "plum cactus orbit lantern" }),
    )
    .await
    .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        devices_with(&server, access).await,
        StatusCode::UNAUTHORIZED,
        "the session ended"
    );
    let old = sign_in(PASSWORD).await.unwrap();
    assert_eq!(
        error_code(old, StatusCode::UNAUTHORIZED).await,
        "invalid_credentials"
    );
    assert_eq!(
        sign_in("plum cactus orbit lantern").await.unwrap().status(),
        StatusCode::OK
    );

    let reset = put(
        &admin,
        format!("/v1/users/{id}/password"),
        json!({ "password": "quartz meadow violin harbor" }),
    )
    .await
    .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sign_in("quartz meadow violin harbor").await.unwrap().status(),
        StatusCode::OK
    );
    let desk = server.token(&tiger, Role::FrontDesk).await;
    let not_yours = put(
        &desk,
        format!("/v1/users/{id}/password"),
        json!({ "password": "quartz meadow violin harbor" }),
    )
    .await
    .unwrap();
    assert_eq!(error_code(not_yours, StatusCode::FORBIDDEN).await, "forbidden");
    let actions = audit_actions(&server, &tiger).await;
    assert_eq!(actions.iter().filter(|a| *a == "password_changed").count(), 2);
    assert_eq!(
        actions.iter().filter(|a| *a == "password_change_failed").count(),
        1
    );
    server.stop().await;
}
