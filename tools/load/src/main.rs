//! Load test of the sync server: simulated tablets of many academies push
//! check-ins over real HTTP to the real server process, whose embedded
//! PostgreSQL commits durably. Next to it, in the same run and database, a
//! raw batched insert of the same rows shows what PostgreSQL alone takes.
//!
//! Phases:
//! 1. throughput: every tablet pushes back to back (closed loop);
//! 2. latency: pushes at a fixed total rate; latency counts from when a
//!    push was due, so a slow answer delays the next one's clock too;
//! 3. raw insert: change-log and attendance rows, batched, one connection
//!    per academy as the server's writers use.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::large_futures,
    reason = "rates and percentiles of counts far below 2^52"
)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::ActorId;
use clap::Parser;
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use tatami_core::doc::roll::{self, CheckIn, Method};
use tatami_core::ids::{DeviceId, DocId, StaffId, StudentId, TenantId};
use tatami_core::people::Role;
use tatami_core::schedule::{ClassRef, SessionKey};
use tatami_core::sync::{Bytes, DocChanges, PROTOCOL_VERSION, SyncRequest};
use tatami_core::text::{Email, Label, PersonName, Slug, TimeZoneName};
use tatami_sync_server::accounts::{Account, create_user};
use tatami_sync_server::db::audit::Actor;
use tatami_sync_server::settings::Settings;
use tatami_sync_server::{academies, connect};
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PASSWORD: &str = "load test: plum cactus orbit lantern";
/// The server under load gives its counters to this token.
const METRICS_TOKEN: &str = "load test metrics";

#[derive(Debug, Parser)]
#[command(about = "Load-test the sync server with simulated tablets")]
struct Args {
    /// Academies, each with its own writer on the server.
    #[arg(long, default_value_t = 20)]
    tenants: usize,
    /// Tablets per academy.
    #[arg(long, default_value_t = 5)]
    devices: usize,
    /// Check-ins per push (a tablet's outbox between two syncs).
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// Length of each measured phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Total check-ins per second in the latency phase.
    #[arg(long, default_value_t = 5000)]
    rate: u64,
    /// The server binary; by default the one built beside this tool.
    #[arg(long)]
    server: Option<PathBuf>,
    /// Run the server as one of several sharing the database: it announces
    /// each commit to its peers.
    #[arg(long)]
    peers: bool,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn fail(message: impl Into<String>) -> Failure {
    message.into().into()
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    let data_dir = std::env::temp_dir().join(format!("tatami-load-{}", std::process::id()));
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("tatami-sync-server"),
    };

    let academies = setup(&data_dir, args.tenants * 2).await?;
    let (tested, raw) = academies.split_at(args.tenants);
    let (mut server, base) = serve(&binary, &data_dir, args.peers).await?;
    tatami_sync_server::tls::use_ring();
    let http = reqwest::Client::builder().pool_max_idle_per_host(512).build()?;
    let devices = enrol(&http, &base, tested, args.devices).await?;
    eprintln!(
        "{} tablets in {} academies; preparing pushes…",
        devices.len(),
        args.tenants
    );

    // Budget generously: a tablet never runs out of prepared pushes.
    let pushes_each = usize::try_from(40_000 * args.seconds / (args.batch * devices.len()) as u64 + 1)?;
    let prepared = prepare(&devices, args.batch, 2 * pushes_each);
    let (first, second): (Vec<_>, Vec<_>) = prepared
        .into_iter()
        .map(|mut p| {
            let tail = p.split_off(pushes_each);
            (p, tail)
        })
        .unzip();

