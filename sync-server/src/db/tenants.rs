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
}

pub async fn select_tenant_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as!(
        TenantRow,
        "SELECT id, slug, name FROM tenants WHERE slug = $1",
        slug
    )
    .fetch_optional(db)
    .await
}

/// Adds an academy and the head of its change log.
pub async fn insert_tenant(tx: &mut Tx, id: TenantId, slug: &str, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $3)",
        id.as_uuid(),
        slug,
        name
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!("INSERT INTO log_heads (tenant_id) VALUES ($1)", id.as_uuid())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
