//! Backups of the embedded database and restores from them.
//!
//! - A **dump** (`pg_dump`, custom format) is one consistent snapshot,
//!   taken while the server serves. Restoring it brings the database back
//!   to that moment.
//! - A **base backup** (`pg_basebackup`, tar) with the write-ahead log
//!   archived since (`database.wal_archive`) restores to any moment after
//!   it.
//!
//! A restore never deletes what it replaces (the database, or the data
//! directory, is kept beside it), checks that the configured master key
//! opens the restored signing keys before the server may use them, and
//! starts a new epoch of every academy's log so that devices push again
//! whatever the restore took away. The master key and the token secret
//! are not in any backup: keep them apart (see docs/operations.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::academies::key_context;
use crate::crypto::MasterKey;
use crate::db::tenants::renew_log_epochs;
use crate::postgres::cluster::{
    ClusterError, PgCluster, SUPERUSER, pg_command, private_dir, run, run_writing, running_in,
};
use crate::postgres::{DATABASE, OWNER_ROLE, prepare_cluster};
use crate::settings::Settings;
use crate::startup::StartError;
use crate::startup::{cluster_options, embedded_dir};
use tatami_core::ids::TenantId;
use tatami_core::pass::KeyId;

/// A moment in UTC as PostgreSQL reads it.
const POSTGRES_TIME: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
    "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]+00"
);
/// The first bytes of a `pg_dump` custom-format archive.
const DUMP_MAGIC: &[u8] = b"PGDMP";
/// Where a restored dump is loaded before it replaces the database.
const RESTORING: &str = "tatami_restoring";
/// What a restored dump replaced, kept until the next restore.
const REPLACED: &str = "tatami_replaced";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups and restores are of the embedded database; for a configured one use the \
         provider's tools, then run `tatami-sync-server restored` (see docs/operations.md)"
    )]
    NotEmbedded,
    #[error("the server is running on this data directory: stop it before restoring")]
    ServerRunning,
    #[error("{0} is neither a dump nor a base backup made by `tatami-sync-server backup`")]
    NotABackup(PathBuf),
    #[error("a dump restores to the moment it was taken; to restore to another, restore a base backup")]
    DumpHasNoMoments,
    #[error("`--until {0}`: give a moment as RFC 3339, like 2026-12-08T09:30:00Z")]
    BadMoment(String),
    #[error(
        "no write-ahead log archive is configured (database.wal_archive): a base backup restores only to its end"
    )]
    NoArchive,
    #[error(
        "the backup's signing keys do not open with the configured master key: configure the \
         master key kept with this backup (auth.master_key, or the master-key file); nothing was replaced"
    )]
    WrongMasterKey,
    #[error("the restore did not finish: {0}")]
    Recovery(String),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

/// The embedded cluster's data directory, refusing a configured database.
fn data_dir(settings: &Settings) -> Result<PathBuf, BackupError> {
    if settings.database.url.is_some() {
        return Err(BackupError::NotEmbedded);
    }
    Ok(embedded_dir(settings))
}

/// What kind of backup a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    Dump,
    Base,
}

impl BackupKind {
    /// Reads the kind from the file's first bytes.
    pub fn of(file: &Path) -> Result<Self, BackupError> {
        use std::io::Read;
        let mut head = [0u8; 512];
        let mut opened = std::fs::File::open(file).map_err(io(format!("opening {}", file.display())))?;
        let read = opened
            .read(&mut head)
            .map_err(io(format!("reading {}", file.display())))?;
        if head[..read].starts_with(DUMP_MAGIC) {
            return Ok(Self::Dump);
        }
        // A tar header: "ustar" at offset 257.
        if read == head.len() && &head[257..262] == b"ustar" {
            return Ok(Self::Base);
        }
        Err(BackupError::NotABackup(file.to_owned()))
    }
}

/// Writes a backup of the embedded database to `to`, while the server may
/// be serving: a dump, or with `base` a base backup for restores to a
/// moment. The file is written whole under another name, then renamed.
pub async fn backup(settings: &Settings, to: &Path, kind: BackupKind) -> Result<u64, BackupError> {
    let cluster = PgCluster::start(&data_dir(settings)?, cluster_options(settings)).await?;
    let partial = to.with_extension("partial");
    let result = write_backup(&cluster, &partial, kind).await;
    cluster.stop().await?;
    result?;
    std::fs::rename(&partial, to).map_err(io(format!("renaming {}", partial.display())))?;
    let size = std::fs::metadata(to).map_err(io(format!("reading {}", to.display())))?;
    Ok(size.len())
}

