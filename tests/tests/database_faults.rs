//! The server's database failing under it: the real server process over
//! its embedded PostgreSQL, a tablet checking students in and syncing while
//! PostgreSQL is killed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::Path;

use serde_json::json;
use support::embedded::{open_academy, server_check_ins};
use support::{ServerProcess, belts, eventually, scratch_dir};
use tatami_core::people::Role;

/// The embedded PostgreSQL's postmaster.
fn postmaster(dir: &Path) -> rustix::process::Pid {
    let pid = std::fs::read_to_string(dir.join("postgres/postmaster.pid")).unwrap_or_default();
    let pid: i32 = pid.lines().next().unwrap_or("0").trim().parse().unwrap_or(0);
    rustix::process::Pid::from_raw(pid).unwrap_or(rustix::process::Pid::INIT)
}

#[tokio::test]
async fn postgres_killed_mid_push_loses_nothing_acknowledged_and_counts_nothing_twice() {
    let dir = scratch_dir();
    let mut server = ServerProcess::embedded(&dir).await;
    let academy = open_academy(&server, &dir).await;
    let mut laptop = academy.device(Role::Admin).await;
    laptop.ok(json!({ "op": "set_belts", "ranks": belts(40) })).await;
    let students = laptop.add_students(12).await;
    laptop.sync().await;
    let mut tablet = academy.device(Role::FrontDesk).await;

    let killed = postmaster(&dir);
    for (n, student) in students.iter().enumerate() {
        let outcome = tablet.ok(json!({ "op": "check_in", "student": student })).await;
        assert_eq!(
            outcome["recorded"], true,
            "confirmed at the door, whatever the server does"
        );
        let sync = json!({ "op": "sync" });
        tablet.send(&sync).await;
        if n == 4 {
            // SIGKILL mid-push, as the OOM killer would send it.
            rustix::process::kill_process(killed, rustix::process::Signal::KILL).unwrap();
        }
        // Answered, or failed for the device to retry: either way the
        // check-in stays confirmed on the tablet.
        let _ = tablet.answer(&sync).await;
    }

    // PostgreSQL comes back by itself; the tablet's retries get through.
    let caught_up = eventually(&mut tablet, 60, async |tablet| {
        let synced = tablet.call(json!({ "op": "sync" })).await.is_ok();
        synced && tablet.ok(json!({ "op": "status" })).await["waiting"] == 0
    })
    .await;
    assert!(caught_up, "the tablet never synced again");
    assert_ne!(postmaster(&dir), killed, "PostgreSQL was started again");
    let log = std::fs::read_to_string(dir.join("postgres/server.log")).unwrap();
    assert!(
        log.contains("not properly shut down"),
        "it recovered from its log"
    );
    let on_server = server_check_ins(&dir).await;
    assert_eq!(on_server.len(), students.len(), "{on_server:?}");
    assert!(on_server.values().all(|&n| n == 1), "each once: {on_server:?}");
    server.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
