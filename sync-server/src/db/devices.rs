//! Enrolled devices and their credentials.

use tatami_core::ids::TenantId;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Tx;

#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub secret_hash: Vec<u8>,
    pub enrolled_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_seen_at: Option<OffsetDateTime>,
}

/// A device being enrolled.
#[derive(Debug)]
pub struct NewDevice<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub role: &'a str,
    pub secret_hash: &'a [u8],
    pub enrolled_by: Uuid,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_device(tx: &mut Tx, tenant: TenantId, device: &NewDevice<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO devices (tenant_id, id, name, role, secret_hash, enrolled_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        tenant.as_uuid(),
        device.id,
        device.name,
        device.role,
        device.secret_hash,
        device.enrolled_by,
        device.expires_at
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn select_device(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<DeviceRow>, sqlx::Error> {
    sqlx::query_as!(
        DeviceRow,
        "SELECT id, name, role, secret_hash, enrolled_at, expires_at, revoked_at, last_seen_at FROM devices
         WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn select_devices(tx: &mut Tx, tenant: TenantId) -> Result<Vec<DeviceRow>, sqlx::Error> {
    sqlx::query_as!(
        DeviceRow,
        "SELECT id, name, role, secret_hash, enrolled_at, expires_at, revoked_at, last_seen_at FROM devices
         WHERE tenant_id = $1 ORDER BY enrolled_at",
        tenant.as_uuid()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Revokes a device; `false` if it was unknown or already revoked.
pub async fn update_device_revoked(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE devices SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
        tenant.as_uuid(),
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_device_seen(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE devices SET last_seen_at = now()
         WHERE tenant_id = $1 AND id = $2 AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')",
        tenant.as_uuid(),
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
