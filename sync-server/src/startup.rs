//! Starting the server: the database (configured or embedded), secrets,
//! shared state, and the listener.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tokio::net::TcpListener;

use crate::auth::hashing::HashGate;
use crate::auth::rate_limit::FailureLimiter;
use crate::auth::token::TokenKeys;
use crate::crypto::{MasterKey, random_token};
use crate::metrics::Metrics;
use crate::postgres::cluster::{ClusterError, ClusterOptions, PgCluster};
use crate::postgres::{APP_ROLE, DATABASE, OWNER_ROLE, migrate, prepare_cluster};
use crate::routes;
use crate::settings::{Secret, Settings};
use crate::state::{AppState, Shared};
use crate::sync::SyncHub;
use crate::tenancy::TenantDirectory;
use crate::tls::{self, TlsListener};

/// The file of the data directory that holds the master key, when none is
/// configured.
const MASTER_KEY_FILE: &str = "master-key";
/// Documents the server keeps in memory.
const CACHED_DOCUMENTS: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Config(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// The server's state, connected to its database.
#[derive(Debug)]
pub struct Server {
    pub state: AppState,
    /// The embedded cluster, when no database was configured.
    cluster: Option<PgCluster>,
}

/// Connects to the configured database, or starts the embedded one in
/// `data_dir` and migrates it.
pub async fn connect(settings: Settings) -> Result<Server, StartError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| StartError::Io {
        context: format!("creating {}", settings.data_dir.display()),
        source,
    })?;
    let (options, cluster) = if let Some(url) = &settings.database.url {
        if let Some(owner) = &settings.database.migrate_url {
            migrate(&PgConnectOptions::from_str(owner.expose())?).await?;
        }
        (PgConnectOptions::from_str(url.expose())?, None)
    } else {
        let cluster = PgCluster::start(&embedded_dir(&settings), cluster_options(&settings)).await?;
        prepare_cluster(&cluster, DATABASE).await?;
        migrate(&cluster.connect_options(DATABASE, OWNER_ROLE)).await?;
        (cluster.connect_options(DATABASE, APP_ROLE), Some(cluster))
    };
    let pool = PgPoolOptions::new()
        .max_connections(settings.database.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.application_name("tatami-sync-server"))
        .await?;
    let token_secret = secret_or_file(
        settings.auth.token_secret.as_ref(),
        &settings.data_dir,
        "token-secret",
        random_token,
    )?;
    let previous: Vec<String> = settings
        .auth
        .previous_token_secrets
        .iter()
        .map(|secret| secret.expose().clone())
        .collect();
    let previous_token_secrets: Vec<&[u8]> = previous.iter().map(String::as_bytes).collect();
    let master_key = secret_or_file(
        settings.auth.master_key.as_ref(),
        &settings.data_dir,
        MASTER_KEY_FILE,
        MasterKey::generate,
    )?;
    let master_key = MasterKey::from_base64(&master_key).map_err(|e| StartError::Config(e.to_string()))?;
    let failures = usize::try_from(settings.auth.sign_in_failures).unwrap_or(usize::MAX);
    // The embedded database is this server's alone.
    let peers = settings.sync.peers.unwrap_or(settings.database.url.is_some());
    let sync = SyncHub::new(pool.clone(), CACHED_DOCUMENTS, peers);
    if peers {
        tokio::spawn(crate::sync::listen::listen(pool.clone(), sync.clone()));
    }
    let state = AppState::new(Shared {
        sync,
        pool,
        tokens: TokenKeys::new(token_secret.as_bytes(), &previous_token_secrets),
        master_key,
        tenants: TenantDirectory::default(),
        devices: crate::auth::DeviceCredentials::default(),
        metrics: Metrics::default(),
        sign_in_failures: FailureLimiter::new(failures, Duration::from_mins(15)),
        hashing: HashGate::new(hash_ceiling(&settings), HASH_WAIT),
        stopping: tokio::sync::watch::channel(false).0,
        settings,
    });
    Ok(Server { state, cluster })
}

/// The longest a password hash waits for a place before the request is
/// refused as too many.
const HASH_WAIT: Duration = Duration::from_secs(3);

/// `auth.concurrent_hashes`, else two per core.
fn hash_ceiling(settings: &Settings) -> usize {
    settings
        .auth
        .concurrent_hashes
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() * 2))
}

