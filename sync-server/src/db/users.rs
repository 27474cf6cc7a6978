//! Sign-in identities.

use tatami_core::ids::TenantId;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Tx;

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub student_id: Option<Uuid>,
    pub disabled_at: Option<OffsetDateTime>,
}

#[derive(Debug)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub student_id: Option<Uuid>,
}

pub async fn insert_user(tx: &mut Tx, tenant: TenantId, user: &NewUser<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO users (tenant_id, id, email, password_hash, role, student_id) VALUES ($1, $2, $3, $4, $5, $6)",
        tenant.as_uuid(),
        user.id,
        user.email,
        user.password_hash,
        user.role,
        user.student_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn select_user_by_email(
    tx: &mut Tx,
    tenant: TenantId,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, password_hash, role, student_id, disabled_at FROM users WHERE tenant_id = $1 AND email = $2",
        tenant.as_uuid(),
        email
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn select_user(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        "SELECT id, email, password_hash, role, student_id, disabled_at FROM users WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn update_user_role(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET role = $3 WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id,
        role
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Disables the account (now) or enables it.
pub async fn update_user_disabled(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    disabled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET disabled_at = CASE WHEN $3 THEN now() END WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id,
        disabled
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn update_user_password(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id,
        hash
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
