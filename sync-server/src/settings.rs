//! Configuration: defaults, then an optional TOML file, then `TATAMI_*`
//! environment variables (`__` separates levels:
//! `TATAMI_DATABASE__URL`, `TATAMI_AUTH__ACCESS_MINUTES`).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A value that never shows in logs or `Debug` output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// Address to listen on.
    pub listen: String,
    /// Academies live at `<slug>.<app_domain>`.
    pub app_domain: String,
    /// Where the embedded database and generated keys live.
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub sync: SyncSettings,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// The server's connection, as a role that owns no table. Without it the
    /// server runs its own PostgreSQL in `data_dir`.
    pub url: Option<Secret<String>>,
    /// The schema owner's connection, for migrations.
    pub migrate_url: Option<Secret<String>>,
    /// The embedded database copies its write-ahead log here, for restores
    /// to a moment from a base backup (`backup --base`).
    pub wal_archive: Option<PathBuf>,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Signs access tokens. Generated into `data_dir` when unset.
    pub token_secret: Option<Secret<String>>,
    /// Secrets that signed tokens before the current one: their tokens are
    /// still honoured (until they expire) while keys rotate.
    pub previous_token_secrets: Vec<Secret<String>>,
    /// Seals academies' pass-signing keys (32 bytes, base64). Generated into
    /// `data_dir` when unset; losing it loses every signing key.
    pub master_key: Option<Secret<String>>,
    pub access_minutes: u32,
    pub refresh_days: u32,
    /// Failed sign-ins allowed per account in 15 minutes.
    pub sign_in_failures: u32,
    /// Days a device credential lasts; then the device is enrolled again.
    pub device_days: u32,
    /// Password and PIN hashes (Argon2, 19 MiB each) under way at once;
    /// unset, two per core.
    pub concurrent_hashes: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Browser origins allowed to call the API (the app itself needs none).
    pub cors_origins: Vec<String>,
    /// What a scraper sends as `Authorization: Bearer …` to read
    /// `/metrics`. Unset, `/metrics` answers nobody.
    pub metrics_token: Option<Secret<String>>,
    /// Serve HTTPS from this PEM certificate chain and `tls_key`; unset,
    /// plain HTTP (behind a proxy that terminates TLS).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The longest a request may take, waits for news included (25 s).
    pub request_seconds: u64,
    /// Requests under way at once; more are answered `too_many_requests`.
    pub max_concurrent_requests: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SyncSettings {
    /// Other servers share the database: tell them of each commit (PostgreSQL
    /// NOTIFY), and hear of theirs. Unset: on with a configured database, off
    /// with the embedded one, which no other server can reach.
    pub peers: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Pretty,
    Json,
}

const DEFAULTS: &str = r#"
listen = "127.0.0.1:8080"
app_domain = "localhost"
data_dir = "tatami-data"
log_format = "pretty"

[database]
max_connections = 16

[auth]
previous_token_secrets = []
access_minutes = 15
refresh_days = 30
sign_in_failures = 5
device_days = 365

[http]
max_body_bytes = 8388608
cors_origins = []
request_seconds = 60
max_concurrent_requests = 4096

[sync]
"#;

impl Settings {
    /// Defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, config::ConfigError> {
        let mut builder =
            config::Config::builder().add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file).required(true));
        }
        builder
            .add_source(
                config::Environment::with_prefix("TATAMI")
                    .prefix_separator("_")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("http.cors_origins")
                    .with_list_parse_key("auth.previous_token_secrets")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_secrets_stay_hidden() {
        let settings = Settings::load(None).unwrap();
        assert_eq!(settings.auth.access_minutes, 15);
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), "Secret(..)");
    }
}
