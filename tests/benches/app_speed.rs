//! The app's speed with 10,000 students, in its real window against a real
//! server: cold start (process start to the PIN screen ready; PIN accepted
//! to a usable kiosk) and roster search (a keystroke to its results
//! rendered). `cargo bench -p tatami-e2e --bench app_speed`; figures in
//! BENCHMARKS.md. The screens mark the moments measured
//! (`performance.mark`, the roster's `data-query`), so times are read in
//! the page, not through WebDriver's round trips.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark program")]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::window::{AppWindow, Display};
use support::{Academy, PASSWORD, PIN, TestServer, belts, eventually, scratch_dir};
use tatami_core::people::Role;

const STUDENTS: usize = 10_000;
const STARTS: usize = 5;
const FIRST: [&str; 10] = [
    "Ana", "Bruno", "Carla", "Davi", "Elisa", "Fábio", "Gabi", "Hugo", "Iris", "João",
];
const LAST: [&str; 10] = [
    "Souza", "Lima", "Costa", "Rocha", "Dias", "Nunes", "Alves", "Ramos", "Pinto", "Melo",
];

/// What a staff member types, a keystroke at a time.
const TYPED: [&str; 3] = ["maria souza", "joão pinto 42", "ramos"];

/// Where a keystroke's time goes, in order: the input event to the screen
/// asking for the roster; the `roster` command (IPC, SQL, JSON); the
/// answer to the list updated on the page; the list updated to the next
/// frame painted.
const PHASES: [&str; 4] = ["to ask", "command", "render", "frame"];

/// Types `arguments[0]` into the roster search and times its phases
/// (`PHASES`) from the marks the roster screen makes around its `roster`
/// call.
const KEYSTROKE: &str = "const [typed] = arguments;
    const input = document.querySelector('input[name=query]');
    const list = document.querySelector('ul[aria-label=Students]');
    const at = (mark) => performance.getEntriesByName(mark)[0].startTime;
    return new Promise((done) => {
      const start = performance.now();
      const seen = new MutationObserver(() => {
        if (list.dataset.query !== typed.trim()) return;
        seen.disconnect();
        const shown = performance.now();
        requestAnimationFrame(() => {
          const [asked, answered] = [at('roster-asked'), at('roster-answered')];
          done({
            'to ask': asked - start,
            command: answered - asked,
            render: shown - answered,
            frame: performance.now() - shown,
          });
        });
      });
      seen.observe(list, { attributes: true, attributeFilter: ['data-query'] });
      input.value = typed;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      setTimeout(() => done(null), 5000);
    });";

/// Changes the page's background to `arguments[0]` and times it to the
/// frame after the one that paints it.
const REPAINT: &str = "document.body.style.background = arguments[0];
    const start = performance.now();
    return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start))));";
const REPAINTS: usize = 10;

struct Keystroke {
    typed: String,
    /// Milliseconds, as `PHASES`.
    phases: [f64; 4],
}

impl Keystroke {
    fn total(&self) -> f64 {
        self.phases.iter().sum()
    }

