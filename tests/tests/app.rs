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

use support::window::{AppWindow, Display, ENTER, TAB};
use support::{
    Academy, Fixture, PASSWORD, PIN, TestServer, academy_with_student, eventually, scratch_dir,
    server_attendance, server_text,
};
use tatami_qr_corpus::plan;
use tatami_qr_corpus::recording::write_y4m;

/// `card` held up to a camera, as one gray frame.
fn card_frame(card: &str) -> tatami_qr_corpus::Frame {
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

/// What the QR codes in a screenshot hold.
fn qr_codes_in(png: &[u8]) -> Vec<String> {
    let gray = image::load_from_memory(png).unwrap().to_luma8();
    let (width, height) = (gray.width() as usize, gray.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| gray.as_raw()[y * width + x]);
    prepared
        .detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_sets_a_logo_edits_a_profile_shows_a_card_that_scans_and_works_by_keyboard() {
    let server = TestServer::start().await;
    let (Fixture { academy, .. }, id, card) = academy_with_card(&server, "app-office").await;
    let dir = scratch_dir();
    let logo = dir.join("logo.png");
    image::RgbImage::from_fn(600, 300, |x, _| {
        image::Rgb([15, 118, if x < 300 { 110 } else { 250 }])
    })
    .save(&logo)
    .unwrap();
    let display = Display::start().await;
    let office = AppWindow::open(&display, &dir.join("office"), &[("TATAMI_SERVER", &server.base)]).await;
    enrol(&office, &academy, "admin").await;
    unlock(&office, &academy).await;

    // The logo, picked as a file, is shrunk and saved with the theme; it
    // heads every screen and reaches the server.
    office.press("Settings").await;
    office.expect("This device", 10).await;
    let not_an_image = dir.join("not-a-logo.png");
    std::fs::write(&not_an_image, "these are words, not pixels").unwrap();
    office.upload("input[name=logo]", &not_an_image).await;
    office
        .expect("That file is not an image this device can read", 10)
        .await;
    office.upload("input[name=logo]", &logo).await;
    office.expect("Remove logo", 10).await;
    accessible(&office, "settings with a logo").await;
    office.press("Save").await;
    office.expect("Theme saved.", 10).await;
    office.press("Belts").await;
    office.expect("Belt system", 10).await;
    accessible(&office, "belt editor").await;
    let header_logo = "const logo = document.querySelector('header img'); \
                       return logo && logo.complete ? [logo.naturalWidth, logo.naturalHeight] : null";
    let shown = eventually(&mut (), 10, async |()| {
        office.script(header_logo).await == json!([256, 128])
    })
    .await;
    assert!(
        shown,
        "the header shows the logo shrunk to 256 px: {}",
        office.script(header_logo).await
    );
    let tenant = academy.tenant.id.to_string();
    let saved = eventually(&mut (), 30, async |()| {
        server_text(
            &server,
            "SELECT theme->>'logo' FROM academies WHERE tenant_id = $1::uuid",
            &tenant,
        )
        .await
        .is_some_and(|logo| logo.starts_with("data:image/png;base64,"))
    })
    .await;
    assert!(saved, "the logo reached the server");

    // A profile edited: only the phone and status change, here and on the server.
    open_student(&office, "Ana Souza").await;
    office.press("Edit profile").await;
    accessible(&office, "profile form").await;
    office.type_into("input[name=phone]", "+351 912 345 678").await;
    office.click("select[name=status] option[value=paused]").await;
    office.press("Save").await;
    office.expect("Profile saved.", 10).await;
    office.expect("Paused · joined", 5).await;
    let phone = eventually(&mut (), 30, async |()| {
        server_text(
            &server,
            "SELECT phone || ' ' || status FROM students WHERE id = $1::uuid",
            &id,
        )
        .await
            == Some("+351 912 345 678 paused".into())
    })
    .await;
    assert!(phone, "the edit reached the server");

    // The member card, fetched by the app, shows and its QR code scans.
    office.press("Show card").await;
    office.expect("Print card", 30).await;
    let qr_drawn = "const qr = document.querySelector('figure img[alt^=\"QR\"]'); return !!qr && qr.complete";
    assert!(
        eventually(&mut (), 5, async |()| office.script(qr_drawn).await
            == json!(true))
        .await
    );
    // A window tall enough to show it without scrolling; once painted,
    // the QR code reads back as the card.
    office.resize(1280, 1800).await;
    let mut codes = Vec::new();
    let scanned = eventually(&mut codes, 10, async |codes| {
        *codes = qr_codes_in(&office.screenshot().await);
        !codes.is_empty()
    })
    .await;
    assert!(scanned, "no QR code on screen");
    assert_eq!(codes, [card], "the card on screen holds the student's card");

    // A student added at the desk opens on their own screen.
    office.press("Students").await;
    office.press("Add student").await;
    office.type_into("input[name=name]", "Rui Costa").await;
    office.press("Add student").await;
    office.expect("Rank history", 10).await;
    office.expect("Rui Costa", 5).await;

    // Without a mouse: unlock, search and open a student from the keyboard.
    office.press("Lock").await;
    office.expect("unlock with your email and PIN", 10).await;
    let unlock_logo = office
        .script("return document.querySelector('main img')?.naturalWidth ?? null")
        .await;
    assert_eq!(unlock_logo, json!(256), "the PIN screen shows the academy's logo");
    office.click("input[name=email]").await;
    office.keys(&format!("{}{TAB}{PIN}{ENTER}", academy.owner)).await;
    // Unlocked, the screen shown before locking is back.
    office.expect("Rank history", 10).await;
    office.press("Students").await;
    office.expect("Add student", 10).await;
    office.click("input[name=query]").await;
    // The search, then the belt and status filters, then the first row.
    office.keys(&format!("Rui{TAB}{TAB}{TAB}{ENTER}")).await;
    office.expect("Edit profile", 10).await;
    office.expect("Rui Costa", 5).await;
}

/// The window sizes the screens are made for: a 10" tablet held upright
/// and on its side, and a laptop.
const SIZES: [(&str, u32, u32); 3] = [
    ("tablet-portrait", 800, 1280),
    ("tablet-landscape", 1280, 800),
    ("laptop", 1440, 900),
];

/// Shows the current screen at every size: nothing may scroll sideways;
/// then checks it is accessible. Saves each size as `<screen>-<size>.png`
/// when asked to.
async fn check_screen(app: &AppWindow, screen: &str) {
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
    accessible(app, screen).await;
}

/// Checks the screen shown with axe-core (from `ui/node_modules`, which
/// the screens' build installs) against WCAG 2.1 A and AA: labels, names,
/// contrast, landmarks. Fails with every rule broken and where.
async fn accessible(app: &AppWindow, screen: &str) {
    let axe = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    let source =
        std::fs::read_to_string(&axe).expect("axe-core is installed with the screens (npm ci in ui/)");
    let check = format!(
        "{source}\n;return axe.run(document, {{ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }})\
         .then((r) => ({{ passed: r.passes.length, broken: r.violations.map((v) => \
             `${{v.id}} (${{v.impact}}): ${{v.nodes.map((n) => n.target.join(' ')).join(', ')}}`) }}))"
    );
    let result = app.script(&check).await;
    assert!(
        result["passed"].as_u64() > Some(5),
        "axe checked the {screen} screen: {result}"
    );
    assert_eq!(
        result["broken"],
        json!([]),
        "the {screen} screen breaks accessibility rules"
    );
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
    check_screen(&tablet, "first-run").await;
    enrol(&tablet, &academy, "front_desk").await;
    tablet.expect("unlock with your email and PIN", 30).await;
    check_screen(&tablet, "unlock").await;
    unlock(&tablet, &academy).await;
    tablet.expect("Ana Souza: already in", 30).await;
    check_screen(&tablet, "kiosk").await;
    tablet.press("Students").await;
    tablet.expect("Fábio Nunes", 10).await;
    check_screen(&tablet, "roster").await;
    tablet.press("Ana Souza").await;
    tablet.expect("Rank history", 10).await;
    check_screen(&tablet, "student").await;
    tablet.press("Show card").await;
    tablet.expect("Print card", 30).await;
    check_screen(&tablet, "member-card").await;
    for (screen, shows) in [
        ("Classes", "Roll"),
        ("Reports", "Check-ins per class"),
        ("Belts", "Belt system"),
        ("Settings", "This device"),
    ] {
        tablet.press(screen).await;
        tablet.expect(shows, 10).await;
        check_screen(&tablet, &screen.to_lowercase()).await;
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
