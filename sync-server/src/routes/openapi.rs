//! The OpenAPI description of the REST endpoints (`openapi.json` at the
//! crate root; a test keeps it in step with the router).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
