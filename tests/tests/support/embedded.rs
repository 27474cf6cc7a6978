//! An academy on a server process over its own embedded PostgreSQL, made
//! with the server's own commands, and that database read as its
//! superuser.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tatami_core::sync::LogEpoch;
use tatami_sync_server::db::tenants::select_tenant_by_slug;
use tatami_sync_server::tenancy::Tenant;

use super::{Academy, PASSWORD, PIN, ServerProcess};

pub const OWNER: &str = "owner@drill.example";

/// The embedded database, as its superuser.
pub async fn database(dir: &Path) -> PgConnection {
    let options = PgConnectOptions::new_without_pgpass()
        .socket(dir.join("postgres"))
        .port(5432)
        .username("postgres")
        .database("tatami");
    PgConnection::connect_with(&options).await.unwrap()
}

/// An academy made with the server's own commands, its owner with a PIN.
pub async fn open_academy(server: &ServerProcess, dir: &Path) -> Academy {
    server
        .cli(&["create-tenant", "--slug", "drill", "--name", "Drill Academy"])
        .await
        .unwrap();
    server
        .cli(&[
            "create-user",
            "--tenant",
            "drill",
            "--email",
            OWNER,
            "--name",
            "Olga Owner",
            "--password",
            PASSWORD,
        ])
        .await
        .unwrap();
    let mut db = database(dir).await;
    let row = select_tenant_by_slug(&mut db, "drill").await.unwrap().unwrap();
    db.close().await.unwrap();
    let academy = Academy {
        tenant: Tenant {
            id: tatami_core::ids::TenantId::from_uuid(row.id),
            slug: row.slug,
            name: row.name,
            epoch: LogEpoch(row.log_epoch),
        },
        base: server.base.clone(),
        owner: OWNER.to_owned(),
    };
    let (status, body) = academy
        .send(reqwest::Method::PUT, "/v1/me/pin", Some(json!({ "pin": PIN })))
        .await;
    assert_eq!(status, 204, "{body}");
    academy
}

/// Each student's attendance rows on the server.
pub async fn server_check_ins(dir: &Path) -> BTreeMap<String, i64> {
    let mut db = database(dir).await;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT student_id::text, count(*) FROM attendance WHERE voided_at IS NULL GROUP BY student_id",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    rows.into_iter().collect()
}
