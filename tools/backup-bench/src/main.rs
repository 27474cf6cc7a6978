//! Times the server's `backup` and `restore` commands on a database of
//! many demo-shaped academies: a dump and a base backup taken, then each
//! restored, by the real binary over its embedded PostgreSQL.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use sqlx::Connection;
use tatami_core::text::{Label, Slug};
use tatami_sync_server::connect;
use tatami_sync_server::demo::{DemoSize, seed_academy};
use tatami_sync_server::postgres::DATABASE;
use tatami_sync_server::postgres::cluster::SUPERUSER;
use tatami_sync_server::settings::Settings;

#[derive(Debug, Parser)]
#[command(about = "Time backups and restores of a database of many academies")]
struct Args {
    #[arg(long, default_value_t = 200)]
    academies: usize,
    /// Students per academy.
    #[arg(long, default_value_t = 100)]
    students: usize,
    /// Days of attendance per academy.
    #[arg(long, default_value_t = 60)]
    days: i64,
    /// The server binary; by default the one built beside this tool.
    #[arg(long)]
    server: Option<PathBuf>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("tatami-sync-server"),
    };
    let dir = std::env::temp_dir().join(format!("tatami-backup-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let size = DemoSize {
        students: args.students,
        history_days: args.days,
    };
    let started = Instant::now();
    let database_bytes = seed(&dir, args.academies, size).await?;
    println!(
        "{} academies of {} students and {} days: {} MiB in the database, made in {:.0} s",
        args.academies,
        args.students,
        args.days,
        database_bytes >> 20,
        started.elapsed().as_secs_f64()
    );
    let dump = dir.join("bench.dump");
    let base = dir.join("bench-base.tar");
    let steps: [(&str, &[&str], &Path); 4] = [
        ("backup (dump)", &["backup", "--to"], &dump),
        ("backup --base", &["backup", "--base", "--to"], &base),
        ("restore the dump", &["restore", "--from"], &dump),
        ("restore the base backup", &["restore", "--from"], &base),
    ];
    println!("| step | seconds | file MiB |");
    println!("|---|---:|---:|");
    for (name, args, file) in steps {
        let took = run(&binary, &dir, args, file)?;
        let bytes = std::fs::metadata(file)?.len();
        println!("| {name} | {:.1} | {} |", took.as_secs_f64(), bytes >> 20);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Makes the academies in-process; the database's size.
async fn seed(dir: &Path, academies: usize, size: DemoSize) -> Result<i64, Failure> {
    let mut settings = Settings::load(None)?;
    settings.data_dir = dir.to_owned();
    settings.database.wal_archive = Some(dir.join("wal-archive"));
    let server = connect(settings).await?;
    for n in 0..academies {
        let slug = format!("academy-{n:03}");
        seed_academy(&server.state, &Slug::parse(&slug)?, &Label::parse(&slug)?, size).await?;
    }
    let options = sqlx::postgres::PgConnectOptions::new_without_pgpass()
        .socket(dir.join("postgres"))
        .port(5432)
        .username(SUPERUSER)
        .database(DATABASE);
    let mut conn = sqlx::PgConnection::connect_with(&options).await?;
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    server.shutdown().await?;
    Ok(bytes)
}

/// Runs the server's command `args` on `file` with the bench's data
/// directory; how long it took.
fn run(binary: &Path, dir: &Path, args: &[&str], file: &Path) -> Result<Duration, Failure> {
    let started = Instant::now();
    let output = std::process::Command::new(binary)
        .args(args)
        .arg(file)
        .env("TATAMI_DATA_DIR", dir)
        .env("TATAMI_DATABASE__WAL_ARCHIVE", dir.join("wal-archive"))
        .env_remove("TATAMI_DATABASE__URL")
        .output()?;
    let took = started.elapsed();
    if !output.status.success() {
        return Err(format!("{args:?}: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    Ok(took)
}
