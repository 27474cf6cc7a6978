//! The `tatami-sync-server` binary as an operator runs it: its own
//! PostgreSQL in the data directory, kept across restarts, stopped with the
//! server; the admin commands; clear errors.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_tatami-sync-server");

fn command(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("TATAMI_DATA_DIR", data_dir)
        .env("TATAMI_LISTEN", "127.0.0.1:0")
        .env("TATAMI_LOG_FORMAT", "json")
        .env_remove("TATAMI_DATABASE__URL")
        .kill_on_drop(true);
    command
}

async fn run(data_dir: &Path, args: &[&str]) -> String {
    let output = command(data_dir, args).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{args:?}: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Starts `serve` and waits for its "serving" log line; returns the child
/// and its address.
async fn serve(data_dir: &Path) -> (Child, String) {
    let mut child = command(data_dir, &["serve"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = tokio::time::timeout(Duration::from_mins(1), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if event["message"] == "serving" {
                return event["address"].as_str().unwrap().to_owned();
            }
        }
        panic!("the server exited before serving");
    })
    .await
    .expect("the server did not start within a minute");
    // Keep draining its log so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

/// SIGTERM, as a service manager stops it; waits for a clean exit.
async fn stop(mut child: Child) {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = tokio::time::timeout(Duration::from_mins(1), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

fn postmaster_running(data_dir: &Path) -> bool {
    data_dir.join("postgres").join("postmaster.pid").exists()
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("tatami-binary-{}", uuid::Uuid::new_v4()))
}

#[tokio::test]
async fn serves_from_its_own_database_kept_across_restarts() {
    let data_dir = temp_dir();
    let created = run(
        &data_dir,
        &[
            "create-tenant",
            "--slug",
            "golden-tiger",
            "--name",
            "Golden Tiger",
        ],
    )
    .await;
    assert!(created.contains("created academy golden-tiger"), "{created}");
    let user = run(
        &data_dir,
        &[
            "create-user",
            "--tenant",
            "golden-tiger",
            "--email",
            "owner@example.com",
            "--name",
            "Ana Owner",
        ],
    )
    .await;
    let password = user
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .to_owned();
    assert!(
        !postmaster_running(&data_dir),
        "each command stops the database it started"
    );

    let (child, address) = serve(&data_dir).await;
    tatami_sync_server::tls::use_ring();
    let http = reqwest::Client::new();
    let ready = http.get(format!("http://{address}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let signed_in = http
        .post(format!("http://{address}/v1/auth/sign-in"))
        .header("x-tatami-tenant", "golden-tiger")
        .json(&json!({ "email": "owner@example.com", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        200,
        "the academy and user outlived the commands that made them"
    );
    stop(child).await;
    assert!(
        !postmaster_running(&data_dir),
        "the server stops its database when it stops"
    );

    let taken = command(
        &data_dir,
        &["create-tenant", "--slug", "golden-tiger", "--name", "Other"],
    )
    .output()
    .await
    .unwrap();
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("`golden-tiger` is taken"));
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn says_which_package_to_install_without_postgresql() {
    let data_dir = temp_dir();
    let output = command(&data_dir, &["migrate"])
        .env("TATAMI_PG_BIN", "/nonexistent")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn seed_demo_prints_working_credentials() {
    let data_dir = temp_dir();
    let printed = run(&data_dir, &["seed-demo"]).await;
    let owner = printed.lines().find(|l| l.starts_with("owner")).unwrap();
    // "owner  <email>  password: <password>  PIN: <pin>"
    let password = owner
        .split("password: ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let pin = owner.rsplit("PIN: ").next().unwrap().trim();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{owner}"
    );
    let (child, address) = serve(&data_dir).await;
    tatami_sync_server::tls::use_ring();
    let signed_in = reqwest::Client::new()
        .post(format!("http://{address}/v1/auth/sign-in"))
        .header("x-tatami-tenant", "golden-tiger")
        .json(&json!({ "email": "owner@golden-tiger.example", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    stop(child).await;
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// `restored`, after a configured database was restored with other tools:
/// it needs the schema owner (the server's role may not rewrite the
/// academy directory) and gives every academy a new log epoch.
#[tokio::test]
async fn restored_starts_new_log_epochs_as_the_schema_owner() {
    use sqlx::Connection;
    let db = tatami_sync_server::postgres::testing::fresh_database().await;
    let epochs = || async {
        let mut conn = sqlx::PgConnection::connect_with(&db.superuser).await.unwrap();
        let epochs: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT log_epoch FROM tenants ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        epochs
    };
    let server = tatami_sync_server::testing::TestServer::start_with(db.clone(), |_| {}).await;
    server.academy("golden-tiger").await;
    server.academy("white-crane").await;
    server.stop().await;
    let before = epochs().await;
    let data_dir = temp_dir();
    let restored = |owner: Option<String>| {
        let mut command = command(&data_dir, &["restored"]);
        command.env("TATAMI_DATABASE__URL", &db.app_url);
        match owner {
            Some(owner) => command.env("TATAMI_DATABASE__MIGRATE_URL", owner),
            None => command.env_remove("TATAMI_DATABASE__MIGRATE_URL"),
        };
        command.output()
    };
    let refused = restored(None).await.unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("MIGRATE_URL"));
    let owner_url = db.app_url.replacen("tatami_app@", "tatami_owner@", 1);
    let done = restored(Some(owner_url)).await.unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stdout).contains("new log epochs: 2"));
    let after = epochs().await;
    assert_eq!(after.len(), 2);
    assert!(
        before.iter().zip(&after).all(|(b, a)| b != a),
        "every academy a new epoch"
    );
}
