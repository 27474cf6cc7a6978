//! A real server on a free port over a fresh database, and the calls the
//! tests make to it over HTTP.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses part of the support"
)]

use automerge::{ActorId, AutoCommit};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tatami_core::belt::Grade;
use tatami_core::doc::student;
use tatami_core::ids::{DeviceId, DocId, RankId, StudentId};
use tatami_core::people::{Role, Student};
use tatami_core::sync::{Bytes, DocChanges, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use tatami_core::text::PersonName;
use tatami_sync_server::db;
use tatami_sync_server::postgres::testing::{TestDatabase, fresh_database};
use tatami_sync_server::settings::Settings;
use tatami_sync_server::tenancy::Tenant;
use tatami_sync_server::testing;
pub use tatami_sync_server::testing::PASSWORD;

/// The real server over a fresh database, with an HTTP client for it.
pub struct TestServer {
    server: testing::TestServer,
    pub http: reqwest::Client,
}

impl std::ops::Deref for TestServer {
    type Target = testing::TestServer;

    fn deref(&self) -> &testing::TestServer {
        &self.server
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(fresh_database().await, |_| {}).await
    }

    /// A server over `db` (another instance over the same database, say),
    /// with settings adjusted by `tweak`.
    pub async fn start_with(db: TestDatabase, tweak: impl FnOnce(&mut Settings)) -> Self {
        Self {
            server: testing::TestServer::start_with(db, tweak).await,
            http: reqwest::Client::new(),
        }
    }

    /// Stops serving and waits until it has.
    pub async fn stop(self) {
        self.server.stop().await;
    }

    /// A request to `path` for academy `slug`, with `token` if given.
    pub fn request(&self, method: Method, slug: &str, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-tatami-tenant", slug);
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn sign_in(&self, slug: &str, email: &str) -> Value {
        let response = self
            .request(Method::POST, slug, "/v1/auth/sign-in", None)
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        ok_json(response).await
    }

    /// An access token of a new staff member with `role`.
    pub async fn token(&self, tenant: &Tenant, role: Role) -> String {
        let email = self.staff(tenant, role).await;
        self.sign_in(&tenant.slug, &email).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Enrols a device with `role`, as a new owner; returns its credential.
    pub async fn device(&self, tenant: &Tenant, role: Role) -> Device {
        let owner = self.token(tenant, Role::Owner).await;
        let response = self
            .request(Method::POST, &tenant.slug, "/v1/devices", Some(&owner))
            .json(&json!({ "name": "Front desk tablet", "role": role }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        Device {
            slug: tenant.slug.clone(),
            id: body["device_id"].as_str().unwrap().parse().unwrap(),
            credential: body["credential"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn sync_raw(&self, device: &Device, body: &SyncRequest) -> Response {
        self.request(Method::POST, &device.slug, "/v1/sync", Some(&device.credential))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Pushes `docs` and pulls after `cursor`.
    pub async fn sync(&self, device: &Device, cursor: u64, docs: Vec<DocChanges>) -> SyncResponse {
        let request = SyncRequest {
            protocol: PROTOCOL_VERSION,
            cursor,
            push: docs,
            limit: None,
        };
        ok_json(self.sync_raw(device, &request).await).await
    }
}

#[derive(Debug, Clone)]
pub struct Device {
    pub slug: String,
    pub id: DeviceId,
    pub credential: String,
}

pub async fn ok_json<T: DeserializeOwned>(response: Response) -> T {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The error code of a failed response, checking its status.
pub async fn error_code(response: Response, status: StatusCode) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    body["code"].as_str().unwrap().to_owned()
}

/// The changes of `doc` since `since` (all, for a new document), as pushed.
pub fn changes(id: DocId, doc: &mut AutoCommit, since: &[automerge::ChangeHash]) -> DocChanges {
    doc.commit();
    DocChanges {
        doc: id,
        changes: doc
            .get_changes(since)
            .iter()
            .map(|c| Bytes(c.raw_bytes().to_vec()))
            .collect(),
    }
}

/// A new student named `name` and their document, made on a device.
pub fn new_student(name: &str) -> (Student, AutoCommit) {
    let s = Student::new(
        StudentId::new(),
        PersonName::parse(name).unwrap(),
        time::macros::date!(2025 - 01 - 10),
        Grade::new(RankId::new(), 0),
    );
    let doc = student::create(&s, ActorId::random()).unwrap();
    (s, doc)
}

/// The one number `sql` answers, read as `tenant`'s server would.
pub async fn count(server: &TestServer, tenant: &Tenant, sql: &str) -> i64 {
    let mut tx = db::begin(&server.state.pool, tenant.id).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}