async fn write_backup(cluster: &PgCluster, to: &Path, kind: BackupKind) -> Result<(), BackupError> {
    let file = std::fs::File::create(to).map_err(io(format!("creating {}", to.display())))?;
    let (bin, run_as) = cluster.programs();
    let socket = cluster.data_dir().display().to_string();
    let command = match kind {
        BackupKind::Dump => {
            let mut dump = pg_command(bin, "pg_dump", run_as);
            dump.args(["--format=custom", "-h", &socket, "-U", SUPERUSER, DATABASE]);
            dump
        }
        BackupKind::Base => {
            // WAL fetched into the tar: the backup restores on its own.
            let mut base = pg_command(bin, "pg_basebackup", run_as);
            base.args([
                "-D", "-", "-F", "tar", "-X", "fetch", "-c", "fast", "-h", &socket, "-U", SUPERUSER,
            ]);
            base
        }
    };
    let name = match kind {
        BackupKind::Dump => "pg_dump",
        BackupKind::Base => "pg_basebackup",
    };
    run_writing(command, name, file).await?;
    Ok(())
}

/// Restores the embedded database from `from`: a dump, or a base backup
/// replayed to `until` (or to its end) through the WAL archive. The server
/// must be stopped. Returns the academies whose log starts a new epoch.
pub async fn restore(
    settings: &Settings,
    master_key: &MasterKey,
    from: &Path,
    until: Option<&str>,
) -> Result<u64, BackupError> {
    let dir = data_dir(settings)?;
    if running_in(&dir).await? {
        return Err(BackupError::ServerRunning);
    }
    match BackupKind::of(from)? {
        BackupKind::Dump if until.is_some() => Err(BackupError::DumpHasNoMoments),
        BackupKind::Dump => restore_dump(settings, master_key, &dir, from).await,
        BackupKind::Base => {
            let until = until
                .map(|moment| {
                    OffsetDateTime::parse(moment, &Rfc3339)
                        .map_err(|_| BackupError::BadMoment(moment.to_owned()))
                })
                .transpose()?;
            restore_base(settings, master_key, &dir, from, until).await
        }
    }
}

/// Loads the dump into a database of its own, checks it, then puts it in
/// place of the server's (which is kept as `tatami_replaced`).
async fn restore_dump(
    settings: &Settings,
    master_key: &MasterKey,
    dir: &Path,
    from: &Path,
) -> Result<u64, BackupError> {
    let cluster = PgCluster::start(dir, cluster_options(settings)).await?;
    let result = async {
        prepare_cluster(&cluster, DATABASE).await?;
        let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres", SUPERUSER)).await?;
        sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {RESTORING}")))
            .execute(&mut admin)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "CREATE DATABASE {RESTORING} OWNER {OWNER_ROLE}"
        )))
        .execute(&mut admin)
        .await?;
        let (bin, run_as) = cluster.programs();
        let socket = cluster.data_dir().display().to_string();
        let file = std::fs::File::open(from).map_err(io(format!("opening {}", from.display())))?;
        let mut load = pg_command(bin, "pg_restore", run_as);
        load.args([
            "--exit-on-error",
            "--single-transaction",
            "-h",
            &socket,
            "-U",
            SUPERUSER,
            "-d",
            RESTORING,
        ]);
        load.stdin(file);
        run(load, "pg_restore").await?;
        let renewed = settle(&cluster, RESTORING, master_key).await?;
        sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {REPLACED}")))
            .execute(&mut admin)
            .await?;
        sqlx::query(AssertSqlSafe(format!(
            "ALTER DATABASE {DATABASE} RENAME TO {REPLACED}"
        )))
        .execute(&mut admin)
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "ALTER DATABASE {RESTORING} RENAME TO {DATABASE}"
        )))
        .execute(&mut admin)
        .await?;
        admin.close().await?;
        Ok(renewed)
    }
    .await;
    cluster.stop().await?;
    result
}

/// Checks the master key against the restored signing keys and starts a
/// new epoch of every academy's log. Returns the academies.
async fn settle(cluster: &PgCluster, database: &str, master_key: &MasterKey) -> Result<u64, BackupError> {
    let mut conn = PgConnection::connect_with(&cluster.connect_options(database, SUPERUSER)).await?;
    let keys: Vec<(uuid::Uuid, i16, Vec<u8>)> =
        sqlx::query_as("SELECT tenant_id, key_id, secret_sealed FROM signing_keys")
            .fetch_all(&mut conn)
            .await?;
    for (tenant, key_id, sealed) in keys {
        let key_id = KeyId(u8::try_from(key_id).map_err(|_| BackupError::WrongMasterKey)?);
        let context = key_context(TenantId::from_uuid(tenant), key_id);
        master_key
            .open(&sealed, &context)
            .map_err(|_| BackupError::WrongMasterKey)?;
    }
    let renewed = renew_log_epochs(&mut conn).await?;
    conn.close().await?;
    Ok(renewed)
}

