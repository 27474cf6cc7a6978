//! The pieces of an end-to-end test: the real server over real PostgreSQL,
//! an academy with an owner who has a PIN, and devices, each a real
//! `tatami-device` process with its own SQLite file and its own Secret
//! Service keyring (a private D-Bus session with gnome-keyring, which
//! outlives the device's crashes as a desktop session would), driven over
//! its stdin.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test scaffolding; each test file uses part of it"
)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tatami_core::belt::{Rank, Requirements};
use tatami_core::ids::RankId;
use tatami_core::people::Role;
use tatami_core::text::{Color, Label};
use tatami_sync_server::accounts;
use tatami_sync_server::tenancy::Tenant;
use tatami_sync_server::testing;
pub use tatami_sync_server::testing::{PASSWORD, TestServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

pub mod embedded;
pub mod window;

/// Every owner's PIN.
pub const PIN: &str = "2468";

/// An academy on the test server, with its owner.
#[derive(Debug, Clone)]
pub struct Academy {
    pub tenant: Tenant,
    pub base: String,
    pub owner: String,
}

impl Academy {
    pub async fn create(server: &TestServer, slug: &str) -> Self {
        let tenant = Box::pin(server.academy(slug)).await;
        let (id, owner) = Box::pin(server.staff_account(&tenant, Role::Owner)).await;
        accounts::set_pin(&server.state, tenant.id, id, PIN.into())
            .await
            .unwrap();
        Self {
            tenant,
            base: server.base.clone(),
            owner,
        }
    }

    /// Calls the server as the owner; the status and the JSON answer.
    pub async fn request(&self, method: reqwest::Method, path: &str) -> (u16, Value) {
        self.send(method, path, None).await
    }

    /// Calls the server as the owner with a JSON `body`.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        tatami_sync_server::tls::use_ring();
        let http = reqwest::Client::new();
        let tenant = ("x-tatami-tenant", &self.tenant.slug);
        let signed_in: Value = http
            .post(format!("{}/v1/auth/sign-in", self.base))
            .header(tenant.0, tenant.1)
            .json(&json!({ "email": self.owner, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut request = http
            .request(method, format!("{}{path}", self.base))
            .header(tenant.0, tenant.1)
            .bearer_auth(signed_in["access_token"].as_str().unwrap());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// GETs `path` as the owner, which must succeed; the JSON answer.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.request(reqwest::Method::GET, path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A student's member card: the text its QR code holds.
    pub async fn card(&self, student: &str) -> String {
        self.get(&format!("/v1/students/{student}/card")).await["card"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The command that enrols a device with `role`, by the owner.
    pub fn enrol(&self, role: Role) -> Value {
        json!({
            "op": "enrol", "server": self.base, "academy": self.tenant.slug,
            "email": self.owner, "password": PASSWORD,
            "device_name": format!("{role} device"), "role": role,
        })
    }

    /// The same academy, reached through another server over its database.
    pub fn served_by(self, base: &str) -> Self {
        Self {
            base: base.to_owned(),
            ..self
        }
    }

    /// A new device enrolled with `role` by the owner, unlocked by them.
    pub async fn device(&self, role: Role) -> DeviceProcess {
        self.device_with_clock(role, 0).await
    }

    /// Like [`Academy::device`], with the device clock `clock_offset`
    /// seconds off.
    pub async fn device_with_clock(&self, role: Role, clock_offset: i64) -> DeviceProcess {
        let dir = scratch_dir();
        let mut device = DeviceProcess::start_with(&dir, SecretService::start(&dir).await, clock_offset);
        device.ok(self.enrol(role)).await;
        device.unlock(&self.owner).await;
        device
    }
}

/// An academy with a belt system and one student, made on an admin's
/// laptop and synced.
pub struct Fixture {
    pub academy: Academy,
    pub laptop: DeviceProcess,
    pub student: Value,
    pub ranks: Vec<Rank>,
}

pub async fn academy_with_student(server: &TestServer, slug: &str) -> Fixture {
    let academy = Academy::create(server, slug).await;
    let mut laptop = academy.device(Role::Admin).await;
    let ranks = belts(40);
    laptop.ok(json!({ "op": "set_belts", "ranks": ranks })).await;
    let student = laptop
        .ok(json!({ "op": "add_student", "name": "Ana Souza" }))
        .await;
    laptop.sync().await;
    Fixture {
        academy,
        laptop,
        student,
        ranks,
    }
}

/// A directory for one device's files.
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tatami-device-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A white belt with two stripes, three classes apart, and a blue belt
/// after `attendances` classes.
pub fn belts(attendances: u32) -> Vec<Rank> {
    let rank = |name: &str, color: Color, requirements: Requirements| Rank {
        id: RankId::new(),
        name: Label::parse(name).unwrap(),
        color,
        stripes: 2,
        requirements,
        stripe_requirements: Requirements {
            attendances: 3,
            ..Requirements::default()
        },
    };
    vec![
        rank("White", Color::rgb(0xff, 0xff, 0xff), Requirements::default()),
        rank(
            "Blue",
            Color::rgb(0x1d, 0x4e, 0xd8),
            Requirements {
                attendances,
                ..Requirements::default()
            },
        ),
    ]
}

/// A private D-Bus session bus with an unlocked gnome-keyring on it: the
/// Secret Service a device's credential is kept in. Both stop when it is
/// dropped.
#[derive(Debug)]
struct SecretService {
    bus_address: String,
    _bus: Child,
    _keyring: Child,
}

impl SecretService {
    /// Starts the bus, then the keyring once the bus answers. On a loaded
    /// machine a keyring started too early finds no bus and exits, so one
    /// that exits before it owns the Secret Service name is started again.
    async fn start(dir: &Path) -> Self {
        let home = dir.join("home");
        let runtime = dir.join("run");
        for d in [&home, &runtime] {
            std::fs::create_dir_all(d).unwrap();
            std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        }
        let bus_address = format!("unix:path={}", runtime.join("bus").display());
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--address", &bus_address])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("dbus-daemon is needed (apt-get install dbus)");
        let answering = eventually(&mut (), 30, async |()| {
            name_has_owner(&bus_address, "org.freedesktop.DBus").await
        })
        .await;
        assert!(answering, "dbus-daemon did not start answering on {bus_address}");
        let mut keyring = start_keyring(&bus_address, &home, &runtime).await;
        let serving = eventually(&mut keyring, 30, async |keyring| {
            if name_has_owner(&bus_address, "org.freedesktop.secrets").await {
                return true;
            }
            if keyring.try_wait().unwrap().is_some() {
                *keyring = start_keyring(&bus_address, &home, &runtime).await;
            }
            false
        })
        .await;
        assert!(serving, "gnome-keyring did not start serving on {bus_address}");
        Self {
            bus_address,
            _bus: bus,
            _keyring: keyring,
        }
    }
}

/// An unlocked gnome-keyring with only its Secret Service, on the bus.
async fn start_keyring(bus_address: &str, home: &Path, runtime: &Path) -> Child {
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("gnome-keyring-daemon is needed (apt-get install gnome-keyring)");
    // The keyring's password, read until end of input.
    let mut password = keyring.stdin.take().unwrap();
    password.write_all(b"tatami-test").await.unwrap();
    drop(password);
    keyring
}

/// Whether `name` has an owner on the bus (false while the bus is not up).
async fn name_has_owner(bus_address: &str, name: &str) -> bool {
    let answer = Command::new("dbus-send")
        .args([
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
        ])
        .arg("org.freedesktop.DBus.NameHasOwner")
        .arg(format!("string:{name}"))
        .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
        .stderr(Stdio::null())
        .output()
        .await
        .expect("dbus-send is needed (apt-get install dbus)");
    String::from_utf8_lossy(&answer.stdout).contains("boolean true")
}

/// Waits up to `seconds` for `done` to hold of `subject`, checking every
/// 20 ms; whether it did.
pub async fn eventually<S>(subject: &mut S, seconds: u64, mut done: impl AsyncFnMut(&mut S) -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if done(subject).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// One `tatami-device` process.
#[derive(Debug)]
pub struct DeviceProcess {
    dir: PathBuf,
    secrets: SecretService,
    clock_offset: i64,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl DeviceProcess {
    /// Starts a device over the store and a new keyring in `dir`.
    pub async fn start(dir: &Path) -> Self {
        Self::start_with(dir, SecretService::start(dir).await, 0)
    }

    fn start_with(dir: &Path, secrets: SecretService, clock_offset: i64) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tatami-device"))
            .arg("--store")
            .arg(dir.join("device.db"))
            .arg(format!("--clock-offset={clock_offset}"))
            .env("DBUS_SESSION_BUS_ADDRESS", &secrets.bus_address)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            dir: dir.to_owned(),
            secrets,
            clock_offset,
            child,
            stdin,
            stdout,
        }
    }

    /// Sends `command`; the device's answer or its error.
    pub async fn call(&mut self, command: Value) -> Result<Value, Value> {
        self.send(&command).await;
        self.answer(&command).await
    }

    /// Sends `command` without waiting for its answer.
    pub async fn send(&mut self, command: &Value) {
        let mut line = command.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The answer to `command`, sent before.
    pub async fn answer(&mut self, command: &Value) -> Result<Value, Value> {
        let answer = tokio::time::timeout(Duration::from_mins(1), self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("the device did not answer {command}"))
            .unwrap()
            .unwrap_or_else(|| panic!("the device exited on {command}"));
        let mut answer: Value = serde_json::from_str(&answer).unwrap();
        match answer.get_mut("ok") {
            Some(value) => Ok(value.take()),
            None => Err(answer["error"].take()),
        }
    }

    /// Sends `command`, which must succeed.
    pub async fn ok(&mut self, command: Value) -> Value {
        match self.call(command.clone()).await {
            Ok(value) => value,
            Err(error) => panic!("{command} failed: {error}"),
        }
    }

    pub async fn unlock(&mut self, email: &str) {
        self.ok(json!({ "op": "unlock", "email": email, "pin": PIN }))
            .await;
    }

    pub async fn sync(&mut self) -> Value {
        self.ok(json!({ "op": "sync" })).await
    }

    /// Adds `count` students ("Student 0", ...); their ids.
    pub async fn add_students(&mut self, count: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for n in 0..count {
            let added = self
                .ok(json!({ "op": "add_student", "name": format!("Student {n}") }))
                .await;
            ids.push(added.as_str().unwrap().to_owned());
        }
        ids
    }

    pub async fn snapshot(&mut self) -> Value {
        self.ok(json!({ "op": "snapshot" })).await
    }

    /// Kills the device with SIGKILL, as a crash would, and starts it again
    /// over the same store and keyring.
    pub async fn restart(self) -> Self {
        self.restart_with(|_| {}).await
    }

    /// Kills the device, lets `meanwhile` work on its SQLite file, and
    /// starts it again.
    pub async fn restart_with(mut self, meanwhile: impl FnOnce(&Path)) -> Self {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
        meanwhile(&self.dir.join("device.db"));
        Self::start_with(&self.dir, self.secrets, self.clock_offset)
    }
}

/// The sync server as a process of its own over a test server's database,
/// so that a test can kill it with SIGKILL and start it again at the same
/// address.
#[derive(Debug)]
pub struct ServerProcess {
    pub base: String,
    env: Vec<(&'static str, String)>,
    child: Child,
}

impl ServerProcess {
    pub async fn start(over: &TestServer) -> Self {
        let env = vec![
            ("TATAMI_DATABASE__URL", over.db.app_url.clone()),
            ("TATAMI_AUTH__MASTER_KEY", testing::master_key_for(&over.db)),
            ("TATAMI_AUTH__TOKEN_SECRET", testing::TOKEN_SECRET.to_owned()),
            ("TATAMI_DATA_DIR", scratch_dir().display().to_string()),
        ];
        let (child, base) = Self::spawn(&env, "127.0.0.1:0").await;
        Self { base, env, child }
    }

    async fn spawn(env: &[(&'static str, String)], listen: &str) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tatami-server-process"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("TATAMI_LISTEN", listen)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_mins(1), stdout.next_line())
            .await
            .expect("the server did not start within a minute")
            .unwrap()
            .expect("the server exited before serving");
        let address = line.strip_prefix("serving ").unwrap();
        (child, format!("http://{address}"))
    }

    /// A server over its own embedded PostgreSQL in `data_dir`, archiving
    /// its write-ahead log to `data_dir/wal-archive`.
    pub async fn embedded(data_dir: &Path) -> Self {
        let env = vec![
            ("TATAMI_DATA_DIR", data_dir.display().to_string()),
            (
                "TATAMI_DATABASE__WAL_ARCHIVE",
                data_dir.join("wal-archive").display().to_string(),
            ),
            ("RUST_LOG", "warn".to_owned()),
        ];
        let (child, base) = Self::spawn(&env, "127.0.0.1:0").await;
        Self { base, env, child }
    }

    /// Runs `tatami-sync-server` with `args` and this server's
    /// configuration, as its operator would; what it prints, or why it
    /// failed.
    pub async fn cli(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(env!("CARGO_BIN_EXE_tatami-server-cli"))
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(stdout)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    /// Stops the server as its operator would (SIGTERM), waiting until it
    /// has finished and stopped its database.
    pub async fn stop(&mut self) {
        let pid = rustix::process::Pid::from_raw(i32::try_from(self.child.id().unwrap()).unwrap()).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = tokio::time::timeout(Duration::from_mins(1), self.child.wait())
            .await
            .expect("the server did not stop within a minute")
            .unwrap();
        assert!(status.success(), "the server stopped with {status}");
    }

    /// SIGKILL, wherever the server is in its work.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    /// Starts the stopped or killed server again at the same address.
    pub async fn restart(&mut self) {
        let listen = self.base.trim_start_matches("http://").to_owned();
        (self.child, _) = Self::spawn(&self.env, &listen).await;
    }
}

/// The server's attendance rows for `student`: (held on, voided).
/// One text value the server's database gives for `query` with `bind`
/// (as the superuser, across academies); `None` for SQL NULL or no row.
pub async fn server_text(server: &TestServer, query: &'static str, bind: &str) -> Option<String> {
    let mut conn = PgConnection::connect_with(&server.db.superuser).await.unwrap();
    let value: Option<Option<String>> = sqlx::query_scalar(query)
        .bind(bind)
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    value.flatten()
}

pub async fn server_attendance(server: &TestServer, student: &str) -> Vec<(String, bool)> {
    let mut conn = PgConnection::connect_with(&server.db.superuser).await.unwrap();
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT held_on::text, voided_at IS NOT NULL FROM attendance WHERE student_id = $1::uuid ORDER BY held_on",
    )
    .bind(student)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    rows
}
