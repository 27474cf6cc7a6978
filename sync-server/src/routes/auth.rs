//! Signing in and out, and refreshing tokens.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use tatami_core::api::{SignIn, Tokens};

use super::json::ApiJson;
use crate::accounts;
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// Sign-in, refresh and sign-out bodies are a few hundred bytes: anything
/// much larger is refused before it is read.
const BODY_LIMIT: usize = 16 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/sign-in", post(sign_in))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/sign-out", post(sign_out))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshToken {
    refresh_token: String,
}

/// Tokens, never kept by a cache or proxy on the way.
type Issued = ([(HeaderName, &'static str); 1], Json<Tokens>);

fn issued(tokens: Tokens) -> Issued {
    ([(header::CACHE_CONTROL, "no-store")], Json(tokens))
}

async fn sign_in(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Issued, ApiError> {
    accounts::sign_in(&state, &tenant, &body.email, body.password)
        .await
        .map(issued)
}

async fn refresh(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(body): ApiJson<RefreshToken>,
) -> Result<Issued, ApiError> {
    accounts::refresh(&state, &tenant, &body.refresh_token)
        .await
        .map(issued)
}

async fn sign_out(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(body): ApiJson<RefreshToken>,
) -> Result<StatusCode, ApiError> {
    accounts::sign_out(&state, &tenant, &body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
