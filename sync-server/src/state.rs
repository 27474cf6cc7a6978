//! What every request handler shares.

use std::ops::Deref;
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::watch;

use crate::auth::DeviceCredentials;
use crate::auth::hashing::HashGate;
use crate::auth::rate_limit::FailureLimiter;
use crate::auth::token::TokenKeys;
use crate::crypto::MasterKey;
use crate::metrics::Metrics;
use crate::settings::Settings;
use crate::sync::SyncHub;
use crate::tenancy::TenantDirectory;

#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub pool: PgPool,
    pub settings: Settings,
    pub tokens: TokenKeys,
    pub master_key: MasterKey,
    pub tenants: TenantDirectory,
    pub sync: SyncHub,
    pub metrics: Metrics,
    /// Device credentials checked recently.
    pub devices: DeviceCredentials,
    /// Failed sign-ins per academy and email.
    pub sign_in_failures: FailureLimiter,
    /// Password and PIN hashes under way at once.
    pub hashing: HashGate,
    /// Set when the server begins to shut down: long polls answer at once.
    pub stopping: watch::Sender<bool>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
