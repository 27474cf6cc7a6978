//! Passes and member cards.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use tatami_core::api::{CardIssued, PhonePassIssued};
use tatami_core::ids::StudentId;

use super::json::ApiPath;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::passes;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/students/{id}/pass", post(phone_pass))
        .route("/v1/students/{id}/card", get(card))
        .route("/v1/students/{id}/card/revoke", post(revoke_card))
}

async fn phone_pass(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<StudentId>,
) -> Result<Json<PhonePassIssued>, ApiError> {
    passes::issue_phone_pass(&state, &caller, id).await.map(Json)
}

async fn card(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<StudentId>,
) -> Result<Json<CardIssued>, ApiError> {
    passes::card(&state, &caller, id).await.map(Json)
}

async fn revoke_card(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<StudentId>,
) -> Result<Json<CardIssued>, ApiError> {
    passes::revoke_card(&state, &caller, id).await.map(Json)
}
