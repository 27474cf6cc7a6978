//! Who is calling: staff and members with access tokens, devices with
//! their own credentials. Either way the credential must belong to the
//! academy the request names.

pub mod hashing;
pub mod password;
pub mod rate_limit;
pub mod token;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use tatami_core::api::ErrorCode;
use tatami_core::ids::{DeviceId, StudentId, TenantId};
use tatami_core::people::Role;
use uuid::Uuid;

use crate::crypto::{constant_time_eq, secret_hash};
use crate::db::refresh_tokens::select_session_live;
use crate::db::{self, audit::Actor};
use crate::error::ApiError;
use crate::state::AppState;
use crate::tenancy::Tenant;
use token::TokenError;

/// Device credentials read `tdv_<device id, 32 hex>_<secret>`.
const DEVICE_PREFIX: &str = "tdv_";

/// The caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: Tenant,
    pub who: Who,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Staff { user: Uuid, role: Role },
    Member { user: Uuid, student: StudentId },
    Device { device: DeviceId, role: Role },
}

impl Caller {
    /// The staff member's role, if it is at least `least`.
    pub fn staff(&self, least: Role) -> Result<(Uuid, Role), ApiError> {
        match self.who {
            Who::Staff { user, role } if role.at_least(least) => Ok((user, role)),
            Who::Staff { .. } => Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this needs the {least} role or above"),
            )),
            _ => Err(ApiError::new(
                ErrorCode::Forbidden,
                "this needs a signed-in member of staff",
            )),
        }
    }

    /// The role of a signed-in member of staff or an enrolled device, if it
    /// is at least `least`: for what the front desk does on a tablet.
    pub fn staff_or_device(&self, least: Role) -> Result<Role, ApiError> {
        match self.who {
            Who::Device { role, .. } if role.at_least(least) => Ok(role),
            Who::Device { .. } => Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this needs a device enrolled as {least} or above"),
            )),
            _ => self.staff(least).map(|(_, role)| role),
        }
    }

    /// The device and its role.
    pub fn device(&self) -> Result<(DeviceId, Role), ApiError> {
        match self.who {
            Who::Device { device, role } => Ok((device, role)),
            _ => Err(ApiError::new(
                ErrorCode::Forbidden,
                "this needs an enrolled device's credential",
            )),
        }
    }

    pub fn actor(&self) -> Actor {
        match self.who {
            Who::Staff { user, .. } | Who::Member { user, .. } => Actor::User(user),
            Who::Device { device, .. } => Actor::Device(*device.as_uuid()),
        }
    }
}

/// A device credential: the id of the device and its secret.
pub fn device_credential(device: DeviceId, secret: &str) -> String {
    format!("{DEVICE_PREFIX}{}_{secret}", device.as_uuid().simple())
}

fn parse_device_credential(token: &str) -> Option<(DeviceId, &str)> {
    let rest = token.strip_prefix(DEVICE_PREFIX)?;
    let (id, secret) = rest.split_at_checked(32)?;
    let secret = secret.strip_prefix('_')?;
    Some((DeviceId::from_uuid(Uuid::try_parse(id).ok()?), secret))
}

fn invalid() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        "sign in again: the credential is not valid",
    )
}

/// How long a checked device credential is trusted without asking the
/// database again. A revocation takes effect at once on the server that
/// made it, and within this time on other servers.
pub const DEVICE_RECHECK: Duration = Duration::from_secs(30);

/// Device credentials checked recently, so that a tablet syncing every few
/// seconds does not cost a database round trip each time.
#[derive(Debug, Default)]
pub struct DeviceCredentials(Mutex<HashMap<(TenantId, DeviceId), Checked>>);

#[derive(Debug)]
struct Checked {
    secret_hash: Vec<u8>,
    role: Role,
    at: Instant,
}

impl DeviceCredentials {
    fn recall(&self, tenant: TenantId, device: DeviceId, secret_hash: &[u8]) -> Option<Role> {
        let known = self.0.lock().ok()?;
        let checked = known.get(&(tenant, device))?;
        (checked.at.elapsed() < DEVICE_RECHECK && constant_time_eq(&checked.secret_hash, secret_hash))
            .then_some(checked.role)
    }

