//! A private PostgreSQL cluster run from the system's PostgreSQL binaries:
//! the server's default database when none is configured, and every test's.
//!
//! The cluster listens on a Unix socket inside its own data directory
//! (mode 0700) and on no TCP port, so only its owner can connect and no port
//! can clash. PostgreSQL refuses to run as root; as root, the cluster runs as
//! the `postgres` system user. A watchdog process stops the cluster when the
//! process that started it exits, however it exits. A cluster found already
//! running belongs to the process that started it (a serving server, when
//! an admin command runs beside it): it is used, never stopped.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use tokio::process::Command;

/// The port PostgreSQL names its socket file after (`.s.PGSQL.5432`).
/// Nothing listens on TCP, so any number would do.
const PORT: u16 = 5432;
/// The superuser `initdb` creates.
pub const SUPERUSER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server binaries were not found: install them (Debian: `apt-get install postgresql`) \
         or set TATAMI_PG_BIN to the folder holding initdb and pg_ctl"
    )]
    NotInstalled,
    #[error("PostgreSQL refuses to run as root and there is no `postgres` system user to run it as")]
    NoUnprivilegedUser,
    #[error("`{command}` failed: {detail}")]
    Command { command: String, detail: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

/// How the cluster is run.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Durable writes (`fsync`). Off only for throwaway test clusters.
    pub durable: bool,
    /// Delete the cluster's files once it stops (tests).
    pub ephemeral: bool,
    /// Copy each finished write-ahead log segment to this directory, for
    /// point-in-time recovery from a base backup.
    pub wal_archive: Option<PathBuf>,
}

/// The longest a finished transaction waits to reach the WAL archive: a
/// segment is switched and archived at least this often when there are
/// writes.
const ARCHIVE_TIMEOUT_SECONDS: u32 = 60;

/// A running cluster. It stops when [`PgCluster::stop`] is called, or when
/// this process exits.
#[derive(Debug)]
pub struct PgCluster {
    data_dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    /// Holding its stdin open keeps the watchdog waiting; `None` for a
    /// cluster another process started.
    watchdog: Option<std::process::Child>,
    /// Starts the cluster again should it stop under us; `None` likewise.
    supervisor: Option<tokio::task::AbortHandle>,
}

impl PgCluster {
    /// Starts the cluster in `data_dir`, creating it on first use and
    /// reusing it afterwards.
    pub async fn start(data_dir: &Path, options: ClusterOptions) -> Result<Self, ClusterError> {
        let bin = find_binaries()?;
        let run_as = run_as()?;
        let data_dir = private_dir(data_dir, run_as.as_deref())?;

        let cluster = |program: &str| pg_command(&bin, program, run_as.as_deref());
        if !data_dir.join("PG_VERSION").exists() {
            let mut initdb = cluster("initdb");
            initdb.args([
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--username",
                SUPERUSER,
                "-D",
            ]);
            initdb.arg(&data_dir);
            if !options.durable {
                initdb.arg("--no-sync");
            }
            run(initdb, "initdb").await?;
        }

        let mut settings = format!(
            "-c listen_addresses='' -c unix_socket_directories='{dir}' -c port={PORT} -c fsync={fsync} \
             -c synchronous_commit={fsync} -c full_page_writes={fsync}",
            dir = data_dir.display(),
            fsync = if options.durable { "on" } else { "off" },
        );
        if let Some(archive) = &options.wal_archive {
            let archive = private_dir(archive, run_as.as_deref())?;
            let _ = write!(
                settings,
                " -c wal_level=replica -c archive_mode=on -c archive_timeout={ARCHIVE_TIMEOUT_SECONDS} \
                 -c archive_command='test ! -f {dir}/%f && cp %p {dir}/%f'",
                dir = archive.display()
            );
        }
        let already_running = is_running(&bin, &data_dir, run_as.as_deref()).await;
        if already_running {
            return Ok(Self {
                data_dir,
                bin,
                run_as,
                watchdog: None,
                supervisor: None,
            });
        }
        start_postgres(&bin, &data_dir, run_as.as_deref(), &settings).await?;
        let watchdog = spawn_watchdog(&bin, &data_dir, run_as.as_deref(), options.ephemeral)?;
        let supervisor = tokio::spawn(supervise(bin.clone(), data_dir.clone(), run_as.clone(), settings));
        Ok(Self {
            data_dir,
            bin,
            run_as,
            watchdog: Some(watchdog),
            supervisor: Some(supervisor.abort_handle()),
        })
    }

