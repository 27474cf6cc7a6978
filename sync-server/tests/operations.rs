//! What operators rely on: health, readiness, metrics, request ids, CORS,
//! and an OpenAPI document that matches the routes.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{TestServer, error_code};
use tatami_core::people::Role;
use tatami_sync_server::postgres::testing::fresh_database;
use tatami_sync_server::routes::OPENAPI;
use tatami_sync_server::settings::Secret;

const METRICS_TOKEN: &str = "a scraper's token";

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = TestServer::start_with(fresh_database().await, |s| {
        s.http.metrics_token = Some(Secret::new(METRICS_TOKEN.into()));
    })
    .await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    server.sync(&tablet, 0, vec![]).await;

    let get = |path: &str| server.http.get(format!("{}{path}", server.base)).send();
    assert_eq!(get("/healthz").await.unwrap().text().await.unwrap(), "ok");
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let scrape = |token: &'static str| {
        server
            .http
            .get(format!("{}/metrics", server.base))
            .bearer_auth(token)
            .send()
    };
    let metrics = scrape(METRICS_TOKEN).await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"tatami_http_requests_total{method="POST",route="/v1/sync",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"tatami_http_request_duration_seconds_count{route="/v1/sync"} 1"#));
    let changes_in = metrics
        .lines()
        .find_map(|l| l.strip_prefix("tatami_changes_in_total "))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap();
    assert!(
        changes_in >= 3,
        "the academy, owner and staff documents at least: {changes_in}"
    );

    // Metrics answer the scraper's token only.
    let anonymous = get("/metrics").await.unwrap();
    assert_eq!(
        error_code(anonymous, StatusCode::UNAUTHORIZED).await,
        "unauthenticated"
    );
    let guessed = scrape("a guess").await.unwrap();
    assert_eq!(
        error_code(guessed, StatusCode::UNAUTHORIZED).await,
        "invalid_token"
    );

    // Every response carries a request id, the caller's if it sent one,
    // and tells a browser not to render, frame or sniff it.
    let response = get("/healthz").await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        (
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ] {
        assert_eq!(response.headers()[name], value, "{name}");
    }
    let echoed = server
        .http
        .get(format!("{}/healthz", server.base))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    server.stop().await;
}

/// With no metrics token configured, metrics answer nobody.
#[tokio::test]
async fn metrics_are_off_without_a_token() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(format!("{}/metrics", server.base))
        .bearer_auth("anything")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, StatusCode::FORBIDDEN).await, "forbidden");
    server.stop().await;
}

#[tokio::test]
async fn only_allowed_origins_get_cors_headers() {
    let server = TestServer::start_with(fresh_database().await, |s| {
        s.http.cors_origins = vec!["https://admin.golden-tiger.example".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        server
            .http
            .request(Method::OPTIONS, format!("{}/v1/auth/sign-in", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = preflight("https://admin.golden-tiger.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://admin.golden-tiger.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    server.stop().await;
}

/// Every documented operation exists, and every route is documented.
#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let server = TestServer::start().await;
    server.academy("golden-tiger").await;
    let document: Value = serde_json::from_str(OPENAPI).unwrap();
    let paths = document["paths"].as_object().unwrap();
    for (path, operations) in paths {
        let concrete = path.replace("{id}", "0190f4c2-0000-7000-8000-000000000000");
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = server
                .request(method.clone(), "golden-tiger", &concrete, Some("no-token"))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            let unrouted = status == StatusCode::METHOD_NOT_ALLOWED
                || (status == StatusCode::NOT_FOUND && body.is_empty());
            assert!(
                !unrouted,
                "{method} {path} is documented but not routed ({status})"
            );
        }
    }
    let sources = [
        include_str!("../src/routes/auth.rs"),
        include_str!("../src/routes/devices.rs"),
        include_str!("../src/routes/health.rs"),
        include_str!("../src/routes/openapi.rs"),
        include_str!("../src/routes/passes.rs"),
        include_str!("../src/routes/students.rs"),
        include_str!("../src/routes/sync.rs"),
        include_str!("../src/routes/users.rs"),
    ];
    let routed: usize = sources.iter().map(|s| s.matches(".route(\"").count()).sum();
    assert_eq!(
        routed,
        paths.len(),
        "a route is missing from openapi.json, or documented twice"
    );
    server.stop().await;
}

/// A request takes at most `http.request_seconds`, and past
/// `http.max_concurrent_requests` under way more are turned away at once,
/// not queued: a client holding connections open harms nobody for long.
#[tokio::test]
async fn requests_are_bounded_in_time_and_in_number() {
    let server = TestServer::start_with(fresh_database().await, |s| {
        s.http.request_seconds = 1;
        s.http.max_concurrent_requests = 1;
    })
    .await;
    let tiger = server.academy("golden-tiger").await;
    let tablet = server.device(&tiger, Role::FrontDesk).await;
    let head = server.sync(&tablet, 0, vec![]).await.cursor;
    // A wait for news that nothing answers holds the one place...
    let waiting = server
        .request(
            Method::GET,
            "golden-tiger",
            &format!("/v1/sync/wait?cursor={head}"),
            Some(&tablet.credential),
        )
        .send();
    let waiting = tokio::spawn(waiting);
    // ...so another request is refused at once, as soon as the wait holds
    // it (and before the wait's own second is up).
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(900);
    let busy = loop {
        let answer = server
            .http
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap();
        if answer.status() == StatusCode::TOO_MANY_REQUESTS || std::time::Instant::now() > deadline {
            break answer;
        }
    };
    assert_eq!(
        error_code(busy, StatusCode::TOO_MANY_REQUESTS).await,
        "too_many_requests"
    );
    // ...and the wait ends at the time limit, not after its 25 seconds.
    let started = std::time::Instant::now();
    let waited = waiting.await.unwrap().unwrap();
    assert_eq!(waited.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let free = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(free.status(), StatusCode::OK);
    server.stop().await;
}
