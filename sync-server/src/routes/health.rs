//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tatami_core::api::ErrorCode;

use crate::crypto::{constant_time_eq, secret_hash};
use crate::error::ApiError;
use crate::postgres::MIGRATOR;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and every migration is applied.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let expected = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&state.pool)
            .await;
    match applied {
        Ok(Some(version)) if version >= expected => (StatusCode::OK, Json(json!({ "ready": true }))),
        Ok(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "ready": false, "reason": "migrations pending: run `tatami-sync-server migrate`" })),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "ready": false, "reason": "database unreachable" })),
            )
        }
    }
}

/// For scrapers holding the configured metrics token only: what the
/// server does is nobody else's business.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    let Some(token) = &state.settings.http.metrics_token else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "metrics are off: set http.metrics_token to read them",
        ));
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "send the metrics token"))?;
    if !constant_time_eq(&secret_hash(presented), &secret_hash(token.expose())) {
        return Err(ApiError::new(ErrorCode::InvalidToken, "not the metrics token"));
    }
    let body = state
        .metrics
        .render(state.sync.stats(), state.sync.cached_documents());
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}