    /// Connection options for `database` as `user`, over the private socket.
    pub fn connect_options(&self, database: &str, user: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.data_dir)
            .port(PORT)
            .username(user)
            .database(database)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether this process started the cluster (and stops it).
    pub fn started_here(&self) -> bool {
        self.watchdog.is_some()
    }

    /// The folder of the PostgreSQL programs, and the user they run as.
    pub fn programs(&self) -> (&Path, Option<&str>) {
        (&self.bin, self.run_as.as_deref())
    }

    /// Stops the cluster, waiting for it to shut down cleanly, if this
    /// process started it; another's is left running.
    pub async fn stop(self) -> Result<(), ClusterError> {
        let Some(mut watchdog) = self.watchdog else {
            return Ok(());
        };
        if let Some(supervisor) = self.supervisor {
            supervisor.abort();
        }
        let mut stop = pg_command(&self.bin, "pg_ctl", self.run_as.as_deref());
        stop.args(["stop", "-m", "fast", "-w", "-D"]).arg(&self.data_dir);
        let result = run(stop, "pg_ctl stop").await;
        // The watchdog's stop finds nothing left to do.
        drop(watchdog.stdin.take());
        let _ = tokio::task::spawn_blocking(move || watchdog.wait()).await;
        result
    }
}

/// How often a cluster started here is checked, and started again if it
/// stopped (killed, or crashed).
const SUPERVISE_EVERY: Duration = Duration::from_secs(1);

async fn start_postgres(
    bin: &Path,
    data_dir: &Path,
    run_as: Option<&str>,
    settings: &str,
) -> Result<(), ClusterError> {
    let mut start = pg_command(bin, "pg_ctl", run_as);
    start
        .args(["start", "-w", "-t", "60", "-D"])
        .arg(data_dir)
        .arg("-l")
        .arg(data_dir.join("server.log"))
        .arg("-o")
        .arg(settings);
    run(start, "pg_ctl start").await
}

/// Starts the cluster again whenever it is found stopped: PostgreSQL
/// killed (SIGKILL, the OOM killer) or crashed recovers on its next start,
/// and the server's pool connects again by itself. Until then requests
/// fail with `internal` and devices retry; nothing acknowledged is lost.
async fn supervise(bin: PathBuf, data_dir: PathBuf, run_as: Option<String>, settings: String) {
    loop {
        tokio::time::sleep(SUPERVISE_EVERY).await;
        if is_running(&bin, &data_dir, run_as.as_deref()).await {
            continue;
        }
        tracing::warn!(dir = %data_dir.display(), "the embedded PostgreSQL stopped: starting it again");
        match start_postgres(&bin, &data_dir, run_as.as_deref(), &settings).await {
            Ok(()) => tracing::info!("the embedded PostgreSQL runs again"),
            Err(error) => tracing::warn!(%error, "the embedded PostgreSQL did not start yet"),
        }
    }
}

/// Whether a cluster runs in `data_dir`.
async fn is_running(bin: &Path, data_dir: &Path, run_as: Option<&str>) -> bool {
    let mut status = pg_command(bin, "pg_ctl", run_as);
    status
        .arg("status")
        .arg("-D")
        .arg(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success())
}

/// Whether a cluster runs in `data_dir` (a server is serving from it).
pub async fn running_in(data_dir: &Path) -> Result<bool, ClusterError> {
    if !data_dir.join("PG_VERSION").exists() {
        return Ok(false);
    }
    let bin = find_binaries()?;
    let run_as = run_as()?;
    Ok(is_running(&bin, data_dir, run_as.as_deref()).await)
}