/// Puts the base backup in place of the data directory (kept beside it),
/// with the WAL segments the old one had not archived yet, and replays the
/// log to `until` or to the backup's end.
async fn restore_base(
    settings: &Settings,
    master_key: &MasterKey,
    dir: &Path,
    from: &Path,
    until: Option<OffsetDateTime>,
) -> Result<u64, BackupError> {
    let archive = match (&settings.database.wal_archive, until) {
        (Some(archive), _) => Some(archive.clone()),
        (None, Some(_)) => return Err(BackupError::NoArchive),
        (None, None) => None,
    };
    let stamp = OffsetDateTime::now_utc().unix_timestamp();
    let replaced = dir.with_file_name(format!("postgres.replaced-{stamp}"));
    let fresh = dir.with_file_name(format!("postgres.restoring-{stamp}"));
    std::fs::create_dir_all(&fresh).map_err(io(format!("creating {}", fresh.display())))?;
    unpack(from, &fresh).await?;
    if dir.exists() {
        copy_unarchived_wal(dir, &fresh)?;
        std::fs::rename(dir, &replaced).map_err(io(format!("moving {} aside", dir.display())))?;
    }
    std::fs::rename(&fresh, dir).map_err(io(format!("moving the backup to {}", dir.display())))?;
    write_recovery(dir, archive.as_deref(), until)?;

    let cluster = PgCluster::start(dir, cluster_options(settings)).await?;
    let result = async {
        wait_for_promotion(&cluster).await?;
        let mut admin = PgConnection::connect_with(&cluster.connect_options("postgres", SUPERUSER)).await?;
        for setting in [
            "restore_command",
            "recovery_target_time",
            "recovery_target",
            "recovery_target_action",
        ] {
            sqlx::query(AssertSqlSafe(format!("ALTER SYSTEM RESET {setting}")))
                .execute(&mut admin)
                .await?;
        }
        admin.close().await?;
        settle(&cluster, DATABASE, master_key).await
    }
    .await;
    cluster.stop().await?;
    result
}

/// Unpacks a base backup, leaving out the lock of the socket the cluster
/// had in its data directory: stale, it would stop the restored one.
async fn unpack(tar: &Path, into: &Path) -> Result<(), BackupError> {
    let mut untar = tokio::process::Command::new("tar");
    untar
        .arg("-x")
        .arg("--exclude=.s.PGSQL.*")
        .arg("-f")
        .arg(tar)
        .arg("-C")
        .arg(into);
    run(untar, "tar").await?;
    Ok(())
}

/// Copies the write-ahead log segments of the replaced data directory into
/// the restored one: the last of them may not have reached the archive.
fn copy_unarchived_wal(old: &Path, new: &Path) -> Result<(), BackupError> {
    let from = old.join("pg_wal");
    let to = new.join("pg_wal");
    std::fs::create_dir_all(&to).map_err(io(format!("creating {}", to.display())))?;
    let entries = std::fs::read_dir(&from).map_err(io(format!("reading {}", from.display())))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let segment = name
            .to_str()
            .is_some_and(|n| n.len() == 24 && n.bytes().all(|b| b.is_ascii_hexdigit()));
        if segment {
            std::fs::copy(entry.path(), to.join(&name))
                .map_err(io(format!("copying {}", entry.path().display())))?;
        }
    }
    Ok(())
}

/// Tells PostgreSQL to recover from the archive, to `until` or to the end
/// of the backup, then to open for writes.
fn write_recovery(
    dir: &Path,
    archive: Option<&Path>,
    until: Option<OffsetDateTime>,
) -> Result<(), BackupError> {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let mut settings = String::from("\nrecovery_target_action = 'promote'\n");
    match until {
        Some(moment) => {
            let moment = moment
                .to_offset(time::UtcOffset::UTC)
                .format(POSTGRES_TIME)
                .map_err(|e| BackupError::BadMoment(e.to_string()))?;
            let _ = writeln!(settings, "recovery_target_time = '{moment}'");
        }
        None => settings.push_str("recovery_target = 'immediate'\n"),
    }
    if let Some(archive) = archive {
        let archive =
            std::fs::canonicalize(archive).map_err(io(format!("resolving {}", archive.display())))?;
        let _ = writeln!(settings, "restore_command = 'cp {}/%f %p'", archive.display());
    }
    let conf = dir.join("postgresql.auto.conf");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&conf)
        .map_err(io(format!("writing {}", conf.display())))?;
    file.write_all(settings.as_bytes())
        .map_err(io(format!("writing {}", conf.display())))?;
    std::fs::write(dir.join("recovery.signal"), b"").map_err(io("writing recovery.signal"))?;
    // The files written here go to the user the cluster runs as.
    private_dir(dir, crate::postgres::cluster::run_as()?.as_deref())?;
    Ok(())
}

/// Waits until recovery has replayed to its target and the cluster takes
/// writes.
async fn wait_for_promotion(cluster: &PgCluster) -> Result<(), BackupError> {
    let deadline = tokio::time::Instant::now() + Duration::from_mins(30);
    loop {
        let options = cluster.connect_options("postgres", SUPERUSER);
        let recovering = match PgConnection::connect_with(&options).await {
            Ok(mut conn) => {
                let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
                    .fetch_one(&mut conn)
                    .await?;
                conn.close().await?;
                recovering
            }
            Err(error) => {
                return Err(BackupError::Recovery(format!(
                    "{error}: {}",
                    log_tail(cluster.data_dir())
                )));
            }
        };
        if !recovering {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(BackupError::Recovery("still replaying after 30 minutes".into()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The end of the cluster's log: why a recovery stopped.
fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("FATAL") || l.contains("recovery"))
        .collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}