    eprintln!("measuring throughput…");
    let processes = Processes::of(server.id().unwrap_or_default(), &data_dir);
    let cpu_before = processes.cpu();
    let throughput = run_phase(
        &http,
        &base,
        &devices,
        first,
        args.batch,
        None,
        Duration::from_secs(args.seconds),
    )
    .await;
    let per_push = Duration::from_secs_f64((args.batch * devices.len()) as f64 / args.rate as f64);
    let cpu = processes.cpu().since(&cpu_before);
    eprintln!("measuring latency at {}/s…", args.rate);
    let latency = run_phase(
        &http,
        &base,
        &devices,
        second,
        args.batch,
        Some(per_push),
        Duration::from_secs(args.seconds),
    )
    .await;
    let metrics = http
        .get(format!("{base}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await?
        .text()
        .await?;
    let changes_per_batch =
        metric(&metrics, "tatami_changes_in_total") / metric(&metrics, "tatami_sync_batches_total").max(1.0);
    stop(&mut server).await?;

    let rows_per_batch = (changes_per_batch.round() as usize).max(1);
    eprintln!("measuring the raw insert…");
    let baseline = raw_insert(&data_dir, raw, rows_per_batch, Duration::from_secs(args.seconds)).await?;
    let _ = std::fs::remove_dir_all(&data_dir);

    println!("| measure | check-ins | seconds | check-ins/s | push p50 | push p99 |");
    println!("|---|---|---|---|---|---|");
    for (name, phase) in [
        ("end to end, closed loop", &throughput),
        (&*format!("end to end at {}/s", args.rate), &latency),
    ] {
        println!(
            "| {name} | {} | {:.1} | {:.0} | {:.1} ms | {:.1} ms |",
            phase.check_ins,
            phase.elapsed.as_secs_f64(),
            phase.rate(),
            phase.percentile(0.50),
            phase.percentile(0.99)
        );
    }
    println!(
        "| raw batched insert, {rows_per_batch} rows a transaction | {} | {:.1} | {:.0} | | |",
        baseline.check_ins,
        baseline.elapsed.as_secs_f64(),
        baseline.rate()
    );
    println!();
    println!(
        "end to end / raw insert: {:.2}; failed pushes: {}; server batch: {changes_per_batch:.0} changes on average",
        throughput.rate() / baseline.rate(),
        throughput.failures + latency.failures
    );
    let per_check_in = |seconds: f64| seconds * 1e6 / throughput.check_ins.max(1) as f64;
    println!(
        "CPU per check-in in the throughput phase: server {:.0} µs, PostgreSQL {:.0} µs, load tool {:.0} µs ({:.1} of {} cores busy)",
        per_check_in(cpu.server),
        per_check_in(cpu.postgres),
        per_check_in(cpu.tool),
        (cpu.server + cpu.postgres + cpu.tool) / throughput.elapsed.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    Ok(())
}

/// Creates the academies and an owner each, in-process, then stops.
async fn setup(data_dir: &Path, count: usize) -> Result<Vec<(String, TenantId)>, Failure> {
    let mut settings = Settings::load(None)?;
    settings.data_dir = data_dir.to_owned();
    let server = connect(settings).await?;
    let mut made = Vec::new();
    for n in 0..count {
        let slug = format!("academy-{n:03}");
        let tenant = academies::create_academy(
            &server.state,
            &Slug::parse(&slug)?,
            &Label::parse(&slug)?,
            &TimeZoneName::parse("UTC")?,
        )
        .await?;
        let email = Email::parse(&format!("owner@{slug}.example"))?;
        let name = PersonName::parse("Owner")?;
        create_user(
            &server.state,
            tenant.id,
            &email,
            &name,
            PASSWORD.into(),
            Account::Staff(Role::Owner),
            Actor::Server,
        )
        .await?;
        made.push((slug, tenant.id));
    }
    server.shutdown().await?;
    Ok(made)
}

async fn serve(binary: &Path, data_dir: &Path, peers: bool) -> Result<(Child, String), Failure> {
    let mut child = Command::new(binary)
        .arg("serve")
        .env("TATAMI_SYNC__PEERS", peers.to_string())
        .env("TATAMI_HTTP__METRICS_TOKEN", METRICS_TOKEN)
        .env("TATAMI_DATA_DIR", data_dir)
        .env("TATAMI_LISTEN", "127.0.0.1:0")
        .env("TATAMI_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn,tatami_sync_server=info")
        .env_remove("TATAMI_DATABASE__URL")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().ok_or_else(|| fail("no stdout"))?).lines();
    let address = loop {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| fail("the server exited"))?;
        if let Ok(event) = serde_json::from_str::<Value>(&line)
            && event["message"] == "serving"
        {
            break event["address"].as_str().unwrap_or_default().to_owned();
        }
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, format!("http://{address}")))
}

async fn stop(child: &mut Child) -> Result<(), Failure> {
    let id = child.id().ok_or_else(|| fail("the server already exited"))?;
    let pid = rustix::process::Pid::from_raw(i32::try_from(id)?).ok_or_else(|| fail("bad pid"))?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    child.wait().await?;
    Ok(())
}

struct Tablet {
    slug: String,
    tenant: TenantId,
    id: DeviceId,
    credential: String,
}

