//! Students as instructors look them up.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tatami_core::ids::StudentId;

use super::json::ApiPath;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::progress::{self, Progress};
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/students/{id}/progress", get(student_progress))
}

async fn student_progress(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<StudentId>,
) -> Result<Json<Progress>, ApiError> {
    progress::progress(&state, &caller, id).await.map(Json)
}