    fn breakdown(&self) -> String {
        PHASES
            .iter()
            .zip(self.phases)
            .map(|(phase, ms)| format!("{phase} {ms:.0}"))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// When `mark` was made, in ms since the epoch, once it has been.
async fn mark(app: &AppWindow, name: &str) -> f64 {
    let script = format!(
        "const m = performance.getEntriesByName('{name}')[0]; return m ? performance.timeOrigin + m.startTime : null"
    );
    let mut at = Value::Null;
    let made = eventually(&mut at, 60, async |at| {
        *at = app.script(&script).await;
        at.is_number()
    })
    .await;
    assert!(made, "the screen never marked {name}");
    at.as_f64().unwrap()
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    // Nearest rank, rounded.
    let at = |percent: usize| ms[((ms.len() - 1) * percent + 50) / 100];
    println!(
        "{name}: n={} median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        ms.len(),
        at(50),
        at(95),
        ms[ms.len() - 1]
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = TestServer::start().await;
    let academy = Academy::create(&server, "speed").await;
    let mut laptop = academy.device(Role::Admin).await;
    laptop.ok(json!({ "op": "set_belts", "ranks": belts(40) })).await;
    for i in 0..STUDENTS {
        let name = format!("{} {} {}", FIRST[i % 10], LAST[(i / 10) % 10], i / 100);
        laptop.ok(json!({ "op": "add_student", "name": name })).await;
    }
    // A few Marias, so a search has something to narrow down.
    for i in 0..20 {
        laptop
            .ok(json!({ "op": "add_student", "name": format!("Maria Souza {i}") }))
            .await;
    }
    laptop.sync().await;
    eprintln!("seeded {} students", STUDENTS + 20);

    let display = Display::start().await;
    let dir = scratch_dir().join("kiosk");
    let env = [
        ("TATAMI_SERVER", server.base.as_str()),
        ("TATAMI_CAMERA", "no-camera-here.y4m"),
    ];
    {
        let app = AppWindow::open(&display, &dir, &env).await;
        app.expect("Set up this device", 30).await;
        app.type_into("input[name=academy]", &academy.tenant.slug).await;
        app.type_into("input[name=email]", &academy.owner).await;
        app.type_into("input[name=password]", PASSWORD).await;
        app.press("Enrol this device").await;
        app.expect("unlock with your email and PIN", 120).await;
        let all = eventually(&mut (), 120, async |()| {
            let state = app
                .script("return window.__TAURI_INTERNALS__.invoke('device_state').then((s) => s.students)")
                .await;
            state.as_u64() >= Some(STUDENTS as u64)
        })
        .await;
        assert!(all, "the students did not all arrive");
    }

    let (mut cold, mut unlocked) = (Vec::new(), Vec::new());
    let (mut keystrokes, mut repaints) = (Vec::new(), Vec::new());
    for start in 0..STARTS {
        let spawned = epoch_ms();
        let app = AppWindow::open(&display, &dir, &env).await;
        cold.push(mark(&app, "unlock-ready").await - spawned);
        app.type_into("input[name=email]", &academy.owner).await;
        app.type_into("input[name=pin]", PIN).await;
        let pressed = app
            .script("document.querySelector('form button[type=submit]').click(); return performance.timeOrigin + performance.now()")
            .await
            .as_f64()
            .unwrap();
        unlocked.push(mark(&app, "kiosk-ready").await - pressed);
        if start + 1 == STARTS {
            app.press("Students").await;
            app.expect("Ana Alves", 30).await;
            for text in TYPED {
                app.type_into("input[name=query]", "").await;
                for end in 1..=text.chars().count() {
                    let typed: String = text.chars().take(end).collect();
                    // A space changes no search: nothing new to show.
                    if typed.ends_with(' ') {
                        continue;
                    }
                    let phases = app.script_with(KEYSTROKE, json!([typed])).await;
                    assert!(phases.is_object(), "no results for {typed:?}: {phases}");
                    keystrokes.push(Keystroke {
                        typed,
                        phases: PHASES.map(|phase| phases[phase].as_f64().unwrap()),
                    });
                }
            }
            // The baseline, in the same window: the whole page repainted
            // (its background changed) until the frame after it.
            for shade in 0..REPAINTS {
                let ms = app
                    .script_with(REPAINT, json!([format!("hsl({} 20% 95%)", shade * 30)]))
                    .await;
                repaints.push(ms.as_f64().unwrap());
            }
        }
    }
    summary("cold start to the PIN screen ready", cold);
    summary("PIN accepted to a usable kiosk", unlocked);
    summary(
        "roster keystroke to rendered results",
        keystrokes.iter().map(Keystroke::total).collect(),
    );
    for (index, phase) in PHASES.iter().enumerate() {
        summary(
            &format!("  {phase}"),
            keystrokes.iter().map(|k| k.phases[index]).collect(),
        );
    }
    summary("whole window repainted (baseline)", repaints);
    keystrokes.sort_by(|a, b| b.total().total_cmp(&a.total()));
    for slow in &keystrokes[..3] {
        println!(
            "slow keystroke {:?}: {:.0} ms = {}",
            slow.typed,
            slow.total(),
            slow.breakdown()
        );
    }
}
