//! The app itself, in its real window under Xvfb, driven through WebDriver
//! against a real server: a front-desk tablet is enrolled, unlocked by PIN
//! and checks a student in from its (file) camera; an instructor's laptop,
//! a second app instance, sees the check-in and promotes the student; the
//! promotion reaches the server and the tablet. Every key screen fits a
//! tablet held either way and a laptop; with `TATAMI_SCREENSHOTS=<dir>`
//! (`tools/screenshots`) that test also saves each as a PNG.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod support;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::json;

use support::window::{AppWindow, Display};
use support::{
    Academy, Fixture, PASSWORD, PIN, TestServer, academy_with_student, eventually, scratch_dir,
    server_attendance,
};
use tatami_e2e::corpus::plan;
use tatami_e2e::recording::write_y4m;

/// `card` held up to a camera, as one gray frame.
fn card_frame(card: &str) -> tatami_e2e::corpus::Frame {
    let corpus = plan(7, 4).unwrap();
    corpus.cards_mildest_first()[0].showing(card).render().unwrap()
}

/// The test academy `slug` with a student: its id and member card.
async fn academy_with_card(server: &TestServer, slug: &str) -> (Fixture, String, String) {
    let fixture = academy_with_student(server, slug).await;
    let id = fixture.student.as_str().unwrap().to_owned();
    let card = fixture.academy.card(&id).await;
    (fixture, id, card)
}

/// A video of `card` held up to the door camera for two seconds.
fn door_video(card: &str, path: &Path) {
    let held = card_frame(card);
    let empty = vec![190; held.pixels.len()];
    let mut frames = vec![empty.as_slice(); 15];
    frames.extend([held.pixels.as_slice(); 60]);
    write_y4m(path, held.width as usize, held.height as usize, &frames).unwrap();
}

/// The first-run screen, filled in by the academy's owner.
async fn enrol(app: &AppWindow, academy: &Academy, kind: &str) {
    app.expect("Set up this device", 30).await;
    app.type_into("input[name=academy]", &academy.tenant.slug).await;
    app.type_into("input[name=email]", &academy.owner).await;
    app.type_into("input[name=password]", PASSWORD).await;
    app.click(&format!("input[name=role][value={kind}]")).await;
    app.press("Enrol this device").await;
}

async fn unlock(app: &AppWindow, academy: &Academy) {
    app.expect("unlock with your email and PIN", 30).await;
    app.type_into("input[name=email]", &academy.owner).await;
    app.type_into("input[name=pin]", PIN).await;
    app.press("Unlock").await;
}

