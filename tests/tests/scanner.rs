//! The scanner over real recordings (PNG and JPEG files, a folder of them,
//! a YUV4MPEG2 video) and real camera pixel formats: each pass shown is
//! reported once, a live source is skipped to its newest frame, and every
//! way frames stop is a clear event, never a hang.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;
use std::time::Duration;

use tatami_core::pass::TrustedKeys;
use tatami_qr_corpus::plan;
use tatami_qr_corpus::recording::write_y4m;
use tatami_scan::{
    self as scan, GrayFrame, PixelFormat, ScanEvent, ScanOptions, Scanner, SourceError, open_recording,
    to_gray,
};

/// A camera frame with a pass the pipeline reads, and a frame of nothing.
struct Door {
    pass: String,
    keys: TrustedKeys,
    code: GrayFrame,
    blank: GrayFrame,
}

fn door() -> Door {
    let corpus = plan(7, 4).unwrap();
    let keys = corpus.academy.trusted().clone();
    // A clear card first, as at most doors.
    for spec in corpus.cards_mildest_first() {
        let frame = spec.render().unwrap();
        let (width, height) = (frame.width as usize, frame.height as usize);
        let code = GrayFrame::new(width, height, frame.pixels).unwrap();
        if scan::decode(&code).payloads.len() == 1 {
            return Door {
                pass: spec.expected.clone().unwrap(),
                keys,
                blank: GrayFrame::new(width, height, vec![190; width * height]).unwrap(),
                code,
            };
        }
    }
    panic!("no card of seed 7 reads");
}

/// The scanner's options, but no time budget a frame: tests share two
/// cores, and a busy machine must not decide what is read (the budget is
/// measured in BENCHMARKS.md and cut short in `scan.rs`).
fn unhurried() -> ScanOptions {
    ScanOptions {
        budget: Duration::MAX,
        ..ScanOptions::default()
    }
}

fn save_png(frame: &GrayFrame, path: &Path) {
    let (width, height) = (frame.width.try_into().unwrap(), frame.height.try_into().unwrap());
    image::GrayImage::from_raw(width, height, frame.pixels.clone())
        .unwrap()
        .save(path)
        .unwrap();
}

fn save_y4m(frames: &[&GrayFrame], path: &Path) {
    let pixels: Vec<&[u8]> = frames.iter().map(|f| f.pixels.as_slice()).collect();
    write_y4m(path, frames[0].width, frames[0].height, &pixels).unwrap();
}

fn scan(door: &Door, source: scan::Recording, options: ScanOptions) -> (Vec<ScanEvent>, scan::ScanStats) {
    let keys = door.keys.clone();
    let scanner = Scanner::start(
        move || Ok(source),
        move |text: &str| keys.is_signed(text),
        options,
    )
    .unwrap();
    let mut events = Vec::new();
    while let Some(event) = scanner.next_event(Duration::from_mins(1)) {
        let stopped = matches!(event, ScanEvent::Stopped(_));
        events.push(event);
        if stopped {
            break;
        }
    }
    (events, scanner.stats())
}

#[test]
fn a_folder_of_frames_reads_the_pass_once_and_a_broken_image_spoils_one_frame() {
    let door = door();
    let dir = tempfile::tempdir().unwrap();
    let frames = [
        &door.blank,
        &door.code,
        &door.code,
        &door.code,
        &door.blank,
        &door.code,
    ];
    for (i, frame) in frames.iter().enumerate() {
        save_png(frame, &dir.path().join(format!("{i:02}.png")));
    }
    std::fs::write(dir.path().join("03b.jpg"), b"\xff\xd8 not a JPEG").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"not a frame").unwrap();
    let (events, stats) = scan(&door, open_recording(dir.path()).unwrap(), unhurried());
    assert_eq!(
        events,
        [ScanEvent::Read(door.pass.clone()), ScanEvent::Stopped(None)]
    );
    assert_eq!(
        (stats.decoded, stats.spoiled, stats.skipped, stats.panicked),
        (6, 1, 0, 0)
    );
}

#[test]
fn a_video_played_as_a_camera_skips_to_the_newest_frame_and_reads_the_pass() {
    let door = door();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("door.y4m");
    let mut frames = vec![&door.blank; 40];
    frames.extend([&door.code; 10]);
    save_y4m(&frames, &path);
    // A thousand frames a second: far faster than any decode.
    let (events, stats) = scan(&door, open_recording(&path).unwrap().played_at(1000), unhurried());
    assert_eq!(
        events,
        [ScanEvent::Read(door.pass.clone()), ScanEvent::Stopped(None)]
    );
    assert!(stats.skipped > 0, "{stats:?}");
    assert_eq!(stats.decoded + stats.skipped, 50, "{stats:?}");
}

