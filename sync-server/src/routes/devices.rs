//! Enrolling and revoking devices.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;
use tatami_core::api::{self, Enrolled, ErrorCode};
use tatami_core::ids::DeviceId;
use tatami_core::people::Role;
use tatami_core::text::Label;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::json::{ApiJson, ApiPath};
use crate::auth::{Caller, device_credential};
use crate::crypto::{random_token, secret_hash};
use crate::db::audit::insert_audit;
use crate::db::devices::{NewDevice, insert_device, select_devices, update_device_revoked};
use crate::db::{self};
use crate::error::ApiError;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/devices", post(enrol).get(list))
        .route("/v1/devices/{id}", delete(revoke))
}

async fn enrol(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<api::NewDevice>,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    let (user, by_role) = caller.staff(Role::Admin)?;
    let role = Role::parse(&body.role).map_err(|e| ApiError::new(ErrorCode::InvalidField, e.to_string()))?;
    if !by_role.at_least(role) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "a device cannot get more rights than the admin enrolling it",
        ));
    }
    // A name is a label: 1 to 60 characters, none of them control
    // characters (a NUL is refused here, not by PostgreSQL).
    let name = Label::parse(&body.name).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidField,
            "name the device in 1 to 60 characters, without control characters",
        )
    })?;
    let name = name.as_str();
    let device = DeviceId::new();
    let secret = random_token();
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let enrolment = NewDevice {
        id: *device.as_uuid(),
        name,
        role: role.as_str(),
        secret_hash: &secret_hash(&secret),
        enrolled_by: user,
        expires_at: OffsetDateTime::now_utc() + Duration::days(i64::from(state.settings.auth.device_days)),
    };
    insert_device(&mut tx, tenant, &enrolment).await?;
    let detail = json!({ "device": device, "name": name, "role": role });
    insert_audit(&mut tx, tenant, caller.actor(), "device_enrolled", &detail).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(Enrolled {
            device_id: device,
            credential: device_credential(device, &secret),
            role,
        }),
    ))
}

#[derive(Serialize)]
struct DeviceInfo {
    id: Uuid,
    name: String,
    role: String,
    #[serde(with = "time::serde::rfc3339")]
    enrolled_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    last_seen_at: Option<OffsetDateTime>,
}

async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    caller.staff(Role::Admin)?;
    let mut tx = db::begin(&state.pool, caller.tenant.id).await?;
    let devices = select_devices(&mut tx, caller.tenant.id).await?;
    Ok(Json(
        devices
            .into_iter()
            .map(|d| DeviceInfo {
                id: d.id,
                name: d.name,
                role: d.role,
                enrolled_at: d.enrolled_at,
                expires_at: d.expires_at,
                revoked_at: d.revoked_at,
                last_seen_at: d.last_seen_at,
            })
            .collect(),
    ))
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    caller.staff(Role::Admin)?;
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    if !update_device_revoked(&mut tx, tenant, id).await? {
        return Err(ApiError::new(
            ErrorCode::UnknownDevice,
            "no such device is enrolled here",
        ));
    }
    state.devices.forget(tenant, DeviceId::from_uuid(id));
    insert_audit(
        &mut tx,
        tenant,
        caller.actor(),
        "device_revoked",
        &json!({ "device": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