async fn open_student(app: &AppWindow, name: &str) {
    app.press("Students").await;
    app.press(name).await;
    app.expect("Rank history", 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_checks_a_card_in_and_a_laptop_sees_it_and_promotes() {
    let server = TestServer::start().await;
    let (Fixture { academy, .. }, id, card) = academy_with_card(&server, "app-door").await;
    let id = id.as_str();
    let dir = scratch_dir();
    let video = dir.join("door.y4m");
    door_video(&card, &video);
    let display = Display::start().await;
    let camera = video.to_str().unwrap();

    let tablet = AppWindow::open(
        &display,
        &dir.join("tablet"),
        &[("TATAMI_CAMERA", camera), ("TATAMI_SERVER", &server.base)],
    )
    .await;
    enrol(&tablet, &academy, "front_desk").await;
    unlock(&tablet, &academy).await;
    // The kiosk opens first and its camera reads the card.
    tablet.expect("Welcome, Ana Souza", 30).await;
    tablet.expect("Open mat", 5).await;
    open_student(&tablet, "Ana Souza").await;
    tablet.expect("1 class in the last 26 weeks", 10).await;
    let reached = eventually(&mut (), 30, async |()| {
        server_attendance(&server, id).await.len() == 1
    })
    .await;
    assert!(reached, "the check-in reached the server");

    let laptop = AppWindow::open(&display, &dir.join("laptop"), &[("TATAMI_SERVER", &server.base)]).await;
    enrol(&laptop, &academy, "instructor").await;
    unlock(&laptop, &academy).await;
    open_student(&laptop, "Ana Souza").await;
    laptop.expect("1 class in the last 26 weeks", 30).await;
    laptop.type_into("textarea[name=notes]", "Sharp guard work").await;
    laptop.press("Promote").await;
    laptop.expect("Promoted to White, 1 stripe", 10).await;
    laptop.expect("Sharp guard work", 5).await;

    let promoted = eventually(&mut (), 30, async |()| {
        academy.get(&format!("/v1/students/{id}/progress")).await["standing"]["grade"]["stripes"] == 1
    })
    .await;
    assert!(promoted, "the promotion reached the server");
    // The tablet hears of it from the server.
    tablet.expect("Sharp guard work", 30).await;
}

/// The window sizes the screens are made for: a 10" tablet held upright
/// and on its side, and a laptop.
const SIZES: [(&str, u32, u32); 3] = [
    ("tablet-portrait", 800, 1280),
    ("tablet-landscape", 1280, 800),
    ("laptop", 1440, 900),
];

/// Shows the current screen at every size: nothing may scroll sideways.
/// Saves each as `<screen>-<size>.png` when asked to.
async fn fits_every_size(app: &AppWindow, screen: &str) {
    let saved = std::env::var_os("TATAMI_SCREENSHOTS").map(PathBuf::from);
    for (size, width, height) in SIZES {
        app.resize(width, height).await;
        let laid_out = eventually(&mut (), 5, async |()| {
            app.script("return window.innerWidth").await == json!(width)
        })
        .await;
        assert!(laid_out, "the window did not take {width}x{height}");
        let overflow = app
            .script("return document.documentElement.scrollWidth - window.innerWidth")
            .await;
        assert!(
            overflow.as_i64() <= Some(0),
            "the {screen} screen scrolls sideways by {overflow} px at {size}"
        );
        if let Some(dir) = &saved {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{screen}-{size}.png")), app.screenshot().await).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_screen_fits_a_tablet_either_way_and_a_laptop() {
    let server = TestServer::start().await;
    let (
        Fixture {
            academy, mut laptop, ..
        },
        id,
        card,
    ) = academy_with_card(&server, "app-screens").await;
    for name in [
        "Bruno Costa",
        "Carla Dias",
        "Davi Rocha",
        "Elisa Martins",
        "Fábio Nunes",
    ] {
        laptop.ok(json!({ "op": "add_student", "name": name })).await;
    }
    laptop.unlock(&academy.owner).await;
    laptop
        .ok(json!({ "op": "check_in", "student": id, "session": null }))
        .await;
    laptop.sync().await;
    let dir = scratch_dir();
    let video = dir.join("door.y4m");
    door_video(&card, &video);
    let display = Display::start().await;
    let tablet = AppWindow::open(
        &display,
        &dir.join("tablet"),
        &[
            ("TATAMI_CAMERA", video.to_str().unwrap()),
            ("TATAMI_SERVER", &server.base),
        ],
    )
    .await;

    tablet.expect("Set up this device", 30).await;
    fits_every_size(&tablet, "first-run").await;
    enrol(&tablet, &academy, "front_desk").await;
    tablet.expect("unlock with your email and PIN", 30).await;
    fits_every_size(&tablet, "unlock").await;
    unlock(&tablet, &academy).await;
    tablet.expect("Ana Souza: already in", 30).await;
    fits_every_size(&tablet, "kiosk").await;
    tablet.press("Students").await;
    tablet.expect("Fábio Nunes", 10).await;
    fits_every_size(&tablet, "roster").await;
    tablet.press("Ana Souza").await;
    tablet.expect("Rank history", 10).await;
    fits_every_size(&tablet, "student").await;
    for (screen, shows) in [
        ("Classes", "Roll"),
        ("Reports", "Check-ins per class"),
        ("Belts", "Belt system"),
        ("Settings", "This device"),
    ] {
        tablet.press(screen).await;
        tablet.expect(shows, 10).await;
        fits_every_size(&tablet, &screen.to_lowercase()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_from_the_webview_camera_check_a_card_in_through_the_same_scanner() {
    let server = TestServer::start().await;
    let (Fixture { academy, .. }, id, card) = academy_with_card(&server, "app-phone").await;
    let id = id.as_str();
    let held = card_frame(&card);
    let pixels = base64::engine::general_purpose::STANDARD.encode(&held.pixels);
    let display = Display::start().await;
    let dir = scratch_dir();
    let phone = AppWindow::open(
        &display,
        &dir.join("phone"),
        &[("TATAMI_CAMERA", "webview"), ("TATAMI_SERVER", &server.base)],
    )
    .await;
    enrol(&phone, &academy, "front_desk").await;
    unlock(&phone, &academy).await;
    // There is no camera for the webview here: the test hands the app the
    // frames the screens would take from it, through the same command.
    let push = "return window.__TAURI_INTERNALS__.invoke('push_frame', \
                { width: arguments[0], height: arguments[1], pixels: arguments[2] }) \
                .then(() => 'taken', (e) => e.code)";
    let arguments = json!([held.width, held.height, pixels]);
    let mut answers = Vec::new();
    let welcomed = eventually(&mut answers, 30, async |answers| {
        answers.push(phone.script_with(push, arguments.clone()).await);
        phone.text().await.contains("Welcome, Ana Souza")
    })
    .await;
    assert!(
        welcomed,
        "no check-in from pushed frames; the pushes answered {answers:?}"
    );
    assert!(answers.contains(&json!("taken")), "{answers:?}");
    let reached = eventually(&mut (), 30, async |()| {
        server_attendance(&server, id).await.len() == 1
    })
    .await;
    assert!(reached, "the check-in reached the server");
}