#[test]
fn a_cut_video_reads_what_it_holds_then_says_it_is_cut() {
    let door = door();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.y4m");
    save_y4m(&[&door.code, &door.code, &door.code], &path);
    let length = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(length - 1000)
        .unwrap();
    let (events, _) = scan(&door, open_recording(&path).unwrap(), unhurried());
    assert_eq!(events[0], ScanEvent::Read(door.pass.clone()));
    match &events[1..] {
        [ScanEvent::Stopped(Some(SourceError::Recording { reason, .. }))] => {
            assert!(reason.contains("ends inside a frame"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_source_that_falls_silent_stops_the_scan_with_a_clear_error() {
    let door = door();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.y4m");
    save_y4m(&[&door.blank, &door.blank], &path);
    // One frame a second, and silence allowed for a third of one.
    let options = ScanOptions {
        silence: Duration::from_millis(300),
        ..unhurried()
    };
    let (events, stats) = scan(&door, open_recording(&path).unwrap().played_at(1), options);
    assert_eq!(
        events,
        [ScanEvent::Stopped(Some(SourceError::CameraSilent(
            options.silence
        )))]
    );
    assert_eq!(stats.decoded, 1);
    let code = SourceError::CameraSilent(options.silence).code();
    assert_eq!(serde_json::to_value(code).unwrap(), "camera_silent");
}

#[test]
fn a_camera_that_is_not_there_is_refused_at_the_start_of_a_scan() {
    // No machine has this many cameras; this one has none.
    let started = Scanner::start(
        || scan::Camera::open(9999, 1280, 720),
        |_: &str| true,
        unhurried(),
    );
    assert_eq!(started.err(), Some(SourceError::NoCamera));
}

#[test]
fn recordings_that_cannot_be_read_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |path: &Path| match open_recording(path) {
        Err(SourceError::Recording { reason, .. }) => reason,
        other => panic!("{}: {other:?}", path.display()),
    };
    assert_eq!(refused(&dir.path().join("absent")), "no such file or folder");
    std::fs::write(dir.path().join("notes.txt"), b"text").unwrap();
    assert_eq!(refused(dir.path()), "the folder holds no PNG or JPEG image");
    let video = dir.path().join("v.y4m");
    for (header, reason) in [
        (&b"RIFF....AVI "[..], "a header line is cut or longer than 1 KiB"),
        (b"MPEG2 W8 H8\n", "not a YUV4MPEG2 video"),
        (b"YUV4MPEG2 W8 H8 C420p10\n", "colour layout C420p10 is not read"),
        (b"YUV4MPEG2 W0 H8\n", "a frame of 0x8"),
        (b"YUV4MPEG2 W99999 H99999\n", "a frame of 99999x99999"),
        (b"", "empty file"),
    ] {
        std::fs::write(&video, header).unwrap();
        assert_eq!(refused(&video), reason);
    }
}

#[test]
fn each_camera_pixel_format_reads_as_the_gray_frame_and_a_short_frame_is_refused() {
    let door = door();
    let (w, h) = (door.code.width, door.code.height);
    let y = &door.code.pixels;
    let yuyv: Vec<u8> = y.iter().flat_map(|&luma| [luma, 128]).collect();
    let mut nv12 = y.clone();
    nv12.resize(w * h + w * h / 2, 128);
    let rgb: Vec<u8> = y.iter().flat_map(|&luma| [luma; 3]).collect();
    for (format, bytes) in [
        (PixelFormat::Gray, y),
        (PixelFormat::Yuyv, &yuyv),
        (PixelFormat::Nv12, &nv12),
        (PixelFormat::Rgb, &rgb),
        (PixelFormat::Bgr, &rgb),
    ] {
        let gray = to_gray(format, w, h, bytes).unwrap();
        assert!(
            gray.pixels.iter().zip(y).all(|(a, b)| a.abs_diff(*b) <= 1),
            "{format:?}"
        );
        let short = to_gray(format, w, h, &bytes[..bytes.len() / 2]);
        assert!(
            matches!(short, Err(SourceError::BadFrame(_))),
            "{format:?}: {:?}",
            short.err()
        );
    }
    let mut jpeg = Vec::new();
    let image = image::GrayImage::from_raw(w.try_into().unwrap(), h.try_into().unwrap(), y.clone()).unwrap();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image)
        .unwrap();
    let gray = to_gray(PixelFormat::Mjpeg, w, h, &jpeg).unwrap();
    assert_eq!(scan::decode(&gray).payloads, std::slice::from_ref(&door.pass));
    // Some cameras pad a frame after its end.
    let padded = [&jpeg[..], &[0; 64]].concat();
    assert_eq!(to_gray(PixelFormat::Mjpeg, w, h, &padded).unwrap(), gray);
    for (bytes, width) in [(&jpeg[..jpeg.len() / 3], w), (&jpeg[..], w / 2)] {
        let refused = to_gray(PixelFormat::Mjpeg, width, h, bytes);
        assert!(
            matches!(refused, Err(SourceError::BadFrame(_))),
            "{:?}",
            refused.err()
        );
    }
}
