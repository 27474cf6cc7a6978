//! The academy directory.

use sqlx::PgExecutor;
use tatami_core::ids::TenantId;
use uuid::Uuid;

use super::Tx;

#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub log_epoch: Uuid,
}

pub async fn select_tenant_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        "SELECT id, slug, name, log_epoch FROM tenants WHERE slug = $1",
        slug
    )
    .fetch_optional(db)
    .await
}

/// Adds an academy and the head of its change log. Returns the log's
/// epoch.
pub async fn insert_tenant(tx: &mut Tx, id: TenantId, slug: &str, name: &str) -> Result<Uuid, sqlx::Error> {
    let epoch = sqlx::query_scalar!(
        "INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3) RETURNING log_epoch",
        id.as_uuid(),
        slug,
        name
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!("INSERT INTO log_heads (tenant_id) VALUES ($1)", id.as_uuid())
        .execute(&mut **tx)
        .await?;
    Ok(epoch)
}

/// Starts a new log epoch for every academy: after a restore.
pub async fn renew_log_epochs(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("UPDATE tenants SET log_epoch = gen_random_uuid()")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
