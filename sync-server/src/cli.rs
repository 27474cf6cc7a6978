//! The `tatami-sync-server` command line: parses it, loads the
//! configuration, starts logging, and runs the command. The binary is this
//! and nothing else, so tests run the very same commands.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::accounts::{self, Account};
use crate::backup::{self, BackupKind};
use crate::db::audit::Actor;
use crate::db::tenants::renew_log_epochs;
use crate::settings::Settings;
use crate::startup::existing_master_key;
use crate::{academies, build, connect, crypto, demo, telemetry};
use clap::{Parser, Subcommand};
use sqlx::{Connection, PgConnection};
use tatami_core::people::Role;
use tatami_core::text::{Email, Label, PersonName, Slug, TimeZoneName};

#[derive(Debug, Parser)]
#[command(name = "tatami-sync-server", version, about = "Tatami's sync server")]
struct Cli {
    /// A TOML configuration file (defaults, then this file, then TATAMI_*).
    #[arg(long, global = true, env = "TATAMI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default database is a private PostgreSQL in the
    /// data directory, started and stopped with the server).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an academy.
    CreateTenant {
        /// Its short name, used as its subdomain: golden-tiger.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// IANA time zone of the academy.
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Create a staff account in an academy.
    CreateUser {
        /// The academy's slug.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// owner, admin, instructor or front_desk.
        #[arg(long, default_value = "owner")]
        role: String,
        /// Generated and printed when not given.
        #[arg(long, env = "TATAMI_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Create the Golden Tiger demo academy with its owner, belts, classes
    /// and about 200 students with months of history.
    SeedDemo,
    /// Back up the embedded database while the server serves: a consistent
    /// dump, or with --base a base backup for restores to a moment.
    Backup {
        /// The file to write.
        #[arg(long)]
        to: PathBuf,
        /// A base backup (with database.wal_archive, restores to any moment
        /// after it) instead of a dump.
        #[arg(long)]
        base: bool,
    },
    /// Restore the embedded database from a dump or a base backup (the
    /// server stopped). What it replaces is kept beside it.
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// With a base backup: the moment to restore to (RFC 3339), through
        /// the WAL archive. Without it, the end of the backup.
        #[arg(long)]
        until: Option<String>,
    },
    /// After a configured database was restored with other tools: start a
    /// new epoch of every academy's log, so devices push again what the
    /// restore took away.
    Restored,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Start(#[from] crate::startup::StartError),
    #[error(transparent)]
    Api(#[from] crate::error::ApiError),
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
}

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// Runs the command line of this process.
#[tokio::main]
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    match Box::pin(run(cli)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve => {
            let app = build(settings).await?;
            tracing::info!(address = %app.local_addr().map_err(usage)?, "serving");
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            if settings.database.url.is_some() && settings.database.migrate_url.is_none() {
                return Err(usage(
                    "set TATAMI_DATABASE__MIGRATE_URL to the schema owner's connection",
                ));
            }
            // Connecting migrates.
            connect(settings).await?.shutdown().await?;
            println!("migrations applied");
        }
        Command::CreateTenant { slug, name, timezone } => {
            let slug = Slug::parse(&slug).map_err(usage)?;
            let name = Label::parse(&name).map_err(usage)?;
            let timezone = TimeZoneName::parse(&timezone).map_err(usage)?;
            let server = connect(settings).await?;
            let tenant = academies::create_academy(&server.state, &slug, &name, &timezone).await;
            server.shutdown().await?;
            let tenant = tenant?;
            println!("created academy {} ({})", tenant.slug, tenant.id);
        }
        Command::CreateUser {
            tenant,
            email,
            name,
            role,
            password,
        } => {
            let email = Email::parse(&email).map_err(usage)?;
            let name = PersonName::parse(&name).map_err(usage)?;
            let role = Role::parse(&role).map_err(usage)?;
            let (password, generated) = match password {
                Some(password) => (password, false),
                None => (crypto::random_token(), true),
            };
            let server = connect(settings).await?;
            let created = async {
                let found = server
                    .state
                    .tenants
                    .find(&server.state.pool, &tenant)
                    .await
                    .map_err(usage)?;
                let found = found.ok_or_else(|| usage(format!("there is no academy `{tenant}`")))?;
                let account = Account::Staff(role);
                Ok::<_, CliError>(
                    accounts::create_user(
                        &server.state,
                        found.id,
                        &email,
                        &name,
                        password.clone(),
                        account,
                        Actor::Server,
                    )
                    .await?,
                )
            }
            .await;
            server.shutdown().await?;
            let id = created?;
            println!("created {role} {email} ({id})");
            if generated {
                println!("password: {password}");
            }
        }
        Command::Backup { to, base } => {
            let kind = if base { BackupKind::Base } else { BackupKind::Dump };
            let bytes = backup::backup(&settings, &to, kind).await?;
            println!("wrote {} ({bytes} bytes)", to.display());
        }
        Command::Restore { from, until } => {
            let master_key = existing_master_key(&settings)?;
            let academies = backup::restore(&settings, &master_key, &from, until.as_deref()).await?;
            println!("restored {}; new log epochs: {academies}", from.display());
        }
        Command::Restored => {
            // The server's own role may not rewrite the academy directory.
            let Some(owner) = settings
                .database
                .migrate_url
                .as_ref()
                .filter(|_| settings.database.url.is_some())
            else {
                return Err(usage(
                    "for a configured database, set TATAMI_DATABASE__MIGRATE_URL to the schema owner's connection \
                     (the embedded database's `restore` starts new epochs itself)",
                ));
            };
            let mut owner = PgConnection::connect(owner.expose()).await.map_err(usage)?;
            let renewed = renew_log_epochs(&mut owner).await.map_err(usage)?;
            owner.close().await.map_err(usage)?;
            println!("new log epochs: {renewed}");
        }
        Command::SeedDemo => {
            let server = connect(settings).await?;
            let seeded = Box::pin(demo::seed(&server.state)).await;
            server.shutdown().await?;
            let owner = seeded?;
            println!("{owner}");
        }
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