/// Where the embedded database lives.
pub(crate) fn embedded_dir(settings: &Settings) -> PathBuf {
    settings.data_dir.join("postgres")
}

/// How the embedded database runs.
pub(crate) fn cluster_options(settings: &Settings) -> ClusterOptions {
    ClusterOptions {
        durable: true,
        ephemeral: false,
        wal_archive: settings.database.wal_archive.clone(),
    }
}

/// A configured secret, or one kept in a private file of the data
/// directory, made on first start.
fn secret_or_file(
    configured: Option<&Secret<String>>,
    dir: &Path,
    name: &str,
    make: impl FnOnce() -> String,
) -> Result<String, StartError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(secret) = existing_secret(configured, dir, name)? {
        return Ok(secret);
    }
    let path = dir.join(name);
    let secret = make();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(secret_io(&path))?;
    file.write_all(secret.as_bytes()).map_err(secret_io(&path))?;
    Ok(secret)
}

/// A configured secret, or the one kept in the data directory, if any.
fn existing_secret(
    configured: Option<&Secret<String>>,
    dir: &Path,
    name: &str,
) -> Result<Option<String>, StartError> {
    if let Some(secret) = configured {
        return Ok(Some(secret.expose().clone()));
    }
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(existing) => Ok(Some(existing.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(secret_io(&path)(e)),
    }
}

fn secret_io(path: &Path) -> impl FnOnce(std::io::Error) -> StartError {
    let context = format!("reading or creating {}", path.display());
    move |source| StartError::Io { context, source }
}

/// The master key configured or kept in the data directory, never a new
/// one: what a restore checks the backup's sealed keys against.
pub fn existing_master_key(settings: &Settings) -> Result<MasterKey, StartError> {
    let key = existing_secret(settings.auth.master_key.as_ref(), &settings.data_dir, MASTER_KEY_FILE)?
        .ok_or_else(|| {
            StartError::Config(format!(
                "no master key: set auth.master_key or put the {MASTER_KEY_FILE} file kept with the backups in the data directory"
            ))
        })?;
    MasterKey::from_base64(&key).map_err(|e| StartError::Config(e.to_string()))
}

impl Server {
    /// Stops what the server started (the embedded database).
    pub async fn shutdown(self) -> Result<(), StartError> {
        self.state.pool.close().await;
        if let Some(cluster) = self.cluster {
            cluster.stop().await?;
        }
        Ok(())
    }
}

/// A connected server bound to its address, not yet serving.
#[derive(Debug)]
pub struct Application {
    pub server: Server,
    listener: TcpListener,
    /// HTTPS, when a certificate is configured.
    tls: Option<Arc<rustls::ServerConfig>>,
}

pub async fn build(settings: Settings) -> Result<Application, StartError> {
    tls::use_ring();
    let listen = settings.listen.clone();
    let tls = match (&settings.http.tls_cert, &settings.http.tls_key) {
        (Some(cert), Some(key)) => {
            Some(tls::server_config(cert, key).map_err(|e| StartError::Config(e.to_string()))?)
        }
        (None, None) => None,
        _ => {
            return Err(StartError::Config(
                "set both http.tls_cert and http.tls_key, or neither".into(),
            ));
        }
    };
    let server = connect(settings).await?;
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|source| StartError::Io {
            context: format!("listening on {listen}"),
            source,
        })?;
    Ok(Application {
        server,
        listener,
        tls,
    })
}

impl Application {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, finishes the requests under way,
    /// then stops the embedded database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let state = self.server.state.clone();
        let served = match self.tls {
            Some(config) => {
                let listener = TlsListener::new(self.listener, config).map_err(|source| StartError::Io {
                    context: "serving HTTPS".into(),
                    source,
                })?;
                run_with_listener(listener, state, shutdown).await
            }
            None => run_with_listener(self.listener, state, shutdown).await,
        };
        served.map_err(|source| StartError::Io {
            context: "serving".into(),
            source,
        })?;
        self.server.shutdown().await
    }
}

/// Serves `state` on `listener` until `shutdown` resolves. Long polls are
/// answered at once on shutdown so that it does not wait for them.
pub async fn run_with_listener<L>(
    listener: L,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
{
    let stopping = state.stopping.clone();
    let app = routes::router(state).into_make_service();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping.send(true);
        })
        .await
}