async fn enrol(
    http: &reqwest::Client,
    base: &str,
    academies: &[(String, TenantId)],
    per_academy: usize,
) -> Result<Vec<Tablet>, Failure> {
    let mut tablets = Vec::new();
    for (slug, tenant) in academies {
        let tokens: Value = http
            .post(format!("{base}/v1/auth/sign-in"))
            .header("x-tatami-tenant", slug)
            .json(&json!({ "email": format!("owner@{slug}.example"), "password": PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let token = tokens["access_token"]
            .as_str()
            .ok_or_else(|| fail(format!("sign-in failed: {tokens}")))?;
        for n in 0..per_academy {
            let enrolled: Value = http
                .post(format!("{base}/v1/devices"))
                .header("x-tatami-tenant", slug)
                .bearer_auth(token)
                .json(&json!({ "name": format!("Tablet {n}"), "role": "front_desk" }))
                .send()
                .await?
                .json()
                .await?;
            tablets.push(Tablet {
                slug: slug.clone(),
                tenant: *tenant,
                id: enrolled["device_id"]
                    .as_str()
                    .ok_or_else(|| fail("no device id"))?
                    .parse()?,
                credential: enrolled["credential"]
                    .as_str()
                    .ok_or_else(|| fail("no credential"))?
                    .to_owned(),
            });
        }
    }
    Ok(tablets)
}

/// Each tablet's pushes, as JSON bodies. The tablets of an academy fill the
/// same rolls at once (push k of every tablet goes to roll k), so the
/// server merges concurrent edits of each roll; every check-in is one
/// Automerge change, as on a real tablet.
fn prepare(tablets: &[Tablet], batch: usize, pushes: usize) -> Vec<Vec<Vec<u8>>> {
    let staff = StaffId::new();
    let class = ClassRef::Class(tatami_core::ids::ClassId::new());
    let today = OffsetDateTime::now_utc().date();
    std::thread::scope(|scope| {
        let handles: Vec<_> = tablets
            .iter()
            .map(|tablet| {
                scope.spawn(move || {
                    (0..pushes)
                        .map(|k| {
                            let session = SessionKey {
                                class,
                                date: today - time::Duration::days(i64::try_from(k).unwrap_or(0)),
                            };
                            let id = roll::doc_id(tablet.tenant, &session);
                            let mut doc =
                                roll::create(tablet.tenant, &session, ActorId::random()).unwrap_or_default();
                            for _ in 0..batch {
                                let check_in = CheckIn {
                                    student: StudentId::new(),
                                    at: OffsetDateTime::now_utc(),
                                    by: staff,
                                    device: tablet.id,
                                    method: Method::Card,
                                    pass: None,
                                };
                                let _ = roll::check_in(&mut doc, &check_in);
                                doc.commit();
                            }
                            let changes = doc
                                .get_changes(&[])
                                .iter()
                                .map(|c| Bytes(c.raw_bytes().to_vec()))
                                .collect();
                            let request = SyncRequest {
                                protocol: PROTOCOL_VERSION,
                                cursor: 0,
                                push: vec![DocChanges { doc: id, changes }],
                                limit: Some(1),
                            };
                            serde_json::to_vec(&request).unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// What a phase measured.
struct Phase {
    check_ins: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.check_ins as f64 / self.elapsed.as_secs_f64()
    }

    /// In milliseconds.
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let index = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[index].as_secs_f64() * 1000.0
    }
}

/// Every tablet sends its pushes for `length`: back to back, or one every
/// `interval` (staggered across tablets).
async fn run_phase(
    http: &reqwest::Client,
    base: &str,
    tablets: &[Tablet],
    pushes: Vec<Vec<Vec<u8>>>,
    batch: usize,
    interval: Option<Duration>,
    length: Duration,
) -> Phase {
    let started = Instant::now();
    let deadline = started + length;
    let count = tablets.len();
    let tasks: Vec<_> = tablets
        .iter()
        .zip(pushes)
        .enumerate()
        .map(|(n, (tablet, bodies))| {
            let (http, url) = (http.clone(), format!("{base}/v1/sync"));
            let (slug, credential) = (tablet.slug.clone(), tablet.credential.clone());
            let offset = interval.map(|i| i.mul_f64(n as f64 / count as f64));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0;
                let mut due = started + offset.unwrap_or_default();
                for body in bodies {
                    if interval.is_some() {
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let sent = if interval.is_some() { due } else { Instant::now() };
                    if sent >= deadline {
                        break;
                    }
                    let ok = http
                        .post(&url)
                        .header("x-tatami-tenant", &slug)
                        .header("content-type", "application/json")
                        .bearer_auth(&credential)
                        .body(body)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        failures += 1;
                    }
                    if let Some(interval) = interval {
                        due += interval;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((mut l, f)) = task.await {
            latencies.append(&mut l);
            failures += f;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Phase {
        check_ins: latencies.len() * batch,
        failures,
        elapsed,
        latencies,
    }
}

/// CPU seconds used so far, by side.
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    server: f64,
    postgres: f64,
    tool: f64,
}

impl Cpu {
    fn since(&self, before: &Cpu) -> Cpu {
        Cpu {
            server: self.server - before.server,
            postgres: self.postgres - before.postgres,
            tool: self.tool - before.tool,
        }
    }
}

/// The processes whose CPU time a phase accounts for.
struct Processes {
    server: u32,
    postmaster: u32,
}

impl Processes {
    fn of(server: u32, data_dir: &Path) -> Self {
        let pid_file = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).unwrap_or_default();
        let postmaster = pid_file
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        Self { server, postmaster }
    }

    /// utime, stime, cutime, cstime of a process, in seconds, and its parent.
    fn times(pid: &str) -> Option<(f64, f64, u32)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name, which may hold spaces.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = rustix::param::clock_ticks_per_second() as f64;
        let field = |n: usize| fields.get(n).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0) / ticks;
        let parent = fields.get(1).and_then(|f| f.parse().ok()).unwrap_or(0);
        Some((field(11) + field(12), field(13) + field(14), parent))
    }

    fn cpu(&self) -> Cpu {
        let own = |pid: u32| Self::times(&pid.to_string()).map_or(0.0, |(own, _, _)| own);
        // The postmaster's own time, its children that exited, and the
        // live ones (connections, writers).
        let mut postgres =
            Self::times(&self.postmaster.to_string()).map_or(0.0, |(own, reaped, _)| own + reaped);
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else {
                continue;
            };
            if let Some((own, _, parent)) = Self::times(pid)
                && parent == self.postmaster
            {
                postgres += own;
            }
        }
        Cpu {
            server: own(self.server),
            postgres,
            tool: own(std::process::id()),
        }
    }
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

/// The rows a check-in costs the server (a change-log row and an attendance
/// row), inserted in batches straight into PostgreSQL, one connection per
/// academy, for `length`.
async fn raw_insert(
    data_dir: &Path,
    academies: &[(String, TenantId)],
    batch: usize,
    length: Duration,
) -> Result<Phase, Failure> {
    use tatami_sync_server::postgres::cluster::{ClusterOptions, PgCluster};
    let cluster = PgCluster::start(
        &data_dir.join("postgres"),
        ClusterOptions {
            durable: true,
            ephemeral: false,
            wal_archive: None,
        },
    )
    .await?;
    let pool = PgPoolOptions::new()
        .max_connections(u32::try_from(academies.len())?)
        .connect_with(cluster.connect_options("tatami", tatami_sync_server::postgres::APP_ROLE))
        .await?;
    let change_bytes = Arc::new(vec![7u8; 260]);
    let started = Instant::now();
    let deadline = started + length;
    let tasks: Vec<_> = academies
        .iter()
        .map(|(_, tenant)| {
            let (pool, tenant, change_bytes) = (pool.clone(), *tenant, Arc::clone(&change_bytes));
            tokio::spawn(async move {
                let mut inserted = 0usize;
                let mut seq = 1_000_000i64;
                let session = DocId::new();
                let mut tx = tatami_sync_server::db::begin(&pool, tenant).await?;
                sqlx::query("INSERT INTO class_sessions (tenant_id, doc_id, class_ref, held_on) VALUES ($1, $2, 'open-mat', CURRENT_DATE)")
                    .bind(tenant.as_uuid())
                    .bind(session.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                while Instant::now() < deadline {
                    let seqs: Vec<i64> = (seq..seq + batch as i64).collect();
                    seq += batch as i64;
                    let students: Vec<uuid::Uuid> = (0..batch).map(|_| uuid::Uuid::now_v7()).collect();
                    // Any 32 distinct bytes stand for a change hash.
                    let hashes: Vec<Vec<u8>> = students.iter().map(|s| [s.as_bytes().as_slice(); 2].concat()).collect();
                    let mut tx = tatami_sync_server::db::begin(&pool, tenant).await?;
                    sqlx::query(
                        "INSERT INTO changes (tenant_id, seq, doc_id, hash, bytes)
                         SELECT $1, s, $2, h, $3 FROM UNNEST($4::bigint[], $5::bytea[]) AS t(s, h)",
                    )
                    .bind(tenant.as_uuid())
                    .bind(session.as_uuid())
                    .bind(change_bytes.as_slice())
                    .bind(&seqs)
                    .bind(&hashes)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO attendance (tenant_id, session_doc_id, student_id, class_ref, held_on, checked_in_at,
                                                 checked_in_by, device_id, method)
                         SELECT $1, $2, s, 'open-mat', CURRENT_DATE, now(), $2, $2, 'card' FROM UNNEST($3::uuid[]) AS t(s)",
                    )
                    .bind(tenant.as_uuid())
                    .bind(session.as_uuid())
                    .bind(&students)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    inserted += batch;
                }
                Ok::<usize, sqlx::Error>(inserted)
            })
        })
        .collect();
    let mut check_ins = 0;
    for task in tasks {
        check_ins += task.await??;
    }
    let elapsed = started.elapsed();
    pool.close().await;
    cluster.stop().await?;
    Ok(Phase {
        check_ins,
        failures: 0,
        elapsed,
        latencies: Vec::new(),
    })
}