    fn remember(&self, tenant: TenantId, device: DeviceId, secret_hash: Vec<u8>, role: Role) {
        if let Ok(mut known) = self.0.lock() {
            known.insert(
                (tenant, device),
                Checked {
                    secret_hash,
                    role,
                    at: Instant::now(),
                },
            );
        }
    }

    /// Forgets a device at once (it was revoked).
    pub fn forget(&self, tenant: TenantId, device: DeviceId) {
        if let Ok(mut known) = self.0.lock() {
            known.remove(&(tenant, device));
        }
    }
}

async fn authenticate_device(state: &AppState, tenant: &Tenant, token: &str) -> Result<Who, ApiError> {
    let (device, secret) = parse_device_credential(token).ok_or_else(invalid)?;
    let presented = secret_hash(secret);
    if let Some(role) = state.devices.recall(tenant.id, device, &presented) {
        return Ok(Who::Device { device, role });
    }
    let mut tx = db::begin(&state.pool, tenant.id).await?;
    let row = db::devices::select_device(&mut tx, tenant.id, *device.as_uuid())
        .await?
        .ok_or_else(invalid)?;
    if !constant_time_eq(&row.secret_hash, &presented) {
        return Err(invalid());
    }
    if row.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::DeviceRevoked,
            "this device was removed from the academy: enrol it again",
        ));
    }
    if row.expires_at <= time::OffsetDateTime::now_utc() {
        return Err(ApiError::new(
            ErrorCode::DeviceExpired,
            "this device's enrolment has expired: enrol it again",
        ));
    }
    db::devices::update_device_seen(&mut tx, tenant.id, *device.as_uuid()).await?;
    tx.commit().await?;
    let role = Role::parse(&row.role).map_err(|_| invalid())?;
    state.devices.remember(tenant.id, device, presented, role);
    Ok(Who::Device { device, role })
}

/// A signed access token whose session still lives. The check costs one
/// indexed query, and makes sign-out and a disabled account take effect at
/// once rather than when the token expires.
async fn authenticate_user(state: &AppState, tenant: &Tenant, token: &str) -> Result<Who, ApiError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = state.tokens.verify(token, now).map_err(|e| match e {
        TokenError::Expired => ApiError::new(ErrorCode::TokenExpired, "the access token expired: refresh it"),
        TokenError::Invalid => invalid(),
    })?;
    if claims.tid != *tenant.id.as_uuid() {
        return Err(ApiError::new(
            ErrorCode::WrongTenant,
            "this credential belongs to another academy",
        ));
    }
    let mut tx = db::begin(&state.pool, tenant.id).await?;
    let live = select_session_live(&mut tx, tenant.id, claims.sub, claims.sid).await?;
    tx.commit().await?;
    if !live {
        return Err(ApiError::new(
            ErrorCode::InvalidToken,
            "this session has ended (signed out, or the account was disabled): sign in again",
        ));
    }
    if claims.role == "member" {
        let student = claims.student.ok_or_else(invalid)?;
        return Ok(Who::Member {
            user: claims.sub,
            student: StudentId::from_uuid(student),
        });
    }
    let role = Role::parse(&claims.role).map_err(|_| invalid())?;
    Ok(Who::Staff {
        user: claims.sub,
        role,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let tenant = Tenant::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in first"))?
            .trim();
        let who = if token.starts_with(DEVICE_PREFIX) {
            authenticate_device(state, &tenant, token).await?
        } else {
            authenticate_user(state, &tenant, token).await?
        };
        Ok(Self { tenant, who })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_credentials_round_trip() {
        let device = DeviceId::new();
        let credential = device_credential(device, "s3cr_et-value");
        assert_eq!(
            parse_device_credential(&credential),
            Some((device, "s3cr_et-value"))
        );
        assert_eq!(parse_device_credential("tdv_short"), None);
        assert_eq!(parse_device_credential("eyJhbGciOi.payload.sig"), None);
    }
}
