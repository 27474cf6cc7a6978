//! The real app in a real window: an X display of our own (Xvfb), and the
//! `tatami` binary driven through WebDriver (tauri-driver in front of
//! WebKitWebDriver), each instance with its own store and keyring.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::{SecretService, eventually};

/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A virtual X display; stops when dropped.
#[derive(Debug)]
pub struct Display {
    pub name: String,
    _server: Child,
}

impl Display {
    /// Xvfb picks a free display number itself (stale locks of servers
    /// that were killed do not count) and prints it once it accepts
    /// connections.
    pub async fn start() -> Self {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1366x1024x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("Xvfb is needed (apt-get install xvfb)");
        let mut number = String::new();
        let stdout = server.stdout.take().expect("Xvfb's output");
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            BufReader::new(stdout).read_line(&mut number),
        )
        .await;
        let number = number.trim();
        assert!(
            matches!(read, Ok(Ok(_))) && number.parse::<u32>().is_ok(),
            "Xvfb did not start a display: {read:?} {number:?}"
        );
        Self {
            name: format!(":{number}"),
            _server: server,
        }
    }
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let installed = home.join(".cargo/bin/tauri-driver");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// WebDriver's key codes.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

/// One running app instance and its WebDriver session.
#[derive(Debug)]
pub struct AppWindow {
    http: reqwest::Client,
    session: String,
    driver: Child,
    _secrets: SecretService,
}

impl AppWindow {
    /// Starts the app on `display` over the store in `dir`, with extra
    /// environment (`TATAMI_CAMERA`, `TATAMI_SERVER`).
    pub async fn open(display: &Display, dir: &Path, env: &[(&str, &str)]) -> Self {
        let secrets = SecretService::start(dir).await;
        let port = free_port();
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("DISPLAY", &display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &secrets.bus_address)
            .env("HOME", dir.join("home"))
            .env("XDG_RUNTIME_DIR", dir.join("run"))
            .env("TATAMI_DATA_DIR", dir.join("app"))
            .env("NO_AT_BRIDGE", "1")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("tauri-driver is needed (cargo install tauri-driver)");
        tatami_sync_server::tls::use_ring();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let up = eventually(&mut (), 20, async |()| {
            http.get(format!("{base}/status")).send().await.is_ok()
        })
        .await;
        assert!(up, "tauri-driver did not start");
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&json!({ "capabilities": { "alwaysMatch": {
                "tauri:options": { "application": env!("CARGO_BIN_EXE_tatami-app") }
            } } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"));
        Self {
            session: format!("{base}/session/{session}"),
            http,
            driver,
            _secrets: secrets,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        answer["value"].clone()
    }

    /// The first element found `using` a WebDriver strategy, once there
    /// is one (10 s at most).
    async fn element(&self, using: &str, value: &str) -> String {
        let mut found = None;
        eventually(&mut found, 10, async |found| {
            let answer = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({ "using": using, "value": value })),
                )
                .await;
            *found = answer[ELEMENT].as_str().map(str::to_owned);
            found.is_some()
        })
        .await;
        match found {
            Some(element) => element,
            None => panic!("nothing matches {value:?}; the page: {}", self.text().await),
        }
    }

    async fn click_element(&self, element: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        self.click_element(&self.element("css selector", css).await).await;
    }

    /// Clicks the button whose text contains `label`.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[contains(normalize-space(.), '{label}')]");
        self.click_element(&self.element("xpath", &xpath).await).await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.element("css selector", css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Types `keys` into whatever has the focus, as a keyboard would
    /// (WebDriver's codes: `TAB`, `ENTER`).
    pub async fn keys(&self, keys: &str) {
        let active = self.call(reqwest::Method::GET, "/element/active", None).await;
        let element = active[ELEMENT].as_str().expect("something has the focus");
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": keys })),
        )
        .await;
    }

    /// Chooses the file at `path` in the file input `css`, as a person
    /// picking it would.
    pub async fn upload(&self, css: &str, path: &Path) {
        let element = self.element("css selector", css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": path.to_str().unwrap() })),
        )
        .await;
    }

    /// Runs `script` in the page; what it returns.
    pub async fn script(&self, script: &str) -> Value {
        self.script_with(script, json!([])).await
    }

    /// Runs `script` in the page with `arguments`; what it returns (a
    /// promise's value once it settles).
    pub async fn script_with(&self, script: &str, arguments: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": arguments })),
        )
        .await
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.script("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits up to `seconds` until the page shows `needle`.
    pub async fn shows(&self, needle: &str, seconds: u64) -> bool {
        eventually(&mut (), seconds, async |()| self.text().await.contains(needle)).await
    }

    /// Waits for `needle`, failing with what the page shows instead.
    pub async fn expect(&self, needle: &str, seconds: u64) {
        let shown = self.shows(needle, seconds).await;
        assert!(shown, "{needle:?} did not show; the page: {}", self.text().await);
    }

    /// Sets the window's size (a tablet held one way or the other, a laptop).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// A PNG of the window.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let encoded = self.call(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .unwrap()
    }
}

impl Drop for AppWindow {
    /// The driver, WebKitWebDriver and the app go together: they share the
    /// driver's process group.
    fn drop(&mut self) {
        if let Some(id) = self
            .driver
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(id.cast_signed()))
        {
            let _ = rustix::process::kill_process_group(id, rustix::process::Signal::KILL);
        }
    }
}
