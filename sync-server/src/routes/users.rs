//! Staff and member accounts, roles and PINs.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tatami_core::api::ErrorCode;
use tatami_core::ids::StudentId;
use tatami_core::people::Role;
use tatami_core::text::{Email, PersonName};
use uuid::Uuid;

use super::json::{ApiJson, ApiPath};
use crate::accounts::{self, Account, PasswordChange};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/users", post(create))
        .route("/v1/users/{id}/role", put(change_role))
        .route("/v1/users/{id}/disabled", put(set_disabled))
        .route("/v1/users/{id}/password", put(reset_password))
        .route("/v1/me/password", put(change_own_password))
        .route("/v1/me/pin", put(set_pin))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    email: String,
    name: String,
    password: String,
    /// A staff role, or `member` with `student_id`.
    role: String,
    student_id: Option<StudentId>,
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::InvalidField, e.to_string())
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (_, by_role) = caller.staff(Role::Admin)?;
    let account = match (body.role.as_str(), body.student_id) {
        ("member", Some(student)) => Account::Member(student),
        ("member", None) => {
            return Err(ApiError::new(
                ErrorCode::InvalidField,
                "a member account needs student_id",
            ));
        }
        (role, _) => Account::Staff(Role::parse(role).map_err(invalid)?),
    };
    if matches!(account, Account::Staff(role) if role.at_least(Role::Admin)) && by_role != Role::Owner {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only an owner creates owners and admins",
        ));
    }
    let email = Email::parse(&body.email).map_err(invalid)?;
    let name = PersonName::parse(&body.name).map_err(invalid)?;
    let id = accounts::create_user(
        &state,
        caller.tenant.id,
        &email,
        &name,
        body.password,
        account,
        caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRole {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NewRole>,
) -> Result<StatusCode, ApiError> {
    let by = caller.staff(Role::Admin)?;
    let role = Role::parse(&body.role).map_err(invalid)?;
    accounts::change_role(&state, caller.tenant.id, by, id, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Disabled {
    disabled: bool,
}

async fn set_disabled(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Disabled>,
) -> Result<StatusCode, ApiError> {
    let by = caller.staff(Role::Admin)?;
    accounts::set_disabled(&state, caller.tenant.id, by, id, body.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetPassword {
    password: String,
}

/// An admin sets a forgotten password; every session of the account ends.
async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ResetPassword>,
) -> Result<StatusCode, ApiError> {
    let (by, by_role) = caller.staff(Role::Admin)?;
    if by == id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "change your own password with your current one (/v1/me/password)",
        ));
    }
    let change = PasswordChange::Reset { by_role };
    accounts::change_password(&state, caller.tenant.id, by, id, change, body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnPassword {
    current: String,
    new: String,
}

/// A member of staff changes their own password; every session of the
/// account ends, this one too.
async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<OwnPassword>,
) -> Result<StatusCode, ApiError> {
    let (user, _) = caller.staff(Role::FrontDesk)?;
    let change = PasswordChange::Own {
        current: body.current,
    };
    accounts::change_password(&state, caller.tenant.id, user, user, change, body.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPin {
    pin: String,
}

async fn set_pin(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewPin>,
) -> Result<StatusCode, ApiError> {
    let (user, _) = caller.staff(Role::FrontDesk)?;
    accounts::set_pin(&state, caller.tenant.id, user, body.pin).await?;
    Ok(StatusCode::NO_CONTENT)
}
