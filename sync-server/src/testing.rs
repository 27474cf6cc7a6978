//! The real server on a free port over a fresh database, for this crate's
//! tests and the end-to-end tests: started in-process, stopped on demand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test scaffolding: a failure here is a failed test"
)]

use tatami_core::people::Role;
use tatami_core::text::{Email, Label, PersonName, Slug, TimeZoneName};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::accounts::{Account, create_user};
use crate::crypto::MasterKey;
use crate::db::audit::Actor;
use crate::postgres::testing::{TestDatabase, fresh_database};
use crate::settings::{Secret, Settings};
use crate::state::AppState;
use crate::tenancy::Tenant;
use crate::{academies, build};

/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The token secret of every test server.
pub const TOKEN_SECRET: &str = "test token secret";

#[derive(Debug)]
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub db: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    running: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(fresh_database().await, |_| {}).await
    }

    /// A server over `db` (another instance over the same database, say),
    /// with settings adjusted by `tweak`.
    pub async fn start_with(db: TestDatabase, tweak: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::load(None).unwrap();
        settings.listen = "127.0.0.1:0".into();
        settings.data_dir = std::env::temp_dir().join(format!("tatami-test-{}", Uuid::now_v7()));
        settings.database.url = Some(Secret::new(db.app_url.clone()));
        settings.database.max_connections = 8;
        settings.auth.token_secret = Some(Secret::new(TOKEN_SECRET.into()));
        // One master key for every server over this database.
        settings.auth.master_key = Some(Secret::new(master_key_for(&db)));
        tweak(&mut settings);
        let app = build(settings).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        let state = app.server.state.clone();
        let (stop, stopped) = oneshot::channel();
        let running = tokio::spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            state,
            db,
            stop: Some(stop),
            running,
        }
    }

    /// Stops serving and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.running).await.unwrap();
    }

    pub async fn academy(&self, slug: &str) -> Tenant {
        academies::create_academy(
            &self.state,
            &Slug::parse(slug).unwrap(),
            &Label::parse(slug).unwrap(),
            &TimeZoneName::parse("Europe/Lisbon").unwrap(),
        )
        .await
        .unwrap()
    }

    /// A new staff account; returns its email.
    pub async fn staff(&self, tenant: &Tenant, role: Role) -> String {
        self.staff_account(tenant, role).await.1
    }

    /// A new staff account; returns its user id and email.
    pub async fn staff_account(&self, tenant: &Tenant, role: Role) -> (Uuid, String) {
        let email = format!("{}-{}@example.com", role, Uuid::now_v7().simple());
        let id = create_user(
            &self.state,
            tenant.id,
            &Email::parse(&email).unwrap(),
            &PersonName::parse("Staff Member").unwrap(),
            PASSWORD.into(),
            Account::Staff(role),
            Actor::Server,
        )
        .await
        .unwrap();
        (id, email)
    }
}

/// The master key of every server over `db`.
pub fn master_key_for(db: &TestDatabase) -> String {
    use std::sync::{Mutex, OnceLock};
    static KEYS: OnceLock<Mutex<std::collections::HashMap<String, String>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    keys.lock()
        .unwrap()
        .entry(db.app_url.clone())
        .or_insert_with(MasterKey::generate)
        .clone()
}
