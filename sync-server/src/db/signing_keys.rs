//! Academies' pass-signing keys, sealed.

use tatami_core::ids::TenantId;

use super::Tx;

#[derive(Debug, Clone)]
pub struct SigningKeyRow {
    pub key_id: i16,
    pub public_key: Vec<u8>,
    pub secret_sealed: Vec<u8>,
}

pub async fn insert_signing_key(
    tx: &mut Tx,
    tenant: TenantId,
    key_id: i16,
    public_key: &[u8],
    secret_sealed: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO signing_keys (tenant_id, key_id, public_key, secret_sealed) VALUES ($1, $2, $3, $4)",
        tenant.as_uuid(),
        key_id,
        public_key,
        secret_sealed
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The key new passes are signed with: the newest one not retired.
pub async fn select_current_signing_key(
    tx: &mut Tx,
    tenant: TenantId,
) -> Result<Option<SigningKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        SigningKeyRow,
        "SELECT key_id, public_key, secret_sealed FROM signing_keys
         WHERE tenant_id = $1 AND retired_at IS NULL ORDER BY created_at DESC, key_id DESC LIMIT 1",
        tenant.as_uuid()
    )
    .fetch_optional(&mut **tx)
    .await
}
