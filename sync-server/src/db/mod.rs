//! SQL, one module per table or projection. Reads take any executor;
//! writes take the academy's transaction from [`begin`].

pub mod attendance;
pub mod audit;
pub mod changes;
pub mod devices;
pub mod documents;
pub mod projections;
pub mod refresh_tokens;
pub mod signing_keys;
pub mod tenants;
pub mod users;

use sqlx::{PgPool, Postgres, Transaction};
use tatami_core::ids::TenantId;

pub type Tx = Transaction<'static, Postgres>;

/// A transaction that sees and writes `tenant`'s rows only: row-level
/// security reads `app.tenant_id`, set here for this transaction alone.
pub async fn begin(pool: &PgPool, tenant: TenantId) -> Result<Tx, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SELECT set_config('app.tenant_id', $1, true)", tenant.to_string())
        .fetch_one(&mut *tx)
        .await?;
    Ok(tx)
}

/// Whether `error` is a unique-constraint violation.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