/// Creates `dir` if missing, private to the user the cluster runs as.
/// Returns its absolute path.
pub fn private_dir(dir: &Path, run_as: Option<&str>) -> Result<PathBuf, ClusterError> {
    std::fs::create_dir_all(dir).map_err(io_error(format!("creating {}", dir.display())))?;
    let dir = std::fs::canonicalize(dir).map_err(io_error(format!("resolving {}", dir.display())))?;
    restrict_and_own(&dir, run_as)?;
    Ok(dir)
}

/// The user PostgreSQL runs as: `postgres` when this process is root.
pub fn run_as() -> Result<Option<String>, ClusterError> {
    if rustix::process::geteuid().is_root() {
        unprivileged_user().map(Some)
    } else {
        Ok(None)
    }
}

/// `TATAMI_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`, else
/// the folder of `pg_ctl` on the `PATH`.
pub fn find_binaries() -> Result<PathBuf, ClusterError> {
    let usable = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("TATAMI_PG_BIN").map(PathBuf::from) {
        return if usable(&dir) {
            Ok(dir)
        } else {
            Err(ClusterError::NotInstalled)
        };
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| usable(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|dir| usable(dir))
        .ok_or(ClusterError::NotInstalled)
}

fn unprivileged_user() -> Result<String, ClusterError> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(io_error("reading /etc/passwd"))?;
    passwd
        .lines()
        .any(|line| line.split(':').next() == Some(SUPERUSER))
        .then(|| SUPERUSER.to_owned())
        .ok_or(ClusterError::NoUnprivilegedUser)
}

/// PostgreSQL wants its data directory private to the user it runs as.
fn restrict_and_own(dir: &Path, run_as: Option<&str>) -> Result<(), ClusterError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(io_error(format!("restricting {}", dir.display())))?;
    if let Some(user) = run_as {
        let status = std::process::Command::new("chown")
            .arg("-R")
            .arg(format!("{user}:"))
            .arg(dir)
            .status()
            .map_err(io_error("running chown"))?;
        if !status.success() {
            return Err(ClusterError::Command {
                command: "chown".into(),
                detail: format!("could not give {} to {user}", dir.display()),
            });
        }
    }
    Ok(())
}

/// `program`, run as `run_as` when given.
fn command_as(program: impl AsRef<std::ffi::OsStr>, run_as: Option<&str>) -> std::process::Command {
    match run_as {
        Some(user) => {
            let mut command = std::process::Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => std::process::Command::new(program),
    }
}

/// A PostgreSQL program, reading nothing unless given a stdin.
pub fn pg_command(bin: &Path, program: &str, run_as: Option<&str>) -> Command {
    let mut command = Command::from(command_as(bin.join(program), run_as));
    command.stdin(Stdio::null());
    command
}

/// Runs `command` to its end; what it printed on failure is the error.
pub async fn run(command: Command, name: &str) -> Result<(), ClusterError> {
    run_writing(command, name, Stdio::piped()).await
}

/// [`run`], its standard output going to `stdout` (a file, say).
pub async fn run_writing(
    mut command: Command,
    name: &str,
    stdout: impl Into<Stdio>,
) -> Result<(), ClusterError> {
    let output = command
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_error(format!("running {name}")))?
        .wait_with_output()
        .await
        .map_err(io_error(format!("running {name}")))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = if stderr.trim().is_empty() {
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    } else {
        stderr.trim().to_owned()
    };
    Err(ClusterError::Command {
        command: name.to_owned(),
        detail,
    })
}

/// A shell that waits for its stdin to close (this process exiting) and
/// then stops the cluster, and for an ephemeral one removes its files.
fn spawn_watchdog(
    bin: &Path,
    data_dir: &Path,
    run_as: Option<&str>,
    ephemeral: bool,
) -> Result<std::process::Child, ClusterError> {
    let dir = data_dir.display();
    let remove = if ephemeral {
        format!("; rm -rf '{dir}'")
    } else {
        String::new()
    };
    let script = format!(
        "cat >/dev/null; '{}' stop -m fast -w -D '{dir}' >/dev/null 2>&1{remove}",
        bin.join("pg_ctl").display()
    );
    command_as("sh", run_as)
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(io_error("starting the cluster watchdog"))
}
