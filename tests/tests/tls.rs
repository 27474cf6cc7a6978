//! HTTPS end to end: the server serving TLS from a certificate signed by an
//! academy's own certificate authority, a device trusting that authority
//! enrolling and syncing over it, and the devices that must not connect.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use serde_json::json;
use support::{Academy, DeviceProcess, PIN, TestServer, belts, scratch_dir, server_attendance};
use tatami_core::people::Role;
use tatami_sync_server::postgres::testing::fresh_database;

/// A certificate authority of the test's own, and a certificate it signed
/// for this machine: (authority PEM, server certificate PEM, key PEM).
fn certificates() -> (String, String, String) {
    let mut authority = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    authority.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Golden Tiger test authority");
    let authority =
        rcgen::CertifiedIssuer::self_signed(authority, rcgen::KeyPair::generate().unwrap()).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &authority)
        .unwrap();
    (authority.pem(), server.pem(), key.serialize_pem())
}

/// A device process; with `authority`, trusting it as the app would (the
/// PEM beside its store).
async fn device(authority: Option<&str>) -> DeviceProcess {
    let dir = scratch_dir();
    if let Some(pem) = authority {
        std::fs::write(dir.join("academy-ca.pem"), pem).unwrap();
    }
    DeviceProcess::start(&dir).await
}

#[tokio::test]
async fn a_device_trusting_the_academys_authority_syncs_over_https_and_no_other_connects() {
    let (authority, chain, key) = certificates();
    let files = scratch_dir();
    std::fs::write(files.join("server.pem"), &chain).unwrap();
    std::fs::write(files.join("server.key"), &key).unwrap();
    let server = TestServer::start_with(fresh_database().await, |s| {
        s.http.tls_cert = Some(files.join("server.pem"));
        s.http.tls_key = Some(files.join("server.key"));
    })
    .await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let academy = Academy::create(&server, "golden-tiger")
        .await
        .served_by(&format!("https://localhost:{port}"));

    let mut laptop = device(Some(&authority)).await;
    laptop.ok(academy.enrol(Role::Admin)).await;
    laptop
        .ok(json!({ "op": "unlock", "email": academy.owner, "pin": PIN }))
        .await;
    laptop.ok(json!({ "op": "set_belts", "ranks": belts(40) })).await;
    let student = laptop
        .ok(json!({ "op": "add_student", "name": "Ana Souza" }))
        .await;
    laptop.ok(json!({ "op": "check_in", "student": student })).await;
    laptop.sync().await;
    assert_eq!(
        server_attendance(&server, student.as_str().unwrap()).await.len(),
        1
    );

    // A device that does not trust the authority sends nothing.
    let mut stranger = device(None).await;
    let error = stranger.call(academy.enrol(Role::FrontDesk)).await.unwrap_err();
    assert_eq!(error["code"], "offline", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("certificate"),
        "{error}"
    );

    // Nor does one given a plain-HTTP address of another machine: the
    // password would cross the network in the clear.
    let plain = academy.clone().served_by("http://tatami.invalid:8080");
    let error = stranger.call(plain.enrol(Role::FrontDesk)).await.unwrap_err();
    assert_eq!(error["code"], "insecure_server", "{error}");

    // Plain HTTP to the same server is no longer spoken.
    let http = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    assert!(http.is_err(), "{http:?}");
}
