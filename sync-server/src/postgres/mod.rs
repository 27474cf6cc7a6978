//! PostgreSQL: the schema's roles, migrations, and the embedded cluster.

pub mod cluster;
pub mod testing;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use cluster::{PgCluster, SUPERUSER};

/// The role the server connects as: it owns no table, so row-level
/// security always applies to it.
pub const APP_ROLE: &str = "tatami_app";
/// The role that owns the schema and runs migrations.
pub const OWNER_ROLE: &str = "tatami_owner";
/// The embedded cluster's database.
pub const DATABASE: &str = "tatami";

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Creates the two roles and `database` in an embedded cluster, if missing.
pub async fn prepare_cluster(cluster: &PgCluster, database: &str) -> Result<(), sqlx::Error> {
    if database.is_empty()
        || !database
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(sqlx::Error::Configuration(
            format!("database name `{database}`: use lowercase letters, digits and _").into(),
        ));
    }
    let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres", SUPERUSER)).await?;
    for role in [OWNER_ROLE, APP_ROLE] {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
            .bind(role)
            .fetch_one(&mut admin)
            .await?;
        if !exists {
            sqlx::query(AssertSqlSafe(format!("CREATE ROLE {role} LOGIN")))
                .execute(&mut admin)
                .await?;
        }
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        // The name was checked above; identifiers cannot be bound.
        sqlx::query(AssertSqlSafe(format!(
            "CREATE DATABASE {database} OWNER {OWNER_ROLE}"
        )))
        .execute(&mut admin)
        .await?;
    }
    admin.close().await
}

/// Applies pending migrations as the schema owner. Running it again does
/// nothing.
pub async fn migrate(owner: &PgConnectOptions) -> Result<(), sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(owner.clone())
        .await?;
    let result = MIGRATOR.run(&pool).await;
    pool.close().await;
    result.map_err(Into::into)
}
