//! The schema keeps every academy's rows apart, in the catalog and in use.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use sqlx::{Connection, PgConnection, Row};
use tatami_sync_server::postgres::testing::fresh_database;
use tatami_sync_server::postgres::{APP_ROLE, migrate};
use uuid::Uuid;

/// Tables of the schema that hold no academy's data.
const GLOBAL_TABLES: [&str; 2] = ["tenants", "_sqlx_migrations"];

#[tokio::test]
async fn every_tenant_table_is_citus_ready_and_isolated_in_the_catalog() {
    let db = fresh_database().await;
    let mut conn = PgConnection::connect_with(&db.superuser).await.unwrap();

    let tables: Vec<(String, bool, bool, bool, String, bool)> = sqlx::query_as(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relispartition,
                pg_get_userbyid(c.relowner),
                EXISTS (SELECT FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
         ORDER BY c.relname",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let tenant_tables: Vec<&String> = tables.iter().filter(|t| t.5).map(|t| &t.0).collect();
    assert!(tenant_tables.len() >= 18, "found only {tenant_tables:?}");

    for (name, rls, forced, _partition, owner, has_tenant) in &tables {
        if !has_tenant {
            assert!(GLOBAL_TABLES.contains(&name.as_str()), "{name} has no tenant_id");
            continue;
        }
        assert!(
            *rls && *forced,
            "{name}: row-level security must be enabled and forced"
        );
        assert_ne!(
            owner, APP_ROLE,
            "{name} is owned by the server's role, which would bypass RLS"
        );
        let policies: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_policy WHERE polrelid = $1::regclass")
                .bind(name)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(policies, 1, "{name} needs its tenant policy");
    }

    // Primary keys, unique constraints and foreign keys start with tenant_id.
    let constraints = sqlx::query(
        "SELECT c.relname, k.conname, k.contype::text,
                (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1])
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f')
           AND c.relname <> ALL($1)",
    )
    .bind(GLOBAL_TABLES.map(String::from).to_vec())
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(constraints.len() > 30);
    for row in &constraints {
        let (table, name, first): (String, String, String) = (row.get(0), row.get(1), row.get(3));
        assert_eq!(first, "tenant_id", "{table}.{name} must start with tenant_id");
    }
    // And so does every unique index, constraint or not.
    let unique_indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexrelid::regclass::text,
                (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0])
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND i.indisunique AND c.relname <> ALL($1)",
    )
    .bind(GLOBAL_TABLES.map(String::from).to_vec())
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (index, first) in unique_indexes {
        assert_eq!(
            first, "tenant_id",
            "unique index {index} must start with tenant_id"
        );
    }

    // The high-volume tables are partitioned by hash of tenant_id.
    for table in ["changes", "attendance"] {
        let (strategy, column): (String, String) = sqlx::query_as(
            "SELECT p.partstrat::text, a.attname FROM pg_partitioned_table p
             JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
             WHERE p.partrelid = $1::regclass",
        )
        .bind(table)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            (strategy.as_str(), column.as_str()),
            ("h", "tenant_id"),
            "{table}"
        );
    }
}

async fn as_tenant(conn: &mut PgConnection, tenant: Uuid) -> sqlx::Transaction<'_, sqlx::Postgres> {
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

async fn add_tenant_with_students(conn: &mut PgConnection, slug: &str, students: usize) -> Uuid {
    let tenant = Uuid::now_v7();
    sqlx::query("INSERT INTO tenants (id, slug, name) VALUES ($1, $2, $2)")
        .bind(tenant)
        .bind(slug)
        .execute(&mut *conn)
        .await
        .unwrap();
    let mut tx = as_tenant(conn, tenant).await;
    for i in 0..students {
        sqlx::query(
            "INSERT INTO students (tenant_id, id, name, joined_on, status, card_version, pass_tag,
                                   rank_id, stripes, grade_since, rank_since)
             VALUES ($1, $2, $3, CURRENT_DATE, 'active', 1, '0000000000000000', $2, 0, CURRENT_DATE, CURRENT_DATE)",
        )
        .bind(tenant)
        .bind(Uuid::now_v7())
        .bind(format!("Student {i}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    tenant
}

#[tokio::test]
async fn a_query_without_where_tenant_id_still_sees_one_academy() {
    let db = fresh_database().await;
    let mut conn = PgConnection::connect_with(&db.app).await.unwrap();
    let tiger = add_tenant_with_students(&mut conn, "golden-tiger", 3).await;
    let crane = add_tenant_with_students(&mut conn, "white-crane", 5).await;

    for (tenant, expected) in [(tiger, 3i64), (crane, 5)] {
        let mut tx = as_tenant(&mut conn, tenant).await;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM students")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(count, expected);
        tx.rollback().await.unwrap();
    }

    // No academy chosen: nothing at all.
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM students")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // Writing another academy's row is refused.
    let mut tx = as_tenant(&mut conn, tiger).await;
    let err = sqlx::query("INSERT INTO classes (tenant_id, id, name) VALUES ($1, $2, 'Stolen')")
        .bind(crane)
        .bind(Uuid::now_v7())
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // Partitions cannot be read around their parent's policy.
    let err = sqlx::query("SELECT count(*) FROM changes_p0")
        .fetch_one(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    // The log and the audit trail cannot be rewritten.
    let mut tx = as_tenant(&mut conn, tiger).await;
    let err = sqlx::query("DELETE FROM audit_log")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let db = fresh_database().await;
    migrate(&db.owner).await.unwrap();
    migrate(&db.owner).await.unwrap();
}
