//! The HTTP API: one module per resource, assembled with the layers every
//! request passes through.

mod auth;
mod devices;
mod health;
pub mod json;
mod openapi;
mod passes;
mod students;
mod sync;
mod users;

use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::metrics;
use crate::state::AppState;
use crate::tenancy::TENANT_HEADER;

pub use openapi::DOCUMENT as OPENAPI;

pub fn router(state: AppState) -> Router {
    let http = &state.settings.http;
    let origins: Vec<HeaderValue> = http.cors_origins.iter().filter_map(|o| o.parse().ok()).collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(TENANT_HEADER),
        ]);
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %id,
            tenant = tracing::field::Empty,
        )
    });
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(users::router())
        .merge(devices::router())
        .merge(sync::router())
        .merge(passes::router())
        .merge(students::router())
        .merge(openapi::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(http.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_seconds),
        ))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                // One count for the whole server: the router layers each
                // route apart, and a plain limit would count per route.
                .layer(GlobalConcurrencyLimitLayer::new(http.max_concurrent_requests)),
        )
        .layer(axum::middleware::map_response(security_headers))
        .layer(cors)
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// What every answer tells a browser: the API's JSON is data, never a page
/// to render, frame, sniff or refer from.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Past `http.max_concurrent_requests` requests under way, more are turned
/// away at once rather than queued without bound.
async fn overloaded(_: tower::BoxError) -> Response {
    ApiError::TooManyRequests { retry_after: 1 }.into_response()
}
