//! Rotating refresh tokens, stored as hashes.

use tatami_core::ids::TenantId;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Tx;

#[derive(Debug, Clone)]
pub struct RefreshTokenRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub family_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert_refresh_token(
    tx: &mut Tx,
    tenant: TenantId,
    user: Uuid,
    family: Uuid,
    token_hash: &[u8],
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO refresh_tokens (tenant_id, id, user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        tenant.as_uuid(),
        Uuid::now_v7(),
        user,
        family,
        token_hash,
        expires_at
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The token with this hash, locked until the transaction ends so that two
/// concurrent uses cannot both succeed.
pub async fn select_refresh_token_for_update(
    tx: &mut Tx,
    tenant: TenantId,
    token_hash: &[u8],
) -> Result<Option<RefreshTokenRow>, sqlx::Error> {
    sqlx::query_as!(
        RefreshTokenRow,
        "SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens
         WHERE tenant_id = $1 AND token_hash = $2 FOR UPDATE",
        tenant.as_uuid(),
        token_hash
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn update_refresh_token_used(tx: &mut Tx, tenant: TenantId, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET used_at = now() WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn update_refresh_family_revoked(
    tx: &mut Tx,
    tenant: TenantId,
    family: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE tenant_id = $1 AND family_id = $2 AND revoked_at IS NULL",
        tenant.as_uuid(),
        family
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ends every session of `user`.
pub async fn update_user_sessions_revoked(
    tx: &mut Tx,
    tenant: TenantId,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now()
         WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        tenant.as_uuid(),
        user
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether session `family` of `user` lives: one of its refresh tokens is
/// neither revoked (sign-out, reuse, the account disabled) nor expired,
/// and the account is not disabled.
pub async fn select_session_live(
    tx: &mut Tx,
    tenant: TenantId,
    user: Uuid,
    family: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
             SELECT 1 FROM refresh_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
             WHERE t.tenant_id = $1 AND t.family_id = $2 AND t.user_id = $3
               AND t.revoked_at IS NULL AND t.expires_at > now() AND u.disabled_at IS NULL
           ) AS "live!""#,
        tenant.as_uuid(),
        family,
        user
    )
    .fetch_one(&mut **tx)
    .await
}
