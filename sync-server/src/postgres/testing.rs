//! Fresh databases for tests: one private cluster per test process, a
//! migrated template, and a new database cloned from it for every test. The
//! cluster and its files go away when the test process exits.

use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;

use super::cluster::{ClusterOptions, PgCluster, SUPERUSER};
use super::{APP_ROLE, OWNER_ROLE, migrate, prepare_cluster};

const TEMPLATE: &str = "tatami_template";

static CLUSTER: OnceCell<PgCluster> = OnceCell::const_new();

async fn cluster() -> &'static PgCluster {
    CLUSTER
        .get_or_init(|| async {
            let dir = std::env::temp_dir().join(format!("tatami-test-pg-{}", std::process::id()));
            let cluster = PgCluster::start(
                &dir,
                ClusterOptions {
                    durable: false,
                    ephemeral: true,
                    wal_archive: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("cannot start the test PostgreSQL: {e}"));
            prepare_cluster(&cluster, TEMPLATE)
                .await
                .unwrap_or_else(|e| panic!("cannot prepare the test PostgreSQL: {e}"));
            migrate(&cluster.connect_options(TEMPLATE, OWNER_ROLE))
                .await
                .unwrap_or_else(|e| panic!("cannot migrate the template database: {e}"));
            cluster
        })
        .await
}

/// A migrated database of its own.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    /// The server role's connection URL (as `TATAMI_DATABASE__URL` takes).
    pub app_url: String,
    /// As the server connects: row-level security applies.
    pub app: PgConnectOptions,
    /// As the schema owner.
    pub owner: PgConnectOptions,
    /// As the cluster's superuser, for tests that inspect the catalog.
    pub superuser: PgConnectOptions,
}

/// Creates a database for one test.
pub async fn fresh_database() -> TestDatabase {
    let cluster = cluster().await;
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres", SUPERUSER))
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL: {e}"));
    sqlx::query(AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {OWNER_ROLE}"
    )))
    .execute(&mut admin)
    .await
    .unwrap_or_else(|e| panic!("cannot create {name}: {e}"));
    let _ = admin.close().await;
    TestDatabase {
        app_url: format!(
            "postgres://{APP_ROLE}@localhost/{name}?host={}",
            cluster.data_dir().display()
        ),
        app: cluster.connect_options(&name, APP_ROLE),
        owner: cluster.connect_options(&name, OWNER_ROLE),
        superuser: cluster.connect_options(&name, SUPERUSER),
    }
}
